import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const Q = '?Cmd=FolderSync&User=alice&DeviceId=ABC&DeviceType=iPhone';
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function gatewayFor(url: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const gw = await startGateway(url, env);
  cleanups.push(() => gw.stop());
  return gw;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('upstream failures', () => {
  it('answers 503 with Retry-After at once when the upstream refuses connections', async () => {
    const port = await freePort();
    const gw = await gatewayFor(`http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`);
    const t0 = Date.now();
    const res = await request(`${gw.url}${Q}`, { method: 'POST', body: 'x' });
    await res.body.dump();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.headers['x-easgate-error']).toBe('EASGATE_ERR_UPSTREAM_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('answers 504 when the upstream does not answer a short command within its timeout', async () => {
    const upstream: TestUpstream = await startUpstream(() => {
      /* never answers */
    });
    cleanups.push(() => upstream.close());
    const gw = await gatewayFor(upstream.url, { EASGATE_UPSTREAM_TIMEOUT_MS: '300' });
    const t0 = Date.now();
    const res = await request(`${gw.url}${Q}`, { method: 'POST', body: 'x' });
    await res.body.dump();
    expect(res.statusCode).toBe(504);
    expect(res.headers['x-easgate-error']).toBe('EASGATE_ERR_UPSTREAM_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('answers 502 when the upstream drops the connection before answering', async () => {
    const upstream = await startUpstream((req) => {
      req.socket.destroy();
    });
    cleanups.push(() => upstream.close());
    const gw = await gatewayFor(upstream.url);
    const res = await request(`${gw.url}${Q}`, { method: 'POST', body: 'x' });
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-easgate-error']).toBe('EASGATE_ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('answers 502 when the upstream speaks something that is not HTTP', async () => {
    const garbage = createServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n', () => s.destroy()));
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => garbage.close(() => r())));
    const gw = await gatewayFor(`http://127.0.0.1:${(garbage.address() as AddressInfo).port}/Microsoft-Server-ActiveSync`);
    const res = await request(`${gw.url}${Q}`, { method: 'POST', body: 'x' });
    await res.body.dump();
    expect(res.statusCode).toBe(502);
  });

  it('cuts the device connection when the upstream dies in the middle of its answer', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    cleanups.push(() => upstream.close());
    const gw = await gatewayFor(upstream.url);
    const res = await request(`${gw.url}${Q}`, { method: 'POST', body: 'x' });
    expect(res.statusCode).toBe(200);
    await expect(res.body.arrayBuffer()).rejects.toThrow();
  });
});
