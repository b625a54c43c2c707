/**
 * The Provision answers the gateway writes when it owns the device's policy ([MS-ASPROV]
 * 3.2.5.1): the policy with a temporary key for the initial request, the final key for the
 * acknowledgement. 12.0 and later carry an EASProvisionDoc (MS-EAS-Provisioning-WBXML);
 * 2.5 carries a wap-provisioningdoc string (MS-WAP-Provisioning-XML, [MS-ASPROV] 2.2.2.24).
 */
import { EAS_POLICY_SETTINGS, type SettingValue } from '../policy/eas-policy/index.js';
import { el, encode, type WbxmlElement } from '../wbxml/index.js';

export const WBXML_POLICY_TYPE = 'MS-EAS-Provisioning-WBXML';
export const WAP_POLICY_TYPE = 'MS-WAP-Provisioning-XML';

/** The policy type a device of this protocol version asks for ([MS-ASPROV] 2.2.2.43). */
export function policyTypeFor(protocolVersion: string): string {
  return protocolVersion === '2.5' ? WAP_POLICY_TYPE : WBXML_POLICY_TYPE;
}

function settingElement(name: string, value: SettingValue, item: string | undefined): WbxmlElement {
  if (Array.isArray(value)) return el(`Provision:${name}`, value.map((v) => el(`Provision:${item!}`, v)));
  if (value === null) return el(`Provision:${name}`);
  return el(`Provision:${name}`, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
}

/**
 * `<EASProvisionDoc>` with every setting, in the spec's order; 12.0 devices get only the
 * settings 12.0 defines ([MS-ASPROV] 2.2.2.27: the rest came with 12.1).
 */
export function easProvisionDoc(settings: ReadonlyMap<string, SettingValue>, protocolVersion: string): WbxmlElement {
  const is120 = protocolVersion === '12.0';
  const children = EAS_POLICY_SETTINGS.filter((s) => !is120 || s.since === '12.0').map((s) => {
    const item = s.kind.type === 'approved-list' || s.kind.type === 'denied-list' ? s.kind.item : undefined;
    return settingElement(s.name, settings.get(s.name) ?? s.default, item);
  });
  return el('Provision:EASProvisionDoc', children);
}

const flag = (v: SettingValue): string => (v === true ? '1' : '0');

/**
 * The 2.5 policy: password required, its length and complexity, the inactivity lock and
 * the wipe threshold, as Windows Mobile's security policy and registry characteristics
 * (the form Exchange 2003 SP2 and Z-Push write). Text, XML-escaped by the encoder.
 */
export function wapProvisioningDoc(settings: ReadonlyMap<string, SettingValue>): string {
  const required = settings.get('DevicePasswordEnabled') === true;
  const lock = settings.get('MaxInactivityTimeDeviceLock');
  const attempts = settings.get('MaxDevicePasswordFailedAttempts');
  const length = settings.get('MinDevicePasswordLength');
  const lassd = 'HKLM\\Comm\\Security\\Policy\\LASSD';
  const parm = (name: string, value: string | number): string => `<parm name="${name}" value="${value}"/>`;
  const ch = (type: string, body: string): string => `<characteristic type="${type}">${body}</characteristic>`;
  return (
    '<wap-provisioningdoc>' +
    ch('SecurityPolicy', parm('4131', required ? 0 : 1) + parm('4133', flag(settings.get('AllowUnsignedApplications') ?? true))) +
    ch(
      'Registry',
      ch(`${lassd}\\AE\\{50C13377-C66D-400C-889E-C316FC4AB374}`, parm('AEFrequencyType', typeof lock === 'number' ? 1 : 0) + parm('AEFrequencyValue', typeof lock === 'number' ? Math.max(1, Math.round(lock / 60)) : 0)) +
        ch(lassd, parm('DeviceWipeThreshold', typeof attempts === 'number' ? attempts : -1)) +
        ch(lassd, parm('CodewordFrequency', typeof attempts === 'number' ? Math.floor(attempts / 2) : 0)) +
        ch(`${lassd}\\LAP\\lap_pw`, parm('MinimumPasswordLength', typeof length === 'number' ? length : 1)) +
        ch(`${lassd}\\LAP\\lap_pw`, parm('PasswordComplexity', settings.get('AlphanumericDevicePasswordRequired') === true ? 0 : 2)),
    ) +
    '</wap-provisioningdoc>'
  );
}

export interface PolicyAnswer {
  protocolVersion: string;
  /** the temporary key of the initial answer, the final key of the acknowledgement's */
  policyKey: string;
  /** 14.1+: the request carried DeviceInformation, so the answer carries its Status ([MS-ASPROV] 3.2.5.1.1) */
  deviceInformation: boolean;
}

function deviceInformationStatus(a: PolicyAnswer): WbxmlElement[] {
  return a.deviceInformation ? [el('Settings:DeviceInformation', el('Status', '1'))] : [];
}

/** The answer to the initial Provision: Status 1, the policy with its temporary key. */
export function provisionPolicyAnswer(a: PolicyAnswer, settings: ReadonlyMap<string, SettingValue>): Buffer {
  const type = policyTypeFor(a.protocolVersion);
  const data = type === WAP_POLICY_TYPE ? wapProvisioningDoc(settings) : easProvisionDoc(settings, a.protocolVersion);
  const policy = el('Provision:Policy', el('PolicyType', type), el('Status', '1'), el('PolicyKey', a.policyKey), el('Data', data));
  return encode(el('Provision:Provision', ...deviceInformationStatus(a), el('Provision:Status', '1'), el('Provision:Policies', policy)));
}

/**
 * The answer to the acknowledgement: the final key (policy Status 1), or Policy Status 5
 * when the device acknowledged a key the gateway did not hand out ([MS-ASPROV] 2.2.2.54.1).
 */
export function provisionAckAnswer(a: PolicyAnswer, outcome: 'accepted' | 'wrong-key'): Buffer {
  const type = policyTypeFor(a.protocolVersion);
  const policy = outcome === 'accepted' ? el('Provision:Policy', el('PolicyType', type), el('Status', '1'), el('PolicyKey', a.policyKey)) : el('Provision:Policy', el('PolicyType', type), el('Status', '5'));
  return encode(el('Provision:Provision', ...deviceInformationStatus(a), el('Provision:Status', '1'), el('Provision:Policies', policy)));
}
