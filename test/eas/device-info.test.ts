import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPingRequest, readSyncRequest } from '../../src/eas/body-facts.js';
import { readProvisionRequest, readSettingsRequest } from '../../src/eas/device-info.js';
import { el, encode, WbxmlError } from '../../src/wbxml/index.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/wbxml/${name}`, import.meta.url));

describe('Settings request: DeviceInformation', () => {
  it('reads all nine fields (libwbxml test input activesync-001)', () => {
    expect(readSettingsRequest(fixture('libwbxml-activesync-001-settings_device_information.wbxml'))).toEqual({
      deviceInformation: {
        model: '0.11-beta', imei: '1234567890', friendlyName: 'Test Device', os: 'Linux', osLanguage: 'de_DE',
        phoneNumber: '+49301234567890', mobileOperator: 'O2', userAgent: 'libwbxml',
      },
    });
  });

  it('reads EnableOutboundSMS 1/0 as a boolean and drops any other value', () => {
    const body = (sms: string) => encode(el('Settings:Settings', el('DeviceInformation', el('Set', el('Model', 'M'), el('EnableOutboundSMS', sms)))));
    expect(readSettingsRequest(body('1')).deviceInformation).toEqual({ model: 'M', enableOutboundSms: true });
    expect(readSettingsRequest(body('0')).deviceInformation).toEqual({ model: 'M', enableOutboundSms: false });
    expect(readSettingsRequest(body('yes')).deviceInformation).toEqual({ model: 'M' });
  });

  it('has no deviceInformation for a Settings request without DeviceInformation/Set', () => {
    expect(readSettingsRequest(encode(el('Settings:Settings', el('UserInformation', el('Get')))))).toEqual({});
  });

  it('throws only WbxmlError for a body that is not WBXML', () => {
    expect(() => readSettingsRequest(Buffer.from('<Settings/>'))).toThrow(WbxmlError);
    expect(() => readSettingsRequest(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'EASGATE_ERR_WBXML_TRUNCATED' }) as Error);
  });
});

describe('Provision request', () => {
  it('initial 14.1 request: policy type and DeviceInformation ([MS-ASPROV] 2.2.2.53)', () => {
    expect(readProvisionRequest(fixture('gen-provision-initial-request-14.1.wbxml'))).toEqual({
      phase: 'initial',
      policyType: 'MS-EAS-Provisioning-WBXML',
      deviceInformation: {
        model: 'iPhone', imei: '356938035643809', friendlyName: 'Test iPhone', os: 'iOS 17.0', osLanguage: 'en',
        phoneNumber: '+15555550100', userAgent: 'Apple-iPhone/2101.1', mobileOperator: 'Carrier',
      },
    });
  });

  it('initial 12.1/14.0 request without DeviceInformation', () => {
    expect(readProvisionRequest(fixture('libwbxml-activesync-010-provision-eas.wbxml'))).toEqual({ phase: 'initial', policyType: 'MS-EAS-Provisioning-WBXML' });
  });

  it('acknowledgement: the temporary key and the client status ([MS-ASPROV] 4.1.3)', () => {
    expect(readProvisionRequest(fixture('gen-provision-ack-request.wbxml'))).toEqual({
      phase: 'acknowledgement', policyType: 'MS-EAS-Provisioning-WBXML', policyKey: '1307199584', policyStatus: 1,
    });
  });

  it('RemoteWipe acknowledgement with its status', () => {
    expect(readProvisionRequest(fixture('gen-provision-remotewipe-ack.wbxml'))).toEqual({ phase: 'wipe-acknowledgement', wipeAck: { accountOnly: false, status: 1 } });
  });

  it('AccountOnlyRemoteWipe acknowledgement (16.1, token 0x3B) with its status', () => {
    expect(readProvisionRequest(fixture('hand-provision-accountonly-wipe-ack.wbxml'))).toEqual({ phase: 'wipe-acknowledgement', wipeAck: { accountOnly: true, status: 1 } });
  });

  it('a failed wipe (Status 2) and a wipe acknowledgement without status', () => {
    expect(readProvisionRequest(encode(el('Provision:Provision', el('RemoteWipe', el('Status', '2'))))).wipeAck).toEqual({ accountOnly: false, status: 2 });
    expect(readProvisionRequest(encode(el('Provision:Provision', el('RemoteWipe')))).wipeAck).toEqual({ accountOnly: false });
  });

  it('unknown phase for another root or an empty Provision', () => {
    expect(readProvisionRequest(fixture('gen-sync-status129.wbxml'))).toEqual({ phase: 'unknown' });
    expect(readProvisionRequest(encode(el('Provision:Provision')))).toEqual({ phase: 'unknown' });
  });
});

describe('Ping and Sync long-poll facts', () => {
  it('Ping HeartbeatInterval in seconds', () => {
    expect(readPingRequest(fixture('gen-ping-request.wbxml'))).toEqual({ heartbeatInterval: 480 });
  });

  it('an empty Ping or Sync body means "cached parameters" ([MS-ASHTTP] 2.2.1.1.3): an empty result', () => {
    expect(readPingRequest(new Uint8Array(0))).toEqual({});
    expect(readSyncRequest(new Uint8Array(0))).toEqual({});
  });

  it('Sync HeartbeatInterval (seconds) and Wait (minutes)', () => {
    const sync = (child: ReturnType<typeof el>) => encode(el('AirSync:Sync', el('Collections', el('Collection', el('SyncKey', '1'), el('CollectionId', '5'))), child));
    expect(readSyncRequest(sync(el('AirSync:HeartbeatInterval', '900')))).toEqual({ heartbeatInterval: 900 });
    expect(readSyncRequest(sync(el('AirSync:Wait', '15')))).toEqual({ wait: 15 });
  });

  it('ignores a non-numeric interval and a Wait that is not a child of Sync', () => {
    expect(readPingRequest(encode(el('Ping:Ping', el('HeartbeatInterval', 'soon'))))).toEqual({});
    expect(readSyncRequest(encode(el('AirSync:Sync', el('Collections', el('Collection', el('Wait', '5'))))))).toEqual({});
  });

  it('throws only WbxmlError for a truncated body', () => {
    const bytes = fixture('gen-ping-request.wbxml');
    expect(() => readPingRequest(bytes.subarray(0, bytes.length - 1))).toThrow(WbxmlError);
  });
});
