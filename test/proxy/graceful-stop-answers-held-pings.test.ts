import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway } from '../helpers/child-gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const PING_STATUS_1 = Buffer.from([3, 1, 0x6a, 0, 0, 0x0d, 0x45, 0x47, 3, 0x31, 0, 1, 1]);

function post(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(Buffer.from([3, 1, 0x6a, 0]));
  });
}

describe('graceful stop', () => {
  let upstream: TestUpstream;
  let heldPings = 0;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.method === 'OPTIONS') return void res.end();
      req.resume();
      if (req.url?.includes('Cmd=Ping') || req.url?.includes('Cmd=Sync')) {
        heldPings++; // held until the client goes away
        return;
      }
      setTimeout(() => res.end('folders'), 700); // a short command still running at SIGTERM
    });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('on SIGTERM answers held Pings with Status 1, finishes short requests, then exits 0', async () => {
    const gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_DRAIN_TIMEOUT_MS: '5000' });
    await gw.ready;
    const pings = [1, 2, 3].map((i) => post(`${gw.url}?Cmd=Ping&User=alice&DeviceId=DEV${i}&DeviceType=iPhone`));
    while (heldPings < 3) await new Promise((r) => setTimeout(r, 20));
    const short = post(`${gw.url}?Cmd=FolderSync&User=alice&DeviceId=DEV9&DeviceType=iPhone`);
    await new Promise((r) => setTimeout(r, 100));

    const t0 = Date.now();
    gw.child.kill('SIGTERM');
    const answers = await Promise.all(pings);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.equals(PING_STATUS_1)).toBe(true);
      expect(a.headers.connection).toBe('close');
    }
    const folders = await short;
    expect(folders.status).toBe(200);
    expect(folders.body.toString()).toBe('folders');
    expect(await gw.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(gw.logs.some((l) => l.msg === 'draining' && l.pings === 3)).toBe(true);
    expect(gw.logs.some((l) => l.msg === 'stopped')).toBe(true);
  }, 30_000);

  it('bounds the drain: a request still running at the deadline is cut and the process exits', async () => {
    const gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_DRAIN_TIMEOUT_MS: '300', EASGATE_UPSTREAM_TIMEOUT_MS: '60000' });
    await gw.ready;
    const before = heldPings;
    // A held Sync is not answered locally (its answer may carry the upstream's IDs for the
    // device's changes): it runs until the deadline, then its connection is cut.
    const slow = post(`${gw.url}?Cmd=Sync&User=alice&DeviceId=DEV5&DeviceType=iPhone`).then(
      () => 'answered',
      () => 'cut',
    );
    while (heldPings === before) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await slow).toBe('cut');
  }, 30_000);
});
