import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream({ seedMails: 23 });
});
afterAll(() => upstream.close());

function device(deviceId: string, protocolVersion: '2.5' | '12.1' | '14.1' = '14.1'): DeviceSimulator {
  return new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId, protocolVersion });
}

describe('Sync at the sample upstream', () => {
  it('sends at most WindowSize items with MoreAvailable until all are there, then an empty 200', async () => {
    const sim = device('window10');
    await sim.folderSync();
    const done = await sim.syncUntilDone('1', { windowSize: 10 });
    expect(done.items).toHaveLength(23);
    const rounds = sim.history.filter((h) => h.label === 'Sync Inbox').map((h) => h.response.body.length > 0);
    expect(rounds).toEqual([true, true, true, true, false]);
    const more = sim.history.filter((h) => h.label === 'Sync Inbox').map((h) => h.response.doc === undefined ? 'empty' : JSON.stringify(h.response.doc).includes('MoreAvailable'));
    expect(more).toEqual([false, true, true, false, 'empty']);
    await sim.close();
  });

  it('answers Status 3 to a stale SyncKey and the device starts over at 0', async () => {
    const sim = device('stalekey');
    await sim.folderSync();
    await sim.syncUntilDone('1');
    sim.syncKeys.set('1', '999');
    const r = await sim.sync('1');
    expect(r.collections[0]?.status).toBe(3);
    expect(sim.syncKeys.get('1')).toBe('0');
    await sim.close();
  });

  it('answers FolderSync with the current key with no changes, and another key with Status 9', async () => {
    const sim = device('fskeys');
    const first = await sim.folderSync();
    expect(first.added).toHaveLength(7);
    const again = await sim.folderSync();
    expect(again.status).toBe(1);
    expect(again.added).toHaveLength(0);
    sim.folderSyncKey = '42';
    expect((await sim.folderSync()).status).toBe(9);
    expect(sim.folderSyncKey).toBe('0');
    await sim.close();
  });

  it('gives a 2.5 device the Email Body and a 14.1 device the AirSyncBase Body', async () => {
    for (const [id, version, ns] of [['body25', '2.5', 'Email'], ['body141', '14.1', 'AirSyncBase']] as const) {
      const sim = device(id, version);
      await sim.folderSync();
      await sim.syncUntilDone('1', { windowSize: 1 }, 2);
      const doc = JSON.stringify(sim.history.at(-1)?.response.doc);
      expect(doc).toContain(`{"ns":"${ns}","name":"Body"`);
      await sim.close();
    }
  });

  it('answers an empty Sync body from the cached request, and Status 13 without one', async () => {
    const sim = device('emptysync');
    expect((await sim.raw('Sync')).easStatus).toBe(13);
    await sim.folderSync();
    await sim.syncUntilDone('1');
    upstream.control.deliver('alice', { subject: 'for the empty sync' });
    const r = await sim.raw('Sync');
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.doc)).toContain('for the empty sync');
    await sim.close();
  });

  it('estimates the items a device has not synced yet', async () => {
    const sim = device('estimate');
    await sim.folderSync();
    await sim.sync('1');
    const e = await sim.getItemEstimate('1');
    expect(e.estimates).toEqual([{ collectionId: '1', status: 1, estimate: expect.any(Number) }]);
    expect(e.estimates[0]!.estimate).toBeGreaterThanOrEqual(23);
    await sim.close();
  });
});
