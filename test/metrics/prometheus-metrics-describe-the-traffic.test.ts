import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

async function scrape(origin: string): Promise<{ status: number; text: string }> {
  const res = await request(`${origin}/metrics`);
  return { status: res.statusCode, text: await res.body.text() };
}

/** The value of one sample line, e.g. value(text, 'easgate_long_polls_held'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus /metrics', () => {
  let upstream: SampleUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('counts requests by command, status and decision, times the upstream, and shows held long polls', async () => {
    const sim = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'METRICS1', protocolVersion: '16.1' });
    await sim.provision();
    await sim.folderSync();
    await gw.gateway.data.store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['METRICS2'] });
    await gw.gateway.data.runtime.reload();
    const blocked = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'METRICS2', protocolVersion: '16.1' });
    await blocked.raw('FolderSync');
    await blocked.close();
    const ping = sim.ping(60);
    await upstream.control.whenHeld(1);

    const { status, text } = await scrape(gw.origin);
    expect(status).toBe(200);
    expect(value(text, 'easgate_requests_total{command="FolderSync",status="200",decision="Allowed"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'easgate_requests_total{command="FolderSync",status="200",decision="Blocked"}')).toBe(1);
    expect(value(text, 'easgate_upstream_response_seconds_count{command="FolderSync"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'easgate_long_polls_held')).toBe(1);
    expect(value(text, 'easgate_upstream_reachable')).toBe(1);
    expect(value(text, 'easgate_policy_cache_lookups{kind="association",result="hit"}')).toBeGreaterThan(0);
    expect(text).toContain('easgate_sync_records_pending');
    expect(text).toContain('easgate_process_cpu_seconds_total');
    // Store round trips: the new device was created once, its mailbox written; none failed.
    expect(value(text, 'easgate_store_calls{op="createAssociation",result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'easgate_store_calls{op="putMailbox",result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'easgate_store_calls{op="createAssociation",result="failed"}')).toBe(0);
    expect(value(text, 'easgate_store_call_seconds{op="createAssociation"}')).toBeGreaterThan(0);

    upstream.control.deliver('alice@example.test');
    await ping;
    await sim.close();
    expect(value((await scrape(gw.origin)).text, 'easgate_long_polls_held')).toBe(0);
  });

  it('moves to the admin listener when there is one', async () => {
    const g = await startGateway(upstream.url, { EASGATE_ADMIN_PORT: '0', EASGATE_ADMIN_TOKEN: 'metrics-test-admin-token-0123456789' });
    try {
      expect((await scrape(g.origin)).status).toBe(404);
      const port = (g.gateway.admin!.app.server.address() as { port: number }).port;
      const admin = await scrape(`http://127.0.0.1:${port}`);
      expect(admin.status).toBe(200);
      expect(admin.text).toContain('easgate_requests_total');
    } finally {
      await g.stop();
    }
  });
});
