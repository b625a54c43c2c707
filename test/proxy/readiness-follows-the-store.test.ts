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

  it('is ready while Redis answers, and stays ready on its cache within the grace after Redis goes away', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    const gw = await startGateway(upstream.url, { EASGATE_REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      const ready = async () => {
        const res = await request(`${gw.origin}/readyz`);
        return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
      };
      let r = await ready();
      for (let i = 0; i < 50 && r.status !== 200; i++) {
        await new Promise((res) => setTimeout(res, 20));
        r = await ready();
      }
      expect(r).toMatchObject({ status: 200, body: { storeReachable: true } });
      redis.kill('SIGKILL');
      await new Promise((res) => setTimeout(res, 200));
      // Within the grace the gateway serves known devices from its cache: still ready.
      expect((await ready()).body.storeReachable).toBe(true);
    } finally {
      redis.kill('SIGKILL');
      await gw.stop().catch(() => undefined);
    }
  });
});
