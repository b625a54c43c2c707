import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forbiddenInLogs } from './helpers/credentials.js';

/**
 * Every gateway a test starts also writes its log lines into one folder; after the whole
 * run, no credential the suite used may appear in any of them. A hit fails the run.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-test-logs-'));
  process.env.EASGATE_TEST_LOG_DIR = dir;
  return () => {
    const secrets = forbiddenInLogs();
    const hits: string[] = [];
    let lines = 0;
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      lines += text.split('\n').length;
      for (const s of secrets) if (text.includes(s)) hits.push(`${f}: contains a test credential (${s.slice(0, 4)}…)`);
    }
    rmSync(dir, { recursive: true, force: true });
    if (hits.length > 0) throw new Error(`credentials reached the logs of this run:\n${hits.join('\n')}`);
    if (process.env.EASGATE_TEST_VERBOSE) process.stdout.write(`log redaction check: ${lines} lines clean\n`);
  };
}
