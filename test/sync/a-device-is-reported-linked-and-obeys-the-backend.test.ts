import { afterEach, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream } from '../../src/peers/index.js';
import { startSampleBackend } from '../../src/peers/sample-backend/index.js';
import { startGateway } from '../helpers/gateway.js';

/**
 * End to end with the device simulator: a phone syncs through the gateway, the backend
 * sync reports it, the backend registers it (linked) and blocks it, and the phone's next
 * request is refused.
 */
describe('a device, the gateway and the management backend', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('is reported, linked, then blocked by a backend action', async () => {
    const upstream = await startSampleUpstream();
    closers.push(() => upstream.close());
    const backend = await startSampleBackend();
    closers.push(() => backend.close());
    const gw = await startGateway(upstream.url, { EASGATE_BACKEND_URL: backend.url.href });
    closers.push(() => gw.gateway.stop());
    const sync = gw.gateway.sync!.engine;

    const phone = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'LINKPHONE1', protocolVersion: '16.1' });
    expect((await phone.folderSync()).response.easStatus).toBe(1);

    expect((await sync.run()).error).toBeUndefined();
    const reported = backend.association('alice@example.test', 'LINKPHONE1');
    expect(reported).toMatchObject({ accessState: 'Allowed' });
    expect(reported?.deviceType).toBeDefined();

    backend.putDevice({ backendDeviceId: 'mdm-42', deviceId: 'linkphone1', user: 'alice@example.test', registered: true });
    expect((await sync.run()).links).toEqual({ linked: 1 });
    expect((await gw.gateway.data.store.getAssociation('alice@example.test', 'LINKPHONE1'))?.backendDeviceId).toBe('mdm-42');

    backend.addAction({ action: 'block', user: 'alice@example.test', deviceId: 'LINKPHONE1' });
    expect((await sync.run()).actions).toEqual({ applied: 1 });
    const t0 = Date.now();
    let status = (await phone.raw('FolderSync')).easStatus;
    while (status !== 129 && Date.now() - t0 < 2_000) status = (await phone.raw('FolderSync')).easStatus;
    expect(status).toBe(129);
    // The next differential tells the backend what it did: linked and blocked.
    await sync.run();
    expect(backend.association('alice@example.test', 'LINKPHONE1')).toMatchObject({ backendDeviceId: 'mdm-42', accessState: 'Blocked', accessReason: 'Individual' });
  });
});
