/**
 * What easgate adds to a device's request in front of a real ActiveSync server: the
 * median and p99 time of a FolderSync and of a Sync through easgate minus directly to
 * SOGo (the rig of test/e2e/sogo/setup.sh, docs/sogo.md).
 *
 *   node --import tsx bench/sogo-overhead.ts [--requests 500] [--write]
 *
 * One device (alice) per path, each with its own device ID and sync state, in the steady
 * state a phone spends its day in: FolderSync with its current key, Sync of the Inbox
 * with its current key (nothing new). Requests alternate between the two paths one by
 * one, so that whatever else the machine does falls on both alike. The gateway runs as
 * its own process (`easgate serve` through tsx, logging at info to /dev/null, as in
 * production); the device keeps its connection to the gateway, while directly it must
 * open one per request, because sogod closes each connection after answering (what a
 * phone talking to SOGo gets too). `--write` puts the figures into bench/RESULTS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { DeviceSimulator } from '../src/peers/index.js';
import { freePort, ROOT, start, waitForPort } from './lib/processes.js';
import { machine, median, table } from './lib/report.js';

const SOGO_URL = process.env.EASGATE_SOGO_URL ?? 'http://127.0.0.1:20000/SOGo/Microsoft-Server-ActiveSync';
const SECTION = '## Through easgate in front of SOGo';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '500' }, write: { type: 'boolean', default: false } } });
const N = Number(values.requests);
if (!Number.isInteger(N) || N < 10) throw new Error('--requests takes a whole number of at least 10');

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1]!;
const ms = (x: number): string => x.toFixed(2);

async function main(): Promise<void> {
  const port = await freePort();
  const gateway = start(process.execPath, ['--import', 'tsx', 'src/cli/easgate.ts', 'serve'], {
    EASGATE_UPSTREAM_URL: SOGO_URL,
    EASGATE_HOST: '127.0.0.1',
    EASGATE_PORT: String(port),
    EASGATE_LOG_LEVEL: 'info',
  });
  const direct = new Agent({ pipelining: 0 });
  const toGateway = new Agent({ keepAliveTimeout: 30_000 });
  const stamp = Date.now().toString(36).toUpperCase();
  const sims = {
    direct: new DeviceSimulator({ url: SOGO_URL, user: 'alice', password: 'alice123', deviceId: `BENCHDIRECT${stamp}`, dispatcher: direct }),
    easgate: new DeviceSimulator({ url: `http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`, user: 'alice', password: 'alice123', deviceId: `BENCHGATE${stamp}`, dispatcher: toGateway }),
  };
  try {
    await waitForPort(port);
    for (const sim of Object.values(sims)) {
      const f = await sim.folderSync();
      if (f.status !== 1) throw new Error(`FolderSync answered HTTP ${f.response.status} Status ${String(f.status)}: is SOGo up (${SOGO_URL})?`);
      await sim.syncUntilDone();
    }
    const commands = {
      FolderSync: async (sim: DeviceSimulator) => check((await sim.folderSync()).response.status),
      Sync: async (sim: DeviceSimulator) => check((await sim.sync(sim.inboxId!)).response.status),
    };
    const rows: (string | number)[][] = [];
    for (const [name, send] of Object.entries(commands)) {
      const times = { direct: [] as number[], easgate: [] as number[] };
      for (let i = 0; i < N + 20; i++) {
        for (const path of i % 2 === 0 ? (['direct', 'easgate'] as const) : (['easgate', 'direct'] as const)) {
          const t0 = performance.now();
          await send(sims[path]);
          if (i >= 20) times[path].push(performance.now() - t0); // the first 20 warm up
        }
      }
      const d = { median: median(times.direct), p99: p99(times.direct) };
      const e = { median: median(times.easgate), p99: p99(times.easgate) };
      rows.push([name, N, ms(d.median), ms(e.median), `**${ms(e.median - d.median)}**`, ms(d.p99), ms(e.p99), `**${ms(e.p99 - d.p99)}**`]);
    }
    const text = report(rows);
    process.stdout.write(`${text}\n`);
    if (values.write) writeSection(text);
  } finally {
    await Promise.all(Object.values(sims).map((s) => s.close()));
    await direct.close();
    await toGateway.close();
    await gateway.stop();
  }
}

function check(status: number): void {
  if (status !== 200) throw new Error(`SOGo answered HTTP ${status}`);
}

function report(rows: (string | number)[][]): string {
  return [
    SECTION,
    '',
    '`npm run bench:sogo` (bench/sogo-overhead.ts): one device per path in its steady state',
    '(FolderSync and Sync of the Inbox with its current keys, nothing new), requests',
    'alternating between SOGo directly and easgate in front of it, after 20 warm-up requests',
    'each. easgate runs as its own process (`easgate serve`, log level info). Milliseconds.',
    '',
    `- Date: ${new Date().toUTCString()}`,
    `- Machine: ${machine()}; SOGo 5.8 (Debian 12 packages) with 5 workers on the same machine`,
    '',
    table(['request', 'n', 'direct median', 'easgate median', 'added (median)', 'direct p99', 'easgate p99', 'added (p99)'], rows),
    '',
  ].join('\n');
}

/** Replaces this benchmark's own section of bench/RESULTS.md (or appends it), leaving the others alone. */
function writeSection(text: string): void {
  const file = `${ROOT}bench/RESULTS.md`;
  const old = readFileSync(file, 'utf8');
  const at = old.indexOf(`\n${SECTION}\n`);
  let next: string;
  if (at < 0) next = `${old.trimEnd()}\n\n${text}`;
  else {
    const after = old.indexOf('\n## ', at + SECTION.length + 1);
    next = `${old.slice(0, at + 1)}${text}${after < 0 ? '' : `\n${old.slice(after + 1)}`}`;
  }
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
  process.stdout.write(`written to ${file}\n`);
}

await main();
