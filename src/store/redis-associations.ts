import { ACCESS_STATES, type Association, type StateChange } from '../policy/index.js';
import {
  associationId,
  buildAssociation,
  fromFields,
  idOfMember,
  patchMarksChange,
  splitPatch,
  syncScore,
  textMember,
  textMembers,
  toFields,
} from './association-codec.js';
import { pastCursor, planQuery, scoreCursor, textCursor, type LexBound, type QueryPlan, type ScorePlan, type TextPlan } from './association-query.js';
import { filterBatch } from './redis-filter.js';
import { TEXT_INDEXES, type KeySchema } from './redis-keys.js';
import { SCRIPTS, type RedisClient } from './redis-scripts.js';
import type { AssociationPatch, AssociationQuery, NewAssociation, Page, StateUpdate, SyncRecord } from './types.js';

export const HISTORY_LIMIT = 100;
/** How long a deleted association's tombstone absorbs late write-behind records. */
const TOMBSTONE_SECONDS = 300;

/** What the association functions need of the store. */
export interface RedisContext {
  readonly client: RedisClient;
  readonly keys: KeySchema;
  readonly now: () => number;
  /** The notification message for a change of this association (channel, message). */
  notice(id: string): [string, string];
}

function historyEntry(e: StateChange): string {
  return JSON.stringify(e);
}

function createArgs(ctx: RedisContext, input: NewAssociation): { id: string; a: Association; keys: string[]; args: string[] } {
  if (!ACCESS_STATES.includes(input.accessState)) throw new TypeError(`unknown access state ${String(input.accessState)}`);
  const a = buildAssociation(input, ctx.now());
  const id = associationId(a.user, a.deviceId);
  const members = textMembers(a, id);
  const remembered = TEXT_INDEXES.flatMap((f, j) => (members[f] === undefined ? [] : [`_x${j + 1}`, members[f]]));
  const fields = [...Object.entries(toFields(a)).flat(), ...remembered];
  const first: StateChange = { at: a.firstSyncAt, state: a.accessState, reason: a.accessReason };
  if (a.matchedRuleId !== undefined) first.ruleId = a.matchedRuleId;
  const args = [
    id,
    historyEntry(first),
    String(syncScore(a)),
    a.accessState,
    String(a.accessStateAt ?? a.firstSyncAt),
    String(fields.length / 2),
    ...fields,
    ...TEXT_INDEXES.map((f) => members[f] ?? ''),
    ...ctx.notice(id),
  ];
  return { id, a, keys: ctx.keys.associationKeys(id), args };
}

export async function createAssociation(ctx: RedisContext, input: NewAssociation): Promise<{ association: Association; created: boolean }> {
  const { a, keys, args } = createArgs(ctx, input);
  const r = await SCRIPTS.create.run(ctx.client, keys, args);
  if (r === 1) return { association: a, created: true };
  const pairs = r as string[];
  const h: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) h[pairs[i]!] = pairs[i + 1]!;
  return { association: fromFields(h)!, created: false };
}

export async function createAssociations(ctx: RedisContext, inputs: readonly NewAssociation[]): Promise<number> {
  if (inputs.length === 0) return 0;
  // The first one through run() loads the script on the node that holds our slot.
  let created = (await createAssociation(ctx, inputs[0]!)).created ? 1 : 0;
  const pipe = ctx.client.pipeline();
  for (const input of inputs.slice(1)) {
    const { keys, args } = createArgs(ctx, input);
    pipe.evalsha(SCRIPTS.create.sha, keys.length, ...keys, ...args);
  }
  const results = (await pipe.exec()) ?? [];
  for (const [i, [err, r]] of results.entries()) {
    if (err !== null) created += (await createAssociation(ctx, inputs[i + 1]!)).created ? 1 : 0;
    else if (r === 1) created++;
  }
  return created;
}

export async function getAssociation(ctx: RedisContext, user: string, deviceId: string): Promise<Association | undefined> {
  return fromFields(await ctx.client.hgetall(ctx.keys.association(associationId(user, deviceId))));
}

