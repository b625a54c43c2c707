import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import type { RedisStore } from '../../src/store/index.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { basic } from '../helpers/credentials.js';
import { dropPrefix, REDIS_URL, redisStore, uniquePrefix } from '../store/redis-fixture.js';

/**
 * Two gateway processes on one real Redis, in front of the sample upstream: what one
 * learns or is told, the other obeys.
 */
describe('two replicas on one Redis', () => {
  const prefix = uniquePrefix('replicas');
  let upstream: SampleUpstream;
  let a: ChildGateway;
  let b: ChildGateway;
  let store: RedisStore;

  const start = async (): Promise<ChildGateway> => {
    const gw = spawnGateway({
      EASGATE_UPSTREAM_URL: upstream.url,
      EASGATE_REDIS_URL: REDIS_URL,
      EASGATE_REDIS_PREFIX: prefix,
      EASGATE_LOG_LEVEL: 'info',
      EASGATE_DRAIN_TIMEOUT_MS: '3000',
    });
    await gw.ready;
    return gw;
  };

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    store = redisStore(prefix);
    [a, b] = await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    for (const g of [a, b]) if (g.child.exitCode === null) g.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    await store.close();
    await upstream.close();
    await dropPrefix(prefix);
  });

  const sim = (url: string, deviceId: string) =>
    new DeviceSimulator({ url, user: 'alice@example.test', password: 'alice123', deviceId, protocolVersion: '16.1' });

  it('a block written through the store is obeyed by both replicas within a second', async () => {
    const s1 = sim(a.url, 'REPLPHONE1');
    const s2 = sim(b.url, 'REPLPHONE1');
    expect((await s1.folderSync()).response.easStatus).toBe(1);
    expect((await s2.folderSync()).response.easStatus).toBe(1);
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['REPLPHONE1'] });
    const t0 = Date.now();
    let blockedA = false;
    let blockedB = false;
    while ((!blockedA || !blockedB) && Date.now() - t0 < 1000) {
      blockedA ||= (await s1.raw('FolderSync')).easStatus === 129;
      blockedB ||= (await s2.raw('FolderSync')).easStatus === 129;
    }
    await s1.close();
    await s2.close();
    expect([blockedA, blockedB]).toEqual([true, true]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('records one first-sync time, whichever replica saw the device first', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `FIRSTSYNC${i}`);
    // Each device hits both replicas at once: a race for "first".
    await Promise.all(
      ids.map(async (id) => {
        const [x, y] = [sim(a.url, id), sim(b.url, id)];
        await Promise.all([x.raw('FolderSync'), y.raw('FolderSync')]);
        await Promise.all([x.close(), y.close()]);
      }),
    );
    for (const id of ids) {
      const assoc = await store.getAssociation('alice@example.test', id.toLowerCase());
      expect(assoc?.firstSyncAt).toBeTypeOf('number');
      const history = await store.getAssociationHistory('alice@example.test', id.toLowerCase());
      expect(history.filter((h) => h.state === 'Allowed')).toHaveLength(1);
    }
  });

  it('creates nothing for 10,000 requests with random device IDs and bad credentials', async () => {
    const before = await store.countAssociations();
    const agent = new Agent({ connections: 50 });
    let i = 0;
    const worker = async (): Promise<void> => {
      while (i < 10_000) {
        const n = i++;
        const gw = n % 2 === 0 ? a : b;
        const res = await request(`${gw.url}?Cmd=Sync&User=mallory${n}&DeviceId=RND${n.toString(36)}X${Math.random().toString(36).slice(2, 10)}&DeviceType=SP`, {
          method: 'POST',
          body: Buffer.from([3, 1, 0x6a, 0]),
          headers: { authorization: basic(`mallory${n}@example.test`, `guess${n}`), 'ms-asprotocolversion': '14.1' },
          dispatcher: agent,
        });
        await res.body.dump();
        expect(res.statusCode).toBe(401);
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    await agent.close();
    await new Promise((r) => setTimeout(r, 1200)); // past one write-behind flush
    expect(await store.countAssociations()).toBe(before);
    expect((await store.listMailboxes({ prefix: 'mallory' })).items).toHaveLength(0);
  }, 120_000);

  it('flushes the write-behind sync records on a graceful stop', async () => {
    const s = sim(b.url, 'FLUSHME01');
    await s.raw('FolderSync');
    // The association is created after the answer went out: wait for it.
    let first = await store.getAssociation('alice@example.test', 'flushme01');
    for (let i = 0; first === undefined && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 10));
      first = await store.getAssociation('alice@example.test', 'flushme01');
    }
    if (first === undefined) throw new Error('the association was not created');
    await new Promise((r) => setTimeout(r, 1100));
    await s.raw('FolderSync'); // recorded behind, not yet flushed
    await s.close();
    const t = Date.now();
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const after = (await store.getAssociation('alice@example.test', 'flushme01'))!;
    expect(after.lastSyncAttemptAt).toBeGreaterThan(first.lastSyncAttemptAt ?? first.firstSyncAt);
    expect(after.lastSyncAttemptAt).toBeLessThan(t);
  });
});
