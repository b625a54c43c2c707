import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { selfSigned, type CertFiles } from '../helpers/certificates.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

describe('TLS', () => {
  let dir: string;
  let upstream: TestUpstream;
  let gw: TestGateway;
  let files: CertFiles;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-tls-'));
    files = selfSigned(dir, 'gateway');
    upstream = await startUpstream((req, res) => {
      req.resume();
      res.end('over tls');
    });
    gw = await startGateway(upstream.url, { EASGATE_TLS_CERT: files.cert, EASGATE_TLS_KEY: files.key });
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves devices over HTTPS with the configured certificate', async () => {
    expect(gw.url.startsWith('https://')).toBe(true);
    const ca = readFileSync(files.cert);
    const dispatcher = new Agent({ connect: { ca } });
    const res = await request(`${gw.url}?Cmd=Sync&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', body: 'x', dispatcher });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('over tls');
    await dispatcher.close();
  });
});
