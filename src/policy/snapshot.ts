import { makeDecision, type Decision } from './decision.js';
import { intern } from './intern.js';
import { licenseEndMs } from './license.js';
import {
  ACCESS_LEVELS,
  deviceKey,
  domainOf,
  type AccessLevel,
  type Characteristic,
  type DeviceAccessRule,
  type DeviceIdEntry,
  type Domain,
  type Mailbox,
  type OrganizationSettings,
  type SystemSettings,
} from './model.js';
import { compileEasPolicy, type CompiledEasPolicy, type EasPolicy } from './eas-policy/index.js';

/** Everything the snapshot is built from: what Store.loadPolicy returns. */
export interface PolicyData {
  system: SystemSettings;
  organization: OrganizationSettings;
  domains: Domain[];
  rules: DeviceAccessRule[];
  deviceIds: DeviceIdEntry[];
  /** Gateway ActiveSync policies (absent in data loaded before they existed). */
  easPolicies?: EasPolicy[];
  /** Mailboxes with ActiveSync enabled (the license's users in use). */
  licenseInUse: number;
}

export interface IndexedRule {
  readonly rule: DeviceAccessRule;
  readonly decision: Decision;
}

export type RuleIndex = { readonly [C in Characteristic]: ReadonlyMap<string, IndexedRule> };

/** The in-process, immutable view `evaluate` reads; rebuilt whenever the policy changes. */
export interface PolicySnapshot {
  readonly data: Readonly<PolicyData>;
  readonly systemEnabled: boolean;
  readonly licenseTotal: number;
  readonly licenseEndMs: number;
  readonly licenseInUse: number;
  readonly defaultAccessLevel: AccessLevel;
  /** Organisation setting unregisteredAccessLevel (Allow when the stored settings predate it). */
  readonly unregisteredAccessLevel: AccessLevel;
  readonly domains: ReadonlyMap<string, Domain>;
  /** Keyed by lower-cased device ID. */
  readonly deviceIds: ReadonlyMap<string, DeviceIdEntry>;
  /** Per characteristic, exact query string → rule: O(1) whatever the number of rules. */
  readonly rules: RuleIndex;
  /** Gateway ActiveSync policies by name, compiled (src/policy/eas-policy). */
  readonly easPolicies: ReadonlyMap<string, CompiledEasPolicy>;
}

const SEVERITY: Record<AccessLevel, number> = { Allow: 0, Quarantine: 1, Block: 2 };

/**
 * Indexes the rules. Two rules with the same characteristic and query string cannot both
 * decide; the more restrictive wins (Block over Quarantine over Allow), then the lower id,
 * so that the outcome does not depend on the order the store lists them in.
 */
export function indexRules(rules: readonly DeviceAccessRule[]): RuleIndex {
  const maps = { UserAgent: new Map(), DeviceOS: new Map(), DeviceModel: new Map(), DeviceType: new Map() } as {
    [C in Characteristic]: Map<string, IndexedRule>;
  };
  for (const rule of rules) {
    const map = maps[rule.characteristic];
    const held = map.get(rule.queryString);
    if (held !== undefined) {
      const a = SEVERITY[held.rule.accessLevel];
      const b = SEVERITY[rule.accessLevel];
      if (a > b || (a === b && held.rule.id <= rule.id)) continue;
    }
    map.set(rule.queryString, { rule, decision: makeDecision(rule.accessLevel, 'DeviceRule', rule.id) });
  }
  return maps;
}

export function buildSnapshot(data: PolicyData): PolicySnapshot {
  const license = data.system.license;
  return Object.freeze({
    data,
    systemEnabled: data.system.activeSyncEnabled,
    licenseTotal: license?.total ?? Infinity,
    licenseEndMs: licenseEndMs(license),
    licenseInUse: data.licenseInUse,
    defaultAccessLevel: ACCESS_LEVELS.includes(data.organization.defaultAccessLevel)
      ? data.organization.defaultAccessLevel
      : 'Allow',
    unregisteredAccessLevel: data.organization.unregisteredAccessLevel ?? 'Allow',
    domains: new Map(data.domains.map((d) => [d.name, d])),
    deviceIds: new Map(data.deviceIds.map((e) => [deviceKey(e.deviceId), e])),
    rules: indexRules(data.rules),
    easPolicies: new Map((data.easPolicies ?? []).map((p) => [p.name, compileEasPolicy(p)])),
  });
}

/** A new snapshot that differs only in the license count (mailbox changes move it). */
export function withLicenseInUse(snapshot: PolicySnapshot, licenseInUse: number): PolicySnapshot {
  if (snapshot.licenseInUse === licenseInUse) return snapshot;
  return Object.freeze({ ...snapshot, licenseInUse, data: { ...snapshot.data, licenseInUse } });
}

/** A mailbox prepared for the hot path: its domain and device lists keyed by lower case. */
export interface MailboxPolicy {
  readonly mailbox: Readonly<Mailbox>;
  /** Copied up from the mailbox so that evaluate reads one object. */
  readonly enabled: boolean;
  readonly disabledReason: Mailbox['disabledReason'];
  readonly defaultAccessLevel: AccessLevel | undefined;
  readonly domain: string;
  readonly allowed: ReadonlySet<string>;
  readonly blocked: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/** Most mailboxes list no device: they share one empty set (less memory for 100k cached mailboxes). */
function keySet(ids: readonly string[]): ReadonlySet<string> {
  return ids.length === 0 ? NONE : new Set(ids.map(deviceKey));
}

export function compileMailbox(mailbox: Mailbox): MailboxPolicy {
  return Object.freeze({
    mailbox,
    enabled: mailbox.activeSyncEnabled,
    disabledReason: mailbox.disabledReason,
    defaultAccessLevel: mailbox.defaultAccessLevel,
    domain: intern(domainOf(mailbox.user)),
    allowed: keySet(mailbox.allowedDeviceIds),
    blocked: keySet(mailbox.blockedDeviceIds),
  });
}
