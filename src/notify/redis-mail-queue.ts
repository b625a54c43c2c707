import { randomUUID } from 'node:crypto';
import { LuaScript, type RedisClient } from '../store/redis-scripts.js';
import {
  MAIL_JOB_STATES,
  backoffDelay,
  queuePolicy,
  shortError,
  type FailOutcome,
  type MailClaim,
  type MailJob,
  type MailJobState,
  type MailQueue,
  type MailQueueOptions,
  type MailToQueue,
  type QueuePolicy,
} from './mail-queue.js';

/**
 * Key layout (all under one hash tag, so a Redis Cluster keeps them in one slot):
 * - `{prefix}:mail:job:{id}`  hash: the job (to, subject, text, state, attempts, times, token)
 * - `{prefix}:mail:due`       sorted set: pending jobs by due time, leased jobs by lease end
 * - `{prefix}:mail:failed`    sorted set: failed jobs by failure time
 * - `{prefix}:mail:sent`      sorted set: sent jobs by send time (trimmed to the retention)
 * Every transition is one Lua script, so replicas never see half of one.
 */
const ENQUEUE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'to', ARGV[2], 'subject', ARGV[3], 'text', ARGV[4],
  'state', 'pending', 'attempts', 0, 'createdAt', ARGV[5], 'nextAt', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1`);

// KEYS: due, failed. ARGV: now, leaseMs, token, job key prefix, maxAttempts.
const CLAIM = new LuaScript(`
local now = tonumber(ARGV[1])
for _ = 1, 20 do
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
  if #ids == 0 then return false end
  local id = ids[1]
  local k = ARGV[4] .. id
  local attempts = tonumber(redis.call('HGET', k, 'attempts'))
  if attempts == nil then
    redis.call('ZREM', KEYS[1], id)
  elseif attempts >= tonumber(ARGV[5]) then
    local err = redis.call('HGET', k, 'lastError') or 'lease expired'
    redis.call('ZREM', KEYS[1], id)
    redis.call('HSET', k, 'state', 'failed', 'lastError', err, 'failedAt', now)
    redis.call('HDEL', k, 'token', 'nextAt')
    redis.call('ZADD', KEYS[2], now, id)
  else
    local untilAt = now + tonumber(ARGV[2])
    redis.call('ZADD', KEYS[1], untilAt, id)
    redis.call('HINCRBY', k, 'attempts', 1)
    redis.call('HSET', k, 'state', 'sending', 'token', ARGV[3], 'nextAt', untilAt)
    return redis.call('HGETALL', k)
  end
end
return false`);

// KEYS: job, due, sent. ARGV: id, token, now, retentionMs.
const COMPLETE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'sending' then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'sent', 'sentAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'token', 'nextAt')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
return 1`);

// KEYS: job, due, failed. ARGV: id, token, now, error, maxAttempts, delayMs.
const FAIL = new LuaScript(`
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'sending' then return 'lost' end
local now = tonumber(ARGV[3])
redis.call('HDEL', KEYS[1], 'token')
if tonumber(redis.call('HGET', KEYS[1], 'attempts')) >= tonumber(ARGV[5]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[1], 'state', 'failed', 'lastError', ARGV[4], 'failedAt', now)
  redis.call('HDEL', KEYS[1], 'nextAt')
  redis.call('ZADD', KEYS[3], now, ARGV[1])
  return 'failed'
end
local at = now + tonumber(ARGV[6])
redis.call('HSET', KEYS[1], 'state', 'pending', 'lastError', ARGV[4], 'nextAt', at)
redis.call('ZADD', KEYS[2], at, ARGV[1])
return 'retry'`);

// KEYS: job, due, failed. ARGV: id, now.
const RETRY = new LuaScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'failed' then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'pending', 'attempts', 0, 'nextAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'failedAt')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1`);

export interface RedisMailQueueOptions extends MailQueueOptions {
  /** The store's client (RedisStore.client) or any ioredis client; the queue never closes it. */
  client: RedisClient;
  /** The store's key prefix (without braces); keys are `{prefix}:mail:…`. */
  keyPrefix: string;
}

/** The mail queue shared by every replica through Redis. */
export class RedisMailQueue implements MailQueue {
  private readonly client: RedisClient;
  private readonly policy: QueuePolicy;
  private readonly base: string;

  constructor(options: RedisMailQueueOptions) {
    this.client = options.client;
    this.policy = queuePolicy(options);
    this.base = `{${options.keyPrefix}}:mail:`;
  }

  private job(id: string): string {
    return `${this.base}job:${id}`;
  }

  private get due(): string {
    return `${this.base}due`;
  }

  async enqueue(mail: MailToQueue): Promise<boolean> {
    const r = await ENQUEUE.run(this.client, [this.job(mail.id), this.due], [mail.id, mail.to, mail.subject, mail.text, this.policy.now()]);
    return Number(r) === 1;
  }

  async claim(): Promise<MailClaim | undefined> {
    const token = randomUUID();
    const args = [this.policy.now(), this.policy.leaseMs, token, `${this.base}job:`, this.policy.maxAttempts];
    const r = await CLAIM.run(this.client, [this.due, `${this.base}failed`], args);
    if (!Array.isArray(r)) return undefined;
    return { job: decode(r as string[]), token };
  }

  async complete(claim: MailClaim): Promise<boolean> {
    const id = claim.job.id;
    const keys = [this.job(id), this.due, `${this.base}sent`];
    return Number(await COMPLETE.run(this.client, keys, [id, claim.token, this.policy.now(), this.policy.sentRetentionMs])) === 1;
  }

  async fail(claim: MailClaim, error: string): Promise<FailOutcome> {
    const id = claim.job.id;
    const delay = backoffDelay(this.policy, claim.job.attempts);
    const args = [id, claim.token, this.policy.now(), shortError(error), this.policy.maxAttempts, delay];
    return (await FAIL.run(this.client, [this.job(id), this.due, `${this.base}failed`], args)) as FailOutcome;
  }

  async get(id: string): Promise<MailJob | undefined> {
    const h = await this.client.hgetall(this.job(id));
    return h.id === undefined ? undefined : decodeHash(h);
  }

  async failed(): Promise<MailJob[]> {
    const ids = await this.client.zrevrange(`${this.base}failed`, 0, 999);
    const jobs = await Promise.all(ids.map((id) => this.get(id)));
    return jobs.filter((j): j is MailJob => j !== undefined);
  }

  async retry(id: string): Promise<boolean> {
    return Number(await RETRY.run(this.client, [this.job(id), this.due, `${this.base}failed`], [id, this.policy.now()])) === 1;
  }

  async pendingCount(): Promise<number> {
    return this.client.zcard(this.due);
  }
}

function decode(flat: string[]): MailJob {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] ?? ''] = flat[i + 1] ?? '';
  return decodeHash(h);
}

function decodeHash(h: Record<string, string>): MailJob {
  const state = (MAIL_JOB_STATES as readonly string[]).includes(h.state ?? '') ? (h.state as MailJobState) : 'pending';
  const job: MailJob = {
    id: h.id ?? '',
    to: h.to ?? '',
    subject: h.subject ?? '',
    text: h.text ?? '',
    state,
    attempts: Number(h.attempts ?? 0),
    createdAt: Number(h.createdAt ?? 0),
  };
  if (h.nextAt !== undefined) job.nextAt = Number(h.nextAt);
  if (h.lastError !== undefined) job.lastError = h.lastError;
  if (h.sentAt !== undefined) job.sentAt = Number(h.sentAt);
  if (h.failedAt !== undefined) job.failedAt = Number(h.failedAt);
  return job;
}
