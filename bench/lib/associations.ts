import { ACCESS_STATES, type AccessState } from '../../src/policy/index.js';
import { Redis } from 'ioredis';
import { RedisStore, type NewAssociation, type Store } from '../../src/store/index.js';
import { dropPrefix } from '../../test/store/redis-fixture.js';
import { startRedisServer } from '../../test/store/redis-server.js';

/**
 * The synthetic association population of the Redis benchmarks (store-search.ts,
 * admin-list.ts): deterministic, so that runs are comparable; users, types, models, OSes
 * and states spread as a large tenant's would be.
 */
export const DAY = 86_400_000;
export const NOW = Date.now();

const TYPES = ['iPhone', 'iPad', 'SamsungDevice', 'Outlook', 'Android', 'WindowsMail'];
const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yvonne'];
const MODELS = Array.from({ length: 300 }, (_, i) => `${['iPhone', 'iPad', 'Galaxy S', 'Pixel ', 'Xperia ', 'Moto G'][i % 6]}${10 + (i % 50)}`);

/** Deterministic pseudo-random numbers (mulberry32). */
let seed = 42;
export function rnd(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n | 0;
}
export const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789ABCDEF'[rnd(16)]).join('');

export function row(i: number): NewAssociation {
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

/** Creates `count` associations, three pipelines at a time; resolves the time taken (ms). */
export async function loadAssociations(store: Store, count: number): Promise<number> {
  const t0 = Date.now();
  const BATCH = 2000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const from = next;
      next += BATCH;
      const rows = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => row(from + k));
      await store.createAssociations(rows);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return Date.now() - t0;
}

export function percentiles(ms: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1]! };
}

export { ACCESS_STATES };

/**
 * The Redis of a benchmark: a private redis-server on a free port, or
 * EASGATE_BENCH_REDIS_URL with a key prefix of its own; a RedisStore on it and a raw client
 * (for INFO). `close` closes both and stops the server or deletes the prefix.
 */
export async function benchRedis(label: string): Promise<{ url: string; store: RedisStore; raw: Redis; close(): Promise<void> }> {
  const external = process.env.EASGATE_BENCH_REDIS_URL;
  const server = external === undefined ? await startRedisServer() : undefined;
  const url = external ?? server!.url;
  const prefix = `easgate-bench-${label}${process.pid}`;
  const store = new RedisStore({ url, keyPrefix: prefix });
  const raw = new Redis(url);
  return {
    url,
    store,
    raw,
    async close() {
      await store.close();
      if (server === undefined) await dropPrefix(prefix, url);
      raw.disconnect();
      await server?.stop();
    },
  };
}

/**
 * Runs each case `times` times, one at a time (`run` resolves how many items it got), and
 * gives a table row per case (name, p50, p95, p99, max, items per run) and the worst p99.
 */
export async function timeCases<Q>(cases: readonly [string, () => Q][], times: number, run: (q: Q) => Promise<number>): Promise<{ rows: (string | number)[][]; worstP99: number }> {
  const rows: (string | number)[][] = [];
  let worstP99 = 0;
  for (const [name, make] of cases) {
    const ms: number[] = [];
    let items = 0;
    for (let i = 0; i < times; i++) {
      const q = make();
      const t0 = performance.now();
      items += await run(q);
      ms.push(performance.now() - t0);
    }
    const p = percentiles(ms);
    worstP99 = Math.max(worstP99, p.p99);
    rows.push([name, p.p50.toFixed(2), p.p95.toFixed(2), p.p99.toFixed(2), p.max.toFixed(2), (items / times).toFixed(1)]);
  }
  return { rows, worstP99 };
}
