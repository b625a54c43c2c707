/**
 * node --import tsx bench/store-search.ts: listing and prefix search over 1,000,000
 * associations in Redis (target, issues 4 and 6: p99 ≤ 50 ms per page of 50).
 * Redis: a private redis-server started for the run (stopped afterwards), or
 * EASGATE_BENCH_REDIS_URL with a key prefix of its own that is deleted afterwards.
 * BENCH_ASSOCIATIONS changes the count (default 1,000,000); BENCH_QUERIES the samples per
 * case (default 500). Queries run one at a time (latency, not throughput). The alternative
 * without indexes, SCAN over the association keys with a client-side filter, is timed on
 * two samples for comparison.
 */
import { Redis } from 'ioredis';
import { ACCESS_STATES, type AccessState } from '../src/policy/index.js';
import { RedisStore, type AssociationQuery, type NewAssociation } from '../src/store/index.js';
import { dropPrefix } from '../test/store/redis-fixture.js';
import { startRedisServer } from '../test/store/redis-server.js';
import { machine, table } from './lib/report.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 500);
const DAY = 86_400_000;
const NOW = Date.now();

const TYPES = ['iPhone', 'iPad', 'SamsungDevice', 'Outlook', 'Android', 'WindowsMail'];
const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yvonne'];
const MODELS = Array.from({ length: 300 }, (_, i) => `${['iPhone', 'iPad', 'Galaxy S', 'Pixel ', 'Xperia ', 'Moto G'][i % 6]}${10 + (i % 50)}`);

/** Deterministic pseudo-random numbers (mulberry32), so that runs are comparable. */
let seed = 42;
function rnd(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n | 0;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789ABCDEF'[rnd(16)]).join('');

function row(i: number): NewAssociation {
  const user = `${pick(NAMES).toLowerCase()}.${rnd(200_000)}@${['example.test', 'corp.test', 'sub.example.test'][i % 3]}`;
  const deviceType = pick(TYPES);
  const model = pick(MODELS);
  const r = rnd(100);
  const accessState: AccessState = r < 90 ? 'Allowed' : r < 95 ? 'Blocked' : r < 99 ? 'Quarantined' : 'DeviceDiscovery';
  const first = NOW - rnd(365) * DAY - rnd(DAY);
  return {
    user,
    deviceId: hex(16),
    deviceType,
    model,
    os: `OS ${rnd(20)}`,
    friendlyName: `${pick(NAMES)}'s ${model}`,
    firstSyncAt: first,
    lastSyncAttemptAt: Math.min(NOW, first + rnd(90) * DAY),
    accessState,
    accessReason: accessState === 'Allowed' ? 'Global' : 'DeviceRule',
  };
}

function percentiles(ms: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1]! };
}

async function load(store: RedisStore): Promise<number> {
  const t0 = Date.now();
  const BATCH = 2000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < COUNT) {
      const from = next;
      next += BATCH;
      const rows = Array.from({ length: Math.min(BATCH, COUNT - from) }, (_, k) => row(from + k));
      await store.createAssociations(rows);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return Date.now() - t0;
}

