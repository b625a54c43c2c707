import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream({ requireProvisioning: true });
});
afterEach(() => upstream.control.clearBehaviours());
afterAll(() => upstream.close());

function device(deviceId: string, protocolVersion: '12.1' | '14.1' = '14.1'): DeviceSimulator {
  return new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId, protocolVersion });
}

describe('misbehaviour switches of the sample upstream', () => {
  it('answers 449 and the simulator provisions again and retries, like a phone', async () => {
    const sim = device('sw449', '12.1');
    await sim.provision();
    const firstKey = sim.policyKey;
    upstream.control.behave('449', { times: 1, command: 'FolderSync' });
    const fs = await sim.folderSync();
    expect(fs.response.status).toBe(200);
    expect(sim.history.map((h) => `${h.label} ${h.response.status}`).slice(-4)).toEqual([
      'FolderSync 449', 'Provision (initial) 200', 'Provision (acknowledge) 200', 'FolderSync 200',
    ]);
    expect(sim.policyKey).not.toBe(firstKey);
    const answer = sim.history.at(-4)!.response;
    expect(answer.headers['ms-asprotocolcommands']).toContain('FolderSync');
    await sim.close();
  });

  it('sends 449 to a 12.1 device and Status 142 to a 14.1 device that never provisioned', async () => {
    const old = device('never121', '12.1');
    const r121 = await old.raw('FolderSync', undefined);
    expect(r121.status).toBe(449);
    const sim = device('never141');
    const fs = await sim.folderSync();
    expect(fs.status).toBe(1);
    expect(sim.history[0]?.response.easStatus).toBe(142);
    expect(sim.history.map((h) => h.label)).toEqual(['FolderSync', 'Provision (initial)', 'Provision (acknowledge)', 'FolderSync']);
    await Promise.all([old.close(), sim.close()]);
  });

  it('answers 451 with X-MS-Location and the simulator moves there for good', async () => {
    const sim = device('sw451');
    upstream.control.behave('451', { times: 1, command: 'Provision' });
    const p = await sim.provision();
    expect(p.status).toBe(1);
    expect(sim.history[0]?.response.status).toBe(451);
    expect(sim.url).toMatch(/\/site2\/Microsoft-Server-ActiveSync$/);
    await sim.folderSync();
    const last = upstream.control.find({ deviceId: 'sw451' }).at(-1);
    expect(last?.path).toBe('/site2/Microsoft-Server-ActiveSync');
    await sim.close();
  });

  it('answers 503 with Retry-After through the X-Sample-Behaviour header', async () => {
    const sim = device('sw503');
    const r = await sim.raw('FolderSync', undefined, { 'x-sample-behaviour': '503=120' });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('120');
    await sim.close();
  });

  it('answers slowly when asked to', async () => {
    const sim = device('swslow');
    const started = Date.now();
    const r = await sim.raw('FolderSync', undefined, { 'x-sample-behaviour': 'delay=300,500' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(r.status).toBe(500);
    await sim.close();
  });

  it('drops the connection without an answer', async () => {
    const sim = device('swdestroy');
    await expect(sim.raw('FolderSync', undefined, { 'x-sample-behaviour': 'destroy' })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(upstream.control.find({ deviceId: 'swdestroy' })).toHaveLength(1);
    await sim.close();
  });

  it('holds a request until the client gives up', async () => {
    const sim = device('swhold');
    const ac = new AbortController();
    const held = sim.raw('FolderSync', undefined, { 'x-sample-behaviour': 'hold' }, { signal: ac.signal });
    await upstream.control.whenHeld(1);
    ac.abort();
    await expect(held).rejects.toThrow();
    await expect.poll(() => upstream.control.find({ deviceId: 'swhold' })[0]?.aborted).toBe(true);
    await sim.close();
  });

  it('answers 400 to a switch it does not know', async () => {
    const sim = device('swbad');
    const r = await sim.raw('FolderSync', undefined, { 'x-sample-behaviour': 'explode' });
    expect(r.status).toBe(400);
    await sim.close();
  });
});
