import { describe, expect, it } from 'vitest';
import { easProvisionDoc, provisionAckAnswer, provisionPolicyAnswer, wapProvisioningDoc } from '../../src/eas/provision-policy.js';
import { effectiveSettings } from '../../src/policy/eas-policy/index.js';
import { decode, type WbxmlElement } from '../../src/wbxml/index.js';
import { libwbxmlView, parseLibwbxmlXml, wbxml2xml, withoutUnknownNs } from '../wbxml/helpers/libwbxml.js';

const settings = effectiveSettings({ DevicePasswordEnabled: true, MinDevicePasswordLength: 6, RequireDeviceEncryption: true, MaxInactivityTimeDeviceLock: 300, MaxDevicePasswordFailedAttempts: 8, UnapprovedInROMApplicationList: ['games.exe'] });

const text = (e: WbxmlElement | undefined): string | undefined => (e === undefined ? undefined : e.children.filter((c): c is string => typeof c === 'string').join(''));
const find = (e: WbxmlElement, ...path: string[]): WbxmlElement | undefined => {
  let cur: WbxmlElement | undefined = e;
  for (const name of path) cur = cur?.children.find((c): c is WbxmlElement => typeof c === 'object' && !(c instanceof Uint8Array) && c.name === name);
  return cur;
};

describe('the Provision answers of a gateway policy', () => {
  it('14.1 initial answer: DeviceInformation status, Status 1, the policy with its key and every setting; libwbxml reads the same document', () => {
    const bytes = provisionPolicyAnswer({ protocolVersion: '14.1', policyKey: '1307199584', deviceInformation: true }, settings);
    const doc = decode(bytes);
    expect(doc.children.map((c) => (c as WbxmlElement).name)).toEqual(['DeviceInformation', 'Status', 'Policies']);
    const policy = find(doc, 'Policies', 'Policy')!;
    expect(text(find(policy, 'PolicyType'))).toBe('MS-EAS-Provisioning-WBXML');
    expect(text(find(policy, 'PolicyKey'))).toBe('1307199584');
    const pd = find(policy, 'Data', 'EASProvisionDoc')!;
    expect(text(find(pd, 'MinDevicePasswordLength'))).toBe('6');
    expect(text(find(pd, 'RequireDeviceEncryption'))).toBe('1');
    expect(text(find(pd, 'AllowCamera'))).toBe('1');
    expect(find(pd, 'MaxAttachmentSize')?.children).toEqual([]);
    expect(text(find(pd, 'UnapprovedInROMApplicationList', 'ApplicationName'))).toBe('games.exe');
    expect(pd.children).toHaveLength(42);
    expect(withoutUnknownNs(parseLibwbxmlXml(wbxml2xml(bytes)))).toEqual(withoutUnknownNs(libwbxmlView(doc)));
  });

  it('12.0 gets only the twelve settings 12.0 defines', () => {
    expect(easProvisionDoc(settings, '12.0').children).toHaveLength(12);
    expect(easProvisionDoc(settings, '12.1').children).toHaveLength(42);
  });

  it('acknowledgement: the final key, or Policy Status 5 for a key the gateway did not hand out', () => {
    const ok = decode(provisionAckAnswer({ protocolVersion: '14.0', policyKey: '3942919513', deviceInformation: false }, 'accepted'));
    expect(text(find(ok, 'Policies', 'Policy', 'Status'))).toBe('1');
    expect(text(find(ok, 'Policies', 'Policy', 'PolicyKey'))).toBe('3942919513');
    const wrong = decode(provisionAckAnswer({ protocolVersion: '14.0', policyKey: '1', deviceInformation: false }, 'wrong-key'));
    expect(text(find(wrong, 'Policies', 'Policy', 'Status'))).toBe('5');
    expect(find(wrong, 'Policies', 'Policy', 'PolicyKey')).toBeUndefined();
    for (const b of [provisionAckAnswer({ protocolVersion: '14.0', policyKey: '3942919513', deviceInformation: false }, 'accepted')]) {
      expect(withoutUnknownNs(parseLibwbxmlXml(wbxml2xml(b)))).toEqual(withoutUnknownNs(libwbxmlView(decode(b))));
    }
  });

  it('2.5: a wap-provisioningdoc with the password, lock and wipe threshold', () => {
    const bytes = provisionPolicyAnswer({ protocolVersion: '2.5', policyKey: '42', deviceInformation: false }, settings);
    const data = text(find(decode(bytes), 'Policies', 'Policy', 'Data'))!;
    expect(data).toBe(wapProvisioningDoc(settings));
    expect(data).toContain('<parm name="4131" value="0"/>');
    expect(data).toContain('<parm name="AEFrequencyValue" value="5"/>');
    expect(data).toContain('<parm name="DeviceWipeThreshold" value="8"/>');
    expect(data).toContain('<parm name="MinimumPasswordLength" value="6"/>');
    expect(text(find(decode(bytes), 'Policies', 'Policy', 'PolicyType'))).toBe('MS-WAP-Provisioning-XML');
  });
});
