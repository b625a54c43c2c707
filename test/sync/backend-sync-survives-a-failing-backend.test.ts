import { describe, expect, it } from 'vitest';
import { assoc, useBackendSync } from './backend-sync-fixture.js';

describe('the backend sync and a failing backend', () => {
  const t = useBackendSync();

  it('retries 500s with the same batchId and succeeds within the budget', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend);
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    backend.switches.failNext = { count: 2, status: 500 };
    expect(await sync.run()).toMatchObject({ batches: 1, pushed: 1 });
    expect(backend.batches).toHaveLength(1);
    expect((await sync.status()).failures).toBe(0);
  });

  it('after the budget: the failure is in the status, the cursor stays, and the next run resumes with the same batchId', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend);
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    backend.switches.failNext = { count: 3, status: 503 };
    const failed = await sync.run();
    expect(failed.error?.code).toBe('EASGATE_ERR_SYNC_BACKEND_REFUSED');
    const status = await sync.status();
    expect(status).toMatchObject({ failures: 1, cursor: { changes: 0 }, lag: { changes: 1 }, lastError: { code: 'EASGATE_ERR_SYNC_BACKEND_REFUSED' } });
    expect(status.nextRun.diff).toBeLessThanOrEqual(Date.now());

    expect(await sync.run()).toMatchObject({ batches: 1, pushed: 1 });
    expect((await sync.status()).failures).toBe(0);
    expect(backend.received).toEqual(['diff-0-1']);
  });

  it('a slow backend (the batch stored, the answer too late): retried with the same batchId, stored once', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend, { timeoutMs: 200 });
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    backend.switches.delayMs = 400;
    const report = await sync.run();
    expect(report.error?.code).toBe('EASGATE_ERR_SYNC_BACKEND_TIMEOUT');
    expect((await sync.status()).failures).toBe(1);
    backend.switches.delayMs = 0;
    expect(await sync.run()).toMatchObject({ batches: 1 });
    expect(new Set(backend.received)).toEqual(new Set(['diff-0-1']));
    expect(backend.received.length).toBeGreaterThan(1);
    expect(backend.batches).toHaveLength(1);
  });

  it('a backend that is down: the run fails and the status says so', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend);
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    await backend.close();
    const report = await sync.run();
    expect(report.error?.code).toBe('EASGATE_ERR_SYNC_BACKEND_UNAVAILABLE');
    expect(await sync.status()).toMatchObject({ failures: 1, lastSuccessAt: null });
  });
});