export async function updateAssociation(ctx: RedisContext, user: string, deviceId: string, patch: AssociationPatch): Promise<boolean> {
  const id = associationId(user, deviceId);
  const { set, unset } = splitPatch(patch);
  const text = TEXT_INDEXES.map((f) => {
    const v = (patch as Record<string, unknown>)[f];
    return v === undefined || !(f in patch) ? '\u0001' : typeof v === 'string' && v !== '' ? textMember(v, id) : '';
  });
  const pairs = Object.entries(set).flat();
  const args = [id, String(pairs.length / 2), ...pairs, String(unset.length), ...unset, ...text, patchMarksChange(patch) ? '1' : '0', ...ctx.notice(id)];
  return (await SCRIPTS.patch.run(ctx.client, ctx.keys.associationKeys(id), args)) === 1;
}

export async function setAccessState(ctx: RedisContext, user: string, deviceId: string, u: StateUpdate): Promise<boolean> {
  if (!ACCESS_STATES.includes(u.state)) throw new TypeError(`unknown access state ${String(u.state)}`);
  const id = associationId(user, deviceId);
  const entry: StateChange = { at: u.at, state: u.state, reason: u.reason };
  if (u.ruleId !== undefined) entry.ruleId = u.ruleId;
  if (u.actor !== undefined) entry.actor = u.actor;
  if (u.note !== undefined) entry.note = u.note;
  const args = [id, u.state, u.reason, u.ruleId ?? '', String(u.at), historyEntry(entry), String(HISTORY_LIMIT), ...ctx.notice(id)];
  return (await SCRIPTS.setState.run(ctx.client, ctx.keys.associationKeys(id), args)) === 1;
}

/**
 * The write-behind flush: per record one HSET and one `ZADD XX GT` of the lastSync index
 * (never a script, so that INFO commandstats counts 2 commands per flushed association).
 * XX keeps a deleted association out of the index; its tombstone absorbs the HSET. GT keeps
 * the index from going back when replicas flush out of order (the hash may, by < 1 s).
 */
export async function recordSyncs(ctx: RedisContext, records: readonly SyncRecord[]): Promise<void> {
  if (records.length === 0) return;
  const pipe = ctx.client.pipeline();
  for (const r of records) {
    const { user, deviceId, ...fields } = r;
    const id = associationId(user, deviceId);
    pipe.hset(ctx.keys.association(id), toFields(fields));
    pipe.zadd(ctx.keys.syncIndex, 'XX', 'GT', r.lastSyncAttemptAt, id);
  }
  const results = (await pipe.exec()) ?? [];
  const failed = results.find(([err]) => err !== null);
  if (failed) throw failed[0];
}

export async function deleteAssociation(ctx: RedisContext, user: string, deviceId: string): Promise<boolean> {
  const id = associationId(user, deviceId);
  const args = [id, String(TOMBSTONE_SECONDS), ...ctx.notice(id)];
  return (await SCRIPTS.delete.run(ctx.client, ctx.keys.associationKeys(id), args)) === 1;
}

export async function getHistory(ctx: RedisContext, user: string, deviceId: string, limit: number): Promise<StateChange[]> {
  const list = await ctx.client.lrange(ctx.keys.history(associationId(user, deviceId)), 0, limit - 1);
  return list.map((s) => JSON.parse(s) as StateChange);
}

async function load(ctx: RedisContext, ids: readonly string[]): Promise<Association[]> {
  if (ids.length === 0) return [];
  const pipe = ctx.client.pipeline();
  for (const id of ids) pipe.hgetall(ctx.keys.association(id));
  const out: Association[] = [];
  for (const [err, h] of (await pipe.exec()) ?? []) {
    if (err !== null) throw err;
    const a = fromFields(h as Record<string, string>);
    if (a !== undefined) out.push(a);
  }
  return out;
}

function lexBound(b: LexBound | null, open: '-' | '+'): string | Buffer {
  if (b === null) return open;
  // 0xFF never occurs in UTF-8, so `[prefix\xff` is above every member starting with prefix.
  if (b.top === true) return Buffer.concat([Buffer.from(`[${b.v}`), Buffer.from([0xff])]);
  return `${b.exclusive ? '(' : '['}${b.v}`;
}

/** One index entry: the id, and its member (text index) or score. */
interface Entry {
  id: string;
  m?: string;
  s?: number;
}

