import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { requestLines, startGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A device with a base64 query: the request log names the user as the admin API does
 * (alice@example.test, not alice), and its printable device ID as text beside the hex it is
 * kept as; the admin API finds the association by either form.
 */
const TOKEN = 'base64-test-admin-token-0123456789';

describe('a device with a base64 query', () => {
  let upstream: SampleUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    gw = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_DEFAULT_DOMAIN: 'example.test' });
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('is logged with the normalised user and its device ID as text, and found by the API under the text or the hex', async () => {
    const sim = new DeviceSimulator({ url: gw.url, user: 'alice', password: 'alice123', deviceId: 'ALICENEW01', protocolVersion: '14.1', queryEncoding: 'base64' });
    await sim.provision();
    await sim.folderSync();
    await sim.close();
    const hex = Buffer.from('ALICENEW01').toString('hex');
    const line = requestLines(gw.logs).find((l) => l.cmd === 'FolderSync')!;
    expect(line).toMatchObject({ user: 'alice@example.test', deviceId: hex, deviceIdText: 'ALICENEW01' });
    for (const id of ['ALICENEW01', hex]) {
      const res = await request(`${gw.origin}/api/v1/associations/alice/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode, id).toBe(200);
      expect(((await res.body.json()) as { user: string }).user).toBe('alice@example.test');
    }
  });
});
