import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { decode, textOf, type WbxmlElement } from '../../src/wbxml/index.js';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import type { Store } from '../../src/store/index.js';
import { basic } from '../helpers/credentials.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';
import { until } from '../helpers/until.js';

const TOKEN = 'wipe-test-admin-token-0123456789abcdef';
const USER = 'alice@example.test';

describe('remote wipe, delivered by the gateway', () => {
  const prefix = uniquePrefix('wipe');
  let upstream: SampleUpstream;
  let gw: TestGateway;
  let store: Store;

  const api = async (path: string, body: unknown = {}) => {
    const res = await request(`${gw.origin}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  const phone = (deviceId: string, protocolVersion: '12.1' | '14.1' | '16.1') =>
    new DeviceSimulator({ url: gw.url, user: USER, password: 'alice123', deviceId, protocolVersion });
  const known = async (sim: DeviceSimulator, id: string) => {
    await sim.provision();
    await sim.folderSync();
    await until(async () => (await store.getAssociation(USER, id.toLowerCase())) !== undefined);
  };

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    gw = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: prefix });
    store = gw.gateway.data.store;
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
    await dropPrefix(prefix);
  });
  beforeEach(() => upstream.control.reset());

  it('answers the next command with Status 140, the Provision with RemoteWipe, and records the acknowledgement', async () => {
    const sim = phone('WIPE141A', '14.1');
    await known(sim, 'WIPE141A');
    const ordered = await api(`/associations/${USER}/WIPE141A/wipe`);
    expect(ordered.status).toBe(200);
    expect(ordered.body).toMatchObject({ wipeStatus: 'WipePending', wipeRequestedBy: 'bootstrap' });
    upstream.control.reset();

    const fs = await sim.folderSync(); // 140 → the simulator provisions, gets the directive, acknowledges
    await sim.close();
    expect(fs.response.easStatus).toBe(140);
    expect(sim.wiped).toBe('RemoteWipe');
    await until(async () => (await store.getAssociation(USER, 'wipe141a'))?.wipeStatus === 'WipeSucceeded');
    const a = (await store.getAssociation(USER, 'wipe141a'))!;
    expect(a.wipeSentAt).toBeTypeOf('number');
    expect(a.wipeAckAt).toBeGreaterThanOrEqual(a.wipeSentAt!);
    expect(upstream.control.count({ deviceId: 'WIPE141A' })).toBe(0); // the gateway answered it all
  });

  it('keeps refusing a wiped device and re-sends the directive to any further Provision', async () => {
    const sim = phone('WIPE141A', '14.1');
    const p = await sim.provision();
    expect(p.response.status).toBe(200);
    const first = sim.history.find((h) => h.label.startsWith('Provision'))!.response;
    expect((decode(first.body).children as WbxmlElement[]).map((c) => c.name)).toEqual(['Status', 'RemoteWipe']);
    expect(sim.wiped).toBe('RemoteWipe');
    expect((await sim.raw('Sync')).easStatus).toBe(140);
    await sim.close();
  });

  it('tells a 12.1 device to provision with 449 when it sent a policy key, 403 without', async () => {
    const sim = phone('WIPE121A', '12.1');
    await known(sim, 'WIPE121A');
    expect((await api(`/associations/${USER}/WIPE121A/wipe`)).status).toBe(200);
    await until(() => gw.gateway.data.runtime.peekAssociation(USER, 'wipe121a')?.wipeStatus === 'WipePending' || gw.gateway.data.runtime.peekAssociation(USER, 'wipe121a') === undefined);
    const withKey = await sim.raw('FolderSync');
    expect(withKey.status).toBe(449);
    const res = await request(`${gw.url}?Cmd=FolderSync&User=alice&DeviceId=WIPE121A&DeviceType=iPhone`, {
      method: 'POST',
      body: Buffer.from([3, 1, 0x6a, 0]),
      headers: { authorization: basic(USER, 'alice123'), 'ms-asprotocolversion': '12.1' },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(403);
    await sim.close();
  });

  it('sends AccountOnlyRemoteWipe to a 16.1 device, and refuses account-only for older ones unless told to fall back', async () => {
    const sim16 = phone('WIPE161A', '16.1');
    await known(sim16, 'WIPE161A');
    const sim14 = phone('WIPE141B', '14.1');
    await known(sim14, 'WIPE141B');
    const refused = await api(`/associations/${USER}/WIPE141B/wipe`, { accountOnly: true });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'accountOnly' });
    expect((await api(`/associations/${USER}/WIPE141B/wipe`, { accountOnly: true, fallbackToFull: true })).body).toMatchObject({ wipeAccountOnly: false });
    expect((await api(`/associations/${USER}/WIPE161A/wipe`, { accountOnly: true })).body).toMatchObject({ wipeAccountOnly: true });
    await sim16.folderSync();
    await sim14.folderSync();
    expect(sim16.wiped).toBe('AccountOnlyRemoteWipe');
    expect(sim14.wiped).toBe('RemoteWipe');
    await Promise.all([sim16.close(), sim14.close()]);
  });

  it('cancels a wipe that was not sent, and refuses to cancel one that was', async () => {
    const sim = phone('WIPECNCL', '14.1');
    await known(sim, 'WIPECNCL');
    expect((await api(`/associations/${USER}/WIPECNCL/wipe`)).status).toBe(200);
    const cancelled = await api(`/associations/${USER}/WIPECNCL/cancel-wipe`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.wipeStatus).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect((await sim.folderSync()).response.easStatus).toBe(1);
    expect(sim.wiped).toBeUndefined();
    expect((await api(`/associations/${USER}/WIPE141A/cancel-wipe`)).status).toBe(409);
    await sim.close();
  });

  it('ends a held Ping within a second of the order, so the device provisions and gets the wipe', async () => {
    const sim = phone('WIPEPING', '14.1');
    await known(sim, 'WIPEPING');
    const ping = sim.ping(600);
    await upstream.control.whenHeld(1);
    const t0 = Date.now();
    expect((await api(`/associations/${USER}/WIPEPING/wipe`)).status).toBe(200);
    const answer = await ping;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(answer.response.easStatus).toBe(140);
    const text = textOf((decode(answer.response.body).children as WbxmlElement[])[0]!);
    expect(text).toBe('140');
    await sim.close();
  });

  it('survives a restart: a pending wipe ordered through one gateway is delivered by the next', async () => {
    const sim = phone('WIPERSTRT', '14.1');
    await known(sim, 'WIPERSTRT');
    expect((await api(`/associations/${USER}/WIPERSTRT/wipe`)).status).toBe(200);
    const next = await startGateway(upstream.url, { EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: prefix });
    try {
      const other = new DeviceSimulator({ url: next.url, user: USER, password: 'alice123', deviceId: 'WIPERSTRT', protocolVersion: '14.1' });
      await other.folderSync();
      expect(other.wiped).toBe('RemoteWipe');
      await other.close();
    } finally {
      await next.stop();
      await sim.close();
    }
  });
});
