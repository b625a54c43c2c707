import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../store/redis-server.js';
import { until } from '../helpers/until.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Running (a zombie waiting for a parent that is gone is not). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** scripts/run-tests.ts (what `npm test` runs) on one fixture of test/fixtures/runner. */
function runner(fixture: string, report: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-tests.ts', 'fast', '--no-typecheck', '--config', 'test/fixtures/runner/vitest.config.ts'], {
    cwd: ROOT,
    env: { ...process.env, RUNNER_FIXTURE: fixture, RUNNER_REPORT: report, EASGATE_TEST_RUN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => output };
}

describe('npm test leaves no process and no temporary folder behind', () => {
  it('interrupted (Ctrl-C) while a test holds a redis-server: the server and the run folder are gone, exit 130', async () => {
    const dir = await tempDir('runner');
    try {
      const report = join(dir.path, 'report.json');
      const run = runner('holds-a-server', report);
      await until(() => existsSync(report), 60_000);
      const { pid, tmp } = JSON.parse(readFileSync(report, 'utf8')) as { pid: number; tmp: string };
      expect(alive(pid)).toBe(true);
      expect(existsSync(join(tmp, 'marker'))).toBe(true);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
      await until(() => !alive(pid), 5_000);
      expect(existsSync(tmp)).toBe(false);
    } finally {
      await dir.remove();
    }
  }, 90_000);

  it('a test that leaves a process of its own session running: the run names it, ends it and fails', async () => {
    const dir = await tempDir('runner');
    try {
      const report = join(dir.path, 'report.json');
      const run = runner('forgets-a-server', report);
      const code = await run.exited;
      const { pid } = JSON.parse(readFileSync(report, 'utf8')) as { pid: number };
      expect(run.output()).toMatch(new RegExp(`process leak: 1 process\\(es\\)[^]*${pid} sleep 300`));
      expect(code).toBe(1);
      await until(() => !alive(pid), 5_000);
    } finally {
      await dir.remove();
    }
  }, 90_000);
});
