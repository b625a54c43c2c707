import { afterEach, describe, expect, it } from 'vitest';
import { RedisCoordinator } from '../../src/sync/index.js';
import { dropPrefix, redisStore, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';
import { assoc, useBackendSync } from './backend-sync-fixture.js';

describe('two replicas on one Redis', () => {
  const t = useBackendSync();
  const prefixes: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    for (const p of prefixes.splice(0)) await dropPrefix(p);
  });

  function replica(prefix: string): { store: ReturnType<typeof redisStore>; coordinator: RedisCoordinator } {
    const store = redisStore(prefix);
    const coordinator = new RedisCoordinator({ url: REDIS_URL, keyPrefix: prefix });
    closers.push(() => coordinator.close(), () => store.close());
    return { store, coordinator };
  }

  it('exactly one syncs; when it stops, the other takes over from the stored cursor', async () => {
    const prefix = uniquePrefix('backend-sync');
    prefixes.push(prefix);
    const backend = await t.backend();
    const one = t.engine(backend, { ...replica(prefix), instance: 'gw1', leaseMs: 5_000 });
    const two = t.engine(backend, { ...replica(prefix), instance: 'gw2', leaseMs: 5_000 });
    await one.store.createAssociation(assoc('a@x.test', 'D1'));

    const reports = await Promise.all([one.run(), two.run()]);
    expect(reports.filter((r) => r.ran)).toHaveLength(1);
    expect(reports.find((r) => !r.ran)?.reason).toMatch(/another replica/);
    expect(backend.batches).toHaveLength(1);
    const leader = reports[0]!.ran ? one : two;
    const other = leader === one ? two : one;
    expect((await leader.status()).leader).toBe(true);
    expect(await other.status()).toMatchObject({ leader: false, cursor: { changes: 1 } });

    await other.store.createAssociation(assoc('b@x.test', 'D2'));
    await leader.stop();
    expect(await other.run()).toMatchObject({ ran: true, batches: 1, pushed: 1 });
    expect(backend.batches.map((b) => b.associations.map((a) => a.deviceId))).toEqual([['D1'], ['D2']]);
  });

  it('a leader stuck mid-batch loses its lease; the other finishes the full sync, nothing lost, no batch stored twice', async () => {
    const prefix = uniquePrefix('backend-stuck');
    prefixes.push(prefix);
    const backend = await t.backend();
    const one = t.engine(backend, { ...replica(prefix), instance: 'gw1', leaseMs: 300, batchSize: 2, timeoutMs: 5_000 });
    const two = t.engine(backend, { ...replica(prefix), instance: 'gw2', leaseMs: 300, batchSize: 2 });
    for (const n of [1, 2, 3, 4, 5]) await one.store.createAssociation(assoc('a@x.test', `D${n}`, { firstSyncAt: 1_000 + n }));

    // The second batch reaches the backend (and is stored), but its answer takes 1.5 s: the stuck leader's lease runs out.
    backend.switches.slowBatch = { nth: 2, ms: 1_500 };
    const stuck = one.run({ full: true });
    while (backend.received.length < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 400));

    const report = await two.run({ full: true });
    expect(report).toMatchObject({ ran: true, kind: 'full' });
    expect(report.error).toBeUndefined();
    expect((await stuck).error?.code).toBe('lost-lease');
    const ids = backend.received.filter((id) => id.startsWith('full-'));
    expect(new Set(ids).size).toBe(3);
    expect(backend.batches).toHaveLength(3);
    expect(backend.batches.flatMap((b) => b.associations.map((a) => a.deviceId)).sort()).toEqual(['D1', 'D2', 'D3', 'D4', 'D5']);
    expect(await two.status()).toMatchObject({ fullInProgress: null, failures: 0 });
  });

  it('an on-demand run on a replica that does not lead is run by the leader at its next check', async () => {
    const prefix = uniquePrefix('backend-request');
    prefixes.push(prefix);
    const backend = await t.backend();
    const leader = t.engine(backend, { ...replica(prefix), instance: 'gw1', leaseMs: 300 });
    const other = t.engine(backend, { ...replica(prefix), instance: 'gw2', leaseMs: 300 });
    leader.start();
    while (!(await leader.status()).leader || (await leader.status()).lastSuccessAt === null) await new Promise((r) => setTimeout(r, 20));
    const before = backend.received.length;
    await other.store.createAssociation(assoc('a@x.test', 'D1'));
    const asked = await other.run({ full: true });
    expect(asked).toMatchObject({ ran: false, reason: expect.stringMatching(/next check/) });
    while (backend.received.length === before) await new Promise((r) => setTimeout(r, 20));
    expect(backend.batches.at(-1)).toMatchObject({ full: true, associations: [expect.objectContaining({ deviceId: 'D1' })] });
  });

  it('a replica whose lease expired cannot write the state any more (fencing)', async () => {
    const prefix = uniquePrefix('backend-lease');
    prefixes.push(prefix);
    const a = replica(prefix).coordinator;
    const b = replica(prefix).coordinator;
    const first = await a.acquire('gw1', 100);
    expect(first).toBeTypeOf('number');
    expect(await b.acquire('gw2', 100)).toBeUndefined();
    expect(await a.save('{"changeCursor":1,"failures":0}', first!)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    const second = await b.acquire('gw2', 5_000);
    expect(second).toBe(first! + 1);
    expect(await a.save('{"changeCursor":0,"failures":0}', first!)).toBe(false);
    expect(await b.load()).toBe('{"changeCursor":1,"failures":0}');
  });
});
