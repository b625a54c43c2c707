/**
 * The policy data model of the gateway: what the admin API edits, the policy file
 * declares, the store keeps and `evaluate` reads. Names follow the Exchange cmdlets
 * (Set-CASMailbox, New-ActiveSyncDeviceAccessRule, Set-ActiveSyncOrganizationSettings,
 * Get-MobileDeviceStatistics; docs/protocol.md 6) in camelCase, as the admin API spells them.
 * Times are epoch milliseconds, except the license expiry which is the API's date string.
 */

export const ACCESS_LEVELS = ['Allow', 'Block', 'Quarantine'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** DeviceAccessState ([MS-ASCMD]-era Exchange enum, docs/protocol.md 6.2) without Unknown. */
export const ACCESS_STATES = ['Allowed', 'Blocked', 'Quarantined', 'DeviceDiscovery'] as const;
export type AccessState = (typeof ACCESS_STATES)[number];

/** Why a device has its state; the first three and License refuse the mailbox as a whole. */
export const ACCESS_REASONS = [
  'SystemDisabled',
  'DomainDisabled',
  'UserDisabled',
  'License',
  'Individual',
  'DeviceIdList',
  'Unregistered',
  'DeviceRule',
  'Domain',
  'User',
  'Global',
] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

/** Most specific first: the first characteristic that has a matching rule decides (docs/protocol.md 6.1). */
export const CHARACTERISTICS = ['UserAgent', 'DeviceOS', 'DeviceModel', 'DeviceType'] as const;
export type Characteristic = (typeof CHARACTERISTICS)[number];

export const DEVICE_ID_LEVELS = ['Allow', 'Block'] as const;
export type DeviceIdLevel = (typeof DEVICE_ID_LEVELS)[number];

export const DISABLED_REASONS = ['Admin', 'License'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

export const WIPE_STATUSES = ['WipePending', 'WipeSent', 'WipeSucceeded', 'WipeFailed'] as const;
export type WipeStatus = (typeof WIPE_STATUSES)[number];

export interface License {
  /** Users that may have ActiveSync enabled at once. */
  total: number;
  /** `YYYY-MM-DD` (valid through that day, UTC) or a full ISO 8601 time. */
  expiresAt?: string;
}

export interface SystemSettings {
  activeSyncEnabled: boolean;
  /** Absent: no license limit. */
  license?: License;
}

export interface Domain {
  /** Lower-case mail domain. */
  name: string;
  activeSyncEnabled: boolean;
  defaultAccessLevel?: AccessLevel;
  /** The gateway ActiveSync policy of the domain's devices (src/policy/eas-policy), unless a mailbox or device has its own. */
  policy?: string;
}

export interface OrganizationSettings {
  defaultAccessLevel: AccessLevel;
  /**
   * The level of a device not linked to a registered device of the management backend
   * ("only managed devices may sync"): applied after the personal and organisation device-ID
   * lists, before the rules. Allow (the default; absent in settings stored before it
   * existed) leaves such devices to the rules.
   */
  unregisteredAccessLevel?: AccessLevel;
  adminMailRecipients: string[];
  userMailInsert: string;
  /** The organisation's default gateway ActiveSync policy; absent: the upstream's own policy passes through. */
  policy?: string;
}

export interface DeviceAccessRule {
  id: string;
  characteristic: Characteristic;
  /** Exact match, no wildcards (New-ActiveSyncDeviceAccessRule). */
  queryString: string;
  accessLevel: AccessLevel;
}

export interface Mailbox {
  /** Normalised user (see normalizeUser). */
  user: string;
  activeSyncEnabled: boolean;
  /** Original spelling kept; compared without regard to case. */
  allowedDeviceIds: string[];
  blockedDeviceIds: string[];
  defaultAccessLevel?: AccessLevel;
  /** Set when activeSyncEnabled is false: why (License when the limit refused it). */
  disabledReason?: DisabledReason;
  /** The gateway ActiveSync policy of the mailbox's devices, unless a device has its own. */
  policy?: string;
}

/** The organisation-wide device-ID list (loaned devices), any mailbox. */
export interface DeviceIdEntry {
  deviceId: string;
  accessLevel: DeviceIdLevel;
  note?: string;
}

/** One user + device partnership, with Get-MobileDeviceStatistics' fields (docs/protocol.md 6.5). */
export interface Association {
  user: string;
  /** The spelling the device used first; the key is its lower case (deviceKey). */
  deviceId: string;
  deviceType?: string;
  model?: string;
  imei?: string;
  os?: string;
  osLanguage?: string;
  friendlyName?: string;
  phoneNumber?: string;
  mobileOperator?: string;
  userAgent?: string;
  protocolVersion?: string;
  /** When DeviceInformation last arrived (Provision 14.1+ or Settings); unset: DeviceDiscovery applies. */
  deviceInfoAt?: number;
  firstSyncAt: number;
  lastSyncAttemptAt?: number;
  lastSuccessSyncAt?: number;
  lastCommand?: string;
  accessState: AccessState;
  accessReason: AccessReason;
  matchedRuleId?: string;
  accessStateAt?: number;
  /** The gateway instance that saw the device last. */
  lastInstance?: string;
  displayName: string;
  comment?: string;
  /** Link to the management backend's device record. */
  backendDeviceId?: string;
  linkedAt?: number;
  /**
   * The same phone under a new device ID (iOS takes a new one after a wipe or a restore):
   * set on the old association when a newer one of the same user reports the same IMEI.
   */
  replacedBy?: string;
  /** The device ID this association replaced (same user and IMEI). */
  replaces?: string;
  wipeStatus?: WipeStatus;
  wipeAccountOnly?: boolean;
  wipeRequestedAt?: number;
  wipeRequestedBy?: string;
  wipeSentAt?: number;
  wipeAckAt?: number;
  /** Set while the device is being served the gateway's quarantine mailbox (a release then forces a resync). */
  quarantineMailboxAt?: number;
  /** The gateway ActiveSync policy assigned to this device itself (most specific; revert removes it). */
  policyAssigned?: string;
  /** The gateway policy the device was last provisioned with, and the final key it must send. */
  policyName?: string;
  policyKey?: string;
  /** The revision of the policy the key was issued for (a newer one makes the device provision again). */
  policyRevision?: string;
  /** When the final key was issued. */
  policyKeyAt?: number;
  /** How the device applied the policy (its acknowledgement's status). */
  policyApplication?: PolicyApplication;
}

/** How a device applied a gateway policy: its Provision acknowledgement's Policy Status ([MS-ASPROV] 2.2.2.54.2). */
export const POLICY_APPLICATIONS = ['applied', 'partially-applied', 'not-applied', 'externally-managed', 'unknown'] as const;
export type PolicyApplication = (typeof POLICY_APPLICATIONS)[number];

/** One entry of an association's state history (newest first when listed). */
export interface StateChange {
  at: number;
  state: AccessState;
  reason: AccessReason;
  ruleId?: string;
  /** Who changed it: an admin token name, or the gateway instance for policy verdicts. */
  actor?: string;
  /** The admin's reason (a ticket number). */
  note?: string;
}

export function defaultSystemSettings(): SystemSettings {
  return { activeSyncEnabled: true };
}

export function defaultOrganizationSettings(): OrganizationSettings {
  return { defaultAccessLevel: 'Allow', unregisteredAccessLevel: 'Allow', adminMailRecipients: [], userMailInsert: '' };
}

export function defaultMailbox(user: string): Mailbox {
  return { user, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] };
}

/** Device IDs compare without regard to case, as Exchange and the open-source servers do. */
export function deviceKey(deviceId: string): string {
  return deviceId.toLowerCase();
}

const PRINTABLE_ID = /^[A-Za-z0-9]{1,32}$/;

/**
 * A device ID as text when it is the lowercase hex that a base64 query's device-ID bytes
 * become ([MS-ASHTTP] 2.2.1.1.1.1; docs/protocol.md 1.3) and those bytes are printable
 * (1*32 ALPHA / DIGIT): `4170706c65303031` → `Apple001`; undefined otherwise.
 */
export function deviceIdText(id: string): string | undefined {
  if (!/^(?:[0-9a-f]{2}){1,32}$/.test(id)) return undefined;
  const text = Buffer.from(id, 'hex').toString('latin1');
  return PRINTABLE_ID.test(text) ? text : undefined;
}

/** The spellings an admin may use for one device: as sent, and its hex or text form (a base64 query's ID). */
export function deviceIdForms(id: string): string[] {
  const text = deviceIdText(id);
  const forms = [id];
  if (text !== undefined) forms.push(text);
  if (PRINTABLE_ID.test(id)) forms.push(Buffer.from(id, 'latin1').toString('hex'));
  return forms;
}

/** The mail domain of a normalised user ('' for a bare user name). */
export function domainOf(user: string): string {
  const at = user.lastIndexOf('@');
  return at < 0 ? '' : user.slice(at + 1);
}

/** Exchange's display name of a partnership: UserName_DeviceType. */
export function displayNameOf(user: string, deviceType: string | undefined): string {
  const at = user.lastIndexOf('@');
  const name = at < 0 ? user : user.slice(0, at);
  return `${name}_${deviceType ?? 'Unknown'}`;
}

export function accessStateOf(level: AccessLevel): AccessState {
  return level === 'Allow' ? 'Allowed' : level === 'Block' ? 'Blocked' : 'Quarantined';
}
