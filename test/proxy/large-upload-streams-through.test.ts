import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const MB = 1024 * 1024;

describe('large uploads', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let arrived: (req: IncomingMessage) => void;
  let result: (r: { bytes: number; sha: string }) => void;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.method === 'OPTIONS') return void res.end(); // the gateway's readiness probe
      let bytes = 0;
      const hash = createHash('sha256');
      // Take the first chunk, then stop reading until the test says so.
      req.once('data', () => {
        req.pause();
        arrived(req);
      });
      req.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        result({ bytes, sha: hash.digest('hex') });
        res.end();
      });
    });
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('streams a 50 MB SendMail: the upstream gets bytes before the device finishes, and a stalled upstream stalls the device', async () => {
    const upstreamReq = new Promise<IncomingMessage>((r) => (arrived = r));
    const done = new Promise<{ bytes: number; sha: string }>((r) => (result = r));
    const total = 50 * MB;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const expected = createHash('sha256');
    const req = httpRequest(`${gw.url}?Cmd=SendMail&User=alice&DeviceId=ABC&DeviceType=iPhone&SaveInSent=T`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'content-length': String(total), 'ms-asprotocolversion': '12.1' },
    });
    const status = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    let sent = 0;
    const write = (): boolean => {
      sent += chunk.length;
      expected.update(chunk);
      return req.write(chunk);
    };
    write();
    const up = await upstreamReq;
    expect(sent).toBeLessThan(total); // the upstream has bytes; the device is far from done

    // The upstream reads nothing now. If the gateway buffered, the device could push all
    // 50 MB; with backpressure end to end it stalls after the socket buffers fill.
    let stalled = false;
    while (sent < total && !stalled) {
      if (!write()) {
        stalled = !(await Promise.race([
          new Promise<boolean>((r) => req.once('drain', () => r(true))),
          new Promise<boolean>((r) => setTimeout(() => r(false), 500)),
        ]));
      }
    }
    expect(stalled).toBe(true);
    expect(sent).toBeLessThan(24 * MB);

    up.resume();
    while (sent < total) {
      if (!write()) await new Promise((r) => req.once('drain', r));
    }
    req.end();
    const got = await done;
    expect(await status).toBe(200);
    expect(got.bytes).toBe(total);
    expect(got.sha).toBe(expected.digest('hex'));
  }, 60_000);
});
