import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream({ requireProvisioning: true });
});
afterEach(() => upstream.control.clearBehaviours());
afterAll(() => upstream.close());

async function conversationOf(deviceId: string, protocolVersion: '12.1' | '14.1') {
  const sim = new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId, protocolVersion });
  try {
    return { sim, t: await sim.conversation() };
  } finally {
    await sim.close();
  }
}

describe('the simulator facing a refusal', () => {
  it('reports a 14.1 FolderSync with Status 129 (blocked) and stops', async () => {
    upstream.control.behave('eas=129', { command: 'FolderSync', times: 1 });
    const { t } = await conversationOf('blocked141', '14.1');
    expect(t.ok).toBe(false);
    expect(t.stoppedBecause).toBe('FolderSync answered Status 129');
    expect(t.steps.at(-1)).toMatchObject({ command: 'FolderSync', httpStatus: 200, easStatus: 129 });
  });

  it('reports a 14.1 Provision with Status 126 (user disabled) and stops', async () => {
    upstream.control.behave('eas=126', { command: 'Provision', times: 1 });
    const { t } = await conversationOf('disabled141', '14.1');
    expect(t.stoppedBecause).toBe('Provision answered Status 126');
    expect(t.steps.map((s) => s.step)).toEqual(['OPTIONS', 'Provision (initial)']);
  });

  it('reports a 12.1 device refused with HTTP 403 and stops', async () => {
    upstream.control.behave('403', { command: 'FolderSync', times: 1 });
    const { t } = await conversationOf('forbidden121', '12.1');
    expect(t.stoppedBecause).toBe('FolderSync answered HTTP 403');
    expect(t.steps.at(-1)).toMatchObject({ command: 'FolderSync', httpStatus: 403 });
  });

  it('answers a wrong policy key with Status 144, after which the device provisions again', async () => {
    const sim = new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId: 'wrongkey141', protocolVersion: '14.1' });
    await sim.provision();
    const stale = await sim.raw('FolderSync', undefined, { 'x-ms-policykey': '12345' });
    expect(stale.easStatus).toBe(144);
    const fs = await sim.folderSync();
    expect(fs.status).toBe(1);
    await sim.close();
  });
});
