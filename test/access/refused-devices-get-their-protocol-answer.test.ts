import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { decode, textOf } from '../../src/wbxml/index.js';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import type { Store } from '../../src/store/index.js';
import { basic } from '../helpers/credentials.js';
import { requestLines, startGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../helpers/until.js';

const ALICE = { user: 'alice@example.test', password: 'alice123' };

describe('enforcement through the gateway (sample upstream)', () => {
  let upstream: SampleUpstream;
  let gw: TestGateway;
  let store: Store;

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    gw = await startGateway(upstream.url);
    store = gw.gateway.data.store;
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });
  beforeEach(() => upstream.control.reset());

  const sim = (deviceId: string, protocolVersion: '12.1' | '14.1' | '16.1', extra: Partial<ConstructorParameters<typeof DeviceSimulator>[0]> = {}) =>
    new DeviceSimulator({ url: gw.url, ...ALICE, deviceId, protocolVersion, ...extra });

  it('answers a blocked 14.1 device with HTTP 200 and Status 129, and only the auth probe reaches the upstream', async () => {
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['BLOCKED141'] });
    await until(() => gw.gateway.data.runtime.peekMailbox('alice@example.test')?.blocked.has('blocked141') === true || gw.gateway.data.runtime.peekMailbox('alice@example.test') === undefined);
    const s = sim('BLOCKED141', '14.1');
    const fs = await s.raw('FolderSync');
    await s.close();
    expect(fs.status).toBe(200);
    expect(fs.easStatus).toBe(129);
    expect(upstream.control.count({ deviceId: 'BLOCKED141' })).toBe(0);
    // The auth probe, with alice's credentials (the gateway's readiness probe carries none).
    expect(upstream.control.requests.filter((r) => r.method === 'OPTIONS' && r.headers.authorization !== undefined)).toHaveLength(1);
    await until(async () => (await store.getAssociation('alice@example.test', 'blocked141'))?.accessState === 'Blocked');
    const a = await store.getAssociation('alice@example.test', 'blocked141');
    expect(a).toMatchObject({ accessState: 'Blocked', accessReason: 'Individual', deviceId: 'BLOCKED141' });
  });

  it('answers a blocked 12.1 device with HTTP 403 and no body', async () => {
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['BLOCKED121'] });
    const res = await request(`${gw.url}?Cmd=Sync&User=alice&DeviceId=BLOCKED121&DeviceType=SP`, {
      method: 'POST',
      body: Buffer.from([3, 1, 0x6a, 0]),
      headers: { authorization: basic('alice@example.test', 'alice123'), 'ms-asprotocolversion': '12.1' },
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(403);
    expect(body.length).toBe(0);
    expect(upstream.control.count({ deviceId: 'BLOCKED121' })).toBe(0);
  });

  it('answers a device of a disabled mailbox with Status 126', async () => {
    await store.putMailbox({ user: 'bob@example.test', activeSyncEnabled: false, allowedDeviceIds: [], blockedDeviceIds: [] });
    const s = new DeviceSimulator({ url: gw.url, user: 'bob@example.test', password: 'bob123', deviceId: 'BOBPHONE1', protocolVersion: '16.1' });
    const r = await s.raw('FolderSync');
    await s.close();
    expect(r.status).toBe(200);
    expect(r.easStatus).toBe(126);
    expect(upstream.control.count({ deviceId: 'BOBPHONE1' })).toBe(0);
    await store.putMailbox({ user: 'bob@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
  });

  it('gives a refused device with a wrong password the upstream\'s own 401 challenge and records nothing', async () => {
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['WRONGPW1'] });
    const res = await request(`${gw.url}?Cmd=Sync&User=alice&DeviceId=WRONGPW1&DeviceType=SP`, {
      method: 'POST',
      body: Buffer.from([3, 1, 0x6a, 0]),
      headers: { authorization: basic('alice@example.test', 'tr0ub4dor&3'), 'ms-asprotocolversion': '14.1' },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
    expect(String(res.headers['www-authenticate'])).toMatch(/^Basic realm=/);
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.getAssociation('alice@example.test', 'wrongpw1')).toBeUndefined();
  });

  it('costs the upstream one probe per distinct bad credential when everything is refused, and records nothing', async () => {
    await store.putOrganization({ defaultAccessLevel: 'Block', adminMailRecipients: [], userMailInsert: '' });
    await until(() => gw.gateway.data.runtime.snapshot.defaultAccessLevel === 'Block');
    const before = await store.countAssociations();
    const probesBefore = gw.gateway.access.probesSent;
    for (let i = 0; i < 300; i++) {
      const res = await request(`${gw.url}?Cmd=Sync&User=eve&DeviceId=FLOOD${i}&DeviceType=SP`, {
        method: 'POST',
        body: Buffer.from([3, 1, 0x6a, 0]),
        headers: { authorization: basic(`eve${i % 3}@example.test`, 'tr0ub4dor&3'), 'ms-asprotocolversion': '14.1' },
      });
      await res.body.dump();
      expect(res.statusCode).toBe(401);
    }
    expect(gw.gateway.access.probesSent - probesBefore).toBe(3);
    expect(upstream.control.count({ method: 'POST' })).toBe(0);
    expect(await store.countAssociations()).toBe(before);
    await store.putOrganization({ defaultAccessLevel: 'Allow', adminMailRecipients: [], userMailInsert: '' });
    await until(() => gw.gateway.data.runtime.snapshot.defaultAccessLevel === 'Allow');
  });

  it('applies a DeviceModel rule from the Provision that revealed the model onwards', async () => {
    await store.putRule({ id: 'no-old-galaxy', characteristic: 'DeviceModel', queryString: 'SM-G900F', accessLevel: 'Block' });
    await until(() => gw.gateway.data.runtime.snapshot.rules.DeviceModel.has('SM-G900F'));
    const s = sim('GALAXYS5', '14.1', { deviceType: 'Android', deviceInformation: { model: 'SM-G900F', os: 'Android 6.0.1' } });
    const opt = await s.options();
    expect(opt.status).toBe(200);
    const p = await s.provision();
    expect(p.response.easStatus).toBe(129);
    const fs = await s.raw('FolderSync');
    await s.close();
    expect(fs.easStatus).toBe(129);
    expect(upstream.control.count({ deviceId: 'GALAXYS5', command: 'Provision' })).toBe(0);
    await until(async () => (await store.getAssociation('alice@example.test', 'galaxys5'))?.accessState === 'Blocked');
    expect(await store.getAssociation('alice@example.test', 'galaxys5')).toMatchObject({ model: 'SM-G900F', accessReason: 'DeviceRule', matchedRuleId: 'no-old-galaxy' });
    await store.deleteRule('no-old-galaxy');
  });

  it('lets a device through discovery and blocks it once Settings (12.1) reveals a blocked OS', async () => {
    await store.putRule({ id: 'no-android-4', characteristic: 'DeviceOS', queryString: 'Android 4.4', accessLevel: 'Block' });
    await until(() => gw.gateway.data.runtime.snapshot.rules.DeviceOS.has('Android 4.4'));
    const s = sim('OLDDROID1', '12.1', { deviceType: 'Android', deviceInformation: { model: 'GT-I9505', os: 'Android 4.4' } });
    const p = await s.provision(); // discovery: passes, model unknown yet
    expect(p.response.status).toBe(200);
    const set = await s.settings(); // reveals the OS: blocked (12.1 → 403)
    expect(set.status).toBe(403);
    const fs = await s.raw('FolderSync');
    await s.close();
    expect(fs.status).toBe(403);
    expect(upstream.control.count({ deviceId: 'OLDDROID1', command: 'FolderSync' })).toBe(0);
    await store.deleteRule('no-android-4');
  });

  it('records allowed devices: first sync, device details, and last sync written behind', async () => {
    const s = sim('ALLOWED161', '16.1', { deviceInformation: { model: 'iPhone16,2', os: 'iOS 18.1', friendlyName: 'Alice iPhone' } });
    await s.provision();
    await s.folderSync();
    await s.close();
    await until(async () => (await store.getAssociation('alice@example.test', 'allowed161'))?.lastSuccessSyncAt !== undefined, 3000);
    const a = (await store.getAssociation('alice@example.test', 'allowed161'))!;
    expect(a).toMatchObject({ accessState: 'Allowed', model: 'iPhone16,2', os: 'iOS 18.1', friendlyName: 'Alice iPhone', protocolVersion: '16.1', displayName: expect.stringContaining('iPhone') });
    expect(a.firstSyncAt).toBeLessThanOrEqual(a.lastSyncAttemptAt!);
    const line = requestLines(gw.logs).find((l) => l.deviceId === 'ALLOWED161' && l.cmd === 'FolderSync');
    expect(line).toMatchObject({ state: 'Allowed', accessReason: 'Global' });
  });

  it('logs and ignores a User parameter that names someone else than the credentials', async () => {
    const res = await request(`${gw.url}?Cmd=FolderSync&User=bob&DeviceId=SPOOF1&DeviceType=SP`, {
      method: 'POST',
      body: Buffer.from([3, 1, 0x6a, 0, 0, 7, 0x56, 0x52, 3, 0x30, 0, 1, 1]),
      headers: { authorization: basic('alice@example.test', 'alice123'), 'ms-asprotocolversion': '14.1', 'content-type': 'application/vnd.ms-sync.wbxml' },
    });
    await res.body.dump();
    await until(async () => (await store.getAssociation('alice@example.test', 'spoof1')) !== undefined);
    expect(await store.getAssociation('bob@example.test', 'spoof1')).toBeUndefined();
    expect(gw.logs.some((l) => l.queryUser === 'bob' && l.user === 'alice@example.test')).toBe(true);
  });

  it('keeps the blocked answer a valid WBXML document the simulator reads', async () => {
    await store.putMailbox({ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['WBXMLCHK'] });
    const s = sim('WBXMLCHK', '16.1');
    const r = await s.raw('Ping');
    await s.close();
    const doc = decode(r.body);
    expect(doc.name).toBe('Ping');
    expect(textOf(doc.children[0] as never)).toBe('129');
  });
});
