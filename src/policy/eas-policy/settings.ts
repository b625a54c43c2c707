/**
 * Every setting of [MS-ASPROV]'s EASProvisionDoc (2.2.2.x; tokens of code page 14 in
 * [MS-ASWBXML] 2.1.2.1.15), declared once: its kind (which says how it is validated and
 * which of two values is the stricter), its range, the value Exchange's default mobile
 * device mailbox policy has, and the protocol version that brought it. The document is
 * written in this order (the order of the spec's element list and of the tokens).
 */

/** How a setting reads, and which value of two is the stricter. */
export type SettingKind =
  /** 0/1, false is stricter (Allow*, AttachmentsEnabled) */
  | { readonly type: 'allow' }
  /** 0/1, true is stricter (Require*, DevicePasswordEnabled, …) */
  | { readonly type: 'require' }
  /** an integer in [min, max]; the larger is stricter; null: not required */
  | { readonly type: 'at-least'; readonly min: number; readonly max: number }
  /** an integer in [min, max]; the smaller is stricter; null: no limit */
  | { readonly type: 'at-most'; readonly min: number; readonly max: number }
  /** one of `order`, listed from the strictest to the loosest */
  | { readonly type: 'ordered'; readonly order: readonly number[] }
  /** a list of application names or hashes: applications the device may run (both lists apply: the common part is stricter) */
  | { readonly type: 'approved-list'; readonly item: 'Hash' }
  /** a list of in-ROM applications the device must not run (the union is stricter) */
  | { readonly type: 'denied-list'; readonly item: 'ApplicationName' };

export type SettingValue = boolean | number | readonly string[] | null;

export interface SettingSpec {
  readonly name: string;
  readonly kind: SettingKind;
  /** Exchange's default policy (what a device gets for a setting a policy leaves out). */
  readonly default: SettingValue;
  /** The first protocol version whose EASProvisionDoc has it ([MS-ASPROV] 2.2.2.x). */
  readonly since: '12.0' | '12.1';
  readonly doc: string;
}

const allow = { type: 'allow' } as const;
const require = { type: 'require' } as const;

