import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, selfSigned, type CertFiles } from '../helpers/certificates.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/** The certificate a new TLS connection to `port` gets (trusted or not: the fingerprint is what is checked). */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.once('error', reject);
  });
}

/** GET over TLS without trusting the (self-signed) certificate; resolves the body. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    })
      .once('error', reject)
      .end();
  });
}

async function eventually(port: number, want: string): Promise<string> {
  let got = await servedFingerprint(port);
  for (let i = 0; i < 100 && got !== want; i++) {
    await new Promise((r) => setTimeout(r, 50));
    got = await servedFingerprint(port);
  }
  return got;
}

/** A device request on `agent`: its status, whether it went on a kept-alive connection, and that connection's certificate. */
function deviceRequest(url: string, agent: Agent): Promise<{ status: number; reused: boolean; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}?Cmd=Sync&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', agent, headers: { 'content-length': '1' } }, (res) => {
      const served = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, fingerprint: served }));
    });
    req.once('error', reject);
    req.end('x');
  });
}

describe('the TLS certificate is reloaded without a restart', () => {
  let dir: string;
  let live: CertFiles;
  let a: CertFiles;
  let b: CertFiles;
  let c: CertFiles;
  let upstream: TestUpstream;
  let gw: TestGateway;
  let adminPort: number;

  /** Replaces a live file the way certbot or a secret volume does: a new file renamed over the old one. */
  const replace = (to: string, content: Buffer): void => {
    writeFileSync(`${to}.new`, content);
    renameSync(`${to}.new`, to);
  };
  const warnings = (): Record<string, unknown>[] => gw.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('TLS certificate files changed but are not a valid pair'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-tls-reload-'));
    a = selfSigned(dir, 'a', 'gateway-a');
    b = selfSigned(dir, 'b', 'gateway-b');
    c = selfSigned(dir, 'c', 'gateway-c');
    mkdirSync(join(dir, 'live'));
    live = { cert: join(dir, 'live', 'cert.pem'), key: join(dir, 'live', 'key.pem') };
    copyFileSync(a.cert, live.cert);
    copyFileSync(a.key, live.key);
    upstream = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    gw = await startGateway(upstream.url, {
      EASGATE_TLS_CERT: live.cert,
      EASGATE_TLS_KEY: live.key,
      EASGATE_TLS_RELOAD_INTERVAL_MS: '100',
      EASGATE_ADMIN_PORT: '0',
    });
    adminPort = (gw.gateway.admin!.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('new connections get the new certificate, on both listeners; the open keep-alive connection keeps working', async () => {
    const port = Number(new URL(gw.origin).port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
    try {
      const first = await deviceRequest(gw.url, agent);
      expect(first).toMatchObject({ status: 200, fingerprint: fingerprint(a.cert) });
      expect(await servedFingerprint(adminPort)).toBe(fingerprint(a.cert));

      // Renewed: key first, then certificate (between the two the pair does not match).
      replace(live.key, readFileSync(b.key));
      await new Promise((r) => setTimeout(r, 300));
      expect(await servedFingerprint(port)).toBe(fingerprint(a.cert));
      replace(live.cert, readFileSync(b.cert));
      expect(await eventually(port, fingerprint(b.cert))).toBe(fingerprint(b.cert));
      expect(await eventually(adminPort, fingerprint(b.cert))).toBe(fingerprint(b.cert));

      // The connection opened before the reload still carries requests, on its old certificate.
      const again = await deviceRequest(gw.url, agent);
      expect(again).toEqual({ status: 200, reused: true, fingerprint: fingerprint(a.cert) });

      const reloaded = gw.logs.filter((l) => l.msg === 'TLS certificate reloaded');
      expect(reloaded).toHaveLength(1);
      expect(reloaded[0]).toMatchObject({ subject: 'CN=gateway-b', fingerprint256: fingerprint(b.cert), notAfter: new Date(new X509Certificate(readFileSync(b.cert)).validTo).toISOString() });
      const notAfter = new Date(new X509Certificate(readFileSync(b.cert)).validTo).getTime() / 1000;
      expect(await get(`https://127.0.0.1:${adminPort}/metrics`)).toContain(`easgate_tls_certificate_expiry_seconds ${notAfter}`);
    } finally {
      agent.destroy();
    }
  });

  it('does not apply a half-written certificate or a certificate without its key, warns once, and serves the new pair once it is whole', async () => {
    const port = Number(new URL(gw.origin).port);
    const before = warnings().length;
    const pem = readFileSync(c.cert);
    writeFileSync(live.cert, pem.subarray(0, Math.floor(pem.length / 2)));
    await new Promise((r) => setTimeout(r, 500));
    expect(await servedFingerprint(port)).toBe(fingerprint(b.cert));
    replace(live.cert, pem); // whole now, but the key is still b's
    await new Promise((r) => setTimeout(r, 500));
    expect(await servedFingerprint(port)).toBe(fingerprint(b.cert));
    // One warning for the half-written file, one for the mismatched pair: not one per check (10 checks happened).
    const warned = warnings().slice(before);
    expect(warned).toHaveLength(2);
    expect(warned[1]).toMatchObject({ code: 'KEY_MISMATCH', servedFingerprint256: fingerprint(b.cert) });

    replace(live.key, readFileSync(c.key));
    expect(await eventually(port, fingerprint(c.cert))).toBe(fingerprint(c.cert));
    expect(await get(`${gw.origin}/healthz`)).toContain('ok');
    const raw = JSON.stringify(gw.logs);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toContain(readFileSync(c.key, 'utf8').split('\n')[1]);
  });
});
