/**
 * npm run bench:cpu: CPU time each proxy process spends per forwarded request, read from
 * /proc/<pid>/stat (utime + stime) around a fixed number of requests. On a shared machine
 * this is steadier than req/s: another process taking a core lowers req/s, not the CPU a
 * request costs. The allowed Sync POST of bench:proxy (1 KiB request, 2 KiB answer),
 * autocannon at BENCH_CONNECTIONS (50) connections, BENCH_REQUESTS (40,000) per
 * measurement after 5,000 of warm-up, BENCH_ROUNDS (3) interleaved rounds, medians.
 * Targets: the raw node:http pipe, easgate (log at info, the default) and easgate with the
 * log at warn, all in front of the same fast upstream.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, start, startTs, waitForPort, type Proc, ROOT } from './lib/processes.js';
import { machine, median, table } from './lib/report.js';
import { SYNC_BODY, SYNC_HEADERS, syncQuery } from './lib/sync-request.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40_000);
const WARMUP = 5_000;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const HZ = 100;

interface Target {
  name: string;
  port: number;
  proc: Proc;
}

/** utime + stime of the process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / HZ;
}

async function drive(port: number, amount: number): Promise<{ errors: number; non2xx: number }> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${syncQuery('BENCH0001')}`,
    method: 'POST',
    headers: SYNC_HEADERS,
    body: SYNC_BODY,
    connections: CONNECTIONS,
    amount,
  });
  return { errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

async function main(): Promise<void> {
  const procs: Proc[] = [];
  try {
    const upstreamPort = await freePort();
    procs.push(startTs('fast-upstream.ts', [String(upstreamPort)]));
    await waitForPort(upstreamPort);
    const targets: Target[] = [];
    const add = async (name: string, make: (port: number) => Proc): Promise<void> => {
      const port = await freePort();
      const proc = make(port);
      procs.push(proc);
      await waitForPort(port);
      targets.push({ name, port, proc });
    };
    const easgate = (level: string) => (p: number) =>
      start(process.execPath, [join(ROOT, 'dist/cli/easgate.js'), 'serve'], {
        EASGATE_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/Microsoft-Server-ActiveSync`,
        EASGATE_HOST: '127.0.0.1',
        EASGATE_PORT: String(p),
        EASGATE_LOG_LEVEL: level,
      });
    await add('raw node:http pipe', (p) => startTs('raw-pipe.ts', [String(p), String(upstreamPort)]));
    await add('easgate', easgate('info'));
    await add('easgate (log level warn)', easgate('warn'));

    const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        await drive(t.port, WARMUP);
        const before = cpuSeconds(t.proc.child.pid!);
        const r = await drive(t.port, REQUESTS);
        const used = cpuSeconds(t.proc.child.pid!) - before;
        if (r.errors > 0 || r.non2xx > 0) throw new Error(`${t.name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
        const us = (used / REQUESTS) * 1e6;
        samples.get(t.name)!.push(us);
        process.stdout.write(`round ${round} ${t.name}: ${us.toFixed(1)} µs CPU per request\n`);
      }
    }
    const raw = median(samples.get('raw node:http pipe')!);
    process.stdout.write(`\n${machine()}\n\n`);
    process.stdout.write(
      table(
        ['target', 'CPU µs per request (median)', 'rounds', 'raw pipe / target'],
        targets.map((t) => {
          const s = samples.get(t.name)!;
          return [t.name, median(s).toFixed(1), s.map((x) => x.toFixed(1)).join(', '), (raw / median(s)).toFixed(2)];
        }),
      ),
    );
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

await main();
