import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleBackend, type SampleBackend } from '../../src/peers/sample-backend/index.js';
import { BackendError, HttpBackendConnector } from '../../src/sync/backend/index.js';

const TOKEN = 'backend-secret-token';
let backend: SampleBackend;
let connector: HttpBackendConnector;

beforeAll(async () => {
  backend = await startSampleBackend({ token: TOKEN, pageSize: 2 });
  connector = new HttpBackendConnector({ url: backend.url, token: TOKEN, timeoutMs: 500 });
});
afterAll(async () => {
  await connector.close();
  await backend.close();
});

async function failure(p: Promise<unknown>): Promise<BackendError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BackendError);
  return err as BackendError;
}

const association = { user: 'alice@example.test', deviceId: 'DEV1', accessState: 'Allowed', accessReason: 'Global', firstSyncAt: 1 } as const;

describe('the HTTP connector against the sample backend', () => {
  it('pushes a batch with the bearer token; a repeated batchId is accepted and stored once', async () => {
    await connector.pushBatch({ batchId: 'b1', full: false, associations: [association] });
    await connector.pushBatch({ batchId: 'b1', full: false, associations: [association] });
    expect(backend.received.filter((b) => b === 'b1')).toHaveLength(2);
    expect(backend.batches.filter((b) => b.batchId === 'b1')).toHaveLength(1);
    expect(backend.association('alice@example.test', 'dev1')?.accessState).toBe('Allowed');
  });

  it('pages devices and actions with the cursor', async () => {
    for (const n of [1, 2, 3]) backend.putDevice({ backendDeviceId: `b${n}`, deviceId: `DEV${n}`, user: 'alice@example.test', registered: n !== 2 });
    const first = await connector.devices();
    expect(first.items.map((d) => d.backendDeviceId)).toEqual(['b1', 'b2']);
    const second = await connector.devices(first.nextCursor ?? undefined);
    expect(second.items).toEqual([{ backendDeviceId: 'b3', deviceId: 'DEV3', user: 'alice@example.test', registered: true }]);
    const third = await connector.devices(second.nextCursor ?? undefined);
    expect(third).toEqual({ items: [], nextCursor: second.nextCursor });
    expect(backend.requests).toContain(`GET /devices?cursor=${first.nextCursor}`);

    backend.addAction({ action: 'block', user: 'alice@example.test', deviceId: 'DEV1' });
    const actions = await connector.actions();
    expect(actions.items).toEqual([{ id: 'act-1', action: 'block', user: 'alice@example.test', deviceId: 'DEV1' }]);
  });

  it('classifies failures: 5xx and 429 retryable, 4xx not, a wrong token refused', async () => {
    backend.switches.failNext = { count: 1, status: 503 };
    const e503 = await failure(connector.devices());
    expect([e503.code, e503.retryable, e503.httpStatus]).toEqual(['EASGATE_ERR_SYNC_BACKEND_REFUSED', true, 503]);
    backend.switches.failNext = { count: 1, status: 429 };
    expect((await failure(connector.actions())).retryable).toBe(true);
    backend.switches.failNext = { count: 1, status: 400 };
    expect((await failure(connector.actions())).retryable).toBe(false);

    const wrong = new HttpBackendConnector({ url: backend.url, token: 'not-the-token-at-all' });
    const e401 = await failure(wrong.devices());
    expect([e401.httpStatus, e401.retryable]).toEqual([401, false]);
    await wrong.close();
  });

  it('times out on a slow backend and reports an unreachable one', async () => {
    backend.switches.delayMs = 1_500;
    try {
      const slow = await failure(connector.devices());
      expect([slow.code, slow.retryable]).toEqual(['EASGATE_ERR_SYNC_BACKEND_TIMEOUT', true]);
    } finally {
      backend.switches.delayMs = 0;
    }
    const down = await startSampleBackend();
    const url = down.url;
    await down.close();
    const gone = new HttpBackendConnector({ url, timeoutMs: 1_000 });
    const e = await failure(gone.devices());
    expect([e.code, e.retryable]).toEqual(['EASGATE_ERR_SYNC_BACKEND_UNAVAILABLE', true]);
    await gone.close();
  });

  it('refuses an answer that is not the documented JSON', async () => {
    const odd = await startSampleBackend();
    odd.putDevice({ backendDeviceId: '', registered: true });
    const c = new HttpBackendConnector({ url: odd.url });
    const e = await failure(c.devices());
    expect(e.code).toBe('EASGATE_ERR_SYNC_BACKEND_BAD_RESPONSE');
    await c.close();
    await odd.close();
  });

  it('keeps the path of the backend URL in front of the contract paths', async () => {
    const c = new HttpBackendConnector({ url: new URL('api/easgate/', backend.url), token: TOKEN });
    await failure(c.devices());
    expect(backend.requests.at(-1)).toBe('GET /api/easgate/devices');
    await c.close();
  });
});
