/**
 * npm run bench:longpoll: holds N Pings through easgate (BENCH_PINGS, default 10,000) against
 * an upstream that never answers them, and prints the gateway's RSS and heap per held Ping
 * and its event-loop delay p99 while they are held. Every Ping needs two sockets in the
 * gateway (device side and upstream side), so N is capped by the open-file limit.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, startTs, waitForPort } from './lib/processes.js';
import { machine } from './lib/report.js';

interface Stats {
  rss: number;
  heapUsed: number;
  external: number;
  held: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

const wanted = Number(process.env.BENCH_PINGS ?? 10_000);
const HOLD_S = Number(process.env.BENCH_HOLD_SECONDS ?? 10);
const PING = Buffer.from([3, 1, 0x6a, 0, 0, 0x0d, 0x45, 0x48, 3, 0x39, 0x30, 0x30, 0, 1, 1]); // HeartbeatInterval 900

async function fdLimit(): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

async function main(): Promise<void> {
  const limit = await fdLimit();
  const n = Math.min(wanted, Math.floor((limit - 200) / 2));
  if (n < wanted) process.stderr.write(`open-file limit ${limit}: the gateway needs 2 sockets per held Ping, so N is capped at ${n} (wanted ${wanted})\n`);

  const upstreamPort = await freePort();
  const upstream = startTs('fast-upstream.ts', [String(upstreamPort)]);
  await waitForPort(upstreamPort);
  const gwPort = await freePort();
  const gw = fork(fileURLToPath(new URL('lib/gateway-probe.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: {
      ...process.env,
      EASGATE_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/Microsoft-Server-ActiveSync`,
      EASGATE_HOST: '127.0.0.1',
      EASGATE_PORT: String(gwPort),
      EASGATE_LOG_LEVEL: 'warn',
      EASGATE_DRAIN_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ask = <T>(type: string): Promise<T> =>
    new Promise((resolve) => {
      gw.once('message', (m) => resolve(m as T));
      gw.send({ type });
    });
  await new Promise<void>((resolve) => gw.once('message', () => resolve()));

  // Warm up with a few Pings answered by closing, then take the baseline.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const sockets: import('node:http').ClientRequest[] = [];
  const before = await ask<Stats>('stats');
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const req = request({
      host: '127.0.0.1',
      port: gwPort,
      method: 'POST',
      path: `/Microsoft-Server-ActiveSync?Cmd=Ping&User=user${i}%40example.test&DeviceId=PING${i}&DeviceType=iPhone`,
      headers: { 'content-type': 'application/vnd.ms-sync.wbxml', 'ms-asprotocolversion': '14.1', 'content-length': PING.length },
      agent,
    });
    req.on('error', () => undefined);
    req.end(PING);
    sockets.push(req);
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  let held = 0;
  while (held < n && Date.now() - t0 < 120_000) {
    await new Promise((r) => setTimeout(r, 250));
    held = (await ask<Stats>('stats')).held;
  }
  const rampS = (Date.now() - t0) / 1000;
  await ask('reset-delay');
  await new Promise((r) => setTimeout(r, HOLD_S * 1000));
  const after = await ask<Stats>('stats');

  const per = (k: 'rss' | 'heapUsed' | 'external'): string => ((after[k] - before[k]) / Math.max(1, after.held) / 1024).toFixed(2);
  process.stdout.write(
    [
      `machine: ${machine()}`,
      `date: ${new Date().toISOString()}`,
      `held Pings: ${after.held} of ${n} (ramp ${rampS.toFixed(1)} s, then held ${HOLD_S} s)`,
      `gateway RSS: ${(before.rss / 2 ** 20).toFixed(1)} MiB idle → ${(after.rss / 2 ** 20).toFixed(1)} MiB; ${per('rss')} KiB per held Ping`,
      `gateway heap used: ${(before.heapUsed / 2 ** 20).toFixed(1)} MiB → ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB; ${per('heapUsed')} KiB per held Ping (external ${per('external')} KiB)`,
      `event-loop delay while held: p99 ${after.delayP99Ms.toFixed(2)} ms, max ${after.delayMaxMs.toFixed(2)} ms`,
    ].join('\n') + '\n',
  );
  for (const s of sockets) s.destroy();
  gw.send({ type: 'stop' });
  await new Promise((r) => gw.once('exit', r));
  await upstream.stop();
}

await main();