async function main(): Promise<void> {
  const external = process.env.EASGATE_BENCH_REDIS_URL;
  const server = external === undefined ? await startRedisServer() : undefined;
  const url = external ?? server!.url;
  const prefix = `easgate-bench-${process.pid}`;
  const store = new RedisStore({ url, keyPrefix: prefix });
  const raw = new Redis(url);
  try {
    const memBefore = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
    const loadMs = await load(store);
    const memAfter = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
    const count = await store.countAssociations();
    const sample = (await store.queryAssociations({ index: 'lastSync', limit: 1000 })).items;
    const word = (s: string | undefined, min: number, max: number): string => (s ?? 'x').slice(0, min + rnd(max - min + 1));
    const cases: [string, () => AssociationQuery][] = [
      ['search user prefix (2–4 chars)', () => ({ index: 'user', prefix: word(pick(sample).user, 2, 4) })],
      ['search device ID prefix (2–4 chars)', () => ({ index: 'deviceId', prefix: word(pick(sample).deviceId, 2, 4) })],
      ['search model prefix (2–5 chars)', () => ({ index: 'model', prefix: word(pick(sample).model, 2, 5) })],
      ['search friendly name prefix (2–4 chars)', () => ({ index: 'friendlyName', prefix: word(pick(sample).friendlyName, 2, 4) })],
      ['search device type prefix (2 chars)', () => ({ index: 'deviceType', prefix: word(pick(sample).deviceType, 2, 2) })],
      ['list one user’s devices', () => ({ index: 'user', prefix: pick(sample).user, exact: true })],
      ['list by last sync, newest first', () => ({ index: 'lastSync', order: 'desc' })],
      ['list one state, latest entered first', () => ({ index: 'state', state: pick(ACCESS_STATES), order: 'desc' })],
      ['last sync within a random day', () => {
        const day = NOW - rnd(365) * DAY;
        return { index: 'lastSync', after: day, before: day + DAY };
      }],
    ];
    const rows: (string | number)[][] = [];
    let worstP99 = 0;
    for (const [name, make] of cases) {
      const ms: number[] = [];
      let items = 0;
      for (let i = 0; i < QUERIES; i++) {
        const q = { ...make(), limit: 50 };
        const t0 = performance.now();
        items += (await store.queryAssociations(q)).items.length;
        ms.push(performance.now() - t0);
      }
      const p = percentiles(ms);
      worstP99 = Math.max(worstP99, p.p99);
      rows.push([name, p.p50.toFixed(2), p.p95.toFixed(2), p.p99.toFixed(2), p.max.toFixed(2), (items / QUERIES).toFixed(1)]);
    }
    // Deep pagination: 40 pages of 50 through one broad prefix, cursor after cursor.
    const pageMs: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      const page = await store.queryAssociations({ index: 'model', prefix: 'i', limit: 50, ...(cursor ? { cursor } : {}) });
      pageMs.push(performance.now() - t0);
      cursor = page.nextCursor ?? undefined;
    }
    const deep = percentiles(pageMs);
    worstP99 = Math.max(worstP99, deep.p99);
    rows.push(['pages 1–40 of model prefix "i" (cursor)', deep.p50.toFixed(2), deep.p95.toFixed(2), deep.p99.toFixed(2), deep.max.toFixed(2), '50']);
    // The alternative: no index, SCAN the association hashes and filter in the client.
    const scanMs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const want = pick(sample).deviceId.slice(0, 4).toLowerCase();
      const t0 = performance.now();
      let found = 0;
      let c = '0';
      do {
        const [nextCursor, keys] = await raw.scan(c, 'MATCH', `${store.keys.tag}:a:*`, 'COUNT', 5000);
        c = nextCursor;
        const pipe = raw.pipeline();
        for (const k of keys) pipe.hget(k, 'deviceId');
        for (const [, m] of (await pipe.exec()) ?? []) if (typeof m === 'string' && m.toLowerCase().startsWith(want)) found++;
      } while (c !== '0' && found < 50);
      scanMs.push(performance.now() - t0);
    }
    const scan = percentiles(scanMs);
    rows.push(['alternative: SCAN + filter, device ID prefix (2 samples)', scan.p50.toFixed(0), '–', '–', scan.max.toFixed(0), '≤ 50']);

    console.log(`${new Date().toISOString().slice(0, 10)} · ${machine()} · ${(await raw.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?'} Redis`);
    console.log(`${count} associations loaded in ${(loadMs / 1000).toFixed(1)} s (${Math.round(count / (loadMs / 1000))}/s, pipelined create-if-absent scripts); Redis memory +${((memAfter - memBefore) / 2 ** 20).toFixed(0)} MiB (${Math.round((memAfter - memBefore) / count)} B per association)`);
    console.log(table(['query (pages of 50)', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'items/page'], rows));
    console.log(`worst p99: ${worstP99.toFixed(2)} ms → target p99 ≤ 50 ms ${worstP99 <= 50 ? 'met' : 'NOT met'}`);
  } finally {
    await store.close();
    if (server === undefined) await dropPrefix(prefix, url);
    raw.disconnect();
    await server?.stop();
  }
}

await main();
