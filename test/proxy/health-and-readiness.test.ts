import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('health and readiness', () => {
  it('is alive and ready once the upstream has answered (/readyz answers 503 until then)', async () => {
    const upstream: TestUpstream = await startUpstream((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    stops.push(() => upstream.close());
    const gw: TestGateway = await startGateway(upstream.url);
    stops.push(() => gw.stop());
    expect((await get(`${gw.origin}/healthz`)).status).toBe(200);
    let ready = await get(`${gw.origin}/readyz`);
    for (let i = 0; i < 50 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await get(`${gw.origin}/readyz`);
    }
    expect(ready.status).toBe(200);
    expect(ready.body.upstreamReachable).toBe(true);
  });

  it('is alive but not ready while the upstream has never been reachable', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const gw = await startGateway(`http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`);
    stops.push(() => gw.stop());
    await new Promise((r) => setTimeout(r, 100));
    expect((await get(`${gw.origin}/healthz`)).status).toBe(200);
    const ready = await get(`${gw.origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.upstreamReachable).toBe(false);
  });

  it('is not ready once the upstream has not answered for the window, and ready again when it answers', async () => {
    const answer = (_req: unknown, res: { end(s: string): void }): void => res.end('up');
    let upstream: TestUpstream = await startUpstream(answer);
    const port = upstream.port;
    stops.push(() => upstream.close());
    const gw = await startGateway(upstream.url, { EASGATE_READY_UPSTREAM_WINDOW_MS: '1500' });
    stops.push(() => gw.stop());
    expect((await until(gw, 200)).body.upstreamReachable).toBe(true);

    await upstream.close();
    const down = await until(gw, 503);
    expect(down).toMatchObject({ status: 503, body: { upstreamReachable: false, storeReachable: true, draining: false } });
    expect(gw.logs.find((l) => l.msg === 'upstream not reachable')).toMatchObject({ code: 'ECONNREFUSED' });
    expect((await get(`${gw.origin}/healthz`)).status).toBe(200);

    // The same upstream back on its port: the probe finds it.
    const again = createHttpServer((req, res) => answer(req, res));
    await new Promise<void>((r) => again.listen(port, '127.0.0.1', r));
    upstream = { ...upstream, server: again, close: () => new Promise<void>((r) => { again.closeAllConnections(); again.close(() => r()); }) };
    expect(await until(gw, 200)).toMatchObject({ status: 200, body: { upstreamReachable: true } });
  });

  it('probes the upstream only when device traffic has not proven it within the probe period', async () => {
    let options = 0;
    const upstream = await startUpstream((req, res) => {
      if (req.method === 'OPTIONS') options += 1;
      req.resume();
      req.on('end', () => res.end());
    });
    stops.push(() => upstream.close());
    // A 3 s window: a probe at most every second.
    const gw = await startGateway(upstream.url, { EASGATE_READY_UPSTREAM_WINDOW_MS: '3000' });
    stops.push(() => gw.stop());
    await until(gw, 200);
    const atStart = options;
    for (let i = 0; i < 12; i++) {
      const res = await request(`${gw.url}?Cmd=Sync&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', body: 'x' });
      await res.body.dump();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(options).toBe(atStart);
    // Once devices stop proving the upstream, a probe comes within the 3 s window.
    const quiet = Date.now();
    while (options === atStart && Date.now() - quiet < 6_000) await new Promise((r) => setTimeout(r, 50));
    expect(options).toBeGreaterThan(atStart);
    expect((await get(`${gw.origin}/readyz`)).status).toBe(200);
  });
});

/** /readyz until it answers `status` (5 s at most); its last answer. */
async function until(gw: TestGateway, status: number): Promise<{ status: number; body: Record<string, unknown> }> {
  let r = await get(`${gw.origin}/readyz`);
  for (let i = 0; i < 100 && r.status !== status; i++) {
    await new Promise((res) => setTimeout(res, 50));
    r = await get(`${gw.origin}/readyz`);
  }
  return r;
}
