import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream();
});
afterAll(() => upstream.close());

function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

describe('authentication at the sample upstream', () => {
  it('answers OPTIONS with a wrong password with 401 and a Basic challenge', async () => {
    const res = await request(upstream.url, { method: 'OPTIONS', headers: { authorization: basic('alice', 'wrong') } });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="/);
  });

  it('answers OPTIONS without credentials with 401, as Exchange does', async () => {
    const res = await request(upstream.url, { method: 'OPTIONS' });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
  });

  it.each(['alice', 'EXAMPLE\\alice', 'example.test\\alice', 'alice@example.test'])('accepts the logon form %s', async (login) => {
    const res = await request(upstream.url, { method: 'OPTIONS', headers: { authorization: basic(login, 'alice123') } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(res.headers['ms-asprotocolversions']).toBe('2.5,12.0,12.1,14.0,14.1,16.0,16.1');
    expect(res.headers['ms-asprotocolcommands']).toContain('Provision');
    expect(res.headers['ms-server-activesync']).toBeDefined();
    expect(res.headers.allow).toBe('OPTIONS,POST');
  });

  it('refuses a logon in another domain', async () => {
    const res = await request(upstream.url, { method: 'OPTIONS', headers: { authorization: basic('alice@elsewhere.test', 'alice123') } });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
  });

  it('reports 401 in the transcript and stops the conversation without throwing', async () => {
    const sim = new DeviceSimulator({ url: upstream.url, user: 'bob', password: 'not-bobs', deviceId: 'wrongpw1' });
    const t = await sim.conversation();
    await sim.close();
    expect(t.ok).toBe(false);
    expect(t.stoppedBecause).toBe('OPTIONS answered HTTP 401');
    expect(t.steps).toHaveLength(1);
    expect(t.steps[0]).toMatchObject({ command: 'OPTIONS', httpStatus: 401 });
    expect(JSON.stringify(t)).not.toContain('not-bobs');
  });

  it('counts the refused requests, with the user they claimed', async () => {
    const before = upstream.control.count({ user: 'carol', status: 401 });
    const res = await request(`${upstream.url}?Cmd=FolderSync&User=carol&DeviceId=c1&DeviceType=iPhone`, {
      method: 'POST',
      headers: { authorization: basic('carol', 'x'), 'ms-asprotocolversion': '14.1' },
      body: Buffer.from([3, 1, 0x6a, 0]),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
    expect(upstream.control.count({ user: 'carol', status: 401 })).toBe(before + 1);
  });
});
