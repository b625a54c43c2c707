/**
 * npm run bench:proxy: an allowed Sync POST (1 KiB WBXML request, 2 KiB response) driven by
 * autocannon at 100 connections against the upstream directly, a bare @fastify/http-proxy,
 * a raw node:http pipe, easgate and nginx, all forwarding to the same fast upstream, each
 * in its own process, interleaved round by round so that drift hits all alike. Then a
 * fixed 1,000 req/s run to measure the latency easgate adds. Knobs: BENCH_ROUNDS (3),
 * BENCH_DURATION (8 s), BENCH_CONNECTIONS (100), BENCH_TARGETS (a comma list of name
 * prefixes to run only some proxies; easgate is always run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fixedRate, type RateResult } from './lib/fixed-rate.js';
import { ensureNginx, startNginx } from './lib/nginx.js';
import { freePort, start, startTs, waitForPort, type Proc, ROOT } from './lib/processes.js';
import { machine, median, table } from './lib/report.js';
import { SYNC_BODY, SYNC_HEADERS, syncQuery } from './lib/sync-request.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const QUERY = syncQuery('BENCH0001');
const BODY = SYNC_BODY;
const HEADERS = SYNC_HEADERS;

interface Target {
  name: string;
  port: number;
  proc?: Proc;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-bench-'));
  const procs: Proc[] = [];
  try {
    const upstreamPort = await freePort();
    procs.push(startTs('fast-upstream.ts', [String(upstreamPort)]));
    await waitForPort(upstreamPort);
    const targets: Target[] = [{ name: 'upstream directly', port: upstreamPort }];

    const only = process.env.BENCH_TARGETS?.split(',');
    const add = async (name: string, make: (port: number) => Proc): Promise<void> => {
      if (only !== undefined && !name.startsWith('easgate') && !only.some((o) => name.startsWith(o))) return;
      const port = await freePort();
      const proc = make(port);
      procs.push(proc);
      await waitForPort(port);
      targets.push({ name, port, proc });
    };
    await add('@fastify/http-proxy', (p) => startTs('fastify-proxy.ts', [String(p), String(upstreamPort)]));
    await add('raw node:http pipe', (p) => startTs('raw-pipe.ts', [String(p), String(upstreamPort)]));
    const easgateEnv = (p: number, level: string): Record<string, string> => ({
      EASGATE_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/Microsoft-Server-ActiveSync`,
      EASGATE_HOST: '127.0.0.1',
      EASGATE_PORT: String(p),
      EASGATE_LOG_LEVEL: level,
    });
    await add('easgate', (p) => start(process.execPath, [join(ROOT, 'dist/cli/easgate.js'), 'serve'], easgateEnv(p, 'info')));
    await add('easgate (log level warn)', (p) => start(process.execPath, [join(ROOT, 'dist/cli/easgate.js'), 'serve'], easgateEnv(p, 'warn')));
    // Decisions with the shared state in Redis (the known device is cached, so the request
    // path makes no Redis round trip; the last-sync record is written behind).
    const redisUrl = process.env.EASGATE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    await add('easgate (Redis store)', (p) =>
      start(process.execPath, [join(ROOT, 'dist/cli/easgate.js'), 'serve'], { ...easgateEnv(p, 'info'), EASGATE_REDIS_URL: redisUrl, EASGATE_REDIS_PREFIX: `easgate-bench-${process.pid}` }),
    );
    const nginx = ensureNginx();
    if (nginx !== undefined) await add('nginx (1 worker)', (p) => startNginx(nginx, join(dir, 'nginx'), p, upstreamPort));
    else process.stderr.write('nginx is not installed and could not be installed; it is left out\n');

    // Warm-up: JIT, connection pools.
    for (const t of targets) await run(t, 2, CONNECTIONS);

    const results = new Map<string, { rps: number[]; p50: number[]; p99: number[]; errors: number }>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        const r = await run(t, DURATION, CONNECTIONS);
        const acc = results.get(t.name) ?? { rps: [], p50: [], p99: [], errors: 0 };
        acc.rps.push(r.requests.average);
        acc.p50.push(r.latency.p50);
        acc.p99.push(r.latency.p99);
        acc.errors += r.errors + r.timeouts + r.non2xx;
        results.set(t.name, acc);
        process.stderr.write(`round ${round} ${t.name}: ${Math.round(r.requests.average)} req/s\n`);
      }
    }
    const easgate = median(results.get('easgate')!.rps);
    const rows = [...results].map(([name, r]) => [
      name,
      Math.round(median(r.rps)),
      median(r.p50).toFixed(1),
      median(r.p99).toFixed(1),
      (median(r.rps) / easgate).toFixed(2),
      r.errors,
    ]);

    // Added latency at a fixed, moderate rate: the same load directly and through easgate.
    const rate = Number(process.env.BENCH_RATE ?? 1000);
    const direct = targets[0]!;
    const gw = targets.find((t) => t.name === 'easgate')!;
    const lat: { direct: RateResult[]; gw: RateResult[] } = { direct: [], gw: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, t] of [['direct', direct], ['gw', gw]] as const) {
        lat[key].push(await fixedRate(`http://127.0.0.1:${t.port}`, QUERY, BODY, HEADERS, rate, DURATION));
      }
    }
    const p = (xs: RateResult[], k: 'p50Ms' | 'p99Ms'): number => median(xs.map((x) => x[k]));

    const out = [
      `machine: ${machine()}`,
      `date: ${new Date().toISOString()}`,
      `load: ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} interleaved rounds (medians), 1 KiB request, 2 KiB response`,
      '',
      table(['target', 'req/s', 'p50 ms', 'p99 ms', 'ratio to easgate', 'errors'], rows),
      '',
      `at ${rate} req/s (fixed rate, µs clock): direct p50 ${p(lat.direct, 'p50Ms').toFixed(3)} ms / p99 ${p(lat.direct, 'p99Ms').toFixed(3)} ms; ` +
        `through easgate p50 ${p(lat.gw, 'p50Ms').toFixed(3)} ms / p99 ${p(lat.gw, 'p99Ms').toFixed(3)} ms; ` +
        `added p50 ${(p(lat.gw, 'p50Ms') - p(lat.direct, 'p50Ms')).toFixed(3)} ms, added p99 ${(p(lat.gw, 'p99Ms') - p(lat.direct, 'p99Ms')).toFixed(3)} ms; ` +
        `errors ${lat.direct.reduce((a, r) => a + r.errors, 0) + lat.gw.reduce((a, r) => a + r.errors, 0)}`,
    ].join('\n');
    process.stdout.write(`${out}\n`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await dropBenchKeys().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the keys the Redis-backed gateway wrote (one association and its indexes). */
async function dropBenchKeys(): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis(process.env.EASGATE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `{easgate-bench-${process.pid}}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await r.unlink(...keys);
  } while (cursor !== '0');
  await r.quit();
}

function run(t: Target, duration: number, connections: number, overallRate?: number) {
  return autocannon({
    url: `http://127.0.0.1:${t.port}${QUERY}`,
    method: 'POST',
    body: BODY,
    headers: HEADERS,
    connections,
    duration,
    ...(overallRate !== undefined ? { overallRate } : {}),
  });
}

await main();
