import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { startSampleBackend, type SampleBackend } from '../../src/peers/sample-backend/index.js';
import type { AccessLevel } from '../../src/policy/index.js';
import type { Store } from '../../src/store/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../helpers/until.js';

const USER = 'alice@example.test';

/**
 * The organisation setting unregisteredAccessLevel ("only managed devices may sync"), end
 * to end with the device simulator, the sample upstream and the sample backend: devices
 * the backend has not registered get the level; registration (before or after the first
 * contact, by device ID or by IMEI) lets them sync; while the backend is unreachable the
 * last known registrations stand.
 */
describe('only devices registered in the management backend may sync', () => {
  let upstream: SampleUpstream;
  let backend: SampleBackend;
  let gw: TestGateway;
  let store: Store;

  const phone = (deviceId: string, imei = `IMEI-${deviceId}`) =>
    new DeviceSimulator({ url: gw.url, user: USER, password: 'alice123', deviceId, protocolVersion: '16.1', deviceType: 'iPhone', deviceInformation: { model: 'iPhone16,1', imei } });
  const stateOf = async (deviceId: string) => store.getAssociation(USER, deviceId);
  const setLevel = async (level: AccessLevel) => {
    await store.putOrganization({ ...(await store.getOrganization()), unregisteredAccessLevel: level });
    await until(() => gw.gateway.data.runtime.snapshot.unregisteredAccessLevel === level);
  };
  const sync = () => gw.gateway.sync!.engine.run();

  beforeAll(async () => {
    upstream = await startSampleUpstream({ seedMails: 2 });
    backend = await startSampleBackend();
    gw = await startGateway(upstream.url, { EASGATE_BACKEND_URL: backend.url.href, EASGATE_BACKEND_TIMEOUT_MS: '2000' });
    store = gw.gateway.data.store;
    await setLevel('Block');
  });
  afterAll(async () => {
    await gw.stop();
    await backend.close().catch(() => undefined);
    await upstream.close();
  });

  it('blocks a device the backend does not know, and lets it sync once the backend registers it', async () => {
    const sim = phone('UNREG1');
    expect((await sim.raw('FolderSync')).easStatus).toBe(129);
    await until(async () => (await stateOf('UNREG1'))?.accessState === 'Blocked');
    expect(await stateOf('UNREG1')).toMatchObject({ accessReason: 'Unregistered' });
    expect(upstream.control.requests.filter((r) => r.deviceId === 'UNREG1').map((r) => r.command)).not.toContain('FolderSync');

    expect((await sync()).error).toBeUndefined();
    expect(backend.association(USER, 'UNREG1')).toMatchObject({ accessState: 'Blocked', accessReason: 'Unregistered' });
    backend.putDevice({ backendDeviceId: 'mdm-1', deviceId: 'unreg1', user: USER, registered: true });
    expect((await sync()).links).toEqual({ linked: 1 });

    await until(async () => (await sim.folderSync()).response.easStatus === 1);
    await until(async () => (await stateOf('UNREG1'))?.accessState === 'Allowed');
    expect(await stateOf('UNREG1')).toMatchObject({ backendDeviceId: 'mdm-1', accessReason: 'Global' });
    await sim.close();
  });

  it('lets a device the backend registered before its first contact sync at once, linked from its first request', async () => {
    backend.putDevice({ backendDeviceId: 'mdm-2', deviceId: 'PREREG1', user: USER, registered: true });
    expect((await sync()).links).toEqual({ unmatched: 1 });
    const sim = phone('PREREG1');
    expect((await sim.provision()).response.status).toBe(200);
    expect((await sim.folderSync()).response.easStatus).toBe(1);
    await until(async () => (await stateOf('PREREG1'))?.backendDeviceId === 'mdm-2');
    expect(await stateOf('PREREG1')).toMatchObject({ accessState: 'Allowed', linkedAt: expect.any(Number) });
    await sim.close();
  });

  it('matches a registration that names only the user and the IMEI when the device reports it', async () => {
    backend.putDevice({ backendDeviceId: 'mdm-3', user: USER, imei: '35-777', registered: true });
    await sync();
    const sim = phone('BYIMEI1', '35-777');
    // Provision carries DeviceInformation with the IMEI: the lookup matches it before deciding.
    expect((await sim.provision()).response.status).toBe(200);
    expect((await sim.folderSync()).response.easStatus).toBe(1);
    await until(async () => (await stateOf('BYIMEI1'))?.backendDeviceId === 'mdm-3');
    await sim.close();
  });

  it('quarantines unregistered devices with an enrollment notice when the level is Quarantine, and releases them once registered', async () => {
    await setLevel('Quarantine');
    const sim = phone('QUNREG1');
    await sim.provision();
    const folders = await sim.folderSync();
    expect(folders.added.map((f) => f.displayName)).toEqual(['Inbox']);
    const mail = await sim.syncUntilDone();
    expect(mail.items.map((i) => i.subject)).toEqual(['Your device is waiting for enrollment']);
    await until(async () => (await stateOf('QUNREG1'))?.accessState === 'Quarantined');
    expect(await stateOf('QUNREG1')).toMatchObject({ accessReason: 'Unregistered' });

    backend.putDevice({ backendDeviceId: 'mdm-4', deviceId: 'QUNREG1', user: USER, registered: true });
    expect((await sync()).links).toEqual({ linked: 1 });
    // Released: the device starts over against the real mailbox.
    await until(async () => (await sim.raw('FolderSync')).easStatus === 9);
    await sim.close();
    await until(async () => (await stateOf('QUNREG1'))?.quarantineMailboxAt === undefined);
    const fresh = phone('QUNREG1');
    await fresh.provision();
    const real = await fresh.folderSync();
    expect(real.added.map((f) => f.displayName)).toContain('Sent Items');
    expect(await stateOf('QUNREG1')).toMatchObject({ accessState: 'Allowed', backendDeviceId: 'mdm-4' });
    await fresh.close();
    await setLevel('Block');
  });

  it('ends a Ping held in the quarantine mailbox when the registration reaches the gateway, not at the end of its heartbeat', async () => {
    await setLevel('Quarantine');
    const sim = phone('QPING1');
    await sim.provision();
    await sim.folderSync();
    await until(async () => (await stateOf('QPING1'))?.accessState === 'Quarantined');
    const held = sim.ping(600);
    await new Promise((r) => setTimeout(r, 300));
    backend.putDevice({ backendDeviceId: 'mdm-5', deviceId: 'QPING1', user: USER, registered: true });
    const linkedAt = Date.now();
    expect((await sync()).links).toEqual({ linked: 1 });
    const ping = await held;
    expect(ping.response.easStatus ?? Number(ping.status)).toBe(7);
    expect(Date.now() - linkedAt).toBeLessThan(5_000);
    await sim.close();
    await setLevel('Block');
  });

  it('an explicit allow in the mailbox wins over the unregistered level', async () => {
    await store.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: ['LOANED1'], blockedDeviceIds: [] });
    await until(() => gw.gateway.data.runtime.peekMailbox(USER)?.allowed.has('loaned1') !== false);
    const sim = phone('LOANED1');
    await until(async () => (await sim.folderSync()).response.easStatus === 1);
    await until(async () => (await stateOf('LOANED1'))?.accessReason === 'Individual');
    await sim.close();
  });
  it('lets an EAS 12.1 device registered by IMEI discover, then links it when its Settings reports the IMEI', async () => {
    backend.putDevice({ backendDeviceId: 'mdm-6', user: USER, imei: '35-121', registered: true });
    await sync();
    const sim = new DeviceSimulator({ url: gw.url, user: USER, password: 'alice123', deviceId: 'OLDPROTO1', protocolVersion: '12.1', deviceType: 'SAMSUNG', deviceInformation: { model: 'SM-G900F', imei: '35-121' } });
    expect((await sim.provision()).response.status).toBe(200);
    expect((await sim.settings()).status).toBe(200);
    expect((await sim.folderSync()).response.status).toBe(200);
    await until(async () => (await stateOf('OLDPROTO1'))?.backendDeviceId === 'mdm-6');
    expect(await stateOf('OLDPROTO1')).toMatchObject({ accessState: 'Allowed' });
    await sim.close();
  });

  it('keeps the last known registrations while the backend is unreachable; a device it never saw gets the level', async () => {
    await backend.close();
    const known = phone('PREREG1');
    expect((await known.folderSync()).response.easStatus).toBe(1);
    const unknown = phone('NEVERSEEN1');
    expect((await unknown.folderSync()).response.easStatus).toBe(129);
    await known.close();
    await unknown.close();
  });
});
