import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { provisionInitial } from '../../src/peers/simulator/bodies.js';
import { MemoryStore } from '../../src/store/index.js';
import type { EasPolicy } from '../../src/policy/index.js';
import type { WbxmlElement } from '../../src/wbxml/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../helpers/until.js';

const STRICT: EasPolicy = {
  name: 'Strict',
  settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6, RequireDeviceEncryption: true },
  allowNonProvisionableDevices: false,
  refreshIntervalSeconds: 0,
};

/** name → text of the EASProvisionDoc a Provision answer carried. */
function provisionDoc(doc: WbxmlElement | undefined): Record<string, string> {
  const kids = (e: WbxmlElement | undefined): WbxmlElement[] => (e?.children ?? []).filter((c): c is WbxmlElement => typeof c === 'object' && !(c instanceof Uint8Array));
  const find = (e: WbxmlElement | undefined, name: string): WbxmlElement | undefined => kids(e).find((c) => c.name === name);
  const pd = find(find(find(find(doc, 'Policies'), 'Policy'), 'Data'), 'EASProvisionDoc');
  return Object.fromEntries(kids(pd).map((e) => [e.name, e.children.filter((c) => typeof c === 'string').join('')]));
}

/** The EASProvisionDoc of an initial Provision's answer (the acknowledgement's carries none). */
async function initialDoc(s: DeviceSimulator, version = '14.1'): Promise<Record<string, string>> {
  const r = await s.raw('Provision', provisionInitial(version, s.deviceInformation), { 'x-ms-policykey': '0' });
  return provisionDoc(r.doc);
}

describe('a policy the gateway owns (in front of an upstream that does not provision)', () => {
  let upstream: SampleUpstream;
  let store: MemoryStore;
  let gw: TestGateway;
  const sim = (deviceId: string, protocolVersion: '12.1' | '14.1' = '14.1') => new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId, protocolVersion, deviceInformation: { model: 'iPhone15,2' } });

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    store = new MemoryStore();
    await store.putEasPolicy(STRICT);
    await store.putOrganization({ ...(await store.getOrganization()), policy: 'Strict' });
    gw = await startGateway(upstream.url, { EASGATE_PROVISION_LOOP_LIMIT: '3' }, { store });
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('provisions the device itself: both phases, the assigned settings, and the upstream never sees the Provision', async () => {
    const s = sim('POLICY01');
    const p = await s.provision();
    expect(p).toMatchObject({ status: 1, policyStatus: 1, policyType: 'MS-EAS-Provisioning-WBXML' });
    expect(s.policyKey).toMatch(/^[1-9]\d*$/);
    expect((await s.folderSync()).status).toBe(1);
    await s.close();
    expect(upstream.control.count({ deviceId: 'POLICY01', command: 'Provision' })).toBe(0);
    expect(upstream.control.count({ deviceId: 'POLICY01', command: 'FolderSync' })).toBe(1);
    await until(async () => (await store.getAssociation('alice@example.test', 'POLICY01'))?.policyApplication === 'applied');
    expect(await store.getAssociation('alice@example.test', 'POLICY01')).toMatchObject({ policyName: 'Strict', policyKey: s.policyKey });
  });

  it('the initial answer carries the policy’s settings, the defaults for the rest', async () => {
    const s = sim('POLICY02');
    const first = await s.raw('Provision', provisionInitial('14.1', s.deviceInformation), { 'x-ms-policykey': '0' });
    await s.close();
    const doc = provisionDoc(first.doc);
    expect(JSON.stringify(first.doc)).toContain('DeviceInformation');
    expect(doc).toMatchObject({ DevicePasswordEnabled: '1', MinDevicePasswordLength: '6', RequireDeviceEncryption: '1', AllowCamera: '1', MaxAttachmentSize: '' });
    expect(Object.keys(doc)).toHaveLength(42);
  });

  it('a command with no key or another key is told to provision (14.1: Status 142 / 144) and never reaches the upstream', async () => {
    const s = sim('POLICY03');
    const none = await s.raw('FolderSync', undefined, { 'x-ms-policykey': '0' });
    const wrong = await s.raw('FolderSync', undefined, { 'x-ms-policykey': '12345' });
    await s.close();
    expect([none.status, none.easStatus]).toEqual([200, 142]);
    expect([wrong.status, wrong.easStatus]).toEqual([200, 144]);
    expect(upstream.control.count({ deviceId: 'POLICY03' })).toBe(0);
  });

  it('before 14.0 the same is HTTP 449', async () => {
    const s = sim('POLICY04', '12.1');
    const r = await s.raw('FolderSync', undefined, { 'x-ms-policykey': '0' });
    await s.close();
    expect(r.status).toBe(449);
  });

  it('a policy change makes the device provision again at its next request (143), then it syncs with the new settings', async () => {
    const s = sim('POLICY05');
    await s.provision();
    expect((await s.folderSync()).status).toBe(1);
    await store.putEasPolicy({ ...STRICT, settings: { ...STRICT.settings, MinDevicePasswordLength: 8 } });
    let r = await s.raw('FolderSync');
    for (let i = 0; i < 100 && r.easStatus !== 143; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      r = await s.raw('FolderSync');
    }
    expect(r.easStatus).toBe(143);
    expect((await initialDoc(s)).MinDevicePasswordLength).toBe('8');
    await s.provision();
    expect((await s.folderSync()).status).toBe(1);
    await s.close();
    await store.putEasPolicy(STRICT);
  });

  it('a device that provisions in a loop is told to come back later (503 with Retry-After)', async () => {
    const s = sim('LOOPER01');
    for (let i = 0; i < 3; i++) expect((await s.provision()).status).toBe(1);
    const r = (await s.provision()).response;
    await s.close();
    expect(r.status).toBe(503);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(gw.logs.some((l) => l.msg === 'a device provisions in a loop; told to come back later' && l.deviceId === 'LOOPER01')).toBe(true);
  });

  it('reverted (no policy assigned any more): the upstream’s own policy passes through and no key is checked by the gateway', async () => {
    await store.putOrganization({ ...(await store.getOrganization()), policy: undefined } as never);
    const s = sim('POLICY06');
    let doc = await initialDoc(s);
    // The snapshot reloads within a few ms of the change.
    for (let i = 0; i < 100 && upstream.control.count({ deviceId: 'POLICY06', command: 'Provision' }) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      doc = await initialDoc(s);
    }
    expect(doc.MinDevicePasswordLength).toBe('4'); // the sample upstream's own
    expect(upstream.control.count({ deviceId: 'POLICY06', command: 'Provision' })).toBeGreaterThan(0);
    // The upstream's own key, which the gateway's check would refuse (144).
    await s.provision();
    expect((await s.folderSync()).status).toBe(1);
    await s.close();
    await store.putOrganization({ ...(await store.getOrganization()), policy: 'Strict' });
  });
});
