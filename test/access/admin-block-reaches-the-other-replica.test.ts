import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';

const TOKEN = 'bootstrap-admin-token-for-this-test-0123456789';

/**
 * The whole chain, as an admin and a phone see it: the phone syncs through replica B, the
 * admin blocks it through replica A's API, and B refuses the phone's next request within a
 * second.
 */
describe('an admin action through one replica', () => {
  const prefix = uniquePrefix('admin-chain');
  let upstream: SampleUpstream;
  let a: ChildGateway;
  let b: ChildGateway;

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    const env = { EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: prefix, EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_LOG_LEVEL: 'info' };
    a = spawnGateway(env);
    b = spawnGateway(env);
    await Promise.all([a.ready, b.ready]);
  });
  afterAll(async () => {
    for (const g of [a, b]) g.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    await upstream.close();
    await dropPrefix(prefix);
  });

  it('is obeyed by the other replica within a second', async () => {
    const phone = new DeviceSimulator({ url: b.url, user: 'alice@example.test', password: 'alice123', deviceId: 'CHAINPHONE1', protocolVersion: '16.1' });
    expect((await phone.folderSync()).response.easStatus).toBe(1);
    const base = a.url.replace('/Microsoft-Server-ActiveSync', '');
    // The association exists once the first request was recorded.
    let listed = 0;
    for (let i = 0; i < 50 && listed === 0; i++) {
      const res = await request(`${base}/api/v1/associations?user=alice%40example.test`, { headers: { authorization: `Bearer ${TOKEN}` } });
      listed = ((await res.body.json()) as { items: unknown[] }).items.length;
      if (listed === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed).toBe(1);

    const res = await request(`${base}/api/v1/associations/alice%40example.test/CHAINPHONE1/block`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const text = await res.body.text();
    expect(res.statusCode, text).toBeLessThan(300);
    const t0 = Date.now();
    let status: number | undefined;
    while (Date.now() - t0 < 1000) {
      status = (await phone.raw('FolderSync')).easStatus;
      if (status === 129) break;
    }
    await phone.close();
    expect(status).toBe(129);
    expect(Date.now() - t0).toBeLessThan(1000);

    const audit = await request(`${base}/api/v1/audit`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const entries = ((await audit.body.json()) as { items: { action: string }[] }).items;
    expect(entries.some((e) => e.action.toLowerCase().includes('block'))).toBe(true);
  });
});
