import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const Q = '?Cmd=FolderSync&User=alice&DeviceId=ABC&DeviceType=iPhone';

describe('upstream status answers', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let gwPublic: TestGateway;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      const want = req.headers['x-test-status'];
      switch (want) {
        case '449':
          res.writeHead(449, 'Retry after sending a PROVISION command', {
            'MS-Server-ActiveSync': '14.3',
            'MS-ASProtocolVersions': '2.5,12.0,12.1,14.0,14.1',
            'MS-ASProtocolCommands': 'Sync,FolderSync,Provision',
          });
          res.end();
          return;
        case '401':
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="mail"' });
          res.end('no');
          return;
        case '403':
          res.writeHead(403);
          res.end();
          return;
        case '503':
          res.writeHead(503, { 'Retry-After': '120', 'X-MS-ASThrottle': 'CommandFrequency' });
          res.end();
          return;
        case '451':
          res.writeHead(451, { 'X-MS-Location': 'https://mail2.example.test/Microsoft-Server-ActiveSync' });
          res.end();
          return;
        default:
          res.end();
      }
    });
    gw = await startGateway(upstream.url);
    gwPublic = await startGateway(upstream.url, { EASGATE_PUBLIC_URL: 'https://eas.example.test/Microsoft-Server-ActiveSync' });
  });
  afterAll(async () => {
    await gw.stop();
    await gwPublic.stop();
    await upstream.close();
  });

  async function post(base: string, status: string) {
    const res = await request(`${base}${Q}`, { method: 'POST', body: 'x', headers: { 'x-test-status': status } });
    await res.body.dump();
    return res;
  }

  it('passes 449 with its reason phrase and capability headers', async () => {
    const { request: rawRequest } = await import('node:http');
    const statusMessage = await new Promise<string>((resolve, reject) => {
      const r = rawRequest(`${gw.url}${Q}`, { method: 'POST', headers: { 'x-test-status': '449' } }, (res) => {
        res.resume();
        expect(res.statusCode).toBe(449);
        expect(res.headers['ms-asprotocolcommands']).toBe('Sync,FolderSync,Provision');
        expect(res.headers['ms-asprotocolversions']).toBe('2.5,12.0,12.1,14.0,14.1');
        resolve(res.statusMessage ?? '');
      });
      r.on('error', reject);
      r.end('x');
    });
    expect(statusMessage).toBe('Retry after sending a PROVISION command');
  });

  it('passes 401 with WWW-Authenticate', async () => {
    const res = await post(gw.url, '401');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="mail"');
  });

  it('passes 403', async () => {
    expect((await post(gw.url, '403')).statusCode).toBe(403);
  });

  it('passes 503 with Retry-After and X-MS-ASThrottle', async () => {
    const res = await post(gw.url, '503');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('120');
    expect(res.headers['x-ms-asthrottle']).toBe('CommandFrequency');
  });

  it('rewrites X-MS-Location of a 451 to the gateway itself when no public URL is set', async () => {
    const res = await post(gw.url, '451');
    expect(res.statusCode).toBe(451);
    expect(res.headers['x-ms-location']).toBe(gw.url);
  });

  it('rewrites X-MS-Location of a 451 to EASGATE_PUBLIC_URL', async () => {
    const res = await post(gwPublic.url, '451');
    expect(res.statusCode).toBe(451);
    expect(res.headers['x-ms-location']).toBe('https://eas.example.test/Microsoft-Server-ActiveSync');
  });
});