/** The next `n` entries of a text range, after `after` (exclusive) or from the plan's start. */
async function textEntries(ctx: RedisContext, plan: TextPlan, after: Entry | undefined, n: number): Promise<Entry[]> {
  const key = ctx.keys.textIndex[plan.index];
  const lo = !plan.desc && after !== undefined ? `(${after.m!}` : lexBound(plan.lo, '-');
  const hi = plan.desc && after !== undefined ? `(${after.m!}` : lexBound(plan.hi, '+');
  const members = plan.desc ? await ctx.client.zrevrangebylex(key, hi, lo, 'LIMIT', 0, n) : await ctx.client.zrangebylex(key, lo, hi, 'LIMIT', 0, n);
  return members.map((m) => ({ id: idOfMember(m), m }));
}

/** The next `n` entries of a score range past `after` (default: the plan's cursor); ties resume by id. */
async function scoreEntries(ctx: RedisContext, plan: ScorePlan, after: Entry | undefined, n: number): Promise<Entry[]> {
  const key = plan.by === 'state' ? ctx.keys.stateIndex[plan.state!] : plan.by === 'firstSync' ? ctx.keys.firstSyncIndex : ctx.keys.syncIndex;
  const from = after === undefined ? plan.from : { s: after.s!, id: after.id };
  const low = Number.isFinite(plan.min) ? String(plan.min) : '-inf';
  const high = Number.isFinite(plan.max) ? `(${plan.max}` : '+inf';
  // Resume at the position's time inclusive and skip the ties already served.
  const [start, end] = plan.desc ? [from === undefined ? high : String(from.s), low] : [from === undefined ? low : String(from.s), high];
  const batch = n + 32;
  const out: Entry[] = [];
  for (let offset = 0; out.length < n; offset += batch) {
    const args = plan.desc ? ['BYSCORE', 'REV'] : ['BYSCORE'];
    const flat = await ctx.client.zrange(key, start, end, ...(args as ['BYSCORE']), 'LIMIT', offset, batch, 'WITHSCORES');
    for (let i = 0; i < flat.length && out.length < n; i += 2) {
      const id = flat[i]!;
      const sc = Number(flat[i + 1]);
      if (pastCursor(plan, sc, id, from)) out.push({ id, s: sc });
    }
    if (flat.length < batch * 2) break;
  }
  return out;
}

/**
 * A page out of an index. Without a filter: limit + 1 entries, the page's hashes in one
 * pipeline. With one: batches of entries go through the filter script until the page is
 * full, the range ends, or scanLimit entries were looked at (then the cursor resumes after
 * the last one looked at).
 */
async function page(
  ctx: RedisContext,
  plan: QueryPlan,
  next: (after: Entry | undefined, n: number) => Promise<Entry[]>,
  cursorOf: (e: Entry) => string,
): Promise<Page<Association>> {
  if (plan.spec === undefined) {
    const entries = await next(undefined, plan.limit + 1);
    const more = entries.length > plan.limit;
    const served = more ? entries.slice(0, plan.limit) : entries;
    const items = await load(ctx, served.map((e) => e.id));
    return { items, nextCursor: more ? cursorOf(served[served.length - 1]!) : null };
  }
  const items: Association[] = [];
  const itemEntries: Entry[] = [];
  let scanned = 0;
  let after: Entry | undefined;
  for (;;) {
    const n = Math.min(1000, plan.scanLimit - scanned);
    // One entry more than is looked at tells whether the range goes on.
    const fetched = await next(after, n + 1);
    const entries = fetched.slice(0, n);
    const r = await filterBatch(ctx.client, entries.map((e) => ctx.keys.association(e.id)), plan.spec, plan.limit + 1 - items.length);
    for (const h of r.hits) {
      items.push(h.a);
      itemEntries.push(entries[h.pos]!);
    }
    if (items.length > plan.limit) return { items: items.slice(0, plan.limit), nextCursor: cursorOf(itemEntries[plan.limit - 1]!) };
    scanned += r.examined;
    if (fetched.length <= n) return { items, nextCursor: null };
    after = entries[entries.length - 1]!;
    if (scanned >= plan.scanLimit) return { items, nextCursor: cursorOf(after) };
  }
}

export async function queryAssociations(ctx: RedisContext, q: AssociationQuery): Promise<Page<Association>> {
  const plan = planQuery(q);
  return plan.kind === 'text'
    ? page(ctx, plan, (after, n) => textEntries(ctx, plan, after, n), (e) => textCursor(plan, e.m!))
    : page(ctx, plan, (after, n) => scoreEntries(ctx, plan, after, n), (e) => scoreCursor(plan, e.s!, e.id));
}
