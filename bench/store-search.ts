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
import type { AssociationQuery } from '../src/store/index.js';
import { ACCESS_STATES, benchRedis, DAY, loadAssociations, NOW, percentiles, pick, rnd, timeCases } from './lib/associations.js';
import { machine, table } from './lib/report.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 500);

async function main(): Promise<void> {
  const redis = await benchRedis('');
  const { store, raw } = redis;
  try {
    const memBefore = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
    const loadMs = await loadAssociations(store, COUNT);
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
    const timed = await timeCases(cases, QUERIES, async (q) => (await store.queryAssociations({ ...q, limit: 50 })).items.length);
    const { rows } = timed;
    let { worstP99 } = timed;
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
    await redis.close();
  }
}

await main();
