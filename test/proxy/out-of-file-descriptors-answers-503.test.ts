import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * More held Pings than the process may open files: the gateway must neither crash nor
 * hang; requests it cannot forward get 503 with Retry-After, and it serves again once
 * connections are released.
 */
describe('running out of file descriptors', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      if (req.method === 'OPTIONS' || !req.url?.includes('Cmd=Ping')) res.end();
      // Pings are held until the client leaves.
    });
  });
  afterAll(async () => upstream.close());

  it('answers 503 and stays up', async () => {
    const child = spawn('bash', ['-c', `ulimit -n 120 && exec "${process.execPath}" --import tsx ${join(ROOT, 'src/cli/easgate.ts')} serve`], {
      cwd: ROOT,
      env: { ...process.env, EASGATE_UPSTREAM_URL: upstream.url, EASGATE_HOST: '127.0.0.1', EASGATE_PORT: '0', EASGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (c: Buffer) => {
        buf += c.toString();
        const m = /"msg":"listening"/.test(buf) ? /"port":(\d+)/.exec(buf.slice(buf.indexOf('"address"'))) : null;
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const statuses: number[] = [];
    const sockets = Array.from({ length: 150 }, (_, i) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(`POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=a&DeviceId=FD${i}&DeviceType=SP HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
      });
      s.on('data', (d: Buffer) => {
        const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString());
        if (m) statuses.push(Number(m[1]));
      });
      s.on('error', () => undefined);
      return s;
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(child.exitCode).toBeNull();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 503)).toBe(true);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`http://127.0.0.1:${port}/Microsoft-Server-ActiveSync?Cmd=FolderSync&User=a&DeviceId=AFTER1&DeviceType=SP`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }, 30_000);
});
