import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, requestLines, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

describe('bad input', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let upstreamHits = 0;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.method !== 'OPTIONS') upstreamHits++;
      res.end();
    });
    gw = await startGateway(upstream.url, { EASGATE_INSPECT_BODY_LIMIT: '1024' });
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.close();
  });

  const cases: [string, string, string][] = [
    ['a POST without Cmd', 'User=a&DeviceId=D1&DeviceType=SP', 'EASGATE_ERR_EAS_MISSING_CMD'],
    ['a POST with an unknown Cmd', 'Cmd=Explode&User=a&DeviceId=D1&DeviceType=SP', 'EASGATE_ERR_EAS_UNKNOWN_CMD'],
    ['a POST without DeviceId', 'Cmd=Sync&User=a&DeviceType=SP', 'EASGATE_ERR_EAS_MISSING_DEVICE_ID'],
    ['a POST without DeviceType', 'Cmd=Sync&User=a&DeviceId=D1', 'EASGATE_ERR_EAS_MISSING_DEVICE_TYPE'],
    ['a DeviceId with a comma', 'Cmd=Sync&User=a&DeviceId=D1,D2&DeviceType=SP', 'EASGATE_ERR_EAS_BAD_DEVICE_ID'],
    ['a DeviceId of 33 characters', `Cmd=Sync&User=a&DeviceId=${'A'.repeat(33)}&DeviceType=SP`, 'EASGATE_ERR_EAS_BAD_DEVICE_ID'],
    ['a DeviceId with a NUL', 'Cmd=Sync&User=a&DeviceId=D%001&DeviceType=SP', 'EASGATE_ERR_EAS_BAD_DEVICE_ID'],
    ['a DeviceType with control characters', 'Cmd=Sync&User=a&DeviceId=D1&DeviceType=S%0AP', 'EASGATE_ERR_EAS_BAD_DEVICE_TYPE'],
    ['an undecodable base64 query', 'jAAJ', 'EASGATE_ERR_EAS_BAD_BASE64_QUERY'],
    ['a base64 query that is not base64', '%%%', 'EASGATE_ERR_EAS_BAD_BASE64_QUERY'],
  ];

  it.each(cases)('answers %s with 400 naming the problem, and forwards nothing', async (_what, query, code) => {
    const before = upstreamHits;
    const res = await request(`${gw.url}?${query}`, { method: 'POST', body: 'payload' });
    const text = await res.body.text();
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-easgate-error']).toBe(code);
    expect(text).toContain(code);
    expect(upstreamHits).toBe(before);
    const line = requestLines(gw.logs).at(-1)!;
    expect(line.error).toBe(code);
    expect(typeof line.reason).toBe('string');
  });

  it('answers a non-ActiveSync method with 405 and Allow', async () => {
    const res = await request(gw.url, { method: 'GET' });
    await res.body.dump();
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('OPTIONS, POST');
  });

  it('answers a Provision body over the inspect limit with 413 and forwards nothing', async () => {
    const before = upstreamHits;
    const res = await request(`${gw.url}?Cmd=Provision&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', body: Buffer.alloc(4096) });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
    expect(upstreamHits).toBe(before);
  });

  it('answers a chunked Provision body that grows over the limit with 413', async () => {
    const chunks = Readable.from(Array.from({ length: 8 }, () => Buffer.alloc(512)));
    const res = await request(`${gw.url}?Cmd=Settings&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', body: chunks });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
  });

  it('keeps serving after a burst of garbage', async () => {
    const junk = ['%ZZ', '=&=&', 'Cmd=&DeviceId=&DeviceType=', '\u0000', 'a'.repeat(8000)];
    for (const q of junk) {
      const res = await request(`${gw.url}?${encodeURI(q)}`, { method: 'POST', body: 'x' });
      await res.body.dump();
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
    }
    const ok = await request(`${gw.url}?Cmd=Sync&User=a&DeviceId=D1&DeviceType=SP`, { method: 'POST', body: 'x' });
    await ok.body.dump();
    expect(ok.statusCode).toBe(200);
  });
});
