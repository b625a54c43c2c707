/**
 * npm run bench:sync-devices: the device path while a full backend sync runs in the same
 * gateway (issue 8: the sync must not starve devices). One gateway process (dist/) on a
 * private redis-server (or EASGATE_BENCH_REDIS_URL) with BENCH_ASSOCIATIONS associations
 * (default 200,000), the sample backend (fast accept, keeps only batch ids) and the fast
 * upstream each in a process of their own. Per round: the full sync alone; a closed loop
 * of BENCH_CONNECTIONS (50) connections of allowed Sync POSTs (20 known devices) for
 * BENCH_DURATION s, then the same loop for exactly as long as a full sync takes; a fixed
 * BENCH_RATE (1,000) req/s for 5 s without a sync, then with one running. Medians over
 * BENCH_ROUNDS (3). BENCH_BATCH sets EASGATE_SYNC_BATCH_SIZE (500).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startSampleBackend } from '../src/peers/sample-backend/index.js';
import { loadAssociations, benchRedis, percentiles } from './lib/associations.js';
import { fixedRate, type RateResult } from './lib/fixed-rate.js';
import { freePort, ROOT, start, startTs, waitForPort, type Proc } from './lib/processes.js';
import { machine, median, table } from './lib/report.js';
import { SYNC_BODY as BODY, SYNC_HEADERS as HEADERS, syncQuery } from './lib/sync-request.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = 5;
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const DEVICES = 20;
const ADMIN = 'bench-sync-devices-admin-token-0123456789';
const device = (i: number): string => `SYNCBENCH${String(i % DEVICES).padStart(4, '0')}`;
const query = (i: number): string => syncQuery(device(i));

/** CPU seconds a process has used (user + system, from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface LoopResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * A closed loop: each connection sends its next request when the last one answered, until
 * `done` resolves; latency per request on a µs clock. Run the same way with and without a
 * sync, so the two are comparable.
 */
