import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { forbiddenInLogs } from './helpers/credentials.js';
import { requireTool } from './helpers/tools.js';
import { freePort } from './store/redis-server.js';

/**
 * Once per run:
 * - a Redis of the run's own on a free port (unless EASGATE_TEST_REDIS_URL names one),
 *   stopped at the end, so that no test's key outlives the run; with a Redis named from
 *   outside, the keys of this run's test prefixes that a test left are deleted at the end;
 * - every gateway a test starts also writes its log lines into one folder; after the whole
 *   run, no credential the suite used may appear in any of them. A hit fails the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-test-logs-'));
  process.env.EASGATE_TEST_LOG_DIR = dir;
  process.env.EASGATE_TEST_RUN ??= `${process.pid}`;
  const redis = process.env.EASGATE_TEST_REDIS_URL === undefined ? await startRunRedis() : null;
  if (redis !== null) process.env.EASGATE_TEST_REDIS_URL = redis.url;
  const redisUrl = process.env.EASGATE_TEST_REDIS_URL as string;

  return async () => {
    try {
      await dropRunKeys(redisUrl, redis === null);
    } finally {
      await redis?.stop();
    }
    const secrets = forbiddenInLogs();
    const hits: string[] = [];
    let lines = 0;
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      lines += text.split('\n').length;
      for (const s of secrets) if (text.includes(s)) hits.push(`${f}: contains a test credential (${s.slice(0, 4)}…)`);
    }
    rmSync(dir, { recursive: true, force: true });
    if (hits.length > 0) throw new Error(`credentials reached the logs of this run:\n${hits.join('\n')}`);
    if (process.env.EASGATE_TEST_VERBOSE) process.stdout.write(`log redaction check: ${lines} lines clean\n`);
  };
}

async function startRunRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'easgate-test-redis-'));
  requireTool('redis-server');
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', data], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const failed = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`redis-server could not be started (${err.message}): the store tests need Debian's redis-server (npm test installs it)`))));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(data, { recursive: true, force: true });
  };
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  try {
    for (;;) {
      try {
        await Promise.race([probe.connect().then(() => probe.ping()), failed]);
        break;
      } catch (err) {
        if (Date.now() > deadline || child.exitCode !== null || (err as Error).message.startsWith('redis-server could not')) {
          await stop();
          throw err;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/** Deletes the keys of this run's test prefixes (test/store/redis-fixture.ts uniquePrefix) and says how many a test left. */
async function dropRunKeys(url: string, external: boolean): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  r.on('error', () => undefined);
  let left = 0;
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `{easgate-test-${process.env.EASGATE_TEST_RUN}-*`, 'COUNT', 1000);
      cursor = next;
      left += keys.length;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    /* the run's Redis is gone already: nothing of it is left */
  } finally {
    r.disconnect();
  }
  if (left > 0 && external) process.stdout.write(`removed ${left} Redis key(s) that tests of this run left in ${url.replace(/\/\/[^@]*@/, '//')}\n`);
}
