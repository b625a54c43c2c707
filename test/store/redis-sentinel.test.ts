import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, waitFor } from './fixture.js';
import { uniquePrefix } from './redis-fixture.js';
import { createOnceWritable, startSentinelGroup, storeAt, topologyContract, type SentinelGroup } from './redis-topology.js';

// A real primary with two replicas watched by three Sentinels, reached the way the gateway
// reaches it: EASGATE_REDIS_URL=redis+sentinel://…/<master name> read by the configuration.
let group: SentinelGroup;
beforeAll(async () => {
  group = await startSentinelGroup();
}, 90_000);
afterAll(async () => group?.stop());

const sentinelStore = (prefix: string) => storeAt(group.url, prefix);

topologyContract('RedisStore through Sentinel', () => group.url, 'sentinel');

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

  it('after SIGKILL of the primary, every replicated write survives, writes resume on the promoted replica, and other stores resync then hear changes again', async () => {
    const prefix = uniquePrefix('sentinel-kill');
    const store = sentinelStore(prefix);
    const peer = sentinelStore(prefix);
    try {
      const heard: string[] = [];
      await peer.onChange((c) => heard.push(c.kind));
      for (let i = 0; i < 30; i++) await store.createAssociation(device(`u${i}@x.test`, `D${i}`));
      await group.waitReplicated();
      await group.killPrimary();
      expect(await createOnceWritable(store, 'late@x.test', 'LATE')).toBe(true);
      expect(await store.countAssociations()).toBe(31);
      // The peer's subscriber came back on the new primary: it said so (resync), and hears what follows.
      await waitFor(() => heard.includes('resync'), 10_000);
      const before = heard.length;
      await store.putRule({ id: 'after-kill', characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Block' });
      await waitFor(() => heard.slice(before).includes('rule'), 5_000);
    } finally {
      store.disconnect();
      peer.disconnect();
    }
  }, 60_000);
});
