import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisMailQueue } from '../../src/notify/redis-mail-queue.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../store/redis-fixture.js';
import { Clock, mailQueueContract } from './mail-queue-contract.js';

const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
const prefixes: string[] = [];

afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p);
  await client.quit();
});

mailQueueContract('redis', async (options) => {
  const keyPrefix = uniquePrefix('mailq');
  prefixes.push(keyPrefix);
  return new RedisMailQueue({ client, keyPrefix, ...options });
});

describe('redis mail queue keys', () => {
  it('live under {prefix}:mail: and two queues on one prefix share the jobs', async () => {
    const keyPrefix = uniquePrefix('mailq');
    prefixes.push(keyPrefix);
    const clock = new Clock();
    const a = new RedisMailQueue({ client, keyPrefix, now: clock.now });
    const b = new RedisMailQueue({ client, keyPrefix, now: clock.now });
    expect(await a.enqueue({ id: 'x', to: 'a@example.com', subject: 's', text: 't' })).toBe(true);
    expect(await b.enqueue({ id: 'x', to: 'a@example.com', subject: 's', text: 't' })).toBe(false);
    const keys = (await client.keys(`{${keyPrefix}}:*`)).sort();
    expect(keys).toEqual([`{${keyPrefix}}:mail:due`, `{${keyPrefix}}:mail:job:x`]);
    const claims = await Promise.all([a.claim(), b.claim()]);
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
  });
});
