import { closeRedis, connectRedis, type RedisAddress, type RedisClient } from '../store/index.js';
import type { SyncCoordinator } from './coordinator.js';

/**
 * The lease and the state in Redis, next to the store's keys (same `{prefix}` hash tag):
 * `P:sync:lease` (holder, expires with the lease), `P:sync:fence` (the fencing token,
 * incremented whenever the lease changes hands), `P:sync:state` (JSON), `P:sync:request`
 * (a run asked for on another replica: `full` or `diff`, for an hour at most). Each call is one
 * script, so a replica whose lease expired cannot overwrite the state of its successor.
 */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return nil end
if not holder then redis.call('INCR', KEYS[2]) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return tonumber(redis.call('GET', KEYS[2]))
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;
const SAVE = `
if not redis.call('GET', KEYS[1]) or tonumber(redis.call('GET', KEYS[2])) ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[3], ARGV[1])
return 1
`;

const TAKE = `
local v = redis.call('GET', KEYS[1])
if v then redis.call('DEL', KEYS[1]) end
return v
`;

export interface RedisCoordinatorOptions {
  /** Where Redis is (EASGATE_REDIS_URL, any form connectRedis reads), or a client to use (not closed). */
  url?: string | RedisAddress;
  client?: RedisClient;
  /** The store's key prefix (EASGATE_REDIS_PREFIX). */
  keyPrefix: string;
}

export class RedisCoordinator implements SyncCoordinator {
  private readonly client: RedisClient;
  private readonly owns: boolean;
  private readonly keys: { lease: string; fence: string; state: string; request: string };

  constructor(options: RedisCoordinatorOptions) {
    if (options.client !== undefined) {
      this.client = options.client;
      this.owns = false;
    } else {
      this.client = connectRedis(options.url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
      // Without a listener ioredis prints every failed reconnect to stderr; a failure that
      // matters reaches the sync as a failed command, which it logs.
      this.client.on('error', () => undefined);
      this.owns = true;
    }
    const p = `{${options.keyPrefix}}:sync`;
    this.keys = { lease: `${p}:lease`, fence: `${p}:fence`, state: `${p}:state`, request: `${p}:request` };
  }

  async acquire(holder: string, ttlMs: number): Promise<number | undefined> {
    const r = await this.client.eval(ACQUIRE, 2, this.keys.lease, this.keys.fence, holder, Math.max(1, Math.round(ttlMs)));
    return typeof r === 'number' ? r : undefined;
  }

  async release(holder: string): Promise<void> {
    await this.client.eval(RELEASE, 1, this.keys.lease, holder);
  }

  async load(): Promise<string | undefined> {
    return (await this.client.get(this.keys.state)) ?? undefined;
  }

  async save(state: string, token: number): Promise<boolean> {
    return (await this.client.eval(SAVE, 3, this.keys.lease, this.keys.fence, this.keys.state, state, token)) === 1;
  }

  async request(full: boolean): Promise<void> {
    // A full request replaces a diff request; a diff request never replaces a full one.
    if (full) await this.client.set(this.keys.request, 'full', 'EX', 3600);
    else await this.client.set(this.keys.request, 'diff', 'EX', 3600, 'NX');
  }

  async takeRequest(): Promise<{ full: boolean } | undefined> {
    const v = await this.client.eval(TAKE, 1, this.keys.request);
    return typeof v === 'string' ? { full: v === 'full' } : undefined;
  }

  async close(): Promise<void> {
    if (this.owns) await closeRedis(this.client);
  }
}
