import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/dispatch.js';
import type { Io } from '../../src/main.js';
import type { ApiFixture } from '../api/fixture.js';

/** Runs `easgate ARGS` in process against a real admin API (EASGATE_API_URL/TOKEN from the fixture). */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function easgate(args: string[], env: Record<string, string | undefined>, options: { tty?: boolean; stdin?: string } = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (options.tty === true) Object.assign(stderr, { isTTY: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io = { stdin: Readable.from([Buffer.from(options.stdin ?? '')]), stdout, stderr, env } as Io;
  const code = await runCli(args, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export function envOf(fx: ApiFixture, token = fx.tokens.admin): Record<string, string> {
  return { EASGATE_API_URL: fx.origin, EASGATE_API_TOKEN: token };
}
