/**
 * `npm test` and `npm run test:fast`: makes the machine ready (test-env/provision.ts), then
 * type-checks and runs vitest in a process group of its own, and leaves nothing behind,
 * also when the run fails or is interrupted (Ctrl-C, a timeout's SIGTERM):
 * - every process of the run is in that group or carries EASGATE_TEST_RUN=<id>; what is
 *   still alive when vitest has ended is a leak (a test that did not stop its server):
 *   named, killed, and the run fails;
 * - temporary files go to a folder of the run's own (TMPDIR), removed at the end;
 * - the SOGo the run started is stopped again.
 *
 *   node --import tsx scripts/run-tests.ts full|fast [--no-typecheck] [vitest arguments...]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Suite } from './test-env/needs.js';
import { killAll, processesOfRun } from './test-env/processes.js';
import { provision, ProvisionError } from './test-env/provision.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string): void => void process.stderr.write(`[test] ${line}\n`);

const [suiteArg, ...rest] = process.argv.slice(2);
const typecheckFirst = !rest.includes('--no-typecheck');
const vitestArgs = rest.filter((a) => a !== '--no-typecheck');
if (suiteArg !== 'fast' && suiteArg !== 'full') {
  say(`usage: run-tests.ts full|fast [vitest arguments]; got ${String(suiteArg)}`);
  process.exit(2);
}
const suite: Suite = suiteArg;
const runId = randomBytes(6).toString('hex');
const marker = `EASGATE_TEST_RUN=${runId}`;
const runDir = mkdtempSync(join(tmpdir(), `easgate-test-run-${runId}-`));
const childEnv: NodeJS.ProcessEnv = { ...process.env, TMPDIR: runDir, EASGATE_TEST_RUN: runId };
const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name);

let current: ChildProcess | null = null;
let stopSogo = (): void => undefined;
let interruptedBy: NodeJS.Signals | null = null;

/** Ends what the run started and removes its folder; returns the processes that were still alive. */
function cleanUp(): string[] {
  const leftovers = processesOfRun(current?.pid ?? -1, marker, new Set([process.pid]));
  killAll(leftovers);
  stopSogo();
  rmSync(runDir, { recursive: true, force: true });
  return leftovers.map((p) => `${p.pid} ${p.command}`);
}

function signalGroup(signal: NodeJS.Signals): void {
  if (current?.pid === undefined) return;
  try {
    process.kill(-current.pid, signal);
  } catch {
    /* already gone */
  }
}

function interrupted(signal: NodeJS.Signals): void {
  if (interruptedBy !== null) return;
  interruptedBy = signal;
  say(`${signal}: stopping the tests and everything they started`);
  // The tests' own teardown gets a moment; whatever is left then is killed.
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), 5_000).unref();
}
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => interrupted(s));

/** Runs a command in a process group of its own (so that one signal reaches all it starts). */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: childEnv, stdio: 'inherit', detached: true });
    current = child;
    child.once('error', (err) => {
      say(`${command}: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

async function main(): Promise<number> {
  try {
    stopSogo = (await provision(suite, runDir)).stopSogo;
  } catch (err) {
    say(err instanceof ProvisionError ? `the test machine is not ready:\n${err.message}` : String(err));
    return 1;
  }
  if (typecheckFirst && interruptedBy === null) {
    const typecheck = await run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
    if (typecheck !== 0) return typecheck;
  }
  if (interruptedBy !== null) return 1;
  const ownConfig = vitestArgs.some((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
  const config = suite === 'fast' && !ownConfig ? ['--config', 'vitest.fast.config.ts'] : [];
  return run(bin('vitest'), ['run', ...config, ...vitestArgs]);
}

const status = await main();
// vitest has ended: anything still in its group or marked with the run is a test's leak.
const leaks = cleanUp();
if (interruptedBy !== null) process.exit(interruptedBy === 'SIGINT' ? 130 : 143);
if (leaks.length > 0) {
  say(`process leak: ${leaks.length} process(es) of this run outlived the tests (now killed):\n  ${leaks.join('\n  ')}`);
  process.exit(status || 1);
}
process.exit(status);
