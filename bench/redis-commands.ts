/**
 * node --import tsx bench/redis-commands.ts: Redis commands per 1,000 requests of known
 * devices in steady state, counted by Redis itself (INFO commandstats, reset before each
 * window), through the hot path the proxy runs per request: PolicyRuntime.peek* (cache),
 * evaluate, and SyncRecorder.record (write-behind, flushed every second). Target (issue 4):
 * ≤ 10 commands per 1,000 requests.
 * A private redis-server is started for the run, so that nobody else's commands count.
 * Scenarios differ in how many devices share the request rate: the write-behind costs
 * 2 commands (HSET + ZADD) per association that had requests in a flush interval, so the
 * figure is 2,000 × (active associations per second ÷ requests per second).
 * BENCH_SECONDS (default 5) per scenario, BENCH_RATE requests/s (default 2,000).
 */
import { Redis } from 'ioredis';
import { deviceKey, evaluate, stateDiffers } from '../src/policy/index.js';
import { PolicyRuntime, RedisStore } from '../src/store/index.js';
import { SyncRecorder } from '../src/sync/index.js';
import { startRedisServer } from '../test/store/redis-server.js';
import { machine, table } from './lib/report.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SCENARIOS = [1, 5, 10, 100, 1000, 10_000];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function commandStats(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** The gateway's default EASGATE_LAST_SYNC_WRITE_INTERVAL_MS; BENCH_WRITE_INTERVAL_MS=0 shows writing at every flush. */
const WRITE_INTERVAL_MS = Number(process.env.BENCH_WRITE_INTERVAL_MS ?? 60_000);

async function scenario(url: string, devices: number): Promise<(string | number)[]> {
  const store = new RedisStore({ url, keyPrefix: `cmd-${devices}` });
  const runtime = new PolicyRuntime(store);
  await runtime.start();
  const recorder = new SyncRecorder({ store, instance: 'bench', cache: runtime, minWriteIntervalMs: WRITE_INTERVAL_MS });
  recorder.start();
  const users = Array.from({ length: devices }, (_, i) => `user${i}@example.test`);
  for (const [i, user] of users.entries()) {
    await runtime.ensureMailbox(user);
    await recorder.create({ user, deviceId: `DEV${i}`, deviceType: 'iPhone', model: 'iPhone 15', os: 'iOS 17.1', deviceInfoAt: 1, accessState: 'Allowed', accessReason: 'Global' });
  }
  await sleep(1500); // let the set-up's notifications and debounced refreshes settle
  const raw = new Redis(url);
  await raw.config('RESETSTAT');
  let requests = 0;
  let roundTrips = 0;
  const started = Date.now();
  const perTick = RATE / 100;
  for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
    for (let k = 0; k < perTick; k++) {
      const i = requests++ % devices;
      const user = users[i]!;
      const id = `DEV${i}`;
      const now = Date.now();
      let mailbox = runtime.peekMailbox(user);
      if (mailbox === undefined) (roundTrips++, (mailbox = await runtime.getMailbox(user)));
      const key = deviceKey(id);
      let assoc = runtime.peekAssociation(user, key);
      if (assoc === undefined) (roundTrips++, (assoc = await runtime.getAssociation(user, key)));
      const d = evaluate(runtime.snapshot, mailbox, assoc, { command: 'Sync', user, deviceKey: key, deviceType: 'iPhone', userAgent: 'Apple-iPhone15C2/2101.1', now });
      if (assoc !== null && stateDiffers(assoc, d)) await runtime.recordDecision(assoc, d, now);
      recorder.record({ user, deviceId: id, at: now, command: 'Sync', success: true, protocolVersion: '16.1', userAgent: 'Apple-iPhone15C2/2101.1' });
    }
    await sleep(Math.max(0, started + (tick + 1) * 10 - Date.now()));
  }
  const stats = commandStats(await raw.info('commandstats'));
  stats.delete('info');
  stats.delete('config|resetstat');
  const total = [...stats.values()].reduce((a, b) => a + b, 0);
  const breakdown = [...stats].map(([c, n]) => `${c} ${n}`).join(', ');
  await recorder.stop();
  await runtime.stop();
  await store.close();
  raw.disconnect();
  const per1000 = (total / requests) * 1000;
  return [devices, requests, total, per1000.toFixed(2), per1000 <= 10 ? 'yes' : 'no', roundTrips, breakdown || '–'];
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  try {
    const rows: (string | number)[][] = [];
    for (const devices of SCENARIOS) rows.push(await scenario(server.url, devices));
    console.log(`${new Date().toISOString().slice(0, 10)} · ${machine()}`);
    console.log(`${RATE} requests/s for ${SECONDS} s per scenario, round-robin over the devices, all known and cached; recorder flush every 1 s, an association written at most every ${WRITE_INTERVAL_MS} ms`);
    console.log(table(['devices', 'requests', 'Redis commands', 'per 1,000 requests', '≤ 10', 'cache misses', 'commands (INFO commandstats)'], rows));
  } finally {
    await server.stop();
  }
}

await main();
