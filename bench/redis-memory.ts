/**
 * node --import tsx bench/redis-memory.ts: Redis memory per association, for sizing
 * (docs/operations.md). Writes BENCH_ASSOCIATIONS (default 100,000) associations of the
 * benchmark population through the RedisStore into a private redis-server, and reads
 * INFO memory before and after; then the size of a snapshot (BGSAVE) and of an AOF
 * rewrite of the same data, for the disk the persistence needs. With
 * EASGATE_BENCH_REDIS_URL instead, only the memory is measured (other users' keys count in
 * INFO there, so the figure is only as good as that Redis is quiet).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { benchRedis, loadAssociations } from './lib/associations.js';
import { machine, table } from './lib/report.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 100_000);

const field = (info: string, name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);

async function waitFor(raw: Redis, section: string, flag: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const info = await raw.info(section);
    if (field(info, flag) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${flag} did not end`);
}

async function main(): Promise<void> {
  const redis = await benchRedis('mem');
  const { store, raw } = redis;
  try {
    const before = await raw.info('memory');
    const keysBefore = await raw.dbsize();
    const loadMs = await loadAssociations(store, COUNT);
    const after = await raw.info('memory');
    const count = await store.countAssociations();
    const keys = (await raw.dbsize()) - keysBefore;
    const used = field(after, 'used_memory') - field(before, 'used_memory');
    const rss = field(after, 'used_memory_rss') - field(before, 'used_memory_rss');
    const rows: (string | number)[][] = [
      ['associations written', count.toLocaleString('en')],
      ['keys added', `${keys.toLocaleString('en')} (${(keys / count).toFixed(2)} per association)`],
      ['used_memory added', `${(used / 2 ** 20).toFixed(1)} MiB: **${Math.round(used / count)} B per association**`],
      ['used_memory_rss added', `${(rss / 2 ** 20).toFixed(1)} MiB (${Math.round(rss / count)} B per association)`],
      ['load time', `${(loadMs / 1000).toFixed(1)} s`],
    ];
    if (process.env.EASGATE_BENCH_REDIS_URL === undefined) {
      const dir = ((await raw.config('GET', 'dir')) as string[])[1]!;
      await raw.bgsave();
      await waitFor(raw, 'persistence', 'rdb_bgsave_in_progress');
      const rdb = (await stat(join(dir, 'dump.rdb'))).size;
      rows.push(['RDB snapshot (BGSAVE)', `${(rdb / 2 ** 20).toFixed(1)} MiB (${Math.round(rdb / count)} B per association)`]);
      // Turning AOF on writes the whole data set as a rewrite: its size is what a rewritten AOF takes.
      await raw.config('SET', 'appendonly', 'yes');
      await new Promise((r) => setTimeout(r, 200));
      await waitFor(raw, 'persistence', 'aof_rewrite_in_progress');
      await waitFor(raw, 'persistence', 'aof_rewrite_scheduled');
      const aof = field(await raw.info('persistence'), 'aof_current_size');
      rows.push(['AOF after rewrite', `${(aof / 2 ** 20).toFixed(1)} MiB (${Math.round(aof / count)} B per association)`]);
    }
    console.log(`Date: ${new Date().toISOString()}. Machine: ${machine()}. ${(await raw.info('server')).match(/redis_version:(\S+)/)?.[0] ?? ''}`);
    console.log(table(['measure', 'value'], rows));
  } finally {
    await redis.close();
  }
}

await main();
