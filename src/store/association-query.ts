import { ACCESS_STATES, type AccessState, type Association } from '../policy/index.js';
import { associationId, indexValue, syncScore, TEXT_INDEXES, textMembers } from './association-codec.js';
import { compileFilter, type FilterSpec } from './association-filter.js';
import { StoreError } from './errors.js';
import type { AssociationQuery, SearchField } from './types.js';

/**
 * Query planning shared by both adapters: a text query becomes a lexicographic range over
 * `value \0 id` members, a lastSync query a score range over (time, id). Cursors are opaque
 * (base64url JSON) and carry the index they belong to, so that a cursor cannot be replayed
 * against another query.
 */
export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 50;
const MAX_PREFIX = 256;

/** A bound of a lexicographic range: `top` takes every member that starts with `v`. */
export interface LexBound {
  v: string;
  exclusive: boolean;
  top?: boolean;
}

/** What a filtered query adds to its plan: the filter and how many index entries a page may look at. */
export interface Filtering {
  spec: FilterSpec | undefined;
  scanLimit: number;
}

export interface TextPlan extends Filtering {
  kind: 'text';
  index: SearchField;
  lo: LexBound | null;
  hi: LexBound | null;
  desc: boolean;
  limit: number;
}

export interface ScorePlan extends Filtering {
  kind: 'score';
  /** The lastSync or firstSync index, or (state) one state's index. */
  by: 'lastSync' | 'firstSync' | 'state';
  state: AccessState | undefined;
  /** Inclusive lower and exclusive upper time bounds (after/before). */
  min: number;
  max: number;
  /** Resume after this (score, id), in the query's order. */
  from: { s: number; id: string } | undefined;
  desc: boolean;
  limit: number;
}

export type QueryPlan = TextPlan | ScorePlan;

function bad(message: string): never {
  throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', message);
}

export function encodeCursor(index: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ i: index, p: position })).toString('base64url');
}

export function decodeCursor(cursor: string, index: string): unknown {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { i?: unknown; p?: unknown };
    if (c.i === index && c.p !== undefined) return c.p;
  } catch {
    // fall through
  }
  throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
}

export function decodeMailboxCursor(cursor: string): string {
  const p = decodeCursor(cursor, 'mailbox');
  if (typeof p !== 'string') throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
  return p;
}

const MAX_SCAN = 100_000;

function filtering(q: AssociationQuery): Filtering {
  const scanLimit = q.scanLimit ?? 5000;
  if (!Number.isInteger(scanLimit) || scanLimit < 1 || scanLimit > MAX_SCAN) bad(`scanLimit must be 1–${MAX_SCAN}`);
  if (q.filter?.firstMatchIn !== undefined && q.filter.text === undefined) bad('firstMatchIn needs text');
  return { spec: q.filter === undefined ? undefined : compileFilter(q.filter, q.order === 'desc'), scanLimit };
}

export function planQuery(q: AssociationQuery): QueryPlan {
  const limit = q.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) bad(`limit must be 1–${MAX_PAGE}`);
  const desc = q.order === 'desc';
  const f = filtering(q);
  if (q.index === 'lastSync' || q.index === 'firstSync' || q.index === 'state') {
    if (q.index !== 'state' && q.state !== undefined) bad(`the ${q.index} index takes no state (use the state index)`);
    if (q.index === 'state' && (q.state === undefined || !ACCESS_STATES.includes(q.state))) bad(`unknown access state ${String(q.state)}`);
    const plan: ScorePlan = { kind: 'score', by: q.index, state: q.state, min: q.after ?? -Infinity, max: q.before ?? Infinity, from: undefined, desc, limit, ...f };
    if (q.cursor !== undefined) {
      const p = decodeCursor(q.cursor, scoreIndexName(plan)) as { s?: unknown; id?: unknown };
      if (typeof p.s !== 'number' || typeof p.id !== 'string') throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
      plan.from = { s: p.s, id: p.id };
    }
    return plan;
  }
  if (!TEXT_INDEXES.includes(q.index)) bad(`unknown index ${String(q.index)}`);
  const raw = q.prefix ?? '';
  if (raw.length > MAX_PREFIX) bad(`prefix longer than ${MAX_PREFIX} characters`);
  const prefix = raw === '' ? '' : indexValue(raw) + (q.exact === true ? '\u0000' : '');
  let cursor: string | undefined;
  if (q.cursor !== undefined) {
    const p = decodeCursor(q.cursor, q.index);
    if (typeof p !== 'string' || !p.startsWith(prefix)) throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
    cursor = p;
  }
  const floor: LexBound | null = prefix === '' ? null : { v: prefix, exclusive: false };
  const ceil: LexBound | null = prefix === '' ? null : { v: prefix, exclusive: false, top: true };
  const at: LexBound | null = cursor === undefined ? null : { v: cursor, exclusive: true };
  return desc
    ? { kind: 'text', index: q.index, lo: floor, hi: at ?? ceil, desc, limit, ...f }
    : { kind: 'text', index: q.index, lo: at ?? floor, hi: ceil, desc, limit, ...f };
}

function scoreIndexName(plan: Pick<ScorePlan, 'by' | 'state'>): string {
  return plan.by === 'state' ? `state:${String(plan.state)}` : plan.by;
}

export function textCursor(plan: TextPlan, lastMember: string): string {
  return encodeCursor(plan.index, lastMember);
}

export function scoreCursor(plan: ScorePlan, s: number, id: string): string {
  return encodeCursor(scoreIndexName(plan), { s, id });
}

/** True when (s, id) comes after the position `f` (default: the cursor's) in the plan's order. */
export function pastCursor(plan: ScorePlan, s: number, id: string, f = plan.from): boolean {
  if (f === undefined) return true;
  if (s !== f.s) return plan.desc ? s < f.s : s > f.s;
  return plan.desc ? id < f.id : id > f.id;
}

/**
 * The cursor that resumes `q` right after association `a` (one it served): for a caller that
 * looks at a page's items one by one and stops in the middle (the admin API's filters on the
 * current access state). Both adapters page with the same cursors.
 */
export function cursorAfter(q: AssociationQuery, a: Association): string {
  const plan = planQuery({ ...q, cursor: undefined });
  const id = associationId(a.user, a.deviceId);
  if (plan.kind === 'text') {
    const member = textMembers(a, id)[plan.index];
    if (member === undefined) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', `the association has no ${plan.index}`);
    return textCursor(plan, member);
  }
  const score = plan.by === 'state' ? (a.accessStateAt ?? a.firstSyncAt) : plan.by === 'firstSync' ? a.firstSyncAt : syncScore(a);
  return scoreCursor(plan, score, id);
}
