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
  it('is alive and ready once the upstream has answered', async () => {
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
});
