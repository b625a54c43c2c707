import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { RedisStore, type Store } from '../../src/store/index.js';
import { storeContract } from './contract.js';
import { device } from './fixture.js';
import { uniquePrefix } from './redis-fixture.js';
import { startSentinelGroup, type SentinelGroup } from './redis-topology.js';

// A real primary with two replicas watched by three Sentinels, reached the way the gateway
// reaches it: EASGATE_REDIS_URL=redis+sentinel://…/<master name> read by the configuration.
let group: SentinelGroup;
beforeAll(async () => {
  group = await startSentinelGroup();
}, 90_000);
afterAll(async () => group?.stop());

function sentinelStore(prefix: string): RedisStore {
  const config = loadConfig({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/Microsoft-Server-ActiveSync', EASGATE_REDIS_URL: group.url, EASGATE_REDIS_PREFIX: prefix });
  expect(config.redisUrl).toMatchObject({ mode: 'sentinel', masterName: group.masterName });
  const store = new RedisStore({ url: config.redisUrl!, keyPrefix: config.redisPrefix });
  store.client.on('error', () => undefined); // a killed primary refuses connections until the switch: expected here
  return store;
}

storeContract('RedisStore through Sentinel', async () => {
  const prefix = uniquePrefix('sentinel');
  const store = sentinelStore(prefix);
  const peers: Store[] = [];
  return {
    store,
    peer: async () => {
      const p = sentinelStore(prefix);
      peers.push(p);
      return p;
    },
    cleanup: async () => void (await Promise.all([store, ...peers].map((s) => s.close()))),
  };
});

describe('RedisStore through Sentinel while the primary changes', () => {
  it('a coordinated failover (SENTINEL FAILOVER): what was written before it and after it is kept, writes move to the new primary', async () => {
    const prefix = uniquePrefix('sentinel-failover');
    const store = sentinelStore(prefix);
    const peer = sentinelStore(prefix);
    try {
      const heard: string[] = [];
      await peer.onChange((c) => heard.push(c.kind));
      for (let i = 0; i < 30; i++) await store.createAssociation(device(`u${i}@x.test`, `D${i}`));
      const old = await group.primary();
      // Writes keep coming while the primary changes, each remembered with when it was acknowledged.
      let writing = true;
      const acknowledged: { id: string; at: number }[] = [];
      const failures: string[] = [];
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          await store.createAssociation(device(`w${i}@x.test`, `W${i}`)).then(
            () => acknowledged.push({ id: `w${i}@x.test`, at: Date.now() }),
            (err: unknown) => failures.push(String(err)),
          );
          await new Promise((r) => setImmediate(r)); // let timers run between writes
        }
      })();
      const next = await group.failover();
      const switched = Date.now();
      await new Promise((r) => setTimeout(r, 500));
      writing = false;
      await writer;
      expect(next).not.toBe(old);
      expect(failures.filter((m) => m.includes('READONLY'))).toEqual([]);
      for (let i = 0; i < 30; i++) expect(await store.getAssociation(`u${i}@x.test`, `D${i}`)).toBeDefined();
      // Writes acknowledged once the new primary was in place are all there.
      const after = acknowledged.filter((w) => w.at > switched);
      expect(after.length).toBeGreaterThan(0);
      const missing = [];
      for (const w of after) if ((await store.getAssociation(w.id, w.id.replace(/^w(\d+)@.*$/, 'W$1'))) === undefined) missing.push(w.id);
      expect(missing).toEqual([]);
      const before = heard.length;
      await store.putRule({ id: 'after', characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Block' });
      for (let i = 0; i < 50 && !heard.slice(before).includes('rule'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(heard.slice(before)).toContain('rule');
    } finally {
      store.disconnect();
      peer.disconnect();
    }
  }, 60_000);

  it('after SIGKILL of the primary, every replicated write survives and writes resume on the promoted replica', async () => {
    const prefix = uniquePrefix('sentinel-kill');
    const store = sentinelStore(prefix);
    try {
      for (let i = 0; i < 30; i++) await store.createAssociation(device(`u${i}@x.test`, `D${i}`));
      await group.waitReplicated();
      await group.killPrimary();
      let created = false;
      for (let i = 0; i < 100 && !created; i++) {
        created = await store.createAssociation(device('late@x.test', 'LATE')).then(
          (r) => r.created,
          () => false,
        );
        if (!created) await new Promise((r) => setTimeout(r, 100));
      }
      expect(created).toBe(true);
      expect(await store.countAssociations()).toBe(31);
    } finally {
      store.disconnect();
    }
  }, 60_000);
});
