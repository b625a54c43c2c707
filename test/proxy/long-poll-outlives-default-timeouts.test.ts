import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * No faked time: the short-command timeout and the device keep-alive are configured down to
 * about a second, and a Ping is held for 6 s, past both and past Node's default keep-alive
 * (5 s); a short command held as long is cut with 504.
 */
describe('long polls', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  const HOLD_MS = 6_000;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      const t = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/vnd.ms-sync.wbxml' });
        res.end(Buffer.from([3, 1, 0x6a, 0, 0, 0x0d, 0x45, 0x47, 3, 0x32, 0, 1, 1]));
      }, HOLD_MS);
      res.on('close', () => clearTimeout(t));
    });
    gw = await startGateway(upstream.url, {
      EASGATE_UPSTREAM_TIMEOUT_MS: '1000',
      EASGATE_LONGPOLL_TIMEOUT_MS: '20000',
      EASGATE_KEEPALIVE_TIMEOUT_MS: '1000',
      EASGATE_CLIENT_IDLE_TIMEOUT_MS: '30000',
      EASGATE_CLIENT_REQUEST_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('holds a Ping past every short timeout and delivers its answer', async () => {
    const t0 = Date.now();
    const res = await request(`${gw.url}?Cmd=Ping&User=alice&DeviceId=ABC&DeviceType=iPhone`, {
      method: 'POST',
      body: Buffer.from([3, 1, 0x6a, 0]),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(body[9]).toBe(0x32); // Status "2": changes
    expect(Date.now() - t0).toBeGreaterThanOrEqual(HOLD_MS - 50);
  }, 20_000);

  it('cuts a short command held as long with 504', async () => {
    const res = await request(`${gw.url}?Cmd=FolderSync&User=alice&DeviceId=ABC&DeviceType=iPhone`, { method: 'POST', body: 'x' });
    await res.body.dump();
    expect(res.statusCode).toBe(504);
  }, 20_000);
});
