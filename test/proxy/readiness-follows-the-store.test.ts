import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { startGateway } from '../helpers/gateway.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A Redis of this test's own (it is stopped on purpose), on a free port. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // the port is taken: Redis listens
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

describe('readiness and the store', () => {
  let upstream: SampleUpstream;
  beforeAll(async () => {
    upstream = await startSampleUpstream();
  });
  afterAll(async () => upstream.close());

  it('is ready while Redis answers, stays ready on its cache within the grace, is not ready past it, and is ready again when Redis is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const gw = await startGateway(upstream.url, { EASGATE_REDIS_URL: `redis://127.0.0.1:${port}`, EASGATE_READY_STORE_GRACE_MS: '1500' });
    try {
      const ready = async () => {
        const res = await request(`${gw.origin}/readyz`);
        return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
      };
      const until = async (want: number) => {
        let r = await ready();
        for (let i = 0; i < 200 && r.status !== want; i++) {
          await new Promise((res) => setTimeout(res, 25));
          r = await ready();
        }
        return r;
      };
      expect(await until(200)).toMatchObject({ status: 200, body: { storeReachable: true } });
      redis.kill('SIGKILL');
      const lost = Date.now();
      await new Promise((res) => setTimeout(res, 200));
      // Within the grace the gateway serves known devices from its cache: still ready.
      expect(await ready()).toMatchObject({ status: 200, body: { storeReachable: true } });
      // Past it, the load balancer is told to send devices elsewhere.
      const gone = await until(503);
      expect(gone).toMatchObject({ status: 503, body: { storeReachable: false } });
      expect(Date.now() - lost).toBeGreaterThanOrEqual(1500);
      redis = await startRedis(port);
      expect(await until(200)).toMatchObject({ status: 200, body: { storeReachable: true } });
    } finally {
      redis.kill('SIGKILL');
      await gw.stop().catch(() => undefined);
    }
  });
});
