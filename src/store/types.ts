import type { RegisteredDevices } from './registered-devices.js';
import type {
  AccessReason,
  AccessState,
  Association,
  DeviceAccessRule,
  DeviceIdEntry,
  Domain,
  EasPolicy,
  Mailbox,
  OrganizationSettings,
  PolicyData,
  StateChange,
  SystemSettings,
  WipeStatus,
} from '../policy/index.js';

/** What changed; `key` names the object (domain name, rule id, lower-cased device ID, user, association id). */
export type ChangeKind = 'system' | 'organization' | 'domain' | 'rule' | 'deviceId' | 'easPolicy' | 'mailbox' | 'association' | 'resync';

export interface Change {
  kind: ChangeKind;
  key?: string;
}

export type ChangeListener = (change: Change) => void;

/** A new association: first sync is set from `at` once, whichever replica writes first. */
export interface NewAssociation extends Omit<Association, 'firstSyncAt' | 'displayName' | 'accessStateAt'> {
  firstSyncAt?: number;
}

/** Fields an update may set; `null` removes an optional field. Times only move forward. */
export type AssociationPatch = {
  [K in Exclude<keyof Association, 'user' | 'deviceId' | 'firstSyncAt' | 'accessState' | 'accessReason' | 'matchedRuleId' | 'accessStateAt' | 'displayName'>]?:
    | Association[K]
    | null;
};

/** The write-behind part of a request's bookkeeping (src/sync/recorder.ts). */
export interface SyncRecord {
  user: string;
  deviceId: string;
  lastSyncAttemptAt: number;
  lastSuccessSyncAt?: number;
  lastCommand?: string;
  protocolVersion?: string;
  userAgent?: string;
  lastInstance?: string;
}

export interface StateUpdate {
  state: AccessState;
  reason: AccessReason;
  ruleId?: string;
  at: number;
  actor?: string;
  /** The admin's reason (a ticket number), kept in the history entry. */
  note?: string;
}

export type SearchField = 'user' | 'deviceId' | 'deviceType' | 'model' | 'friendlyName' | 'os';
export type AssociationIndex = SearchField | 'lastSync' | 'firstSync' | 'state';

/**
 * A page of associations out of one index. Text indexes (user, deviceId, deviceType,
 * model, friendlyName, os) are ordered by the lower-cased value then the association id, and
 * take `prefix` (or, with `exact`, the whole value). `lastSync` is ordered by last sync
 * attempt (first sync when none), `firstSync` by first sync; `state` lists the associations
 * in one access state, ordered by when they entered it (accessStateAt). The three take a
 * time window (after/before).
 */
export interface AssociationQuery {
  index: AssociationIndex;
  prefix?: string;
  exact?: boolean;
  /** Required by the state index. */
  state?: AccessState;
  /** lastSync, firstSync, state: at or after this time. */
  after?: number;
  /** lastSync, firstSync, state: before this time. */
  before?: number;
  order?: 'asc' | 'desc';
  /** 1–1000, default 50. */
  limit?: number;
  cursor?: string;
  /**
   * Only associations that pass, evaluated next to the data (Redis: in Lua). With a
   * filter a page looks at `scanLimit` index entries at most, so it may hold fewer items
   * than `limit` while `nextCursor` is set.
   */
  filter?: AssociationFilter;
  /** 1–100,000, default 5,000; only with a filter. */
  scanLimit?: number;
}

/** Conditions on an association, all of which must hold. Text compares without case. */
export interface AssociationFilter {
  state?: AccessState;
  reason?: AccessReason;
  /** The exact (normalised) user. */
  user?: string;
  /** Users of this mail domain. */
  domain?: string;
  /** Exact, without case. */
  deviceType?: string;
  /** Exact, without case. */
  deviceId?: string;
  /** Prefix, without case. */
  os?: string;
  /** Prefix, without case, of the user, device ID, device type, model or friendly name. */
  text?: string;
  /**
   * With `text`: only associations whose first match, in the query's order, is in this
   * index (the merged search serves each association once, from that index).
   */
  firstMatchIn?: SearchField;
  /** Associations without this field (no member in its text index): a sort by it lists them after (before, descending) the others. */
  missing?: SearchField;
  /** The remote wipe's status (none: no wipe ordered). */
  wipe?: WipeStatus | 'none';
  /** Linked to a management-backend device record (backendDeviceId set). */
  linked?: boolean;
  /** Decided by a device access rule (matchedRuleId set). */
  ruleMatched?: boolean;
  /** present: an admin allowed or blocked it (reason Individual) or a wipe was requested, at or after `at`; false: neither. */
  actionSince?: { at: number; present: boolean };
  /** Last sync attempt (first sync until then) at or after this time. */
  syncAfter?: number;
  /** … before this time. */
  syncBefore?: number;
}

