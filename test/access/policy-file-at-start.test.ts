import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { spawnGateway } from '../helpers/child-gateway.js';

describe('EASGATE_POLICY_FILE', () => {
  let dir: string;
  let upstream: SampleUpstream;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-policy-'));
    upstream = await startSampleUpstream();
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is applied at start: its rule blocks a matching device', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(
      file,
      JSON.stringify({
        organization: { defaultAccessLevel: 'Allow', adminMailRecipients: ['admin@example.test'], userMailInsert: 'Call the help desk.' },
        rules: [{ id: 'no-windows-phone', characteristic: 'DeviceType', queryString: 'WP8', accessLevel: 'Block' }],
      }),
    );
    const gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_POLICY_FILE: file });
    await gw.ready;
    try {
      const s = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'LUMIA1', deviceType: 'WP8', protocolVersion: '14.1' });
      const r = await s.raw('FolderSync');
      await s.close();
      expect(r.easStatus).toBe(129);
      expect(gw.logs.some((l) => l.msg === 'policy file applied')).toBe(true);
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });

  it('stops the start with exit code 2 and the path of the bad field', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ rules: [{ id: 'r1', characteristic: 'DeviceType', queryString: 'SP', accessLevel: 'Maybe' }] }));
    const gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_POLICY_FILE: file });
    await expect(gw.ready).rejects.toThrow();
    expect(await gw.exited).toBe(2);
    expect(gw.stderr.join('')).toContain('rules[0].accessLevel');
  });
});
