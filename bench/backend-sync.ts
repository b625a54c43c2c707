/**
 * node --import tsx bench/backend-sync.ts: a full backend sync of 1,000,000 associations
 * from Redis to the sample backend over HTTP (issue 8): time, peak memory of the process,
 * Redis commands. Redis: a private redis-server (or EASGATE_BENCH_REDIS_URL with a prefix
 * of its own). BENCH_ASSOCIATIONS changes the count; batches of 500. The sample backend
 * runs in the same process and keeps only batch ids, so the peak is the sync's own.
 */
import { createLogger } from '../src/log/logger.js';
import { startSampleBackend } from '../src/peers/sample-backend/index.js';
import { BackendSync, HttpBackendConnector, MemoryCoordinator } from '../src/sync/index.js';
import { benchRedis, loadAssociations } from './lib/associations.js';
import { machine } from './lib/report.js';

const COUNT = Number(process.env.BENCH_ASSOCIATIONS ?? 1_000_000);

async function commands(raw: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await raw.info('stats'))?.[1]);
}

async function main(): Promise<void> {
  const redis = await benchRedis('sync');
  const backend = await startSampleBackend({ discard: true });
  const connector = new HttpBackendConnector({ url: backend.url });
  try {
    const loadMs = await loadAssociations(redis.store, COUNT);
    const count = await redis.store.countAssociations();
    const sync = new BackendSync({
      store: redis.store,
      connector,
      coordinator: new MemoryCoordinator(),
      instance: 'bench',
      log: createLogger('silent'),
      normalizeUser: (u) => u,
      batchSize: 500,
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const cmdBefore = await commands(redis.raw);
    const t0 = performance.now();
    const report = await sync.run({ full: true });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const cmd = (await commands(redis.raw)) - cmdBefore - 1;
    if (report.error !== undefined) throw new Error(`${report.error.code}: ${report.error.message}`);
    console.log(`${new Date().toISOString().slice(0, 10)} · ${machine()} · ${(await redis.raw.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?'} Redis`);
    console.log(`${count} associations loaded in ${(loadMs / 1000).toFixed(1)} s`);
    console.log(`full sync: ${report.pushed} associations in ${report.batches} batches of 500 in ${(ms / 1000).toFixed(1)} s (${Math.round(report.pushed / (ms / 1000))}/s); backend stored ${backend.stored}`);
    console.log(`process RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${((peak - rssBefore) / 2 ** 20).toFixed(0)} MiB)`);
    console.log(`Redis commands: ${cmd} (${(cmd / report.batches).toFixed(1)} per batch, ${(cmd / report.pushed).toFixed(2)} per association)`);
  } finally {
    await connector.close();
    await backend.close();
    await redis.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
