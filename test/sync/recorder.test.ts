import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, PolicyRuntime, type Store, type SyncRecord } from '../../src/store/index.js';
import { SyncRecorder } from '../../src/sync/index.js';
import { device, waitFor } from '../store/fixture.js';
import { dropPrefix, redisStore, uniquePrefix } from '../store/redis-fixture.js';

/** A real store that counts the write-behind batches it receives. */
function counting(store: Store): { store: Store; batches: SyncRecord[][]; failNext: () => void } {
  const batches: SyncRecord[][] = [];
  let fail = false;
  const wrapped = Object.create(store) as Store;
  wrapped.recordSyncs = async (records) => {
    if (fail) {
      fail = false;
      throw new Error('store unavailable');
    }
    batches.push([...records]);
    return store.recordSyncs(records);
  };
  return { store: wrapped, batches, failNext: () => (fail = true) };
}

const ev = (at: number, extra: Partial<Parameters<SyncRecorder['record']>[0]> = {}) => ({
  user: 'a@x.test',
  deviceId: 'DEV1',
  at,
  command: 'Sync',
  success: true,
  ...extra,
});

describe('SyncRecorder', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('writes an association at most once per minWriteIntervalMs, and everything on stop', async () => {
    const mem = new MemoryStore();
    const { store, batches } = counting(mem);
    const rec = new SyncRecorder({ store, instance: 'gw-1', minWriteIntervalMs: 60_000 });
    const t = Date.now();
    rec.record(ev(t));
    await rec.flush();
    expect(batches).toHaveLength(1); // first record of the association: due at once
    rec.record(ev(t + 1000));
    await rec.flush();
    rec.record(ev(t + 2000, { command: 'Ping' }));
    rec.record(ev(t + 500, { user: 'b@x.test' }));
    await rec.flush();
    // DEV1 is held back (written a moment ago); b's first record is due.
    expect(batches).toHaveLength(2);
    expect(batches[1]!.map((r) => r.user)).toEqual(['b@x.test']);
    await rec.stop();
    expect(batches).toHaveLength(3);
    expect(batches[2]).toEqual([expect.objectContaining({ user: 'a@x.test', lastSyncAttemptAt: t + 2000, lastCommand: 'Ping' })]);
  });

  it('coalesces N events of an association into one write', async () => {
    const mem = new MemoryStore();
    const { store, batches } = counting(mem);
    const rec = new SyncRecorder({ store, instance: 'gw1' });
    await rec.create(device('a@x.test', 'DEV1', { firstSyncAt: 1 }));
    await rec.create(device('b@x.test', 'DEV2', { firstSyncAt: 1 }));
    for (let i = 0; i < 100; i++) rec.record(ev(1000 + i, { command: i % 2 ? 'Ping' : 'Sync', success: i < 50 }));
    rec.record({ user: 'b@x.test', deviceId: 'dev2', at: 5, success: false, command: 'FolderSync' });
    await rec.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
    expect(rec.stats).toMatchObject({ events: 101, written: 2, flushes: 1 });
    expect(await mem.getAssociation('a@x.test', 'dev1')).toMatchObject({
      lastSyncAttemptAt: 1099,
      lastSuccessSyncAt: 1049,
      lastCommand: 'Ping',
      lastInstance: 'gw1',
    });
    expect((await mem.getAssociation('b@x.test', 'DEV2'))?.lastSuccessSyncAt).toBeUndefined();
    await rec.flush();
    expect(batches).toHaveLength(1); // nothing pending, nothing written
  });

  it('keeps the newest command when events arrive out of order', async () => {
    const mem = new MemoryStore();
    const rec = new SyncRecorder({ store: mem, instance: 'gw1' });
    await rec.create(device('a@x.test', 'DEV1', { firstSyncAt: 1 }));
    rec.record(ev(200, { command: 'Ping', protocolVersion: '16.1' }));
    rec.record(ev(100, { command: 'Sync', protocolVersion: '14.1' }));
    await rec.stop();
    expect(await mem.getAssociation('a@x.test', 'DEV1')).toMatchObject({ lastSyncAttemptAt: 200, lastCommand: 'Ping', protocolVersion: '16.1' });
  });

  it('keeps records of a failed flush for the next one', async () => {
    const mem = new MemoryStore();
    const { store, failNext } = counting(mem);
    const errors: unknown[] = [];
    const rec = new SyncRecorder({ store, instance: 'gw1', onError: (e) => errors.push(e) });
    await rec.create(device('a@x.test', 'DEV1', { firstSyncAt: 1 }));
    rec.record(ev(100));
    failNext();
    await rec.flush();
    expect(errors).toHaveLength(1);
    expect(rec.pendingCount).toBe(1);
    rec.record(ev(150, { success: false }));
    await rec.flush();
    expect(await mem.getAssociation('a@x.test', 'DEV1')).toMatchObject({ lastSyncAttemptAt: 150, lastSuccessSyncAt: 100 });
  });

  it('flushes on its own every interval', async () => {
    const mem = new MemoryStore();
    const rec = new SyncRecorder({ store: mem, instance: 'gw1', flushIntervalMs: 20 });
    rec.start();
    cleanups.push(() => rec.stop());
    await rec.create(device('a@x.test', 'DEV1', { firstSyncAt: 1 }));
    rec.record(ev(100));
    await waitFor(() => rec.pendingCount === 0 && rec.stats.written === 1);
  });

  it('writes a new association at once and tells the cache', async () => {
    const prefix = uniquePrefix('recorder');
    const writer = redisStore(prefix);
    const reader = redisStore(prefix);
    cleanups.push(async () => {
      await Promise.all([writer.close(), reader.close()]);
      await dropPrefix(prefix);
    });
    const runtime = new PolicyRuntime(writer);
    await runtime.start();
    cleanups.push(() => runtime.stop());
    const rec = new SyncRecorder({ store: writer, instance: 'gw1', cache: runtime });
    const { association, created } = await rec.create(device('a@x.test', 'DEV1'));
    expect(created).toBe(true);
    expect(runtime.peekAssociation('a@x.test', 'dev1')).toEqual(association);
    expect(await reader.getAssociation('a@x.test', 'DEV1')).toMatchObject({ firstSyncAt: association.firstSyncAt, lastInstance: 'gw1' });
    expect(rec.pendingCount).toBe(0);
  });

  it('lets sync records survive a graceful stop (Redis)', async () => {
    const prefix = uniquePrefix('recorder');
    const writer = redisStore(prefix);
    cleanups.push(() => dropPrefix(prefix));
    const rec = new SyncRecorder({ store: writer, instance: 'gw1', flushIntervalMs: 60_000 });
    rec.start();
    await rec.create(device('a@x.test', 'DEV1', { firstSyncAt: 10 }));
    for (let i = 0; i < 50; i++) rec.record(ev(1000 + i, { userAgent: 'UA/2' }));
    await rec.stop();
    await writer.close();
    const reader = redisStore(prefix);
    cleanups.push(() => reader.close());
    expect(await reader.getAssociation('a@x.test', 'dev1')).toMatchObject({
      firstSyncAt: 10,
      lastSyncAttemptAt: 1049,
      lastSuccessSyncAt: 1049,
      userAgent: 'UA/2',
      lastCommand: 'Sync',
    });
    const page = await reader.queryAssociations({ index: 'lastSync', after: 1049 });
    expect(page.items.map((a) => a.deviceId)).toEqual(['DEV1']);
  });
});