async function closedLoop(origin: string, done: Promise<unknown>): Promise<LoopResult> {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const ms: number[] = [];
  let errors = 0;
  let stop = false;
  void done.then(() => (stop = true));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      for (let i = c; !stop; i += CONNECTIONS) {
        const t = performance.now();
        try {
          const res = await pool.request({ path: query(i), method: 'POST', body: BODY, headers: HEADERS });
          await res.body.dump();
          if (res.statusCode !== 200) errors++;
        } catch {
          errors++;
        }
        ms.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  const p = percentiles(ms);
  return { rps: ms.length / seconds, p50: p.p50, p99: p.p99, errors };
}

/** The gateway's admin API (on the device listener here). */
async function api<T>(port: number, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Status {
  running: string | null;
  lastFullAt: number | null;
  lastError: { message: string } | null;
}

/** Starts a full sync; resolves its duration (ms) when the gateway says it is done. */
async function fullSync(port: number): Promise<{ started: Promise<void>; finished: Promise<number> }> {
  const before = await api<Status>(port, 'GET', '/sync/status');
  const t0 = performance.now();
  // POST /sync/run answers after at most 10 s; the status says when the run really ended.
  const run = api(port, 'POST', '/sync/run', { full: true });
  const finished = (async () => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const s = await api<Status>(port, 'GET', '/sync/status');
      if (s.running === null && s.lastFullAt !== before.lastFullAt) {
        if (s.lastError !== null && s.lastError.message !== before.lastError?.message) throw new Error(`the sync failed: ${s.lastError.message}`);
        await run;
        return performance.now() - t0;
      }
    }
  })();
  // The run is under way once the status says so (it reads the first page right away).
  const started = (async () => {
    while ((await api<Status>(port, 'GET', '/sync/status')).running === null) await new Promise((r) => setTimeout(r, 10));
  })();
  return { started, finished };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'backend') {
    // The sample backend in a process of its own (fast accept; only batch ids kept).
    await startSampleBackend({ discard: true }, Number(process.argv[3]));
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  const redis = await benchRedis('sync-devices');
  // benchRedis' key prefix (bench/lib/associations.ts), which the gateway must share.
  const prefix = `easgate-bench-sync-devices${process.pid}`;
  const procs: Proc[] = [];
  try {
    const loadMs = await loadAssociations(redis.store, COUNT);
    for (let i = 0; i < DEVICES; i++) {
      await redis.store.createAssociation({ user: 'alice@example.test', deviceId: device(i), deviceType: 'iPhone', accessState: 'Allowed', accessReason: 'Global' });
    }
    // A sync state that makes no run due at start: the benchmark starts each full sync itself.
    const now = Date.now();
    await redis.raw.set(`{${prefix}}:sync:state`, JSON.stringify({ changeCursor: await redis.store.changeNumber(), lastFullAt: now, lastDiffAt: now, lastSuccessAt: now, failures: 0 }));

    const upstreamPort = await freePort();
    procs.push(startTs('fast-upstream.ts', [String(upstreamPort)]));
    const backendPort = await freePort();
    procs.push(start(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/sync-vs-devices.ts'), 'backend', String(backendPort)]));
    const port = await freePort();
    const gateway = start(process.execPath, [join(ROOT, 'dist/cli/easgate.js'), 'serve'], {
        EASGATE_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/Microsoft-Server-ActiveSync`,
        EASGATE_HOST: '127.0.0.1',
        EASGATE_PORT: String(port),
        EASGATE_LOG_LEVEL: 'warn',
        EASGATE_REDIS_URL: redis.url,
        EASGATE_REDIS_PREFIX: prefix,
        EASGATE_BACKEND_URL: `http://127.0.0.1:${backendPort}/`,
        EASGATE_ADMIN_TOKEN: ADMIN,
        EASGATE_SYNC_BATCH_SIZE: String(BATCH),
      });
    procs.push(gateway);
    await Promise.all([waitForPort(upstreamPort), waitForPort(backendPort), waitForPort(port)]);
    const origin = `http://127.0.0.1:${port}`;

    // Warm-up: JIT, connection pools, the policy cache; and one full sync.
    await closedLoop(origin, new Promise((r) => setTimeout(r, 2000)));
    await (await fullSync(port)).finished;

    const r = { cpu: [] as number[], alone: [] as number[], base: [] as LoopResult[], loaded: [] as LoopResult[], loadedSyncMs: [] as number[], rateBase: [] as RateResult[], rateSync: [] as RateResult[], rateSyncMs: [] as number[], rateCovered: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const cpu0 = cpuSeconds(gateway.child.pid!);
      r.alone.push(await (await fullSync(port)).finished);
      r.cpu.push(cpuSeconds(gateway.child.pid!) - cpu0);
      r.base.push(await closedLoop(origin, new Promise((res) => setTimeout(res, DURATION * 1000))));
      const sync = await fullSync(port);
      await sync.started;
      r.loaded.push(await closedLoop(origin, sync.finished));
      r.loadedSyncMs.push(await sync.finished);
      r.rateBase.push(await fixedRate(origin, query(0), BODY, HEADERS, RATE, RATE_SECONDS));
      const paced = await fullSync(port);
      await paced.started;
      const ratePromise = fixedRate(origin, query(1), BODY, HEADERS, RATE, RATE_SECONDS);
      const covered = await Promise.race([paced.finished.then(() => false), ratePromise.then(() => true)]);
      if (covered) r.rateCovered++;
      r.rateSync.push(await ratePromise);
      r.rateSyncMs.push(await paced.finished);
      process.stderr.write(`round ${round}: sync alone ${(r.alone.at(-1)! / 1000).toFixed(1)} s; closed loop ${Math.round(r.base.at(-1)!.rps)} → ${Math.round(r.loaded.at(-1)!.rps)} req/s during a ${(r.loadedSyncMs.at(-1)! / 1000).toFixed(1)} s sync\n`);
    }

    const m = (xs: LoopResult[], k: 'rps' | 'p50' | 'p99'): number => median(xs.map((x) => x[k]));
    const q = (xs: RateResult[], k: 'p50Ms' | 'p99Ms'): number => median(xs.map((x) => x[k]));
    const errors = [...r.base, ...r.loaded].reduce((a, x) => a + x.errors, 0) + [...r.rateBase, ...r.rateSync].reduce((a, x) => a + x.errors, 0);
    const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    const out = [
      `date: ${new Date().toISOString()}`,
      `machine: ${machine()}; Redis ${(await redis.raw.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?'}`,
      `${COUNT} associations (loaded in ${secs(loadMs)}); full sync in batches of ${BATCH}; ${ROUNDS} rounds, medians; errors ${errors}`,
      '',
      table(
        ['device load', 'no sync: req/s', 'p50 ms', 'p99 ms', 'during a full sync: req/s', 'p50 ms', 'p99 ms', 'req/s ratio', 'sync took'],
        [
          [`closed loop, ${CONNECTIONS} connections`, Math.round(m(r.base, 'rps')), m(r.base, 'p50').toFixed(2), m(r.base, 'p99').toFixed(2), Math.round(m(r.loaded, 'rps')), m(r.loaded, 'p50').toFixed(2), m(r.loaded, 'p99').toFixed(2), (m(r.loaded, 'rps') / m(r.base, 'rps')).toFixed(2), secs(median(r.loadedSyncMs))],
          [`fixed ${RATE} req/s, ${RATE_SECONDS} s`, RATE, q(r.rateBase, 'p50Ms').toFixed(2), q(r.rateBase, 'p99Ms').toFixed(2), RATE, q(r.rateSync, 'p50Ms').toFixed(2), q(r.rateSync, 'p99Ms').toFixed(2), '—', secs(median(r.rateSyncMs))],
        ],
      ),
      '',
      `full sync with no device load: ${secs(median(r.alone))} (${Math.round(COUNT / (median(r.alone) / 1000))} associations/s), ` +
        `${median(r.cpu).toFixed(1)} CPU s in the gateway process (${((median(r.cpu) / COUNT) * 1e6).toFixed(0)} µs per association); ` +
        `the fixed-rate run ended before the sync in ${r.rateCovered} of ${ROUNDS} rounds`,
    ].join('\n');
    process.stdout.write(`${out}\n`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await redis.close();
  }
}

await main();
