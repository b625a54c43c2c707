/**
 * node --import tsx bench/admin-list.ts: GET /api/v1/associations over 1,000,000
 * associations in Redis, through the admin API over HTTP (issue 6: p99 ≤ 50 ms per page).
 * Redis: a private redis-server started for the run (stopped afterwards), or
 * EASGATE_BENCH_REDIS_URL with a key prefix of its own that is deleted afterwards.
 * BENCH_ASSOCIATIONS changes the count (default 1,000,000), BENCH_QUERIES the samples per
 * case (default 300). Requests run one at a time over one keep-alive connection (latency,
 * not throughput), measured in the client: HTTP, token check, validation, Redis, JSON.
 */
import { Pool } from 'undici';
import { buildAdminServer, mintToken } from '../src/api/index.js';
import { createLogger } from '../src/log/logger.js';
import { createUserNormalizer } from '../src/policy/index.js';
import type { Association } from '../src/policy/index.js';
import { benchRedis, DAY, loadAssociations, NOW, percentiles, pick, rnd, timeCases } from './lib/associations.js';
import { machine, table } from './lib/report.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);

async function main(): Promise<void> {
  const redis = await benchRedis('admin-');
  const { store, raw } = redis;
  const api = await buildAdminServer({ store, log: createLogger('warn'), normalizeUser: createUserNormalizer() }, { host: '127.0.0.1', port: 0 });
  const address = await api.listen();
  const pool = new Pool(`http://127.0.0.1:${address.port}`, { connections: 1 });
  try {
    const loadMs = await loadAssociations(store, COUNT);
    const { token, record } = mintToken('bench', 'viewer', 'bench', Date.now());
    await store.createToken(record);
    const get = async (path: string): Promise<{ items: Association[]; nextCursor: string | null }> => {
      const res = await pool.request({ method: 'GET', path: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` } });
      const body = (await res.body.json()) as { items: Association[]; nextCursor: string | null; message?: string };
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.message ?? ''}`);
      return body;
    };
    const sample = (await get('/associations?limit=500&sort=deviceId')).items;
    const word = (s: string | undefined, min: number, max: number): string => encodeURIComponent((s ?? 'xx').slice(0, min + rnd(max - min + 1)));
    const day = (): string => {
      const from = NOW - rnd(365) * DAY;
      return `lastSyncAfter=${new Date(from).toISOString()}&lastSyncBefore=${new Date(from + DAY).toISOString()}`;
    };
    const cases: [string, () => string][] = [
      ['list, newest sync first (default)', () => '/associations'],
      ['list sorted by user', () => '/associations?sort=user'],
      ['list sorted by model, descending', () => '/associations?sort=model&order=desc'],
      ['list sorted by OS', () => '/associations?sort=os'],
      ['list sorted by first sync', () => '/associations?sort=firstSync'],
      ['list sorted by access state', () => '/associations?sort=accessState'],
      ['search q, user prefix (2–4 chars)', () => `/associations?q=${word(pick(sample).user, 2, 4)}`],
      ['search q, device ID prefix (2–4 chars)', () => `/associations?q=${word(pick(sample).deviceId, 2, 4)}`],
      ['search q, model prefix (2–5 chars)', () => `/associations?q=${word(pick(sample).model, 2, 5)}`],
      ['search q + state=Blocked (5 %)', () => `/associations?q=${word(pick(sample).model, 2, 3)}&state=Blocked`],
      ['filter state=Quarantined (4 %, its index)', () => '/associations?state=Quarantined'],
      ['filter state=Blocked, sorted by last sync (5 %, filtered)', () => '/associations?state=Blocked&sort=lastSync'],
      ['filter deviceType=iPad, sorted by type', () => '/associations?deviceType=iPad&sort=deviceType'],
      ['filter domain=corp.test (33 %, filtered)', () => '/associations?domain=corp.test'],
      ['filter last sync within a random day', () => `/associations?${day()}`],
      ['filter user= (one user, sorted by model)', () => `/associations?user=${encodeURIComponent(pick(sample).user)}&sort=model`],
      ['rare filter linked=true (0 %, 2,500 looked at)', () => '/associations?linked=true'],
    ];
    const timed = await timeCases(cases, QUERIES, async (base) => (await get(`${base}${base.includes('?') ? '&' : '?'}limit=50`)).items.length);
    const { rows } = timed;
    let { worstP99 } = timed;
    // Deep pagination: 40 pages of 50 by model, cursor after cursor.
    const pageMs: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      cursor = (await get(`/associations?sort=model&limit=50${cursor === null ? '' : `&cursor=${cursor}`}`)).nextCursor;
      pageMs.push(performance.now() - t0);
    }
    const deep = percentiles(pageMs);
    worstP99 = Math.max(worstP99, deep.p99);
    rows.push(['pages 1–40 sorted by model (cursor)', deep.p50.toFixed(2), deep.p95.toFixed(2), deep.p99.toFixed(2), deep.max.toFixed(2), '50']);

    // The alternative to filtering next to the data: load every hash looked at and filter in Node.
    const nodeMs: number[] = [];
    for (let i = 0; i < Math.min(QUERIES, 100); i++) {
      const t0 = performance.now();
      let c: string | undefined;
      for (let seen = 0; seen < 2500; seen += 500) {
        const p = await store.queryAssociations({ index: 'lastSync', order: 'desc', limit: 500, ...(c === undefined ? {} : { cursor: c }) });
        p.items.filter((a) => a.backendDeviceId !== undefined);
        c = p.nextCursor ?? undefined;
      }
      nodeMs.push(performance.now() - t0);
    }
    const alt = percentiles(nodeMs);
    rows.push(['alternative: the rare filter in Node (2,500 hashes loaded, store only)', alt.p50.toFixed(2), alt.p95.toFixed(2), alt.p99.toFixed(2), alt.max.toFixed(2), '0.0']);

    const version = (await raw.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?';
    console.log(`${new Date().toISOString().slice(0, 16)} · ${machine()} · Redis ${version}`);
    console.log(`${await store.countAssociations()} associations loaded in ${(loadMs / 1000).toFixed(1)} s; ${QUERIES} requests per case, pages of 50`);
    console.log(table(['GET /api/v1/associations (pages of 50)', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'items/page'], rows));
    console.log(`worst p99: ${worstP99.toFixed(2)} ms → target p99 ≤ 50 ms ${worstP99 <= 50 ? 'met' : 'NOT met'}`);
  } finally {
    await pool.close();
    await api.close();
    await redis.close();
  }
}

await main();
