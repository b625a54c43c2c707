import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { ACCESS_STATES } from '../policy/index.js';
import { MONOTONIC_FIELDS } from './association-codec.js';
import { TEXT_INDEXES } from './redis-keys.js';

export type RedisClient = Redis | Cluster;

/**
 * Lua scripts: the association writes that must be atomic across replicas (create-if-absent
 * with first sync set once, state change with history, re-indexing, delete) and the
 * license-aware mailbox write. Keys are passed as KeySchema.associationKeys orders them;
 * the prelude below is generated from the same constants, so the two cannot drift. Each
 * script publishes its change notification itself (ARGV: channel, message last).
 */
const PRELUDE = `
local STATE = {${ACCESS_STATES.map((s, i) => `${s}=${4 + TEXT_INDEXES.length + i}`).join(', ')}}
local MONO = {${[...MONOTONIC_FIELDS].map((f) => `${f}=true`).join(', ')}}
local NTEXT = ${TEXT_INDEXES.length}
local SYNC = ${3 + TEXT_INDEXES.length}
local FIRST = ${4 + TEXT_INDEXES.length + ACCESS_STATES.length}
local CHANGED = ${5 + TEXT_INDEXES.length + ACCESS_STATES.length}
local GONE = CHANGED + 2
local function changed(id) redis.call('ZADD', KEYS[CHANGED], redis.call('INCR', KEYS[CHANGED + 1]), id) end
local function publish() redis.call('PUBLISH', ARGV[#ARGV - 1], ARGV[#ARGV]) end
local function exists() return redis.call('HEXISTS', KEYS[1], 'user') == 1 end
`;

/**
 * ARGV: id, history entry, sync score, state, state score, n, n field/value pairs (the `_x<j>` fields that
 * remember each text index member among them), NTEXT text members ('' none), channel, message.
 */
const CREATE = `${PRELUDE}
if exists() then return redis.call('HGETALL', KEYS[1]) end
redis.call('DEL', KEYS[1])
local id, n = ARGV[1], tonumber(ARGV[6])
local fields = {}
for i = 7, 6 + 2 * n do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
for j = 1, NTEXT do
  local m = ARGV[6 + 2 * n + j]
  if m ~= '' then redis.call('ZADD', KEYS[2 + j], 0, m) end
end
redis.call('ZADD', KEYS[SYNC], ARGV[3], id)
redis.call('ZADD', KEYS[STATE[ARGV[4]]], ARGV[5], id)
redis.call('ZADD', KEYS[FIRST], redis.call('HGET', KEYS[1], 'firstSyncAt'), id)
redis.call('DEL', KEYS[2])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[GONE], id)
changed(id)
publish()
return 1
`;

/** Re-scores the lastSync index from the hash (after a write that may move it). */
const RESCORE = `
local function rescore(id)
  local t = redis.call('HMGET', KEYS[1], 'lastSyncAttemptAt', 'firstSyncAt')
  redis.call('ZADD', KEYS[SYNC], t[1] or t[2], id)
end
`;

/** ARGV: id, n, n pairs to set, u, u fields to delete, NTEXT members ('\\1' keep, '' remove), marks a change ('1'/'0'), channel, message. */
const PATCH = `${PRELUDE}${RESCORE}
if not exists() then return 0 end
local id, n = ARGV[1], tonumber(ARGV[2])
for k = 1, n do
  local f, v = ARGV[1 + 2 * k], ARGV[2 + 2 * k]
  local old = MONO[f] and tonumber(redis.call('HGET', KEYS[1], f)) or nil
  if old == nil or old < tonumber(v) then redis.call('HSET', KEYS[1], f, v) end
end
local i = 3 + 2 * n
local u = tonumber(ARGV[i])
for k = 1, u do redis.call('HDEL', KEYS[1], ARGV[i + k]) end
i = i + u
for j = 1, NTEXT do
  local m = ARGV[i + j]
  if m ~= '\\1' then
    local old = redis.call('HGET', KEYS[1], '_x' .. j)
    if old ~= m then
      if old then redis.call('ZREM', KEYS[2 + j], old) end
      if m == '' then redis.call('HDEL', KEYS[1], '_x' .. j)
      else redis.call('ZADD', KEYS[2 + j], 0, m); redis.call('HSET', KEYS[1], '_x' .. j, m) end
    end
  end
end
rescore(id)
if ARGV[i + NTEXT + 1] == '1' then changed(id) end
publish()
return 1
`;

