import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';
import { requireTool } from '../helpers/tools.js';

const TOKEN = 'haproxy-test-admin-token-0123456789';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Two gateway processes on one Redis behind Debian's haproxy, as ops run them: requests land
 * on both, an admin change through one is obeyed through the balancer, and one replica
 * stopped mid-conversation (SIGTERM) costs the devices no error.
 */
describe('two replicas behind haproxy', () => {
  const prefix = uniquePrefix('haproxy');
  let dir: string;
  let upstream: SampleUpstream;
  let a: ChildGateway;
  let b: ChildGateway;
  let lb: ChildProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-haproxy-'));
    upstream = await startSampleUpstream();
    const env = { EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: prefix, EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_LOG_LEVEL: 'info', EASGATE_DRAIN_TIMEOUT_MS: '3000' };
    a = spawnGateway(env);
    b = spawnGateway(env);
    await Promise.all([a.ready, b.ready]);
    const port = await freePort();
    writeFileSync(
      join(dir, 'haproxy.cfg'),
      `global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 3700s
  timeout server 3700s
  retries 3
  option redispatch
  retry-on conn-failure empty-response
  http-reuse never
frontend eas
  bind 127.0.0.1:${port}
  default_backend gateways
backend gateways
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  server a 127.0.0.1:${a.port} check inter 200ms fall 1 rise 1
  server b 127.0.0.1:${b.port} check inter 200ms fall 1 rise 1
`,
    );
    requireTool('haproxy');
    lb = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
    url = `http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`;
    for (let i = 0; i < 100; i++) {
      const ok = await request(`http://127.0.0.1:${port}/readyz`).then((r) => r.body.dump().then(() => r.statusCode === 200), () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    lb?.kill('SIGKILL');
    for (const g of [a, b]) if (g.child.exitCode === null) g.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    await upstream.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads requests over both replicas and obeys an admin change made through the balancer within a second', async () => {
    const sim = new DeviceSimulator({ url, user: 'alice@example.test', password: 'alice123', deviceId: 'LBPHONE1', protocolVersion: '16.1' });
    for (let i = 0; i < 10; i++) expect((await sim.folderSync()).response.status).toBe(200);
    const seen = (g: ChildGateway) => g.logs.filter((l) => l.msg === 'request' && l.deviceId === 'LBPHONE1').length;
    expect(seen(a)).toBeGreaterThan(0);
    expect(seen(b)).toBeGreaterThan(0);

    const api = url.replace('/Microsoft-Server-ActiveSync', '/api/v1');
    const res = await request(`${api}/associations/alice%40example.test/LBPHONE1/block`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    const t0 = Date.now();
    let blocked = 0;
    while (blocked < 4 && Date.now() - t0 < 1000) {
      if ((await sim.raw('FolderSync')).easStatus === 129) blocked++;
      else blocked = 0;
    }
    await sim.close();
    expect(blocked).toBe(4); // four in a row: both replicas refuse it
  });

  it('keeps devices syncing without an error when one replica is stopped mid-conversation', async () => {
    const agent = new Agent({ connections: 10 });
    const sims = Array.from({ length: 5 }, (_, i) => new DeviceSimulator({ url, user: 'bob@example.test', password: 'bob123', deviceId: `LBBOB${i}`, protocolVersion: '14.1', dispatcher: agent }));
    const failures: string[] = [];
    let done = 0;
    let stop = false;
    const loops = sims.map(async (s) => {
      while (!stop) {
        try {
          const r = (await s.folderSync()).response;
          if (r.status !== 200 || r.easStatus !== 1) failures.push(`HTTP ${r.status} Status ${r.easStatus}`);
          done++;
        } catch (err) {
          failures.push(String((err as Error).message));
        }
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const before = done;
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(loops);
    for (const s of sims) await s.close();
    await agent.close();
    expect(failures).toEqual([]);
    expect(done - before).toBeGreaterThan(20); // the survivor carried on
  }, 30_000);
});
