import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DeviceSimulator, runConversation, stableTranscript, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { basic } from '../helpers/credentials.js';
import { requestLines, startGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The gateway must be invisible to an allowed device: the whole conversation of each
 * protocol version gives the same statuses, folders and items directly and through it.
 */
describe('transparency against the sample upstream', () => {
  let upstream: SampleUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startSampleUpstream({ seedMails: 7 });
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  const cases = [
    { protocolVersion: '12.1', queryEncoding: 'plain' },
    { protocolVersion: '14.0', queryEncoding: 'plain' },
    { protocolVersion: '14.1', queryEncoding: 'base64' },
    { protocolVersion: '16.1', queryEncoding: 'plain' },
  ] as const;

  it.each(cases)('EAS $protocolVersion with a $queryEncoding query: same answers directly and through easgate', async (c) => {
    const run = async (url: string, deviceId: string) => {
      upstream.control.reset();
      const sim = new DeviceSimulator({ url, user: 'alice@example.test', password: 'alice123', deviceId, ...c });
      try {
        return await runConversation(sim, { sendMail: 'From: alice@example.test\r\nTo: bob@example.test\r\nSubject: hi\r\n\r\nhello\r\n' });
      } finally {
        await sim.close();
      }
    };
    const direct = await run(upstream.url, 'DIRECT0001');
    const through = await run(gw.url, 'DIRECT0001');
    expect(direct.ok).toBe(true);
    expect(stableTranscript(through)).toEqual(stableTranscript(direct));
  });

  it('puts the device details of a 14.1 Provision into the request log line', async () => {
    const sim = new DeviceSimulator({
      url: gw.url,
      user: 'alice@example.test',
      password: 'alice123',
      deviceId: 'LOGDETAILS1',
      protocolVersion: '14.1',
      deviceInformation: { model: 'iPhone15C2', os: 'iOS 17.1 21B74', friendlyName: 'Alice phone' },
    });
    try {
      await sim.provision();
    } finally {
      await sim.close();
    }
    const line = requestLines(gw.logs).find((l) => l.deviceId === 'LOGDETAILS1' && l.provision === 'initial');
    expect(line).toMatchObject({ cmd: 'Provision', model: 'iPhone15C2', os: 'iOS 17.1 21B74', friendlyName: 'Alice phone', status: 200 });
    const ack = requestLines(gw.logs).find((l) => l.deviceId === 'LOGDETAILS1' && l.provision === 'acknowledgement');
    expect(ack).toBeDefined();
  });

  it('puts the device details of a 12.1 Settings request into the request log line', async () => {
    const sim = new DeviceSimulator({
      url: gw.url,
      user: 'alice@example.test',
      password: 'alice123',
      deviceId: 'LOGSETTINGS1',
      protocolVersion: '12.1',
      deviceInformation: { model: 'SM-G991B', os: 'Android 13' },
    });
    try {
      await sim.settings();
    } finally {
      await sim.close();
    }
    const line = requestLines(gw.logs).find((l) => l.deviceId === 'LOGSETTINGS1' && l.cmd === 'Settings');
    expect(line).toMatchObject({ model: 'SM-G991B', os: 'Android 13', status: 200 });
  });

  it('answers a Provision body that is not WBXML with 400 and does not forward it', async () => {
    const before = upstream.control.requests.length;
    const res = await request(`${gw.url}?Cmd=Provision&User=alice&DeviceId=BADBODY1&DeviceType=iPhone`, {
      method: 'POST',
      body: Buffer.from([3, 1, 0x6a, 0, 0, 0x0e, 0x45, 0x46, 0x47]),
      headers: { authorization: basic('alice', 'alice123'), 'ms-asprotocolversion': '14.1', 'content-type': 'application/vnd.ms-sync.wbxml' },
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(400);
    expect(text).toContain('EASGATE_ERR_EAS_BAD_BODY');
    expect(upstream.control.requests.length).toBe(before);
  });

  it('lets a 449 from an upstream that requires provisioning reach the device, which provisions and carries on', async () => {
    const strict = await startSampleUpstream({ requireProvisioning: true });
    const g = await startGateway(strict.url);
    try {
      const sim = new DeviceSimulator({ url: g.url, user: 'bob@example.test', password: 'bob123', deviceId: 'STRICT121', protocolVersion: '12.1' });
      const first = await sim.raw('FolderSync');
      expect(first.status).toBe(449);
      const t = await runConversation(sim);
      await sim.close();
      expect(t.ok).toBe(true);
    } finally {
      await g.stop();
      await strict.close();
    }
  });
});
