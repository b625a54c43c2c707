import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsole } from '../../src/api/console-static.js';
import { startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { ensureConsoleBuilt } from './console-build.js';
import { fetchRaw } from './console-gateway.js';

/** Without an admin listener the console is on the device listener, beside the API; without a build it says how to make one. */
describe('where the console is served', () => {
  let upstream: SampleUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    upstream = await startSampleUpstream();
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('is on the device listener when no admin listener is configured, like the API', async () => {
    const page = await fetchRaw(`${gw.origin}/admin/quarantine`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await fetchRaw(`${gw.origin}/api/v1/session`)).status).toBe(401);
  });

  it('answers 503 naming npm run build when the console was not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'easgate-no-console-'));
    const app = fastify();
    registerConsole(app, { dir: empty });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetchRaw(`${address}/admin/`);
      expect(res.status).toBe(503);
      expect(res.text).toContain('npm run build');
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
