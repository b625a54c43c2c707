/**
 * Makes this machine ready for a test suite: installs the Debian packages of needs.ts that
 * are missing (one apt-get update, one apt-get install, nothing installed twice) and brings
 * the e2e suite's SOGo up. Used by scripts/run-tests.ts (`npm test`, `npm run test:fast`);
 * on its own: `node --import tsx scripts/test-env/provision.ts [--suite fast|full] [--dry-run]`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needsOf, SOGO_DEFAULT_URL, SOGO_SETUP, SOGO_STOP, type Suite } from './needs.js';
import { planProvision, type MachineFacts, type ProvisionPlan } from './plan.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const say = (line: string): void => void process.stderr.write(`[test-env] ${line}\n`);

/** The SOGo the e2e suite uses (test/e2e/sogo.ts reads the same variable). */
export function sogoUrl(): string {
  return process.env.EASGATE_SOGO_URL ?? SOGO_DEFAULT_URL;
}

export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** OPTIONS as alice answered 200 within 10 s. */
export async function sogoAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'OPTIONS', headers: { authorization: `Basic ${Buffer.from('alice:alice123').toString('base64')}` }, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function machineFacts(suite: Suite): Promise<MachineFacts> {
  const root = process.getuid?.() === 0;
  const sudo = !root && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const url = sogoUrl();
  return {
    suite,
    missing: new Set(needsOf(suite).map((n) => n.command).filter((c) => !onPath(c))),
    root,
    sudo,
    apt: onPath('apt-get'),
    sogo: { url, isDefault: url === SOGO_DEFAULT_URL, up: suite === 'full' ? await sogoAnswers(url) : false },
  };
}

function asRoot(plan: ProvisionPlan, command: string, args: string[], log?: string): { ok: boolean; output: string; stdout: string } {
  const [cmd, argv] = plan.elevate === 'sudo' ? ['sudo', ['-n', command, ...args]] : [command, args];
  // The daemons SOGo's setup starts outlive the run on purpose (stopped by stopSogo); they
  // must not carry this run's marker, or the leak check would take them for leaks.
  const env: NodeJS.ProcessEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  delete env.EASGATE_TEST_RUN;
  const r = spawnSync(cmd, argv, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  if (log !== undefined) writeFileSync(log, output);
  return { ok: r.status === 0, output, stdout: r.stdout ?? '' };
}

const tail = (text: string, n = 20): string => text.trimEnd().split('\n').slice(-n).join('\n');

/** Why provisioning could not finish: the message names the tool, the package or the step. */
export class ProvisionError extends Error {}

/**
 * Carries the plan out. Returns what the run must undo at its end (SOGo it started).
 * `logDir` receives the long outputs (apt-get, SOGo setup) that are shown only on failure.
 */
export async function provision(suite: Suite, logDir: string, options: { dryRun?: boolean } = {}): Promise<{ plan: ProvisionPlan; stopSogo(): void }> {
  const facts = await machineFacts(suite);
  const plan = planProvision(facts);
  const none = { plan, stopSogo: () => undefined };
  if (plan.problems.length > 0) throw new ProvisionError(plan.problems.join('\n'));
  if (options.dryRun) {
    say(`would install: ${plan.install.join(' ') || 'nothing'}; SOGo setup: ${plan.sogoSetup ? 'yes' : 'no'}${plan.stopSogoAfter ? ' (stopped after the run)' : ''}`);
    return none;
  }
  if (plan.install.length > 0) {
    say(`installing ${plan.install.join(', ')} (apt-get, ${plan.elevate === 'sudo' ? 'through sudo' : 'as root'})`);
    const update = asRoot(plan, 'apt-get', ['update', '-qq'], join(logDir, 'apt-update.log'));
    if (!update.ok) throw new ProvisionError(`apt-get update failed (no package mirror reachable?):\n${tail(update.output)}`);
    const install = asRoot(plan, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...plan.install], join(logDir, 'apt-install.log'));
    if (!install.ok) throw new ProvisionError(`apt-get install ${plan.install.join(' ')} failed:\n${tail(install.output)}`);
    const still = needsOf(suite).filter((n) => !onPath(n.command));
    if (still.length > 0) throw new ProvisionError(`still missing after apt-get: ${still.map((n) => `${n.command} (${n.pkg})`).join(', ')}`);
  }
  if (plan.sogoSetup) {
    say(`SOGo: ${SOGO_SETUP} (${facts.sogo.up ? 'already up' : 'starting it'})`);
    const setup = asRoot(plan, 'bash', [SOGO_SETUP], join(logDir, 'sogo-setup.log'));
    if (!setup.ok) throw new ProvisionError(`SOGo could not be started; the end of ${SOGO_SETUP}'s output:\n${tail(setup.output, 30)}`);
    say(tail(setup.stdout, 1));
  } else if (suite === 'full') {
    say(`SOGo: using ${facts.sogo.url} as it is`);
  }
  return {
    plan,
    stopSogo() {
      if (!plan.stopSogoAfter) return;
      say('stopping the SOGo this run started');
      asRoot(plan, 'bash', [SOGO_STOP]);
    },
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const suiteArg = process.argv.indexOf('--suite');
  const suite = (suiteArg > 0 ? process.argv[suiteArg + 1] : 'full') as Suite;
  if (suite !== 'fast' && suite !== 'full') {
    say(`--suite must be fast or full, not ${String(suite)}`);
    process.exit(2);
  }
  const logDir = mkdtempSync(join(tmpdir(), 'easgate-provision-'));
  let code = 0;
  try {
    const dryRun = process.argv.includes('--dry-run');
    await provision(suite, logDir, { dryRun });
    if (!dryRun) say('ready');
  } catch (err) {
    say(err instanceof ProvisionError ? err.message : String(err));
    code = 1;
  }
  rmSync(logDir, { recursive: true, force: true });
  process.exit(code);
}
