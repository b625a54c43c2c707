import {
  ACCESS_REASONS,
  ACCESS_STATES,
  deviceKey,
  displayNameOf,
  type Association,
} from '../policy/index.js';
import type { AssociationPatch, NewAssociation, SearchField } from './types.js';

/**
 * The association as flat string fields (a Redis hash; the memory store keeps the same
 * objects), its id, and the members of its indexes. Shared by both adapters so that
 * they order and page identically.
 */
type Kind = 'string' | 'number' | 'boolean';

/** Every field of Association with its type: declared once, read by the codec and the patcher. */
export const ASSOCIATION_FIELDS: { readonly [K in keyof Association]-?: Kind } = {
  user: 'string',
  deviceId: 'string',
  deviceType: 'string',
  model: 'string',
  imei: 'string',
  os: 'string',
  osLanguage: 'string',
  friendlyName: 'string',
  phoneNumber: 'string',
  mobileOperator: 'string',
  userAgent: 'string',
  protocolVersion: 'string',
  deviceInfoAt: 'number',
  firstSyncAt: 'number',
  lastSyncAttemptAt: 'number',
  lastSuccessSyncAt: 'number',
  lastCommand: 'string',
  accessState: 'string',
  accessReason: 'string',
  matchedRuleId: 'string',
  accessStateAt: 'number',
  lastInstance: 'string',
  displayName: 'string',
  comment: 'string',
  backendDeviceId: 'string',
  linkedAt: 'number',
  replacedBy: 'string',
  replaces: 'string',
  wipeStatus: 'string',
  wipeAccountOnly: 'boolean',
  wipeRequestedAt: 'number',
  wipeRequestedBy: 'string',
  wipeSentAt: 'number',
  wipeAckAt: 'number',
  quarantineMailboxAt: 'number',
  policyAssigned: 'string',
  policyName: 'string',
  policyKey: 'string',
  policyRevision: 'string',
  policyKeyAt: 'number',
  policyApplication: 'string',
};

/** Time fields that only move forward when two replicas write them. */
export const MONOTONIC_FIELDS: ReadonlySet<string> = new Set(['lastSyncAttemptAt', 'lastSuccessSyncAt', 'deviceInfoAt']);

/** `user/deviceKey`, each part URI-encoded so that no user or device ID can forge another's id. */
export function associationId(user: string, deviceId: string): string {
  return `${encodeURIComponent(user)}/${encodeURIComponent(deviceKey(deviceId))}`;
}

export function buildAssociation(input: NewAssociation, now: number): Association {
  const a = { ...input } as Association;
  a.firstSyncAt = input.firstSyncAt ?? now;
  a.accessStateAt = a.firstSyncAt;
  a.displayName = displayNameOf(input.user, input.deviceType);
  for (const k of Object.keys(a) as (keyof Association)[]) if (a[k] === undefined) delete a[k];
  return a;
}

export function toFields(a: Partial<Association>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || !(k in ASSOCIATION_FIELDS)) continue;
    out[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }
  return out;
}

/** undefined when the hash is missing or a tombstone (no user field). */
export function fromFields(h: Record<string, string>): Association | undefined {
  if (h.user === undefined || h.deviceId === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) {
    const kind = (ASSOCIATION_FIELDS as Record<string, Kind>)[k];
    if (kind === undefined) continue;
    out[k] = kind === 'number' ? Number(v) : kind === 'boolean' ? v === '1' : v;
  }
  const a = out as unknown as Association;
  if (!ACCESS_STATES.includes(a.accessState)) a.accessState = 'DeviceDiscovery';
  if (!ACCESS_REASONS.includes(a.accessReason)) a.accessReason = 'Global';
  return a;
}

const FIXED = new Set(['user', 'deviceId', 'firstSyncAt', 'accessState', 'accessReason', 'matchedRuleId', 'accessStateAt', 'displayName']);

/** A field an AssociationPatch may set (identity, first sync and the verdict have their own writes). */
export function isPatchable(field: string): boolean {
  return field in ASSOCIATION_FIELDS && !FIXED.has(field);
}

/** Fields whose change alone is bookkeeping, not a change the backend sync pushes (docs/store.md, change index). */
export const SYNC_ONLY_FIELDS: ReadonlySet<string> = new Set(['lastSyncAttemptAt', 'lastSuccessSyncAt', 'lastCommand', 'lastInstance']);

/** Whether a patch changes more than last-sync bookkeeping (it then moves the association up the change index). */
export function patchMarksChange(patch: AssociationPatch): boolean {
  return Object.entries(patch).some(([k, v]) => v !== undefined && isPatchable(k) && !SYNC_ONLY_FIELDS.has(k));
}

/** Splits a patch into fields to set (as hash strings) and fields to remove. */
export function splitPatch(patch: AssociationPatch): { set: Record<string, string>; unset: string[] } {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (!isPatchable(k) || v === undefined) continue;
    if (v === null) unset.push(k);
    else set[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }
  return { set, unset };
}

/** The association fields behind each text index. */
export const SEARCH_FIELDS: { readonly [F in SearchField]: keyof Association } = {
  user: 'user',
  deviceId: 'deviceId',
  deviceType: 'deviceType',
  model: 'model',
  friendlyName: 'friendlyName',
  os: 'os',
};

/** The fields one search (the admin API's `q`) looks in. */
export const SEARCHED_FIELDS: readonly SearchField[] = ['user', 'deviceId', 'deviceType', 'model', 'friendlyName'];

/** The text indexes in the order the Redis scripts address them (`_x1`…); new ones go last. */
export const TEXT_INDEXES: readonly SearchField[] = ['user', 'deviceId', 'deviceType', 'model', 'friendlyName', 'os'];

/** Lower case, control characters (the member separator among them) turned into spaces. */
export function indexValue(value: string): string {
  return value.toLowerCase().replace(/[\x00-\x1f]/g, ' ');
}

/** Text index member `value \0 id`: ordered by value, then id; the id is after the last NUL. */
export function textMember(value: string, id: string): string {
  return `${indexValue(value)}\u0000${id}`;
}

export function idOfMember(member: string): string {
  return member.slice(member.lastIndexOf('\u0000') + 1);
}

/** The time the lastSync indexes order by. */
export function syncScore(a: Pick<Association, 'lastSyncAttemptAt' | 'firstSyncAt'>): number {
  return a.lastSyncAttemptAt ?? a.firstSyncAt;
}

/** Text index members of an association (fields it lacks have none). */
export function textMembers(a: Partial<Association>, id: string): Partial<Record<SearchField, string>> {
  const out: Partial<Record<SearchField, string>> = {};
  for (const [index, field] of Object.entries(SEARCH_FIELDS) as [SearchField, keyof Association][]) {
    const v = a[field];
    if (typeof v === 'string' && v.length > 0) out[index] = textMember(index === 'deviceId' ? deviceKey(v) : v, id);
  }
  return out;
}
