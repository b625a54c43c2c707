import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { certificateAuthority, signedBy, type CertFiles } from '../helpers/certificates.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** An HTTPS upstream on 127.0.0.1 with the given certificate; counts the requests that reached it. */
async function startHttpsUpstream(files: CertFiles): Promise<{ url: string; seen: () => number; close(): Promise<void> }> {
  let seen = 0;
  const server: Server = createServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) }, (req, res) => {
    seen += 1;
    req.resume();
    req.on('end', () => res.end('from the upstream'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/Microsoft-Server-ActiveSync`,
    seen: () => seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function sync(gw: TestGateway): Promise<{ status: number; error: unknown; body: string }> {
  const res = await request(`${gw.url}?Cmd=Sync&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', body: 'x' });
  return { status: res.statusCode, error: res.headers['x-easgate-error'], body: await res.body.text() };
}

async function readiness(gw: TestGateway, want: number): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let i = 0; ; i++) {
    const res = await request(`${gw.origin}/readyz`);
    const r = { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    if (r.status === want || i >= 50) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('HTTPS to the upstream with a private CA', () => {
  let dir: string;
  let ca: CertFiles;
  let good: Awaited<ReturnType<typeof startHttpsUpstream>>;
  let misnamed: Awaited<ReturnType<typeof startHttpsUpstream>>;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-upstream-ca-'));
    ca = certificateAuthority(dir);
    good = await startHttpsUpstream(signedBy(ca, dir, 'upstream', 'IP:127.0.0.1'));
    misnamed = await startHttpsUpstream(signedBy(ca, dir, 'elsewhere', 'DNS:elsewhere.test'));
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    await good?.close();
    await misnamed?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an upstream whose CA it was not given: the device gets 502, the log says why, the replica is not ready', async () => {
    const gw = await startGateway(good.url);
    stops.push(() => gw.stop());
    expect(await sync(gw)).toMatchObject({ status: 502, error: 'EASGATE_ERR_UPSTREAM_BAD_RESPONSE' });
    expect(good.seen()).toBe(0);
    const failed = gw.logs.find((l) => l.msg === 'upstream failed');
    expect(failed).toMatchObject({ code: 'EASGATE_ERR_UPSTREAM_BAD_RESPONSE', err: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
    const ready = await readiness(gw, 503);
    expect(ready).toMatchObject({ status: 503, body: { upstreamReachable: false } });
    expect(gw.logs.find((l) => l.msg === 'upstream not reachable')).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('passes with EASGATE_UPSTREAM_CA, and is ready', async () => {
    const gw = await startGateway(good.url, { EASGATE_UPSTREAM_CA: ca.cert });
    stops.push(() => gw.stop());
    expect(await sync(gw)).toEqual({ status: 200, error: undefined, body: 'from the upstream' });
    expect((await readiness(gw, 200)).status).toBe(200);
  });

  it('refuses a certificate from the trusted CA for another name', async () => {
    const gw = await startGateway(misnamed.url, { EASGATE_UPSTREAM_CA: ca.cert });
    stops.push(() => gw.stop());
    expect(await sync(gw)).toMatchObject({ status: 502, error: 'EASGATE_ERR_UPSTREAM_BAD_RESPONSE' });
    expect(misnamed.seen()).toBe(0);
    expect(gw.logs.find((l) => l.msg === 'upstream failed')).toMatchObject({ err: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
    expect((await readiness(gw, 503)).body.upstreamReachable).toBe(false);
  });
});
