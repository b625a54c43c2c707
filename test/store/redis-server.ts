import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { requireTool } from '../helpers/tools.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `easgate-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A redis-server or redis-sentinel process of a test's own, answering PING. */
export interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Sends the signal and resolves once the process is gone (at once if it is already). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Children still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Starts Debian's `command` (redis-server or redis-sentinel) with `args` (a config file
 * and/or options) and waits until it answers PING on 127.0.0.1:port (with `password` when
 * it has one).
 */
export async function startRedisProcess(command: 'redis-server' | 'redis-sentinel', port: number, args: string[], password?: string, tls?: ServerTls): Promise<RedisProcess> {
  requireTool(command);
  if (tls !== undefined) tlsPorts.set(port, { ca: readFileSync(tls.ca, 'utf8') });
  const child = spawn(command, args, { stdio: 'ignore' });
  running.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => running.delete(child));
  const proc: RedisProcess = {
    port,
    child,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(password !== undefined ? { password } : {}), ...clientTls(port) });
  probe.on('error', () => undefined); // refused until the server listens
  try {
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        await probe.ping();
        return proc;
      } catch (err) {
        if (i > 100 || child.exitCode !== null) {
          await proc.kill('SIGKILL');
          throw new Error(`${command} did not start on port ${port}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
}

/** The options every test server shares: loopback only, no persistence; with `tls`, TLS only (replication and the cluster bus too). */
export function serverArgs(port: number, dir: string, tls?: ServerTls): string[] {
  const listen = tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), ...tlsArgs(tls)];
  return [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
}

/** A server certificate (for IP:127.0.0.1) and the private CA that signed it, as PEM files. */
export interface ServerTls {
  ca: string;
  cert: string;
  key: string;
}

/** The TLS options of redis-server and redis-sentinel, as `--name value` pairs (the config file form drops the dashes). */
export function tlsArgs(tls: ServerTls): string[] {
  return ['--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no', '--tls-replication', 'yes', '--tls-cluster', 'yes'];
}

/** Ports of test servers that speak TLS only, with what a client needs to trust them. */
const tlsPorts = new Map<number, ConnectionOptions>();

/** ioredis options for a test's own connection to `port`: TLS with the test CA when the server there speaks TLS. */
export function clientTls(port: number): { tls?: ConnectionOptions } {
  const tls = tlsPorts.get(port);
  return tls === undefined ? {} : { tls };
}

/**
 * A private redis-server (Debian's binary) on a free port, without persistence: for
 * benchmarks that need Redis' own statistics undisturbed by other users of the shared one,
 * or that load a million keys.
 */
export async function startRedisServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = await tempDir('redis');
  const server = await startRedisProcess('redis-server', port, serverArgs(port, dir.path));
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await server.kill();
      await dir.remove();
    },
  };
}
