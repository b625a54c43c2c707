import { describe, expect, it } from 'vitest';
import { countStoreCalls, MemoryStore, RedisStore } from '../../src/store/index.js';
import { REDIS_URL } from './redis-fixture.js';

describe('counting store calls', () => {
  it('counts each operation, its failures and its time; the store keeps its class and properties', async () => {
    const inner = new MemoryStore();
    const { store, calls } = countStoreCalls(inner);
    expect(store).toBeInstanceOf(MemoryStore);
    await store.putMailbox({ user: 'a@x.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
    await store.getMailbox('a@x.test');
    await store.getMailbox('b@x.test');
    expect(calls.get('getMailbox')).toMatchObject({ ok: 2, failed: 0 });
    expect(calls.get('putMailbox')).toMatchObject({ ok: 1, failed: 0 });
    expect(calls.get('putMailbox')!.seconds).toBeGreaterThan(0);
    expect(calls.has('onChange')).toBe(false);
    expect(store.registeredDevices).toBe(inner.registeredDevices);
    await store.close();
  });

  it('counts a call that fails as failed', async () => {
    const { store, calls } = countStoreCalls(new RedisStore({ url: REDIS_URL, keyPrefix: 'easgate-calls-test' }));
    expect(store).toBeInstanceOf(RedisStore);
    await store.getSystem();
    await store.close();
    await expect(store.getSystem()).rejects.toThrow();
    expect(calls.get('getSystem')).toMatchObject({ ok: 1, failed: 1 });
  });
});
