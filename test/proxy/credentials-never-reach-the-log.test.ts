import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { basic, bearer, forbiddenInLogs } from '../helpers/credentials.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

describe('credential redaction', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let deadGw: TestGateway;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      const auth = req.headers.authorization ?? '';
      res.writeHead(auth.includes(Buffer.from('alice:S3cret-Pa55word!').toString('base64')) ? 200 : 401, {
        'set-cookie': 'session=tr0ub4dor&3; HttpOnly',
      });
      res.end();
    });
    gw = await startGateway(upstream.url);
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    deadGw = await startGateway(`http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`);
  });
  afterAll(async () => {
    await gw.stop();
    await deadGw.stop();
    await upstream.close();
  });

  it('logs who and what, never the Authorization header, cookies or tokens', async () => {
    const sends: [string, string, Record<string, string>][] = [
      [gw.url, 'Cmd=Sync&User=alice&DeviceId=D1&DeviceType=iPhone', { authorization: basic('alice', 'S3cret-Pa55word!') }],
      [gw.url, 'Cmd=Sync&User=alice&DeviceId=D1&DeviceType=iPhone', { authorization: basic('alice', 'alice123') }],
      [gw.url, 'Cmd=Ping&User=bob&DeviceId=D2&DeviceType=Outlook', { authorization: bearer('bob@example.test'), cookie: 'x=tr0ub4dor&3' }],
      [gw.url, 'Cmd=Sync&DeviceId=D1,bad&DeviceType=iPhone', { authorization: basic('CORP\\dave', 'tr0ub4dor&3') }],
      [gw.url, 'jAAJ', { authorization: basic('carol@example.test', 'bob123') }],
      [deadGw.url, 'Cmd=FolderSync&User=alice&DeviceId=D1&DeviceType=iPhone', { authorization: basic('alice', 'S3cret-Pa55word!') }],
    ];
    for (const [base, q, headers] of sends) {
      const res = await request(`${base}?${q}`, { method: 'POST', body: 'x', headers });
      await res.body.dump();
    }
    await request(gw.url, { method: 'OPTIONS', headers: { authorization: basic('alice', 'S3cret-Pa55word!') } }).then((r) => r.body.dump());

    const text = [...gw.logs, ...deadGw.logs].map((l) => JSON.stringify(l)).join('\n');
    for (const secret of forbiddenInLogs()) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(text).not.toContain('Bearer ');
    // …while the request lines still say who it was.
    const lines = gw.logs.filter((l) => l.msg === 'request');
    expect(lines.some((l) => l.user === 'alice' && l.status === 200)).toBe(true);
    expect(lines.some((l) => l.user === 'bob@example.test' && l.cmd === 'Ping')).toBe(true);
    expect(lines.some((l) => l.status === 401)).toBe(true);
  });
});
