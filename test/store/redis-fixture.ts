import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore, type RedisStoreOptions } from '../../src/store/index.js';

/** A real Redis server (never a mock): EASGATE_TEST_REDIS_URL or the local default. */
export const REDIS_URL = process.env.EASGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test or engineer uses; it names the run, whose end deletes what a test left (test/global-setup.ts). */
export function uniquePrefix(label: string): string {
  return `easgate-test-${process.env.EASGATE_TEST_RUN ?? 'x'}-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function redisStore(prefix: string, options: Omit<RedisStoreOptions, 'url' | 'keyPrefix'> = {}): RedisStore {
  return new RedisStore({ url: REDIS_URL, keyPrefix: prefix, redis: { lazyConnect: false, maxRetriesPerRequest: 2 }, ...options });
}

/** Deletes every key of the prefix (SCAN is fine here: clean-up, not a product path). */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await r.quit();
  }
}
