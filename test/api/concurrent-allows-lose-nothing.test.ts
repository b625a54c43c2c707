import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDevice } from '../../src/actions/index.js';
import { updateMailbox } from '../../src/actions/mailbox-write.js';
import { RedisStore, type Store } from '../../src/store/index.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';

const USER = 'busy@example.test';

/**
 * Allowing and blocking edit the mailbox's device lists read-modify-write; two writers at
 * once (two admins, or an admin and the backend's actions, on two replicas) must not lose
 * one another's entry. Two stores on one Redis, as two replicas have.
 */
describe('concurrent allows and blocks of one mailbox', () => {
  const prefix = uniquePrefix('cas');
  let one: Store;
  let two: Store;

  beforeAll(async () => {
    one = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
    two = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
    await one.putMailbox({ user: USER, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
    for (let n = 0; n < 24; n++) await one.createAssociation({ user: USER, deviceId: `DEV${n}`, accessState: 'Allowed', accessReason: 'Global', displayName: '' } as never);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await dropPrefix(prefix);
  });

  it('keeps every device listed when 24 are allowed or blocked at once through two replicas, and a level changed meanwhile', async () => {
    // Meanwhile another admin changes the user's default level (PUT /mailboxes: other fields keep their value).
    const levelChange = updateMailbox(two, USER, (m) => ({ ...m, defaultAccessLevel: 'Quarantine' }), 'refuse');
    const results = await Promise.all(
      Array.from({ length: 24 }, async (_, n) => {
        const store = n % 2 === 0 ? one : two;
        const a = (await store.getAssociation(USER, `DEV${n}`))!;
        const ctx = { store, actor: `admin${n}`, now: Date.now, normalizeUser: (u: string) => u, audit: () => undefined };
        return listDevice(ctx, a, n % 3 === 0 ? 'Block' : 'Allow');
      }),
    );
    await levelChange;
    expect(results.map((r) => r.accessState)).toEqual(Array.from({ length: 24 }, (_, n) => (n % 3 === 0 ? 'Blocked' : 'Allowed')));
    const m = (await one.getMailbox(USER))!;
    expect(m.defaultAccessLevel).toBe('Quarantine');
    expect([...m.allowedDeviceIds].sort()).toEqual(Array.from({ length: 24 }, (_, n) => n).filter((n) => n % 3 !== 0).map((n) => `DEV${n}`).sort());
    expect([...m.blockedDeviceIds].sort()).toEqual(Array.from({ length: 24 }, (_, n) => n).filter((n) => n % 3 === 0).map((n) => `DEV${n}`).sort());
  });
});
