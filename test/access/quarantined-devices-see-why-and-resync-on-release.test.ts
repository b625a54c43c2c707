import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import type { Store } from '../../src/store/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../helpers/until.js';

const USER = 'alice@example.test';

/**
 * With the organisation's default level at Quarantine, a new device is served the
 * gateway's one-folder mailbox with a notice; released, it starts over against the real
 * server; blocked instead, it gets the blocked answer.
 */
describe('the quarantine experience', () => {
  let upstream: SampleUpstream;
  let gw: TestGateway;
  let store: Store;

  beforeAll(async () => {
    upstream = await startSampleUpstream({ seedMails: 3 });
    gw = await startGateway(upstream.url);
    store = gw.gateway.data.store;
    await store.putOrganization({ defaultAccessLevel: 'Quarantine', adminMailRecipients: [], userMailInsert: 'Questions? Call the help desk on 1234.' });
    await until(() => gw.gateway.data.runtime.snapshot.defaultAccessLevel === 'Quarantine');
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  const phone = (deviceId: string, protocolVersion: '12.1' | '14.1' | '16.1') =>
    new DeviceSimulator({ url: gw.url, user: USER, password: 'alice123', deviceId, protocolVersion, deviceType: 'Android', deviceInformation: { model: 'Pixel 9' } });

  it.each(['12.1', '14.1', '16.1'] as const)('EAS %s: one Inbox with the notice, a Ping that reports no change, nothing from the real mailbox', async (version) => {
    const id = `QUAR${version.replace('.', '')}`;
    const sim = phone(id, version);
    await sim.provision();
    if (version === '12.1') await sim.settings();
    const folders = await sim.folderSync();
    expect(folders.added.map((f) => [f.displayName, f.type])).toEqual([['Inbox', 2]]);
    const synced = await sim.syncUntilDone();
    expect(synced.items).toHaveLength(1);
    expect(synced.items[0]!.subject).toBe('Your device is waiting for approval');
    const t0 = Date.now();
    const ping = await sim.ping(2);
    expect(ping.response.easStatus ?? Number(ping.status)).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    await sim.close();
    // Nothing of the mailbox reached the upstream; only 12.1's discovery Provision passed
    // (its Settings, which reveals the model, is already answered here; the probe has no ID).
    const reached = upstream.control.requests.filter((r) => r.deviceId === id).map((r) => r.command);
    expect(reached).toEqual(version === '12.1' ? ['Provision', 'Provision'] : []);
    await until(async () => (await store.getAssociation(USER, id.toLowerCase()))?.accessState === 'Quarantined');
    const a = (await store.getAssociation(USER, id.toLowerCase()))!;
    expect(a).toMatchObject({ accessReason: 'Global', model: version === '12.1' ? 'Pixel 9' : 'Pixel 9' });
    expect(a.quarantineMailboxAt).toBeTypeOf('number');
  });

  it('when released, makes the device start over against the real mailbox (FolderSync Status 9, X-MS-RP)', async () => {
    const id = 'QUARREL1';
    const sim = phone(id, '14.1');
    await sim.provision();
    await sim.folderSync();
    await sim.syncUntilDone();
    await until(async () => (await store.getAssociation(USER, id.toLowerCase()))?.quarantineMailboxAt !== undefined);
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [id], blockedDeviceIds: [] });
    await until(() => gw.gateway.data.runtime.peekMailbox(USER)?.allowed.has(id.toLowerCase()) === true || gw.gateway.data.runtime.peekMailbox(USER) === undefined);
    const sync = await sim.raw('Sync');
    expect(sync.easStatus).toBe(12);
    const fs = await sim.raw('FolderSync');
    expect(fs.easStatus).toBe(9);
    expect(fs.headers['x-ms-rp']).toBeDefined();
    await sim.close();
    await until(async () => (await store.getAssociation(USER, id.toLowerCase()))?.quarantineMailboxAt === undefined);
    // A client resets to SyncKey 0: what it sees now is the real mailbox.
    const fresh = phone(id, '14.1');
    await fresh.provision();
    const real = await fresh.folderSync();
    expect(real.added.map((f) => f.displayName)).toContain('Sent Items');
    expect(real.added.some((f) => f.serverId === 'easgate-quarantine')).toBe(false);
    const mail = await fresh.syncUntilDone();
    expect(mail.items.length).toBe(3);
    await fresh.close();
    await until(async () => (await store.getAssociation(USER, id.toLowerCase()))?.quarantineMailboxAt === undefined);
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
  });

  it('ends a Ping held in the quarantine mailbox within a second of the release (Status 7)', async () => {
    const id = 'QUARPING1';
    const sim = phone(id, '16.1');
    await sim.provision();
    await sim.folderSync();
    await until(async () => (await store.getAssociation(USER, id.toLowerCase()))?.accessState === 'Quarantined');
    const ping = sim.ping(300);
    await until(() => gw.gateway.longPolls.size > 0);
    const t0 = Date.now();
    // What the admin API's allow does: the mailbox's allowed list and the association's state.
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [id], blockedDeviceIds: [] });
    await store.setAccessState(USER, id, { state: 'Allowed', reason: 'Individual', at: Date.now(), actor: 'test' });
    const answer = await ping;
    expect(answer.response.easStatus ?? answer.status).toBe(7);
    expect(Date.now() - t0).toBeLessThan(1000);
    await sim.close();
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
  });

  it('when blocked instead, gives the blocked answer', async () => {
    const id = 'QUARBLK1';
    const sim = phone(id, '16.1');
    await sim.provision();
    await sim.folderSync();
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [id] });
    await until(() => gw.gateway.data.runtime.peekMailbox(USER)?.blocked.has(id.toLowerCase()) === true || gw.gateway.data.runtime.peekMailbox(USER) === undefined);
    expect((await sim.raw('FolderSync')).easStatus).toBe(129);
    await sim.close();
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
  });
});