export const EAS_POLICY_SETTINGS: readonly SettingSpec[] = [
  { name: 'DevicePasswordEnabled', kind: require, default: false, since: '12.0', doc: 'a device password is required' },
  { name: 'AlphanumericDevicePasswordRequired', kind: require, default: false, since: '12.0', doc: 'the password must contain letters and digits' },
  { name: 'RequireStorageCardEncryption', kind: require, default: false, since: '12.0', doc: 'the storage card must be encrypted' },
  { name: 'PasswordRecoveryEnabled', kind: require, default: false, since: '12.0', doc: 'a recovery password is sent to the server' },
  { name: 'AttachmentsEnabled', kind: allow, default: true, since: '12.0', doc: 'attachments may be downloaded' },
  { name: 'MinDevicePasswordLength', kind: { type: 'at-least', min: 1, max: 16 }, default: null, since: '12.0', doc: 'the shortest password' },
  { name: 'MaxInactivityTimeDeviceLock', kind: { type: 'at-most', min: 1, max: 9998 }, default: null, since: '12.0', doc: 'seconds of inactivity before the device locks' },
  { name: 'MaxDevicePasswordFailedAttempts', kind: { type: 'at-most', min: 4, max: 16 }, default: null, since: '12.0', doc: 'wrong passwords before the device wipes itself' },
  { name: 'MaxAttachmentSize', kind: { type: 'at-most', min: 0, max: 2 ** 31 - 1 }, default: null, since: '12.0', doc: 'the largest attachment, in bytes' },
  { name: 'AllowSimpleDevicePassword', kind: allow, default: true, since: '12.0', doc: 'simple passwords (1111, 1234) are allowed' },
  { name: 'DevicePasswordExpiration', kind: { type: 'at-most', min: 1, max: 730 }, default: null, since: '12.0', doc: 'days before the password must change' },
  { name: 'DevicePasswordHistory', kind: { type: 'at-least', min: 0, max: 50 }, default: 0, since: '12.0', doc: 'earlier passwords that may not be reused' },
  { name: 'AllowStorageCard', kind: allow, default: true, since: '12.1', doc: 'a storage card may be used' },
  { name: 'AllowCamera', kind: allow, default: true, since: '12.1', doc: 'the camera may be used' },
  { name: 'RequireDeviceEncryption', kind: require, default: false, since: '12.1', doc: 'the device must be encrypted' },
  { name: 'AllowUnsignedApplications', kind: allow, default: true, since: '12.1', doc: 'unsigned applications may run' },
  { name: 'AllowUnsignedInstallationPackages', kind: allow, default: true, since: '12.1', doc: 'unsigned installation packages may run' },
  { name: 'MinDevicePasswordComplexCharacters', kind: { type: 'at-least', min: 1, max: 4 }, default: 1, since: '12.1', doc: 'character classes the password must contain' },
  { name: 'AllowWiFi', kind: allow, default: true, since: '12.1', doc: 'Wi-Fi may be used' },
  { name: 'AllowTextMessaging', kind: allow, default: true, since: '12.1', doc: 'text messages may be used' },
  { name: 'AllowPOPIMAPEmail', kind: allow, default: true, since: '12.1', doc: 'POP/IMAP mail accounts may be used' },
  { name: 'AllowBluetooth', kind: { type: 'ordered', order: [0, 1, 2] }, default: 2, since: '12.1', doc: '0 none, 1 hands-free only, 2 all' },
  { name: 'AllowIrDA', kind: allow, default: true, since: '12.1', doc: 'infrared may be used' },
  { name: 'RequireManualSyncWhenRoaming', kind: require, default: false, since: '12.1', doc: 'no automatic sync while roaming' },
  { name: 'AllowDesktopSync', kind: allow, default: true, since: '12.1', doc: 'desktop sync may be used' },
  { name: 'MaxCalendarAgeFilter', kind: { type: 'ordered', order: [4, 5, 6, 7, 0] }, default: 0, since: '12.1', doc: 'the oldest calendar items synced: 4 two weeks, 5 a month, 6 three months, 7 six months, 0 all' },
  { name: 'AllowHTMLEmail', kind: allow, default: true, since: '12.1', doc: 'HTML mail may be shown' },
  { name: 'MaxEmailAgeFilter', kind: { type: 'ordered', order: [1, 2, 3, 4, 5, 0] }, default: 0, since: '12.1', doc: 'the oldest mail synced: 1 a day, 2 three days, 3 a week, 4 two weeks, 5 a month, 0 all' },
  { name: 'MaxEmailBodyTruncationSize', kind: { type: 'at-most', min: 0, max: 2 ** 31 - 1 }, default: null, since: '12.1', doc: 'plain-text bodies cut at this size in KB (null: not cut)' },
  { name: 'MaxEmailHTMLBodyTruncationSize', kind: { type: 'at-most', min: 0, max: 2 ** 31 - 1 }, default: null, since: '12.1', doc: 'HTML bodies cut at this size in KB (null: not cut)' },
  { name: 'RequireSignedSMIMEMessages', kind: require, default: false, since: '12.1', doc: 'sent mail must be signed (S/MIME)' },
  { name: 'RequireEncryptedSMIMEMessages', kind: require, default: false, since: '12.1', doc: 'sent mail must be encrypted (S/MIME)' },
  { name: 'RequireSignedSMIMEAlgorithm', kind: { type: 'ordered', order: [0, 1] }, default: 0, since: '12.1', doc: '0 SHA-1, 1 MD5' },
  { name: 'RequireEncryptionSMIMEAlgorithm', kind: { type: 'ordered', order: [0, 2, 3, 1, 4] }, default: 0, since: '12.1', doc: '0 TripleDES, 1 DES, 2 RC2-128, 3 RC2-64, 4 RC2-40 (listed strongest first: 0, 2, 3, 1, 4)' },
  { name: 'AllowSMIMEEncryptionAlgorithmNegotiation', kind: { type: 'ordered', order: [0, 1, 2] }, default: 2, since: '12.1', doc: '0 never, 1 strong algorithms only, 2 any' },
  { name: 'AllowSMIMESoftCerts', kind: allow, default: true, since: '12.1', doc: 'certificates kept in software may be used' },
  { name: 'AllowBrowser', kind: allow, default: true, since: '12.1', doc: 'the browser may be used' },
  { name: 'AllowConsumerEmail', kind: allow, default: true, since: '12.1', doc: 'personal mail accounts may be used' },
  { name: 'AllowRemoteDesktop', kind: allow, default: true, since: '12.1', doc: 'remote desktop may be used' },
  { name: 'AllowInternetSharing', kind: allow, default: true, since: '12.1', doc: 'the connection may be shared' },
  { name: 'UnapprovedInROMApplicationList', kind: { type: 'denied-list', item: 'ApplicationName' }, default: [], since: '12.1', doc: 'in-ROM applications that must not run' },
  { name: 'ApprovedApplicationList', kind: { type: 'approved-list', item: 'Hash' }, default: [], since: '12.1', doc: 'SHA-1 hashes of applications that may run (empty: no list)' },
];

export const SETTING_BY_NAME: ReadonlyMap<string, SettingSpec> = new Map(EAS_POLICY_SETTINGS.map((s) => [s.name, s]));
