import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';
import { device } from '../store/fixture.js';
import { easgate } from './run.js';

/**
 * The CLI covers the API's operations, against a running gateway with its admin listener:
 * device wipe/cancel-wipe/link/unlink with a reason, system show|set, license set,
 * device-ids, tokens, `easgate help`; and a CLI pointed at the device port is told where
 * the admin API is.
 */
const TOKEN = 'cli-verbs-admin-token-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the admin verbs against a running gateway', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end());
    port = await freePort();
    gw = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_ADMIN_PORT: String(port) });
    env = { EASGATE_API_URL: `http://127.0.0.1:${port}`, EASGATE_API_TOKEN: TOKEN };
    await gw.gateway.data.store.createAssociation(device('ann@x.test', 'WIPE1', { protocolVersion: '14.1' }));
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('wipes and cancels a wipe, links and unlinks, with the reason in the audit log and the history', async () => {
    const wipe = await easgate(['device', 'wipe', 'ann@x.test', 'WIPE1', '--reason', 'INC-1', '--json'], env);
    expect([wipe.code, JSON.parse(wipe.stdout).wipeStatus]).toEqual([0, 'WipePending']);
    const only = await easgate(['device', 'wipe', 'ann@x.test', 'WIPE1', '--account-only'], env);
    expect([only.code, only.stderr]).toEqual([1, expect.stringContaining('EASGATE_ERR_API_INVALID: accountOnly')]);
    expect(JSON.parse((await easgate(['device', 'cancel-wipe', 'ann@x.test', 'WIPE1', '--json'], env)).stdout).wipeStatus).toBeUndefined();
    expect(JSON.parse((await easgate(['device', 'link', 'ann@x.test', 'WIPE1', 'mdm-7', '--json'], env)).stdout).backendDeviceId).toBe('mdm-7');
    expect(JSON.parse((await easgate(['device', 'unlink', 'ann@x.test', 'WIPE1', '--json'], env)).stdout).backendDeviceId).toBeUndefined();
    await easgate(['device', 'block', 'ann@x.test', 'WIPE1', '--reason', 'INC-2'], env);
    const audit = JSON.parse((await easgate(['audit', '--object', 'association:ann@x.test/WIPE1', '--json'], env)).stdout).items;
    expect(audit.map((e: { action: string; reason?: string }) => `${e.action} ${e.reason ?? ''}`.trim())).toEqual([
      'association.block INC-2',
      'association.unlink',
      'association.link',
      'association.cancel-wipe',
      'association.wipe INC-1',
    ]);
    const shown = JSON.parse((await easgate(['device', 'show', 'ann@x.test', 'WIPE1', '--json'], env)).stdout);
    expect(shown.history[0]).toMatchObject({ state: 'Blocked', reason: 'Individual', note: 'INC-2' });
  });

  it('shows and sets the system switch and the license, and manages device IDs and tokens', async () => {
    expect(JSON.parse((await easgate(['system', 'set', '--enabled', 'false', '--json'], env)).stdout)).toMatchObject({ activeSyncEnabled: false });
    expect((await easgate(['system', 'show'], env)).stdout).toMatch(/activeSyncEnabled:\s+false/);
    await easgate(['system', 'set', '--enabled', 'true'], env);
    expect((await easgate(['license', 'set', '--total', '50', '--expires', '2099-12-31'], env)).stdout).toMatch(/total:\s+50/);
    expect(JSON.parse((await easgate(['license', 'set', '--none', '--json'], env)).stdout)).toMatchObject({ total: null });
    expect(JSON.parse((await easgate(['device-ids', 'add', 'LOAN1', '--level', 'Allow', '--note', 'loaner', '--json'], env)).stdout)).toEqual({ deviceId: 'LOAN1', accessLevel: 'Allow', note: 'loaner' });
    expect((await easgate(['device-ids', 'list'], env)).stdout).toMatch(/LOAN1\s+Allow\s+loaner/);
    expect((await easgate(['device-ids', 'remove', 'LOAN1', '--reason', 'returned'], env)).stdout).toBe('removed LOAN1\n');
    const created = JSON.parse((await easgate(['tokens', 'create', 'anna', '--role', 'helpdesk', '--json'], env)).stdout);
    expect(created.token).toMatch(/^anna\./);
    expect((await easgate(['tokens', 'list'], env)).stdout).toMatch(/anna\s+helpdesk/);
    expect(JSON.parse((await easgate(['tokens', 'revoke', 'anna', '--json'], env)).stdout)).toEqual({ removed: 'anna' });
    expect((await easgate(['license', 'set', '--total', 'x'], env)).code).toBe(2);
  });

  it('lists every verb in `easgate help`, and says where the admin API is when pointed at the device port', async () => {
    const help = await easgate(['help'], {});
    for (const verb of ['devices', 'device', 'mailbox', 'rules', 'org', 'domain', 'license', 'system', 'device-ids', 'tokens', 'grandfather', 'purge', 'audit', 'sync']) expect(help.stdout).toContain(`  ${verb} `);
    const wrong = await easgate(['devices', 'list'], { EASGATE_API_URL: gw.origin, EASGATE_API_TOKEN: TOKEN });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`it is at http://127.0.0.1:${port}/api/v1`);
  });
});
