import { afterEach, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { waitUntil } from './redis-topology.js';
import { freePort, serverArgs, startRedisProcess, tempDir, type RedisProcess } from './redis-server.js';

/**
 * The start when Redis is not there yet (compose brings both up together, a node reboots):
 * the gateway waits for it up to EASGATE_STORE_START_WAIT_MS with its ports closed, then
 * either serves or exits 1 naming the reason.
 */
describe('a gateway whose Redis is not there at start', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  function gateway(env: Record<string, string>): ChildGateway {
    const gw = spawnGateway({ EASGATE_LOG_LEVEL: 'info', ...env });
    gw.ready.catch(() => undefined);
    cleanup.push(async () => {
      if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
      await gw.exited;
    });
    return gw;
  }

  it('waits with its ports closed, and serves once Redis answers', async () => {
    const upstream: SampleUpstream = await startSampleUpstream();
    cleanup.push(() => upstream.close());
    const port = await freePort();
    const gw = gateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: `redis://127.0.0.1:${port}`, EASGATE_STORE_START_WAIT_MS: '30000' });
    await waitUntil('the gateway says it waits', async () => gw.logs.some((l) => l.msg === 'waiting for Redis before opening the ports'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(gw.port).toBe(0); // not listening yet
    expect(gw.child.exitCode).toBeNull();
    const dir = await tempDir('late-redis');
    cleanup.push(() => dir.remove());
    const redis: RedisProcess = await startRedisProcess('redis-server', port, serverArgs(port, dir.path));
    cleanup.push(() => redis.kill('SIGKILL'));
    await gw.ready;
    expect(gw.logs.some((l) => l.msg === 'Redis answers')).toBe(true);
    const phone = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'LATEREDIS1', protocolVersion: '14.1' });
    cleanup.push(() => phone.close());
    expect((await phone.folderSync()).response.status).toBe(200);
  }, 60_000);

  it('gives up on a Cluster none of whose nodes answers too (its commands have a deadline while it has no connection)', async () => {
    const port = await freePort();
    const gw = gateway({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/Microsoft-Server-ActiveSync', EASGATE_REDIS_URL: `redis+cluster://127.0.0.1:${port}`, EASGATE_STORE_START_WAIT_MS: '2000' });
    expect(await gw.exited).toBe(1);
    expect(gw.stderr.join('')).toContain(`Redis (redis+cluster://127.0.0.1:${port}) did not answer within 2 s of the start`);
  }, 30_000);

  it('gives up after EASGATE_STORE_START_WAIT_MS, exits 1 and names the address and the reason, never the password', async () => {
    const port = await freePort();
    const started = Date.now();
    const gw = gateway({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/Microsoft-Server-ActiveSync', EASGATE_REDIS_URL: `redis://:secret-redis-password@127.0.0.1:${port}`, EASGATE_STORE_START_WAIT_MS: '2000' });
    expect(await gw.exited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const said = gw.stderr.join('');
    expect(said).toContain(`Redis (redis://127.0.0.1:${port}) did not answer within 2 s of the start: connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(said + JSON.stringify(gw.logs)).not.toContain('secret-redis-password');
  }, 30_000);
});