/**
 * Associations in the order they last changed (created; state, reason, device details,
 * comment, link or wipe changed; not last-sync times alone), after change number `after`.
 * `last` is the change number of the last item (`after` when there are none).
 */
export interface ChangedPage {
  items: Association[];
  last: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface MailboxQuery {
  /** Prefix of the user (lower case). */
  prefix?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Outcome of a mailbox write. `license-limit`: enabling was refused because the license's
 * users are all in use (the stored mailbox, if any, is returned unchanged). `exists`: a
 * create-if-absent found a mailbox (returned).
 */
export interface MailboxWrite {
  /** changed: `expect` was given and the stored mailbox is another by now (`mailbox` is that one). */
  status: 'ok' | 'license-limit' | 'exists' | 'changed';
  mailbox: Mailbox | undefined;
}

export interface MailboxWriteOptions {
  /** Enforce this many enabled mailboxes at most (the license total). */
  licenseLimit?: number;
  /**
   * Create only if absent; over the limit a new mailbox is created with ActiveSync
   * disabled (reason License) instead of being refused.
   */
  createOnly?: boolean;
  /**
   * Compare and set: write only if the stored mailbox is still this one (as getMailbox
   * returned it), else answer `changed` with the stored one. A read-modify-write of two
   * writers at once (two admins, the backend's actions) then never loses one of them.
   * null: write only if there is no mailbox yet.
   */
  expect?: Mailbox | null;
}

/** A named admin API token; only the SHA-256 of its secret is kept. */
export interface AdminToken {
  name: string;
  role: string;
  /** Hex SHA-256 of the secret. */
  hash: string;
  createdAt: number;
  createdBy?: string;
}

/** One change made by an admin (who, when, what, on which object, before and after, from where). */
export interface NewAuditEntry {
  at: number;
  /** Token name. */
  actor: string;
  /** What was done, e.g. `association.block`. */
  action: string;
  /** `type:key`, e.g. `association:alice@x.test/dev1`, `rule:r1`; the type is before the first colon. */
  object: string;
  before?: unknown;
  after?: unknown;
  /** The client's address. */
  source?: string;
  /** The admin's reason for the change (free text, e.g. a ticket number). */
  reason?: string;
}

export interface AuditEntry extends NewAuditEntry {
  /** Increasing with time; the newest entry has the highest id. */
  id: number;
}

/** Audit entries, newest first; the filters combine (AND). */
export interface AuditQuery {
  actor?: string;
  /** The whole object (`rule:r1`). */
  object?: string;
  /** The object's type (`rule`). */
  objectType?: string;
  /** 1–1000, default 50. */
  limit?: number;
  cursor?: string;
}

/** Deleted associations after a deletion number; `deviceId` is the lower-cased key. */
export interface DeletedPage {
  items: { user: string; deviceId: string; change: number }[];
  /** The deletion number of the last item (`after` when there are none). */
  last: number;
}

/** A registered device of the management backend (user normalised), as the sync pulled it. */
export interface RegisteredDevice {
  backendDeviceId: string;
  deviceId?: string;
  user?: string;
  imei?: string;
}

/** The gateway's persistent state. Two adapters: MemoryStore and RedisStore. */
export interface Store {
  /** The backend's registered devices (registered-devices.ts). */
  readonly registeredDevices: RegisteredDevices;
  getSystem(): Promise<SystemSettings>;
  putSystem(system: SystemSettings): Promise<void>;
  getOrganization(): Promise<OrganizationSettings>;
  putOrganization(org: OrganizationSettings): Promise<void>;
  listDomains(): Promise<Domain[]>;
  getDomain(name: string): Promise<Domain | undefined>;
  putDomain(domain: Domain): Promise<void>;
  deleteDomain(name: string): Promise<boolean>;
  listRules(): Promise<DeviceAccessRule[]>;
  getRule(id: string): Promise<DeviceAccessRule | undefined>;
  putRule(rule: DeviceAccessRule): Promise<void>;
  deleteRule(id: string): Promise<boolean>;
  listDeviceIds(): Promise<DeviceIdEntry[]>;
  getDeviceId(deviceId: string): Promise<DeviceIdEntry | undefined>;
  putDeviceId(entry: DeviceIdEntry): Promise<void>;
  deleteDeviceId(deviceId: string): Promise<boolean>;
  /** Gateway ActiveSync policies by name (src/policy/eas-policy); part of the policy snapshot. */
  listEasPolicies(): Promise<EasPolicy[]>;
  getEasPolicy(name: string): Promise<EasPolicy | undefined>;
  putEasPolicy(policy: EasPolicy): Promise<void>;
  deleteEasPolicy(name: string): Promise<boolean>;
  /**
   * A random secret of the deployment, made by the first replica that asks and the same for
   * every replica after (the gateway's policy keys are derived from it).
   */
  sharedSecret(name: string): Promise<string>;
  /** Everything the policy snapshot needs, in one round trip. */
  loadPolicy(): Promise<PolicyData>;
  /** Bumped by every settings, domain, rule or device-ID write (the reload backstop polls it). */
  policyVersion(): Promise<number>;

  getMailbox(user: string): Promise<Mailbox | undefined>;
  putMailbox(mailbox: Mailbox, options?: MailboxWriteOptions): Promise<MailboxWrite>;
  deleteMailbox(user: string): Promise<boolean>;
  listMailboxes(query?: MailboxQuery): Promise<Page<Mailbox>>;
  /** Mailboxes with ActiveSync enabled, all or of one domain. */
  countEnabledMailboxes(domain?: string): Promise<number>;
  /** Mailboxes with ActiveSync enabled per domain (domains with none are absent). */
  countEnabledMailboxesByDomain(): Promise<Record<string, number>>;

  getAssociation(user: string, deviceId: string): Promise<Association | undefined>;
  /** Create-if-absent, atomic across replicas: the stored association and whether this call created it. */
  createAssociation(input: NewAssociation): Promise<{ association: Association; created: boolean }>;
  /** Many create-if-absent in one pipeline (imports, benchmarks); returns how many were created. */
  createAssociations(inputs: readonly NewAssociation[]): Promise<number>;
  /** False when the association does not exist (nothing is written then). */
  updateAssociation(user: string, deviceId: string, patch: AssociationPatch): Promise<boolean>;
  /** Records a state change with a history entry; false when nothing changed or it does not exist. */
  setAccessState(user: string, deviceId: string, update: StateUpdate): Promise<boolean>;
  /** Write-behind sync bookkeeping, one pipeline for the batch; records of deleted associations are dropped. */
  recordSyncs(records: readonly SyncRecord[]): Promise<void>;
  deleteAssociation(user: string, deviceId: string): Promise<boolean>;
  getAssociationHistory(user: string, deviceId: string, limit?: number): Promise<StateChange[]>;
  queryAssociations(query: AssociationQuery): Promise<Page<Association>>;
  countAssociations(): Promise<number>;
  /** Associations that have a value for this text index's field (the others lack it). */
  countIndexed(field: SearchField): Promise<number>;
  /** Associations changed after change number `after`, oldest change first (the backend sync's differential). */
  changedAssociations(after: number, limit: number): Promise<ChangedPage>;
  /** The newest change number (0 before any change). */
  changeNumber(): Promise<number>;
  /**
   * Associations deleted after deletion number `after` (a sequence of its own), oldest
   * first (the backend sync pushes them); one created again under the same user and device
   * ID is no longer listed.
   */
  deletedAssociations(after: number, limit: number): Promise<DeletedPage>;
  /** Drops the deletions up to deletion number `upTo` from that list (the backend has them). */
  forgetDeletions(upTo: number): Promise<void>;

  /** Admin API tokens by name (no change notification: nothing caches them). */
  listTokens(): Promise<AdminToken[]>;
  getToken(name: string): Promise<AdminToken | undefined>;
  /** Create-if-absent: false when the name is taken. */
  createToken(token: AdminToken): Promise<boolean>;
  deleteToken(name: string): Promise<boolean>;
  /** Appends entries (in order) to the audit log, which keeps the newest `auditLimit`; returns their ids. */
  appendAudit(entries: readonly NewAuditEntry[]): Promise<number[]>;
  /** Newest first. Bounded work per page: a page may hold fewer items than asked while nextCursor is set. */
  queryAudit(query: AuditQuery): Promise<Page<AuditEntry>>;

  /** Resolves once the listener receives changes made through any store on the same data. */
  onChange(listener: ChangeListener): Promise<() => void>;
  close(): Promise<void>;
}
