import { afterEach, describe, expect, it } from 'vitest';
import { startSampleBackend } from '../../src/peers/sample-backend/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';

const ADMIN = 'sync-metrics-admin-token-0123456789';

/** The value of one sample line of a /metrics text (undefined when the series is absent). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the backend sync in /metrics', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function setUp() {
    const backend = await startSampleBackend();
    closers.push(() => backend.close());
    const upstream = await startUpstream((_req, res) => res.end());
    closers.push(() => upstream.close());
    const gw: TestGateway = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: ADMIN, EASGATE_BACKEND_URL: backend.url.href, EASGATE_SYNC_BATCH_SIZE: '2' });
    closers.push(() => gw.stop());
    const run = async (full: boolean): Promise<Record<string, unknown>> => {
      const res = await fetch(new URL('/api/v1/sync/run', gw.origin), {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ full }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const scrape = async (): Promise<(series: string) => number | undefined> => {
      const text = await (await fetch(new URL('/metrics', gw.origin))).text();
      return (series) => value(text, series);
    };
    return { backend, gw, run, scrape };
  }

  it('counts runs, batches, associations, links and actions, and shows the leader and the last success', async () => {
    const { backend, gw, run, scrape } = await setUp();
    const store = gw.gateway.data.store;
    for (const id of ['M1', 'M2', 'M3']) await store.createAssociation({ user: 'm@x.test', deviceId: id, accessState: 'Allowed', accessReason: 'Global' });
    // The run at start (no stored state: a full sync) comes first; this one after it.
    await run(true);
    const before = await scrape();
    backend.putDevice({ backendDeviceId: 'bd-1', deviceId: 'M1', registered: true });
    backend.addAction({ action: 'block', user: 'm@x.test', deviceId: 'M2' });
    backend.addAction({ action: 'wipe', user: 'm@x.test', deviceId: 'NOSUCH' });
    const t0 = Date.now();
    expect(await run(true)).toMatchObject({ ran: true, finished: true, batches: 2, pushed: 3, links: { linked: 1 }, actions: { applied: 1, 'unknown-device': 1 } });
    const afterFull = await scrape();
    // The link and the block changed two associations: the next differential pushes them.
    expect(await run(false)).toMatchObject({ ran: true, finished: true, batches: 1, pushed: 2 });
    const after = await scrape();

    const moved = (series: string): number => (after(series) ?? 0) - (before(series) ?? 0);
    expect(moved('easgate_backend_sync_runs_total{kind="full",outcome="ok"}')).toBe(1);
    expect(moved('easgate_backend_sync_runs_total{kind="diff",outcome="ok"}')).toBe(1);
    expect(afterFull('easgate_backend_sync_batches_total{kind="diff"}')).toBe(before('easgate_backend_sync_batches_total{kind="diff"}'));
    // Three associations in batches of 2 (full), then the link and the block in one differential batch.
    expect(moved('easgate_backend_sync_batches_total{kind="full"}')).toBe(2);
    expect(moved('easgate_backend_sync_associations_pushed_total{kind="full"}')).toBe(3);
    expect(moved('easgate_backend_sync_batches_total{kind="diff"}')).toBe(1);
    expect(moved('easgate_backend_sync_associations_pushed_total{kind="diff"}')).toBe(2);
    expect(after('easgate_backend_sync_links_total{outcome="linked"}')).toBe(1);
    expect(after('easgate_backend_sync_actions_total{action="block",outcome="applied"}')).toBe(1);
    expect(after('easgate_backend_sync_actions_total{action="wipe",outcome="unknown-device"}')).toBe(1);
    expect(after('easgate_backend_sync_runs_total{kind="diff",outcome="failed"}')).toBe(0);
    expect(after('easgate_backend_sync_leader')).toBe(1);
    expect(after('easgate_backend_sync_consecutive_failures')).toBe(0);
    expect(after('easgate_backend_sync_last_success_timestamp_seconds')! * 1000).toBeGreaterThanOrEqual(t0 - 1000);
    expect(after('easgate_backend_sync_lag{measure="changes"}')).toBe(0);
  });

  it('a failing backend: retries and failed runs are counted, the failures in a row rise, the last success stays', async () => {
    const { backend, run, scrape } = await setUp();
    await run(false);
    const ok = await scrape();
    const lastSuccess = ok('easgate_backend_sync_last_success_timestamp_seconds')!;
    expect(lastSuccess).toBeGreaterThan(0);

    // A 503 is retried (once here: the next try is answered); the run succeeds.
    backend.switches.failNext = { count: 1, status: 503 };
    expect(await run(false)).toMatchObject({ ran: true, finished: true });
    expect((await run(false)).error).toBeUndefined();
    const retried = await scrape();
    expect((retried('easgate_backend_sync_retries_total{call="devices"}') ?? 0) + (retried('easgate_backend_sync_retries_total{call="batch"}') ?? 0)).toBe(1);

    // A 400 is not retried: each run fails at once.
    const before = await scrape();
    for (let i = 0; i < 2; i++) {
      backend.switches.failNext = { count: 1, status: 400 };
      expect(await run(false)).toMatchObject({ ran: true, error: { code: expect.any(String) } });
    }
    const after = await scrape();
    expect(after('easgate_backend_sync_runs_total{kind="diff",outcome="failed"}')! - (before('easgate_backend_sync_runs_total{kind="diff",outcome="failed"}') ?? 0)).toBe(2);
    expect(after('easgate_backend_sync_consecutive_failures')).toBe(2);
    expect(after('easgate_backend_sync_lag{measure="failures"}')).toBe(2);
    expect(after('easgate_backend_sync_last_success_timestamp_seconds')).toBe(before('easgate_backend_sync_last_success_timestamp_seconds'));
    expect(after('easgate_backend_sync_leader')).toBe(1);

    // The next success clears the failures in a row and moves the last success.
    await run(false);
    const healed = await scrape();
    expect(healed('easgate_backend_sync_consecutive_failures')).toBe(0);
    expect(healed('easgate_backend_sync_last_success_timestamp_seconds')).toBeGreaterThan(after('easgate_backend_sync_last_success_timestamp_seconds')!);
  });
});
