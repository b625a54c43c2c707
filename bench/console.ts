/**
 * npm run bench:console: the admin console in Debian's Chromium over 1,000,000 associations
 * in Redis (a private redis-server, or EASGATE_BENCH_REDIS_URL with a prefix of its own):
 * the time to the first rendered Associations page (navigation start to the first row
 * drawn, signed in, cold and warm cache) and to a search result (the last keystroke to the
 * rows of the answer drawn, the console's 200 ms typing pause included).
 * BENCH_ASSOCIATIONS changes the count, BENCH_QUERIES the samples per case (default 30).
 */
import { chromium, type Page } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { buildGateway } from '../src/app.js';
import { mintToken } from '../src/api/index.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/log/logger.js';
import { benchRedis, loadAssociations, percentiles, pick, rnd } from './lib/associations.js';
import { machine, table } from './lib/report.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 30);
const CHROMIUM = process.env.EASGATE_CHROMIUM ?? '/usr/bin/chromium';

async function firstRow(page: Page, path: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(path, { waitUntil: 'commit' });
  await page.locator('table.list tbody tr').first().waitFor();
  return Date.now() - t0;
}

async function main(): Promise<void> {
  const redis = await benchRedis('console-');
  const config = loadConfig({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:9/Microsoft-Server-ActiveSync', EASGATE_HOST: '127.0.0.1', EASGATE_PORT: '0', EASGATE_ADMIN_PORT: '0', EASGATE_LOG_LEVEL: 'warn' });
  const gateway = await buildGateway(config, { store: redis.store, logger: createLogger('warn') });
  await gateway.listen();
  const origin = `http://127.0.0.1:${(gateway.admin!.app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const loadMs = await loadAssociations(redis.store, COUNT);
    const { token, record } = mintToken('bench', 'admin', 'bench', Date.now());
    await redis.store.createToken(record);
    const rows: (string | number)[][] = [];
    const add = (name: string, ms: number[]): void => {
      const p = percentiles(ms);
      rows.push([name, p.p50.toFixed(0), p.p95.toFixed(0), p.max.toFixed(0), ms.length]);
    };

    const cold: number[] = [];
    for (let i = 0; i < Math.min(QUERIES, 10); i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: origin });
      await context.request.post('/api/v1/session', { data: { token } });
      cold.push(await firstRow(await context.newPage(), '/admin/associations'));
      await context.close();
    }
    add('first rendered Associations page, new browser context (cold cache)', cold);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: origin });
    await context.request.post('/api/v1/session', { data: { token } });
    const page = await context.newPage();
    const warm: number[] = [];
    for (let i = 0; i < QUERIES; i++) warm.push(await firstRow(page, '/admin/associations'));
    add('first rendered Associations page, reload (warm cache)', warm);

    const sample = (await (await context.request.get('/api/v1/associations?limit=500&sort=deviceId')).json()) as { items: { user: string; model?: string; deviceId: string }[] };
    const search = async (prefix: string): Promise<number> => {
      // Back to the whole list first (its own request), so that every search is a new query.
      const held = await page.getByRole('searchbox').inputValue();
      const cleared = held.length >= 2 ? page.waitForResponse((r) => r.url().includes('/api/v1/associations?') && new URL(r.url()).searchParams.get('q') === null) : undefined;
      await page.getByRole('searchbox').fill('');
      await cleared;
      await page.locator('table.list[aria-busy=false]').waitFor();
      const answered = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === prefix);
      const t0 = Date.now();
      await page.getByRole('searchbox').fill(prefix);
      await answered;
      await page.locator('table.list[aria-busy=false]').waitFor();
      return Date.now() - t0;
    };
    for (const [name, field, min, max] of [
      ['search result, user prefix (2–4 chars)', 'user', 2, 4],
      ['search result, model prefix (2–5 chars)', 'model', 2, 5],
      ['search result, device ID prefix (2–4 chars)', 'deviceId', 2, 4],
    ] as const) {
      const ms: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        // As typed: the console trims what it sends ("Pixel 8" cut after the space is "pixel").
        const prefix = ((pick(sample.items)[field] as string | undefined) ?? 'ip').slice(0, min + rnd(max - min + 1)).toLowerCase().trim();
        if (prefix.length >= 2) ms.push(await search(prefix));
      }
      add(name, ms);
    }
    const version = (await redis.raw.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?';
    console.log(`${new Date().toISOString().slice(0, 16)} · ${machine()} · Redis ${version} · ${browser.version()}`);
    console.log(`${await redis.store.countAssociations()} associations loaded in ${(loadMs / 1000).toFixed(1)} s`);
    console.log(table(['console over Redis', 'p50 ms', 'p95 ms', 'max ms', 'samples'], rows));
  } finally {
    await browser.close();
    await gateway.stop();
    await redis.close();
  }
}

await main();
