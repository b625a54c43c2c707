import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testLogDir } from './gateway.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildGateway {
  child: ChildProcess;
  url: string;
  port: number;
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<number | null>;
  /** Resolves once the gateway listens; rejects if it exits first. */
  ready: Promise<void>;
}

/**
 * Runs `easgate serve` as its own process (from the TypeScript sources through tsx), for
 * what only a real process shows: signals, exit codes, start-up failures.
 */
export function spawnGateway(env: Record<string, string>, args: string[] = ['serve']): ChildGateway {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/easgate.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, EASGATE_HOST: '127.0.0.1', EASGATE_PORT: '0', EASGATE_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const dir = testLogDir();
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const file = dir === undefined ? undefined : join(dir, `child-${process.pid}-${child.pid}.log`);
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const result = { child, url: '', port: 0, logs, stderr } as ChildGateway;
  let buffered = '';
  result.ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (file !== undefined) appendFileSync(file, text);
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          parsed = { raw: line };
        }
        logs.push(parsed);
        if (parsed.msg === 'listening') {
          result.port = parsed.port as number;
          result.url = `http://127.0.0.1:${result.port}/Microsoft-Server-ActiveSync`;
          resolve();
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      if (file !== undefined) appendFileSync(file, text);
      stderr.push(text);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before listening: ${stderr.join('')}`)));
  });
  result.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return result;
}
