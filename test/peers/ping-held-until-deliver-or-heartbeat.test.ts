import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream({ minHeartbeatSeconds: 1, maxHeartbeatSeconds: 30 });
});
afterAll(() => upstream.close());

async function syncedDevice(deviceId: string, user = 'alice'): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ url: upstream.url, user, password: `${user}123`, deviceId });
  await sim.folderSync();
  await sim.syncUntilDone(sim.inboxId!);
  return sim;
}

describe('Ping at the sample upstream', () => {
  it('holds a Ping until a mail is delivered, then answers Status 2 with the folder', async () => {
    const sim = await syncedDevice('pingwake1');
    const started = Date.now();
    const held = sim.ping(20, [{ id: '1' }]);
    await upstream.control.whenHeld(1);
    upstream.control.deliver('alice', { subject: 'wake up' });
    const ping = await held;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ping.response.status).toBe(200);
    expect(ping.status).toBe(2);
    expect(ping.folders).toEqual(['1']);
    const next = await sim.syncUntilDone('1');
    expect(next.items.map((i) => i.subject)).toEqual(['wake up']);
    await sim.close();
  });

  it('answers Status 1 when the heartbeat ends without changes', async () => {
    const sim = await syncedDevice('pingidle1', 'bob');
    const started = Date.now();
    const ping = await sim.ping(1, [{ id: '1' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(ping.status).toBe(1);
    expect(ping.folders).toEqual([]);
    await sim.close();
  });

  it('answers at once with Status 2 when the device has not synced what is there', async () => {
    const sim = await syncedDevice('pingbehind');
    upstream.control.deliver('alice', { subject: 'arrived before the Ping' });
    const ping = await sim.ping(20, [{ id: '1' }]);
    expect(ping.status).toBe(2);
    await sim.close();
  });

  it('reuses the cached parameters for an empty Ping body', async () => {
    const sim = await syncedDevice('pingcached', 'bob');
    await sim.ping(1, [{ id: '1' }]);
    const started = Date.now();
    const empty = await sim.ping();
    expect(upstream.control.find({ command: 'Ping', deviceId: 'pingcached' }).at(-1)?.bodyBytes).toBe(0);
    expect(empty.status).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await sim.close();
  });

  it('answers an empty first Ping with Status 3 and an out-of-range heartbeat with Status 5 and the bound', async () => {
    const sim = await syncedDevice('pingbad');
    expect((await sim.ping()).status).toBe(3);
    const tooLong = await sim.ping(31, [{ id: '1' }]);
    expect(tooLong.status).toBe(5);
    expect(tooLong.heartbeatInterval).toBe(30);
    expect((await sim.ping(20, [{ id: '99' }])).status).toBe(7);
    await sim.close();
  });

  it('wakes a Sync with Wait when a mail is delivered', async () => {
    const sim = await syncedDevice('syncwait1');
    const held = sim.sync('1', { heartbeatInterval: 20 });
    await upstream.control.whenHeld(1);
    upstream.control.deliver('alice', { subject: 'during the wait' });
    const r = await held;
    expect(r.collections[0]?.added.map((a) => a.subject)).toEqual(['during the wait']);
    await sim.close();
  });
});
