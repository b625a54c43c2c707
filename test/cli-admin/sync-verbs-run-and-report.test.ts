import { afterEach, describe, expect, it } from 'vitest';
import { startSampleBackend } from '../../src/peers/sample-backend/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { easgate } from './run.js';

const ADMIN = 'sync-cli-admin-token-0123456789';

/** `easgate sync run [--full]` and `easgate sync status` against a gateway with and without a backend. */
describe('sync verbs', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function gateway(env: Record<string, string>): Promise<{ gw: TestGateway; env: Record<string, string> }> {
    const upstream = await startUpstream((_req, res) => res.end());
    closers.push(() => upstream.close());
    const gw = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: ADMIN, ...env });
    closers.push(() => gw.gateway.stop());
    return { gw, env: { EASGATE_API_URL: gw.origin, EASGATE_API_TOKEN: ADMIN } };
  }

  it('says when no backend is configured', async () => {
    const { env } = await gateway({});
    expect((await easgate(['sync', 'status'], env)).stdout).toBe('no management backend configured (EASGATE_BACKEND_URL)\n');
    const run = await easgate(['sync', 'run'], env);
    expect([run.code, run.stderr]).toEqual([1, expect.stringContaining('EASGATE_ERR_API_SYNC_NOT_CONFIGURED')]);
  });

  it('runs a full sync and shows the status; a failing backend shows in both', async () => {
    const backend = await startSampleBackend();
    closers.push(() => backend.close());
    const { gw, env } = await gateway({ EASGATE_BACKEND_URL: backend.url.href });
    await gw.gateway.data.store.createAssociation({ user: 'a@x.test', deviceId: 'DEV1', accessState: 'Allowed', accessReason: 'Global' });
    const run = await easgate(['sync', 'run', '--full'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^kind:\s+full\n/);
    expect(backend.association('a@x.test', 'dev1')).toBeDefined();
    const status = await easgate(['sync', 'status'], env);
    expect(status.stdout).toMatch(/leader:\s+true\n/);
    expect(status.stdout).toMatch(/failures:\s+0\n/);

    backend.switches.failNext = { count: 100, status: 400 };
    await gw.gateway.data.store.setAccessState('a@x.test', 'DEV1', { state: 'Blocked', reason: 'Individual', at: Date.now() });
    const failed = await easgate(['sync', 'run', '--json'], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error.code).toBe('EASGATE_ERR_SYNC_BACKEND_REFUSED');
    expect((await easgate(['sync', 'status'], env)).stdout).toMatch(/failures:\s+1\n[\s\S]*last error:\s+\S+ \S+ EASGATE_ERR_SYNC_BACKEND_REFUSED/);
  });
});
