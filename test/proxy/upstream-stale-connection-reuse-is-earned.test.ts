import { afterEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { loadConfig } from '../../src/config/index.js';
import { createUpstream, UpstreamPool, type Upstream } from '../../src/proxy/upstream.js';
import { startClosingServer, type ClosingServer } from './upstream-stale-connection-server.js';
import { until } from '../helpers/until.js';

/**
 * The pool reuses upstream connections only once the upstream has shown it keeps an idle
 * connection at least as long as easgate would reuse it, takes that back as soon as the
 * upstream closes a reused connection unannounced, and sends again a request whose
 * connection died before any of it was written.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Logged = { level: 'info' | 'warn'; connectionReuse: string; msg: string };

async function setup(mode: ClosingServer['mode']): Promise<{ server: ClosingServer; upstream: Upstream; pool: UpstreamPool; logged: Logged[] }> {
  const server = await startClosingServer({ closeAfterMs: 5, mode });
  cleanups.push(() => server.close());
  const logged: Logged[] = [];
  const log = {
    info: (o: { connectionReuse: string }, msg: string) => void logged.push({ level: 'info', connectionReuse: o.connectionReuse, msg }),
    warn: (o: { connectionReuse: string }, msg: string) => void logged.push({ level: 'warn', connectionReuse: o.connectionReuse, msg }),
  };
  const upstream = createUpstream(loadConfig({ EASGATE_UPSTREAM_URL: server.url, EASGATE_UPSTREAM_KEEPALIVE_MS: '300' }), log as never);
  cleanups.push(() => upstream.pool.destroy());
  expect(upstream.pool).toBeInstanceOf(UpstreamPool);
  return { server, upstream, pool: upstream.pool as UpstreamPool, logged };
}

async function post(dispatcher: Pool, path: string, body = 'x'): Promise<number> {
  const res = await dispatcher.request({ path, method: 'POST', body: Buffer.from(body) });
  await res.body.dump();
  return res.statusCode;
}

describe('upstream connection reuse', () => {
  it('gives each request its own connection until a trial shows the upstream keeps idle connections, then reuses them', async () => {
    const { server, upstream, pool, logged } = await setup('keep-alive');
    expect(pool.connectionReuse).toBe('trial');
    expect(await post(pool, upstream.path)).toBe(200); // the trial request, on a connection of its own
    expect(await post(pool, upstream.path)).toBe(200); // meanwhile: Connection: close
    await until(() => pool.connectionReuse === 'reuse');
    const before = server.connections;
    for (let i = 0; i < 30; i++) expect(await post(pool, upstream.path)).toBe(200);
    // (undici's pool may open a second connection while the first one's drain is pending)
    expect(server.connections - before).toBeLessThanOrEqual(2);
    expect(logged.map((l) => [l.level, l.connectionReuse])).toEqual([['info', 'reuse']]);
  });

  it('stops reusing as soon as the upstream closes a reused connection unannounced, and every request still succeeds', async () => {
    const { server, upstream, pool, logged } = await setup('keep-alive');
    await post(pool, upstream.path);
    await until(() => pool.connectionReuse === 'reuse');
    expect(await post(pool, upstream.path)).toBe(200);
    server.mode = 'close-after-answer';
    expect(await post(pool, upstream.path)).toBe(200); // answered, then closed 5 ms later
    await until(() => pool.connectionReuse !== 'reuse');
    const statuses = await Promise.all(Array.from({ length: 10 }, async () => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push(await post(pool, upstream.path));
      return out;
    }));
    expect(statuses.flat().every((s) => s === 200)).toBe(true);
    expect(pool.connectionReuse).toBe('single');
    expect(logged.map((l) => [l.level, l.connectionReuse])).toEqual([['info', 'reuse'], ['warn', 'trial'], ['info', 'single']]);
  });

  it('finds at once that a sogod-like upstream closes connections, and never reuses one', async () => {
    const { server, upstream, pool, logged } = await setup('close-after-answer');
    for (let i = 0; i < 50; i++) expect(await post(pool, upstream.path, `r${i}`)).toBe(200);
    expect(pool.connectionReuse).toBe('single');
    expect(server.connections).toBe(50);
    expect(server.requests.map((r) => r.body)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    expect(logged).toEqual([{ level: 'info', connectionReuse: 'single', msg: 'upstream connections carry one request each' }]);
  });
});

describe('a request whose connection died before it was written', () => {
  // The upstream resets an idle kept-alive connection; a request is handed to that
  // connection before the reset has been read (here: in the same tick). undici fails it
  // with ECONNRESET although not one byte of it was written.
  async function staleIdleConnection(server: ClosingServer, dispatcher: Pool, path: string): Promise<{ sent: Promise<number> }> {
    expect(await post(dispatcher, path)).toBe(200);
    await new Promise((r) => setTimeout(r, 20)); // the connection is idle in the pool
    expect(server.sockets.size).toBe(1);
    const [socket] = [...server.sockets];
    socket!.resetAndDestroy();
    return { sent: post(dispatcher, path, 'after the reset') };
  }

  it('fails in a plain undici pool', async () => {
    const server = await startClosingServer({ closeAfterMs: 5, mode: 'keep-alive' });
    cleanups.push(() => server.close());
    const pool = new Pool(new URL(server.url).origin, { pipelining: 1, keepAliveTimeout: 4_000 });
    cleanups.push(() => pool.destroy());
    await expect((await staleIdleConnection(server, pool, '/x')).sent).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.requests.filter((r) => r.body === 'after the reset')).toHaveLength(0);
  });

  it('is sent again on a new connection by easgate, and reaches the upstream once', async () => {
    const { server, upstream, pool } = await setup('keep-alive');
    await post(pool, upstream.path);
    await until(() => pool.connectionReuse === 'reuse');
    expect(await (await staleIdleConnection(server, pool, upstream.path)).sent).toBe(200);
    expect(pool.replayed).toBe(1);
    expect(server.requests.filter((r) => r.body === 'after the reset')).toHaveLength(1);
    expect(pool.connectionReuse).toBe('trial');
  });
});
