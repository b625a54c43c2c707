import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { basic } from '../helpers/credentials.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest, readAll, startUpstream, type TestUpstream } from '../helpers/upstream.js';

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  sha: string;
  length: number;
}

describe('forwarding', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  const seen: Seen[] = [];
  const responseBody = randomBytes(2048);

  beforeAll(async () => {
    upstream = await startUpstream(async (req, res) => {
      const body = await readAll(req);
      seen.push({ url: req.url ?? '', headers: req.headers, sha: createHash('sha256').update(body).digest('hex'), length: body.length });
      res.setHeader('Content-Type', 'application/vnd.ms-sync.wbxml');
      res.setHeader('MS-Server-ActiveSync', '15.1');
      res.setHeader('X-MS-RP', '14.0,14.1,16.0,16.1');
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('Connection', 'keep-alive, X-Upstream-Private');
      res.setHeader('X-Upstream-Private', 'hop');
      res.setHeader('Keep-Alive', 'timeout=30');
      res.end(responseBody);
    });
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('passes the request body and end-to-end headers unchanged and strips hop-by-hop ones', async () => {
    const body = randomBytes(1024);
    const res = await rawRequest(`${gw.url}?Cmd=Sync&User=alice&DeviceId=ABC123&DeviceType=iPhone`, {
      body,
      headers: {
        authorization: basic('alice', 'alice123'),
        cookie: 'X-BackEndCookie=abc',
        'content-type': 'application/vnd.ms-sync.wbxml',
        'ms-asprotocolversion': '14.1',
        'x-ms-policykey': '3942919513',
        'user-agent': 'Apple-iPhone9C1/1402.60',
        'ms-asacceptmultipart': 'T',
        connection: 'keep-alive, X-Device-Private',
        'x-device-private': 'secret-hop',
        te: 'trailers',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.equals(responseBody)).toBe(true);

    const s = seen.at(-1)!;
    expect(s.url).toBe('/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice&DeviceId=ABC123&DeviceType=iPhone');
    expect(s.sha).toBe(createHash('sha256').update(body).digest('hex'));
    expect(s.headers.authorization).toBe(basic('alice', 'alice123'));
    expect(s.headers.cookie).toBe('X-BackEndCookie=abc');
    expect(s.headers['ms-asprotocolversion']).toBe('14.1');
    expect(s.headers['x-ms-policykey']).toBe('3942919513');
    expect(s.headers['user-agent']).toBe('Apple-iPhone9C1/1402.60');
    expect(s.headers['ms-asacceptmultipart']).toBe('T');
    expect(s.headers['content-type']).toBe('application/vnd.ms-sync.wbxml');
    expect(s.headers['x-device-private']).toBeUndefined();
    expect(s.headers.te).toBeUndefined();
    expect(s.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(s.headers['x-forwarded-proto']).toBe('http');
    expect(s.headers.host).toBe(`127.0.0.1:${upstream.port}`);

    expect(res.headers['ms-server-activesync']).toBe('15.1');
    expect(res.headers['x-ms-rp']).toBe('14.0,14.1,16.0,16.1');
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers['x-upstream-private']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/vnd.ms-sync.wbxml');
  });

  it('keeps a base64-encoded query exactly as the device sent it', async () => {
    const q = 'jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l';
    const res = await request(`${gw.url}?${q}`, { method: 'POST', body: Buffer.alloc(0) });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)!.url).toBe(`/Microsoft-Server-ActiveSync?${q}`);
  });

  it('matches the endpoint path in any letter case', async () => {
    const res = await request(`${gw.origin}/microsoft-server-activesync?Cmd=FolderSync&User=a&DeviceId=X1&DeviceType=SP`, {
      method: 'POST',
      body: 'x',
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)!.url.startsWith('/Microsoft-Server-ActiveSync?Cmd=FolderSync')).toBe(true);
  });

  it('passes OPTIONS through with its capability headers', async () => {
    const res = await request(gw.url, { method: 'OPTIONS', headers: { authorization: basic('alice', 'alice123') } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(res.headers['ms-server-activesync']).toBe('15.1');
  });
});
