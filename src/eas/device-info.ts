import { compilePaths, extractPaths } from '../wbxml/index.js';

/**
 * Device facts the gateway reads from request bodies on the hot path, with the cheap
 * targeted extraction of src/wbxml (no tree is built). Every reader throws only WbxmlError.
 */

/** Settings:DeviceInformation/Set ([MS-ASCMD] 2.2.3.45, 2.2.3.167; tokens [MS-ASWBXML] 2.1.2.1.19). */
export interface DeviceInformation {
  model?: string;
  imei?: string;
  friendlyName?: string;
  os?: string;
  osLanguage?: string;
  phoneNumber?: string;
  userAgent?: string;
  /** EnableOutboundSMS: '1' true, '0' false; anything else is left out. */
  enableOutboundSms?: boolean;
  mobileOperator?: string;
}

const FIELDS = [
  ['model', 'Model'], ['imei', 'IMEI'], ['friendlyName', 'FriendlyName'], ['os', 'OS'],
  ['osLanguage', 'OSLanguage'], ['phoneNumber', 'PhoneNumber'], ['userAgent', 'UserAgent'],
  ['enableOutboundSms', 'EnableOutboundSMS'], ['mobileOperator', 'MobileOperator'],
] as const;

/** The paths of DeviceInformation/Set and of each field under `prefix`. */
function deviceInfoPaths(prefix: string): string[] {
  return [`${prefix}/Set`, ...FIELDS.map(([, tag]) => `${prefix}/Set/${tag}`)];
}

/** Builds DeviceInformation from the values of deviceInfoPaths(), starting at `at`. */
function deviceInfoAt(values: readonly (string | undefined)[], at: number): DeviceInformation | undefined {
  if (values[at] === undefined) return undefined;
  const info: DeviceInformation = {};
  for (let i = 0; i < FIELDS.length; i++) {
    const field = FIELDS[i]![0];
    const value = values[at + 1 + i];
    if (value === undefined) continue;
    if (field === 'enableOutboundSms') {
      if (value === '1' || value === '0') info.enableOutboundSms = value === '1';
    } else {
      info[field] = value;
    }
  }
  return info;
}

/** A decimal status or interval; undefined when absent or not a plain number. */
export function parseCount(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

export interface SettingsRequest {
  /** Present when the body carries Settings/DeviceInformation/Set. */
  deviceInformation?: DeviceInformation;
}

const SETTINGS = compilePaths(deviceInfoPaths('Settings:Settings/DeviceInformation'));

/** Reads a Settings request body. */
export function readSettingsRequest(body: Uint8Array): SettingsRequest {
  const info = deviceInfoAt(extractPaths(body, SETTINGS), 0);
  return info === undefined ? {} : { deviceInformation: info };
}

export interface ProvisionRequest {
  /**
   * initial: Policies/Policy with a PolicyType but no PolicyKey ([MS-ASPROV] 3.1.5.1.1);
   * acknowledgement: a PolicyKey with the client's Status ([MS-ASPROV] 3.1.5.1.2.1);
   * wipe-acknowledgement: RemoteWipe or AccountOnlyRemoteWipe with a Status
   * ([MS-ASPROV] 3.1.5.1.2.2, 3.1.5.1.2.3); unknown: none of these.
   */
  phase: 'initial' | 'acknowledgement' | 'wipe-acknowledgement' | 'unknown';
  policyType?: string;
  policyKey?: string;
  /** Policy/Status of an acknowledgement: 1 applied, 2 partly, 3 not applied, 4 third party ([MS-ASPROV] 2.2.2.54). */
  policyStatus?: number;
  /** The wipe acknowledgement: Status 1 success, 2 failure. */
  wipeAck?: { accountOnly: boolean; status?: number };
  /** 14.1+ put DeviceInformation in the initial request ([MS-ASPROV] 2.2.2.53). */
  deviceInformation?: DeviceInformation;
}

const P = 'Provision:Provision';
const PROVISION = compilePaths([
  ...deviceInfoPaths(`${P}/Settings:DeviceInformation`),
  `${P}/Policies/Policy/PolicyType`, `${P}/Policies/Policy/PolicyKey`, `${P}/Policies/Policy/Status`,
  `${P}/RemoteWipe`, `${P}/RemoteWipe/Status`, `${P}/AccountOnlyRemoteWipe`, `${P}/AccountOnlyRemoteWipe/Status`,
]);
const AFTER_INFO = 1 + FIELDS.length;

/** Reads a Provision request body. */
export function readProvisionRequest(body: Uint8Array): ProvisionRequest {
  const values = extractPaths(body, PROVISION);
  const [policyType, policyKey, policyStatus, wipe, wipeStatus, accountWipe, accountWipeStatus] = values.slice(AFTER_INFO);
  const request: ProvisionRequest = { phase: 'unknown' };
  const info = deviceInfoAt(values, 0);
  if (info !== undefined) request.deviceInformation = info;
  if (policyType !== undefined) request.policyType = policyType;
  if (policyKey !== undefined) request.policyKey = policyKey;
  const status = parseCount(policyStatus);
  if (status !== undefined) request.policyStatus = status;
  if (wipe !== undefined || accountWipe !== undefined) {
    const accountOnly = wipe === undefined;
    const ackStatus = parseCount(accountOnly ? accountWipeStatus : wipeStatus);
    request.wipeAck = ackStatus === undefined ? { accountOnly } : { accountOnly, status: ackStatus };
    request.phase = 'wipe-acknowledgement';
  } else if (policyKey !== undefined) {
    request.phase = 'acknowledgement';
  } else if (policyType !== undefined) {
    request.phase = 'initial';
  }
  return request;
}
