import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceKey, evaluate } from '../../src/policy/index.js';
import { PolicyRuntime, type RedisStore } from '../../src/store/index.js';
import { device } from '../store/fixture.js';
import { dropPrefix, redisStore } from '../store/redis-fixture.js';
import { startApi, type ApiFixture } from './fixture.js';

/**
 * The API writes through the Store: a second replica (its own Redis connection and
 * PolicyRuntime, as another gateway process has) decides differently within a second.
 */
describe('a change made through the API', () => {
  let fx: ApiFixture;
  let other: RedisStore;
  let runtime: PolicyRuntime;

  beforeEach(async () => {
    fx = await startApi();
    other = redisStore((fx.store as RedisStore).keys.tag.slice(1, -1));
    runtime = new PolicyRuntime(other, { reloadIntervalMs: 60_000 });
    await runtime.start();
    await fx.store.putMailbox({ user: 'u@x.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
    await fx.store.createAssociation(device('u@x.test', 'PHONE1', { model: 'Pixel 8', os: 'Android 14', deviceInfoAt: 1 }));
  });

  afterEach(async () => {
    await runtime.stop();
    await other.close();
    await fx.close();
    await dropPrefix((fx.store as RedisStore).keys.tag.slice(1, -1));
  });

  async function decide(): Promise<string> {
    const m = await runtime.getMailbox('u@x.test');
    const a = await runtime.getAssociation('u@x.test', deviceKey('PHONE1'));
    const d = evaluate(runtime.snapshot, m, a, { command: 'Sync', user: 'u@x.test', deviceKey: deviceKey('PHONE1'), deviceType: 'Android', userAgent: 'UA', now: Date.now() });
    return `${d.access}/${d.reason}`;
  }

  async function within(ms: number, want: string): Promise<number> {
    const start = Date.now();
    let last = '';
    while (Date.now() - start < ms) {
      last = await decide();
      if (last === want) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`still ${last} after ${ms} ms (wanted ${want})`);
  }

  it('is seen by the other replica: block, allow, a rule, a mailbox switched off, the system switched off', async () => {
    expect(await decide()).toBe('Allow/Global');
    const times: number[] = [];
    expect((await fx.call('POST', '/api/v1/associations/u@x.test/PHONE1/block', { token: fx.tokens.helpdesk })).status).toBe(200);
    times.push(await within(1000, 'Block/Individual'));
    await fx.call('POST', '/api/v1/associations/u@x.test/PHONE1/allow', { token: fx.tokens.helpdesk });
    times.push(await within(1000, 'Allow/Individual'));
    await fx.call('PUT', '/api/v1/mailboxes/u@x.test', { body: { allowedDeviceIds: [] } });
    await fx.call('POST', '/api/v1/rules', { body: { characteristic: 'DeviceModel', queryString: 'Pixel 8', accessLevel: 'Quarantine' } });
    times.push(await within(1000, 'Quarantine/DeviceRule'));
    await fx.call('PUT', '/api/v1/mailboxes/u@x.test', { body: { activeSyncEnabled: false } });
    times.push(await within(1000, 'Block/UserDisabled'));
    await fx.call('PUT', '/api/v1/settings/system', { body: { activeSyncEnabled: false } });
    times.push(await within(1000, 'Block/SystemDisabled'));
    expect(Math.max(...times)).toBeLessThan(1000);
  });
});
