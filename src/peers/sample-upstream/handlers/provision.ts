/**
 * Provision: the two-phase exchange of [MS-ASPROV] 3.2.5.1 (initial request → temporary
 * key and policy; acknowledgement → final key), with DeviceInformation for 14.1+.
 */
import { randomBytes } from 'node:crypto';
import { versionAtLeast } from '../../common/protocol.js';
import { child, childText, descend, elements, page, textOf, type WbxmlElement } from '../../common/tree.js';
import { HttpAnswer, readDoc, sendWbxml, type EasContext } from '../context.js';

const p = page('Provision');
const s = page('Settings');

export const WBXML_POLICY = 'MS-EAS-Provisioning-WBXML';
export const WAP_POLICY = 'MS-WAP-Provisioning-XML';

/** A random non-zero uint32 in decimal, as Exchange issues ([MS-ASPROV] 2.2.2.42). */
function newPolicyKey(): string {
  return String(randomBytes(4).readUInt32LE(0) || 1);
}

/** DeviceInformation/Set children as name → value ([MS-ASCMD] 2.2.3.45). */
export function deviceInformationOf(di: WbxmlElement | undefined): Record<string, string> | undefined {
  const set = child(di, 'Set');
  if (set === undefined) return undefined;
  return Object.fromEntries(elements(set).map((e) => [e.name, textOf(e) ?? '']));
}

export async function provision(ctx: EasContext): Promise<void> {
  const doc = await readDoc(ctx);
  if (doc === undefined || doc.name !== 'Provision') throw new HttpAnswer(400, 'Provision needs a Provision body');
  const wipeAck = child(doc, 'RemoteWipe') ?? child(doc, 'AccountOnlyRemoteWipe');
  if (wipeAck !== undefined) {
    // No wipe is ever pending here; acknowledge anyway ([MS-ASPROV] 3.2.5.1.2.2).
    sendWbxml(ctx, p('Provision', p('Status', '1')));
    return;
  }
  const di = child(doc, 'DeviceInformation', 'Settings');
  const info = deviceInformationOf(di);
  if (info !== undefined) ctx.device.deviceInformation = info;
  // [MS-ASPROV] 3.2.5.1.1: 14.1+ echoes the DeviceInformation Status before Provision Status.
  const diStatus = di !== undefined && versionAtLeast(ctx.version, '14.1') ? s('DeviceInformation', s('Status', '1')) : undefined;
  const policy = descend(doc, 'Policies', 'Policy');
  const type = childText(policy, 'PolicyType') ?? '';
  const expectedType = versionAtLeast(ctx.version, '12.0') ? WBXML_POLICY : WAP_POLICY;
  if (policy === undefined || type !== expectedType) {
    // Policy Status 3: unknown PolicyType ([MS-ASPROV] 2.2.2.54.1).
    sendWbxml(ctx, p('Provision', diStatus, p('Status', '1'), p('Policies', p('Policy', p('PolicyType', type), p('Status', '3')))));
    return;
  }
  const ackKey = childText(policy, 'PolicyKey');
  if (ackKey === undefined) {
    const temporary = newPolicyKey();
    ctx.device.pendingPolicyKey = temporary;
    const data = p('Data', type === WAP_POLICY ? wapDocument() : provisionDoc(ctx.version));
    sendWbxml(ctx, p('Provision', diStatus, p('Status', '1'), p('Policies', p('Policy', p('PolicyType', type), p('Status', '1'), p('PolicyKey', temporary), data))));
    return;
  }
  if (ackKey !== ctx.device.pendingPolicyKey) {
    // Policy Status 5: the client acknowledged the wrong policy key.
    sendWbxml(ctx, p('Provision', p('Status', '1'), p('Policies', p('Policy', p('PolicyType', type), p('Status', '5')))));
    return;
  }
  const final = newPolicyKey();
  ctx.device.policyKey = final;
  ctx.device.pendingPolicyKey = undefined;
  sendWbxml(ctx, p('Provision', p('Status', '1'), p('Policies', p('Policy', p('PolicyType', type), p('Status', '1'), p('PolicyKey', final)))));
}

/** A permissive EASProvisionDoc ([MS-ASPROV] 2.2.2.27); 12.1+ settings only for 12.1+. */
function provisionDoc(version: string): WbxmlElement {
  const base: [string, string][] = [
    ['DevicePasswordEnabled', '0'],
    ['AlphanumericDevicePasswordRequired', '0'],
    ['PasswordRecoveryEnabled', '0'],
    ['AttachmentsEnabled', '1'],
    ['MinDevicePasswordLength', '4'],
    ['MaxInactivityTimeDeviceLock', '900'],
    ['MaxDevicePasswordFailedAttempts', '8'],
    ['AllowSimpleDevicePassword', '1'],
  ];
  const v121: [string, string][] = [
    ['DevicePasswordExpiration', '0'],
    ['DevicePasswordHistory', '0'],
    ['AllowStorageCard', '1'],
    ['AllowCamera', '1'],
    ['RequireDeviceEncryption', '0'],
    ['AllowWiFi', '1'],
    ['AllowTextMessaging', '1'],
    ['AllowPOPIMAPEmail', '1'],
    ['AllowBluetooth', '2'],
    ['AllowHTMLEmail', '1'],
    ['MaxEmailAgeFilter', '0'],
    ['AllowBrowser', '1'],
  ];
  const rows = versionAtLeast(version, '12.1') ? [...base, ...v121] : base;
  return p('EASProvisionDoc', rows.map(([name, value]) => p(name, value)));
}

/** The 2.5 policy: a wap-provisioningdoc carried as a string ([MS-ASPROV] 2.2.2.24). */
function wapDocument(): string {
  return (
    '<wap-provisioningdoc><characteristic type="SecurityPolicy"><parm name="4131" value="1"/></characteristic>' +
    '<characteristic type="Registry"><characteristic type="HKLM\\Comm\\Security\\Policy\\LASSD\\AE\\{50C13377-C66D-400C-889E-C316FC4AB374}">' +
    '<parm name="AEFrequencyType" value="0"/></characteristic></characteristic></wap-provisioningdoc>'
  );
}
