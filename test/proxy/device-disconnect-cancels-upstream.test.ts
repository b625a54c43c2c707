import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

describe('abort propagation', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let arrived: () => void;
  let upstreamClosed: () => void;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.method === 'OPTIONS') return void res.end(); // the gateway's readiness probe
      arrived();
      // Hold like a Ping would; see whether the gateway hangs up on us.
      res.on('close', () => upstreamClosed());
      req.resume();
    });
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('closes the upstream request when the device disconnects during a held Ping', async () => {
    const reached = new Promise<void>((r) => (arrived = r));
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const req = httpRequest(`${gw.url}?Cmd=Ping&User=alice&DeviceId=ABC&DeviceType=iPhone`, { method: 'POST' });
    req.on('error', () => undefined);
    req.end(Buffer.from([3, 1, 0x6a, 0]));
    await reached;
    expect(gw.gateway.longPolls.size).toBe(1);
    const t0 = Date.now();
    req.destroy();
    await closed;
    expect(Date.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(gw.gateway.longPolls.size).toBe(0);
  });
});