/** ARGV: id, state, reason, ruleId ('' none), at, history entry, history limit, channel, message. */
const SET_STATE = `${PRELUDE}
if not exists() then return -1 end
local id = ARGV[1]
local cur = redis.call('HMGET', KEYS[1], 'accessState', 'accessReason', 'matchedRuleId')
if cur[1] == ARGV[2] and cur[2] == ARGV[3] and (cur[3] or '') == ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], 'accessState', ARGV[2], 'accessReason', ARGV[3], 'accessStateAt', ARGV[5])
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], 'matchedRuleId') else redis.call('HSET', KEYS[1], 'matchedRuleId', ARGV[4]) end
if cur[1] and STATE[cur[1]] then redis.call('ZREM', KEYS[STATE[cur[1]]], id) end
redis.call('ZADD', KEYS[STATE[ARGV[2]]], ARGV[5], id)
redis.call('LPUSH', KEYS[2], ARGV[6])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[7]) - 1)
changed(id)
publish()
return 1
`;

/**
 * ARGV: id, tombstone seconds, channel, message. Leaves a short-lived tombstone hash (no
 * user field) that absorbs write-behind records still in flight, instead of letting them
 * re-create a partial association.
 */
const DELETE = `${PRELUDE}
if not exists() then return 0 end
local id = ARGV[1]
for j = 1, NTEXT do
  local m = redis.call('HGET', KEYS[1], '_x' .. j)
  if m then redis.call('ZREM', KEYS[2 + j], m) end
end
for k = SYNC, CHANGED do redis.call('ZREM', KEYS[k], id) end
redis.call('ZADD', KEYS[GONE], redis.call('INCR', KEYS[GONE + 1]), id)
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], '_deleted', '1')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
publish()
return 1
`;

/**
 * KEYS: mailboxes, mailbox index, enabled index. ARGV: user, json, enabled ('1'/'0'),
 * enabled-index member, license limit ('' none), create-only ('1'/'0'), json when created
 * disabled by the license, channel, message, the JSON the stored one must still be ('' any, '!' none stored).
 * Returns {status, json}.
 */
const PUT_MAILBOX = `
local user, json = ARGV[1], ARGV[2]
local held = redis.call('HGET', KEYS[1], user)
if ARGV[6] == '1' and held then return {'exists', held} end
if ARGV[10] == '!' then
  if held then return {'changed', held} end
elseif ARGV[10] ~= '' and held ~= ARGV[10] then
  return {'changed', held or ''}
end
local enabled = ARGV[3] == '1'
local was = redis.call('ZSCORE', KEYS[3], ARGV[4])
if enabled and not was and ARGV[5] ~= '' and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  if ARGV[6] ~= '1' then return {'license-limit', held or ''} end
  json, enabled = ARGV[7], false
end
redis.call('HSET', KEYS[1], user, json)
redis.call('ZADD', KEYS[2], 0, user)
if enabled then redis.call('ZADD', KEYS[3], 0, ARGV[4]) else redis.call('ZREM', KEYS[3], ARGV[4]) end
redis.call('PUBLISH', ARGV[8], ARGV[9])
return {'ok', json}
`;

export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL once when the server does not hold the script yet. */
  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

export const SCRIPTS = {
  create: new LuaScript(CREATE),
  patch: new LuaScript(PATCH),
  setState: new LuaScript(SET_STATE),
  delete: new LuaScript(DELETE),
  putMailbox: new LuaScript(PUT_MAILBOX),
} as const;
