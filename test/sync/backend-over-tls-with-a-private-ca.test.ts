import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, HttpBackendConnector } from '../../src/sync/backend/index.js';
import { certificateAuthority, signedBy } from '../helpers/certificates.js';

/**
 * The connector verifies the backend's certificate always; EASGATE_BACKEND_CA adds a
 * private CA to the public roots (it does not replace them, nor turn verification off).
 */
describe('the backend connector over HTTPS', () => {
  let dir: string;
  let server: Server;
  let url: URL;
  let ca: Buffer;
  let wrongCa: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-backend-tls-'));
    const authority = certificateAuthority(dir, 'ca');
    const other = certificateAuthority(dir, 'other');
    const cert = signedBy(authority, dir, 'backend', 'IP:127.0.0.1');
    ca = readFileSync(authority.cert);
    wrongCa = readFileSync(other.cert);
    server = createServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (req, res) => {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items: [], nextCursor: null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    url = new URL(`https://127.0.0.1:${port}/mdm`);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('talks to a backend whose certificate the configured CA signed', async () => {
    const c = new HttpBackendConnector({ url, timeoutMs: 2000, ca });
    expect(await c.devices()).toEqual({ items: [], nextCursor: null });
    await c.close();
  });

  it.each([
    ['no CA configured', undefined],
    ['another CA configured', 'other'],
  ] as const)('refuses a certificate it cannot verify (%s)', async (_label, which) => {
    const c = new HttpBackendConnector({ url, timeoutMs: 2000, ...(which === 'other' ? { ca: wrongCa } : {}) });
    const err = await c.devices().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(String((err as Error).message) + String((err as Error & { cause?: unknown }).cause)).toMatch(/certificate|UNABLE_TO_VERIFY|self.signed/i);
    await c.close();
  });
});
