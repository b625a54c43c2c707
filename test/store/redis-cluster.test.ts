import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { RedisMailQueue } from '../../src/notify/redis-mail-queue.js';
import { COMMAND_TIMEOUT_MS } from '../../src/store/redis-connect.js';
import type { RedisStore } from '../../src/store/index.js';
import { RedisCoordinator } from '../../src/sync/redis-coordinator.js';
import { mailQueueContract } from '../notify/mail-queue-contract.js';
import { device } from './fixture.js';
import { uniquePrefix } from './redis-fixture.js';
import { createOnceWritable, startCluster, storeAt, topologyContract, type ClusterGroup } from './redis-topology.js';

// A real Redis Cluster (three primaries, one replica each) reached the way the gateway
// reaches it: EASGATE_REDIS_URL=redis+cluster://… read by the configuration. Every key of a
// prefix is in one slot, so the whole contract (MULTI, Lua scripts, pub/sub) runs on it.
let cluster: ClusterGroup;
beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

const clusterStore = (prefix: string) => storeAt(cluster.url, prefix);

topologyContract('RedisStore on a Cluster', () => cluster.url, 'cluster');

// The other users of the connection: the mail queue (on the store's client) and the backend
// sync's lease (its own client from the same address).
const opened: RedisStore[] = [];
afterAll(async () => void (await Promise.all(opened.map((s) => s.close()))));
mailQueueContract('redis on a Cluster', async (options) => {
  const store = clusterStore(uniquePrefix('cluster-mailq'));
  opened.push(store);
  return new RedisMailQueue({ client: store.client, keyPrefix: uniquePrefix('cluster-mailq'), ...options });
});

describe('the backend sync lease on a Cluster', () => {
  it('is held by one replica at a time and fences the state', async () => {
    const keyPrefix = uniquePrefix('cluster-lease');
    const address = loadConfig({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/x', EASGATE_REDIS_URL: cluster.url }).redisUrl!;
    const a = new RedisCoordinator({ url: address, keyPrefix });
    const b = new RedisCoordinator({ url: address, keyPrefix });
    try {
      const token = await a.acquire('a', 10_000);
      expect(token).toBeTypeOf('number');
      expect(await b.acquire('b', 10_000)).toBeUndefined();
      expect(await a.save('{"n":1}', token!)).toBe(true);
      expect(await b.load()).toBe('{"n":1}');
      await a.release('a');
      expect(await b.acquire('b', 10_000)).toBe(token! + 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('RedisStore on a Cluster whose primary fails', () => {
  it('keeps every replicated association and takes writes again once the replica is promoted', async () => {
    const prefix = uniquePrefix('cluster-failover');
    const store = clusterStore(prefix);
    const peer = clusterStore(prefix);
    try {
      const heard: string[] = [];
      await peer.onChange((c) => heard.push(c.kind));
      for (let i = 0; i < 50; i++) await store.createAssociation(device(`u${i}@x.test`, `D${i}`));
      await cluster.waitReplicated(`{${prefix}}`);
      const old = await cluster.primaryFor(`{${prefix}}`);
      const next = await cluster.killPrimaryFor(`{${prefix}}`);
      expect(next).not.toBe(old);
      // The client finds the new primary by itself (MOVED / slot refresh).
      expect(await createOnceWritable(store, 'late@x.test', 'LATE')).toBe(true);
      expect(await store.countAssociations()).toBe(51);
      for (let i = 0; i < 50; i++) expect(await store.getAssociation(`u${i}@x.test`, `D${i}`)).toBeDefined();
      // The other replica's subscriber came back too: it hears a write made after the failover.
      const before = heard.length;
      await store.putRule({ id: 'after', characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Block' });
      await waitUntilHeard(() => heard.slice(before).includes('rule'));
      expect(await peer.getRule('after')).toBeDefined();
    } finally {
      store.disconnect();
      peer.disconnect();
    }
  }, 60_000);
});

async function waitUntilHeard(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(check()).toBe(true);
}

describe('RedisStore on a Cluster that is gone altogether', () => {
  it('answers every command within the deadline (an error), instead of queueing it for ever', async () => {
    const own = await startCluster();
    const store = storeAt(own.url, uniquePrefix('cluster-gone'));
    try {
      await store.createAssociation(device('a@x.test', 'D1'));
      await Promise.all([...own.nodes.values()].map((n) => n.kill('SIGKILL')));
      // Right after the loss, and once the client has given up its connections and reconnects.
      for (const after of [0, 3_000]) {
        await new Promise((r) => setTimeout(r, after));
        const started = Date.now();
        const outcome = await store.getAssociation('a@x.test', 'D1').then(
          () => 'answered',
          (err: Error) => err.message,
        );
        expect(outcome).not.toBe('answered');
        expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 2_000);
      }
    } finally {
      store.disconnect();
      await own.stop();
    }
  }, 60_000);
});
