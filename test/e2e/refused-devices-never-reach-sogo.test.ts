import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceSimulator, runConversation } from '../../src/peers/index.js';
import { deviceId, gatewayInFrontOfSogo, requireSogo, SOGO_USERS, until } from './sogo.js';

/** SOGo's own request log (setup.sh: SOGO_BASE/log/sogo.log): one line per request it served. */
const SOGO_LOG = join(process.env.SOGO_BASE ?? '/tmp/sogo', 'log', 'sogo.log');
const sogoLinesFor = (id: string): string[] => readFileSync(SOGO_LOG, 'utf8').split('\n').filter((l) => l.includes(`DeviceId=${id}`));

/**
 * With the access policy on, a refused device gets its answer from easgate and SOGo serves
 * nothing of it (only the credential probe, an OPTIONS without a device ID, reaches it);
 * an allowed device of the same mailbox syncs normally; a wrong password creates nothing.
 */
describe('refused devices never reach SOGo', () => {
  const ctx = gatewayInFrontOfSogo({ EASGATE_DEFAULT_DOMAIN: 'example.test' });
  const alice = SOGO_USERS.alice;

  it('blocks a device on the mailbox\'s blocked list (14.1: Status 129; 12.1: 403) and lets another sync', async () => {
    await requireSogo();
    const store = ctx.gw.gateway.data.store;
    const blocked141 = deviceId('E2EBLK');
    const blocked121 = deviceId('E2EBLKOLD');
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [blocked141, blocked121] });

    const s1 = new DeviceSimulator({ url: ctx.gw.url, ...alice, deviceId: blocked141, protocolVersion: '14.1' });
    const t1 = await runConversation(s1, { provision: true });
    await s1.close();
    expect(t1.steps.find((s) => s.command !== 'OPTIONS')).toMatchObject({ httpStatus: 200, easStatus: 129 });

    const s2 = new DeviceSimulator({ url: ctx.gw.url, ...alice, deviceId: blocked121, protocolVersion: '12.1' });
    const t2 = await runConversation(s2, { provision: true });
    await s2.close();
    expect(t2.steps.find((s) => s.command !== 'OPTIONS')).toMatchObject({ httpStatus: 403 });

    const allowed = deviceId('E2EOK');
    const s3 = new DeviceSimulator({ url: ctx.gw.url, ...alice, deviceId: allowed, protocolVersion: '14.1' });
    const t3 = await runConversation(s3, { provision: true });
    await s3.close();
    expect(t3.ok).toBe(true);

    await until(() => sogoLinesFor(allowed).length > 0, 3000);
    expect(sogoLinesFor(blocked141)).toEqual([]);
    expect(sogoLinesFor(blocked121)).toEqual([]);
    await until(async () => (await store.getAssociation('alice@example.test', blocked141.toLowerCase()))?.accessState === 'Blocked', 3000);
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
  });

  it('refuses every device of a disabled mailbox with Status 126, and SOGo sees none of it', async () => {
    await requireSogo();
    const store = ctx.gw.gateway.data.store;
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: false, allowedDeviceIds: [], blockedDeviceIds: [] });
    const id = deviceId('E2EOFF');
    const s = new DeviceSimulator({ url: ctx.gw.url, ...alice, deviceId: id, protocolVersion: '14.1' });
    const r = await s.raw('FolderSync');
    await s.close();
    expect(r.easStatus).toBe(126);
    expect(sogoLinesFor(id)).toEqual([]);
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
  });

  it('creates nothing in the store for a wrong password', async () => {
    await requireSogo();
    const store = ctx.gw.gateway.data.store;
    const id = deviceId('E2EBADPW');
    const s = new DeviceSimulator({ url: ctx.gw.url, user: alice.user, password: 'wrong-password', deviceId: id, protocolVersion: '14.1' });
    const r = await s.raw('FolderSync');
    await s.close();
    expect(r.status).toBe(401);
    await new Promise((res) => setTimeout(res, 1200)); // past a write-behind flush
    expect(await store.getAssociation('alice@example.test', id.toLowerCase())).toBeUndefined();
  });
});
