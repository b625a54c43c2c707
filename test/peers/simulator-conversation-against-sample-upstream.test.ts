import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, stableTranscript, type SampleUpstream, type Transcript } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream({ requireProvisioning: true, seedMails: 5 });
});
afterAll(() => upstream.close());

async function converse(protocolVersion: '12.1' | '14.1' | '16.1', queryEncoding: 'plain' | 'base64', deviceId: string): Promise<Transcript> {
  const sim = new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId, protocolVersion, queryEncoding });
  try {
    return await sim.conversation();
  } finally {
    await sim.close();
  }
}

describe('a phone conversation with the sample upstream', () => {
  it.each([
    ['12.1', 'plain'],
    ['14.1', 'plain'],
    ['16.1', 'plain'],
    ['14.1', 'base64'],
  ] as const)('runs OPTIONS, Provision, FolderSync, Sync until done and GetItemEstimate at %s with a %s query', async (version, encoding) => {
    const t = await converse(version, encoding, `conv${version.replace('.', '')}${encoding}`);
    expect(t.ok, t.stoppedBecause).toBe(true);
    const settings = version === '12.1' ? ['Settings'] : [];
    expect(t.steps.map((s) => s.step)).toEqual([
      'OPTIONS', 'Provision (initial)', 'Provision (acknowledge)', ...settings, 'FolderSync',
      'Sync Inbox', 'Sync Inbox', 'Sync Inbox', 'GetItemEstimate',
    ]);
    expect(t.steps.every((s) => s.httpStatus === 200)).toBe(true);
    const [prime, load, done] = t.steps.filter((s) => s.command === 'Sync');
    expect(prime?.facts.collections).toEqual([{ collectionId: '1', status: 1, added: 0, moreAvailable: false }]);
    expect(load?.facts.collections).toEqual([{ collectionId: '1', status: 1, added: 5, moreAvailable: false }]);
    expect(done?.facts.empty).toBe(true);
    expect(t.steps.at(-1)?.facts.estimates).toEqual([{ collectionId: '1', status: 1, estimate: 0 }]);
  });

  it('sends DeviceInformation inside Provision at 14.1 and in Settings at 12.1', async () => {
    await converse('14.1', 'plain', 'infoInProvision');
    await converse('12.1', 'plain', 'infoInSettings');
    const inProvision = upstream.control.find({ command: 'Settings', deviceId: 'infoInProvision' });
    expect(inProvision).toHaveLength(0);
    expect(upstream.control.device('alice', 'infoInProvision')?.deviceInformation).toMatchObject({ Model: 'iPhone9C1', MobileOperator: 'Sample Mobile' });
    expect(upstream.control.device('alice', 'infoInSettings')?.deviceInformation).toMatchObject({ Model: 'iPhone9C1', UserAgent: 'Apple-iPhone9C1/1402.100' });
  });

  it('sends the final policy key on every command after Provision, in the base64 query too', async () => {
    for (const [id, encoding] of [['keyPlain', 'plain'], ['keyBase64', 'base64']] as const) {
      await converse('14.1', encoding, id);
      const deviceId = encoding === 'base64' ? Buffer.from(id).toString('hex') : id.toLowerCase();
      const finalKey = upstream.control.device('alice', deviceId)?.policyKey;
      expect(finalKey).toMatch(/^[1-9]\d*$/);
      const after = upstream.control.requests.filter((r) => r.deviceId?.toLowerCase() === deviceId && r.command !== 'Provision');
      expect(after.length).toBeGreaterThan(3);
      for (const r of after) expect(r.policyKey).toBe(finalKey);
    }
  });

  it('gives the same stable transcript for two devices of the same mailbox', async () => {
    const a = await converse('16.1', 'plain', 'twinA');
    const b = await converse('16.1', 'plain', 'twinB');
    expect(stableTranscript(a)).toEqual(stableTranscript(b));
    expect(a.steps[1]?.volatile.policyKey).not.toEqual(b.steps[1]?.volatile.policyKey);
  });
});
