import { describe, expect, it } from 'vitest';
import { assoc, useBackendSync } from './backend-sync-fixture.js';

describe('the backend sync pushes associations', () => {
  const t = useBackendSync();

  it('full: every association in batches, last-sync times included; then nothing left for a differential', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend, { batchSize: 2 });
    for (const n of [1, 2, 3, 4, 5]) await sync.store.createAssociation(assoc('a@x.test', `D${n}`, { firstSyncAt: 1_000 + n }));
    await sync.store.recordSyncs([{ user: 'a@x.test', deviceId: 'D1', lastSyncAttemptAt: 9_000, lastSuccessSyncAt: 9_000 }]);

    const report = await sync.run({ full: true });
    expect(report).toMatchObject({ ran: true, kind: 'full', batches: 3, pushed: 5 });
    expect(backend.batches.map((b) => [b.full, b.associations.length])).toEqual([[true, 2], [true, 2], [true, 1]]);
    expect(new Set(backend.batches.map((b) => b.batchId)).size).toBe(3);
    expect(backend.association('a@x.test', 'd1')).toMatchObject({ lastSyncAttemptAt: 9_000, lastSuccessSyncAt: 9_000, deviceType: 'iPhone' });

    expect(await sync.run()).toMatchObject({ ran: true, kind: 'diff', batches: 0 });
    const status = await sync.status();
    expect(status).toMatchObject({ failures: 0, lastError: null, lag: { changes: 0 }, fullInProgress: null });
    expect(status.lastFullAt).not.toBeNull();
  });

  it('differential: created or changed since the cursor, without last-sync times; a last-sync change alone is not pushed', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend);
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    await sync.store.createAssociation(assoc('b@x.test', 'D2'));
    expect(await sync.run()).toMatchObject({ kind: 'diff', batches: 1, pushed: 2 });

    await sync.store.recordSyncs([{ user: 'a@x.test', deviceId: 'D1', lastSyncAttemptAt: 50_000, lastSuccessSyncAt: 50_000 }]);
    await sync.store.updateAssociation('b@x.test', 'D2', { lastSyncAttemptAt: 60_000 });
    expect(await sync.run()).toMatchObject({ batches: 0, pushed: 0 });

    await sync.store.setAccessState('b@x.test', 'D2', { state: 'Blocked', reason: 'Individual', at: 70_000 });
    await sync.store.updateAssociation('a@x.test', 'D1', { comment: 'loaner' });
    expect((await sync.status()).lag.changes).toBe(2);
    expect(await sync.run()).toMatchObject({ batches: 1, pushed: 2 });
    const last = backend.batches.at(-1)!;
    expect(last.full).toBe(false);
    expect(last.associations.map((a) => a.deviceId)).toEqual(['D2', 'D1']);
    expect(last.associations[0]).toMatchObject({ accessState: 'Blocked', accessReason: 'Individual' });
    expect(last.associations[1]).not.toHaveProperty('lastSyncAttemptAt');
    expect((await sync.status()).lag.changes).toBe(0);
  });

  it('deletions: pushed after the changes, once, with an id that names them; a full sync does not skip them', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend, { batchSize: 2 });
    for (const n of [1, 2, 3]) await sync.store.createAssociation(assoc('a@x.test', `Del${n}`));
    expect(await sync.run()).toMatchObject({ batches: 2, pushed: 3 });
    await sync.store.deleteAssociation('a@x.test', 'DEL1');
    await sync.store.deleteAssociation('a@x.test', 'del2');
    await sync.store.deleteAssociation('a@x.test', 'del3');
    expect((await sync.status()).lag.changes).toBe(0);
    // A full sync in between pushes what exists; the deletions still follow.
    backend.switches.failNext = { count: 1, status: 503 };
    const report = await sync.run({ full: true });
    expect(report.error).toBeUndefined();
    expect(report.deleted).toBe(3);
    const gone = backend.batches.filter((b) => (b.deleted ?? []).length > 0);
    expect(gone.map((b) => [b.batchId.split('-')[0], b.deleted!.map((d) => d.deviceId)])).toEqual([
      ['gone', ['del1', 'del2']],
      ['gone', ['del3']],
    ]);
    expect(backend.association('a@x.test', 'Del1')).toBeUndefined();
    expect(backend.association('a@x.test', 'Del3')).toBeUndefined();
    // Accepted deletions are forgotten: the next run sends none.
    expect((await sync.store.deletedAssociations(0, 10)).items).toEqual([]);
    expect(await sync.run()).toMatchObject({ batches: 0 });
  });
});
