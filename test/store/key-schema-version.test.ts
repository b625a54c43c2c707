import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_SCHEMA_VERSION } from '../../src/store/index.js';
import { spawnGateway } from '../helpers/child-gateway.js';
import { device } from './fixture.js';
import { dropPrefix, REDIS_URL, redisStore, uniquePrefix } from './redis-fixture.js';

/**
 * `{prefix}:schema` says which key schema the data under a prefix is written in. A gateway
 * marks a prefix that has none, and refuses to start on data a newer version wrote.
 */
describe('the key schema version marker', () => {
  const redis = new Redis(REDIS_URL);
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(p);
    await redis.quit();
  });

  const prefix = (label: string): string => {
    const p = uniquePrefix(label);
    prefixes.push(p);
    return p;
  };

  /** Starts a gateway on the prefix; resolves with its exit code (stopped with SIGTERM once it listens) and stderr. */
  async function start(p: string): Promise<{ code: number | null; stderr: string }> {
    const gw = spawnGateway({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/Microsoft-Server-ActiveSync', EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: p, EASGATE_STORE_START_WAIT_MS: '2000' });
    await gw.ready.then(
      () => gw.child.kill('SIGTERM'),
      () => undefined,
    );
    return { code: await gw.exited, stderr: gw.stderr.join('') };
  }

  it('a new prefix, and data written before the marker existed, are marked with this version', async () => {
    const fresh = prefix('schema-new');
    expect((await start(fresh)).code).toBe(0);
    expect(await redis.get(`{${fresh}}:schema`)).toBe(String(KEY_SCHEMA_VERSION));

    const old = prefix('schema-old');
    const store = redisStore(old);
    await store.createAssociation(device('u@x.test', 'OLD1'));
    await redis.del(`{${old}}:schema`); // as a version before the marker left it
    await store.close();
    expect((await start(old)).code).toBe(0);
    expect(await redis.get(`{${old}}:schema`)).toBe('1');
    expect(await redis.hget(`{${old}}:a:u%40x.test/old1`, 'deviceId')).toBe('OLD1');
  }, 30_000);

  it('data of a newer schema stops the start with the reason, and is left as it was', async () => {
    const newer = prefix('schema-newer');
    await redis.set(`{${newer}}:schema`, String(KEY_SCHEMA_VERSION + 1));
    const { code, stderr } = await start(newer);
    expect(code).toBe(1);
    expect(stderr).toContain(`prefix "${newer}" holds key schema ${KEY_SCHEMA_VERSION + 1}, written by a newer easgate; this version reads schema ${KEY_SCHEMA_VERSION}`);
    expect(await redis.get(`{${newer}}:schema`)).toBe(String(KEY_SCHEMA_VERSION + 1));
    expect(await redis.keys(`{${newer}}:*`)).toEqual([`{${newer}}:schema`]);
  }, 30_000);

  it('a marker that is not a version stops the start, naming the key', async () => {
    const junk = prefix('schema-junk');
    await redis.set(`{${junk}}:schema`, 'banana');
    const { code, stderr } = await start(junk);
    expect(code).toBe(1);
    expect(stderr).toContain(`the key {${junk}}:schema does not hold a key schema version`);
  }, 30_000);
});
