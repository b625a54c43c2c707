import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { startSampleBackend, type SampleBackend } from '../../src/peers/sample-backend/index.js';
import type { Store } from '../../src/store/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';
import { until } from '../helpers/until.js';

const USER = 'alice@example.test';
const IMEI = '353456789012347';

/**
 * iOS takes a new device ID after a wipe: the phone shows up as a new association. The old
 * one keeps its wipe (whatever it sends, it gets only the wipe) and points to the new one,
 * because both share the user and the IMEI; the backend hears of both links.
 */
describe('a wiped phone that comes back under a new device ID', () => {
  const prefix = uniquePrefix('newid');
  let upstream: SampleUpstream;
  let backend: SampleBackend;
  let gw: TestGateway;
  let store: Store;

  const phone = (deviceId: string, imei = IMEI) =>
    new DeviceSimulator({ url: gw.url, user: USER, password: 'alice123', deviceId, protocolVersion: '16.1', deviceType: 'iPhone', deviceInformation: { imei } });
  const get = (deviceId: string) => store.getAssociation(USER, deviceId);

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    backend = await startSampleBackend();
    gw = await startGateway(upstream.url, { EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: prefix, EASGATE_BACKEND_URL: backend.url.href });
    store = gw.gateway.data.store;
  });
  afterAll(async () => {
    await gw.stop();
    await backend.close();
    await upstream.close();
    await dropPrefix(prefix);
  });

  it('links the old association to the new one; the old one keeps getting the wipe', async () => {
    const before = phone('OLDIPHONE1');
    await before.provision();
    await before.folderSync();
    await until(async () => (await get('OLDIPHONE1'))?.imei === IMEI);
    await store.updateAssociation(USER, 'OLDIPHONE1', { wipeStatus: 'WipePending', wipeRequestedAt: Date.now(), wipeRequestedBy: 'test' });
    await until(async () => {
      await before.folderSync().catch(() => undefined);
      return before.wiped !== undefined;
    });
    await before.close();
    await until(async () => (await get('OLDIPHONE1'))?.wipeStatus === 'WipeSucceeded');

    // Reset, the phone enrols again with a new device ID; its Provision reports the same IMEI.
    const after = phone('NEWIPHONE1');
    await after.provision();
    expect((await after.folderSync()).response.easStatus).toBe(1);
    await until(async () => (await get('OLDIPHONE1'))?.replacedBy === 'NEWIPHONE1' && (await get('NEWIPHONE1'))?.replaces !== undefined);
    expect(await get('NEWIPHONE1')).toMatchObject({ replaces: 'OLDIPHONE1', accessState: 'Allowed', imei: IMEI });
    expect(await get('OLDIPHONE1')).toMatchObject({ wipeStatus: 'WipeSucceeded' });
    await after.close();

    // The old ID, should anything still use it, gets only the wipe.
    const ghost = phone('OLDIPHONE1');
    expect((await ghost.raw('FolderSync')).easStatus).toBe(140);
    await ghost.close();

    // The backend hears of both ends of the link in the next differential.
    expect((await gw.gateway.sync!.engine.run()).error).toBeUndefined();
    expect(backend.association(USER, 'OLDIPHONE1')).toMatchObject({ replacedBy: 'NEWIPHONE1', wipeStatus: 'WipeSucceeded' });
    expect(backend.association(USER, 'NEWIPHONE1')).toMatchObject({ replaces: 'OLDIPHONE1' });
  });

  it('does not pair two mail apps of one phone: same IMEI, neither wiped', async () => {
    const mail = phone('APPMAIL1', '990000862471854');
    await mail.provision();
    await mail.folderSync();
    await until(async () => (await get('APPMAIL1'))?.imei !== undefined);
    const outlook = phone('APPOUTLOOK1', '990000862471854');
    await outlook.provision();
    await outlook.folderSync();
    await until(async () => (await get('APPOUTLOOK1'))?.imei !== undefined);
    expect((await get('APPMAIL1'))?.replacedBy).toBeUndefined();
    expect((await get('APPOUTLOOK1'))?.replaces).toBeUndefined();
    await mail.close();
    await outlook.close();
  });
});
