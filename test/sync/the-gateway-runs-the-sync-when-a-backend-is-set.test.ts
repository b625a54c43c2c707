import { afterEach, describe, expect, it } from 'vitest';
import { startSampleBackend, type SampleBackend } from '../../src/peers/sample-backend/index.js';
import { startUpstream } from '../helpers/upstream.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const ADMIN = 'sync-test-admin-token-0123456789';

describe('the gateway and the backend sync', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function gateway(env: Record<string, string>): Promise<TestGateway> {
    const upstream = await startUpstream((_req, res) => res.end());
    closers.push(() => upstream.close());
    const gw = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: ADMIN, ...env });
    closers.push(() => gw.gateway.stop());
    return gw;
  }

  const call = (gw: TestGateway, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(new URL(`/api/v1${path}`, gw.origin), {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('without EASGATE_BACKEND_URL there is no sync: status says so, run answers 409', async () => {
    const gw = await gateway({});
    expect(gw.gateway.sync).toBeUndefined();
    expect(await (await call(gw, 'GET', '/sync/status')).json()).toEqual({ configured: false });
    const run = await call(gw, 'POST', '/sync/run', {});
    expect(run.status).toBe(409);
    expect(((await run.json()) as { code: string }).code).toBe('EASGATE_ERR_API_SYNC_NOT_CONFIGURED');
  });

  it('with a backend: the first run starts at once, POST /sync/run runs on demand and is audited', async () => {
    const backend: SampleBackend = await startSampleBackend({ token: 'backend-token-for-the-test' });
    closers.push(() => backend.close());
    const gw = await gateway({ EASGATE_BACKEND_URL: backend.url.href, EASGATE_BACKEND_TOKEN: 'backend-token-for-the-test' });
    await gw.gateway.data.store.createAssociation({ user: 'a@x.test', deviceId: 'DEV1', accessState: 'Allowed', accessReason: 'Global' });
    const run = await call(gw, 'POST', '/sync/run', { full: true });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ ran: true, finished: true });
    expect(backend.association('a@x.test', 'DEV1')).toBeDefined();
    const status = (await (await call(gw, 'GET', '/sync/status')).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ configured: true, leader: true, failures: 0, lag: { changes: 0 } });
    const audit = await gw.gateway.data.store.queryAudit({ objectType: 'sync' });
    expect(audit.items[0]).toMatchObject({ action: 'sync.run', actor: 'bootstrap' });
  });
});
