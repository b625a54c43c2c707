import { encodeCursor } from './association-query.js';
import { AUDIT_SCAN_BUDGET, auditMatches, auditPlan, objectTypeOf } from './audit-query.js';
import type { KeySchema } from './redis-keys.js';
import { LuaScript, type RedisClient } from './redis-scripts.js';
import type { AdminToken, AuditEntry, AuditQuery, NewAuditEntry, Page } from './types.js';

/**
 * Admin tokens (`P:tok`, name → JSON) and the audit log: `P:au:e` (id → JSON), indexed by
 * zsets scored by id: `P:au:all`, `P:au:actor:<actor>`, `P:au:object:<object>`,
 * `P:au:type:<type>` (values URI-encoded). Ids come from `P:au:seq`. The log keeps the
 * newest `limit` entries; older ones are trimmed from every index.
 */
export interface AdminContext {
  readonly client: RedisClient;
  readonly keys: KeySchema;
  readonly auditLimit: number;
}

/** KEYS: seq, entries, all, by actor, by object, by type. ARGV: entry JSON. Returns the id. */
const APPEND = new LuaScript(`
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], id, ARGV[1])
for k = 3, 6 do redis.call('ZADD', KEYS[k], id, id) end
return id
`);

function appendKeys(k: KeySchema, e: NewAuditEntry): string[] {
  const a = k.audit;
  return [a.seq, a.entries, a.all, a.by('actor', e.actor), a.by('object', e.object), a.by('type', objectTypeOf(e.object))];
}

export async function listTokens(ctx: AdminContext): Promise<AdminToken[]> {
  const all = (await ctx.client.hvals(ctx.keys.tokens)).map((v) => JSON.parse(v) as AdminToken);
  return all.sort((a, b) => (a.name < b.name ? -1 : 1));
}

export async function getToken(ctx: AdminContext, name: string): Promise<AdminToken | undefined> {
  const v = await ctx.client.hget(ctx.keys.tokens, name);
  return v === null ? undefined : (JSON.parse(v) as AdminToken);
}

export async function createToken(ctx: AdminContext, token: AdminToken): Promise<boolean> {
  return (await ctx.client.hsetnx(ctx.keys.tokens, token.name, JSON.stringify(token))) === 1;
}

export async function deleteToken(ctx: AdminContext, name: string): Promise<boolean> {
  return (await ctx.client.hdel(ctx.keys.tokens, name)) === 1;
}

export async function appendAudit(ctx: AdminContext, entries: readonly NewAuditEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  // The first one through run() loads the script; the rest go in one pipeline, in order.
  const ids = [Number(await APPEND.run(ctx.client, appendKeys(ctx.keys, entries[0]!), [JSON.stringify(entries[0])]))];
  if (entries.length > 1) {
    const pipe = ctx.client.pipeline();
    for (const e of entries.slice(1)) {
      const keys = appendKeys(ctx.keys, e);
      pipe.evalsha(APPEND.sha, keys.length, ...keys, JSON.stringify(e));
    }
    for (const [err, id] of (await pipe.exec()) ?? []) {
      if (err !== null) throw err;
      ids.push(Number(id));
    }
  }
  // Trim now and then (ZCARD is cheap, but not needed on every append).
  if (entries.length >= 100 || ids.some((id) => id % 100 === 0)) await trimAudit(ctx);
  return ids;
}

async function trimAudit(ctx: AdminContext): Promise<void> {
  const a = ctx.keys.audit;
  for (;;) {
    const excess = (await ctx.client.zcard(a.all)) - ctx.auditLimit;
    if (excess <= 0) return;
    const ids = await ctx.client.zrange(a.all, '0', String(Math.min(excess, 1000) - 1));
    const json = await ctx.client.hmget(a.entries, ...ids);
    const m = ctx.client.multi();
    ids.forEach((id, i) => {
      const raw = json[i];
      if (raw !== null && raw !== undefined) {
        const e = JSON.parse(raw) as NewAuditEntry;
        for (const key of appendKeys(ctx.keys, e).slice(3)) m.zrem(key, id);
      }
    });
    m.hdel(a.entries, ...ids).zrem(a.all, ...ids);
    await m.exec();
  }
}

export async function queryAudit(ctx: AdminContext, q: AuditQuery): Promise<Page<AuditEntry>> {
  const plan = auditPlan(q);
  const a = ctx.keys.audit;
  // The most selective index drives; the other filters are checked on the entries.
  const key =
    q.object !== undefined ? a.by('object', q.object) : q.actor !== undefined ? a.by('actor', q.actor) : q.objectType !== undefined ? a.by('type', q.objectType) : a.all;
  const items: AuditEntry[] = [];
  let before = plan.before;
  let scanned = 0;
  for (;;) {
    const n = Math.min(Math.max(plan.limit - items.length + 1, 100), AUDIT_SCAN_BUDGET - scanned + 1);
    const ids = await ctx.client.zrevrangebyscore(key, Number.isFinite(before) ? `(${before}` : '+inf', '-inf', 'LIMIT', 0, n);
    if (ids.length === 0) return { items, nextCursor: null };
    const json = await ctx.client.hmget(a.entries, ...ids);
    for (const [i, id] of ids.entries()) {
      if (items.length === plan.limit || scanned === AUDIT_SCAN_BUDGET) return { items, nextCursor: encodeCursor('audit', before) };
      scanned++;
      before = Number(id);
      const raw = json[i];
      if (raw === null || raw === undefined) continue;
      const e = { ...(JSON.parse(raw) as NewAuditEntry), id: before };
      if (auditMatches(e, q)) items.push(e);
    }
    if (ids.length < n) return { items, nextCursor: null };
  }
}
