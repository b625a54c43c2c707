import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/store/index.js';
import { device, waitFor } from './fixture.js';
import { uniquePrefix } from './redis-fixture.js';
import { createOnceWritable, startSentinelGroup, storeAt, type SentinelGroup } from './redis-topology.js';

// Sentinels with a password of their own (requirepass) watching data nodes with another:
// the URL carries the data nodes' password, EASGATE_REDIS_SENTINEL_PASSWORD the Sentinels'.
const DATA = 'data-pw:with@signs';
const SENTINEL = 'sentinel-pw-0123';

describe('Sentinel and data nodes with passwords of their own', () => {
  let group: SentinelGroup;
  beforeAll(async () => {
    group = await startSentinelGroup({ replicas: 1, dataPassword: DATA, sentinelPassword: SENTINEL });
  }, 90_000);
  afterAll(async () => group?.stop());

  it('reads, writes, notifies and follows a failover with both passwords', async () => {
    const prefix = uniquePrefix('sentinel-auth');
    const env = { EASGATE_REDIS_SENTINEL_PASSWORD: SENTINEL };
    const store = storeAt(group.url, prefix, env);
    const peer = storeAt(group.url, prefix, env);
    try {
      const heard: Change[] = [];
      await peer.onChange((c) => heard.push(c));
      expect((await store.createAssociation(device('a@x.test', 'D1'))).created).toBe(true);
      await waitFor(() => heard.some((c) => c.kind === 'association'));
      await group.failover();
      expect(await createOnceWritable(store, 'b@x.test', 'D2')).toBe(true);
      expect(await peer.countAssociations()).toBe(2);
    } finally {
      store.disconnect();
      peer.disconnect();
    }
  }, 60_000);

  it('does not reach the primary without the Sentinels’ password, and says so without the password', async () => {
    const store = storeAt(group.url, uniquePrefix('sentinel-noauth'));
    const errors: string[] = [];
    store.client.on('error', (err: Error) => errors.push(err.message));
    try {
      await expect(store.getSystem()).rejects.toThrow();
      expect(errors.join('\n')).not.toContain(DATA);
    } finally {
      store.disconnect();
    }
  });
});

// An ACL user of the data nodes (`user easgate on >… ~* &* +@all`) with a password other than
// the default user's: the URL's user and password reach the primary as `AUTH user password`,
// through a failover too.
describe('Sentinel with an ACL user on the data nodes', () => {
  const USER = { name: 'easgate-gw', password: 'acl-pw-0123' };
  let group: SentinelGroup;
  beforeAll(async () => {
    group = await startSentinelGroup({ replicas: 1, dataPassword: DATA, aclUser: USER });
  }, 90_000);
  afterAll(async () => group?.stop());

  it('authenticates as that user, before and after a failover', async () => {
    expect(group.url).toContain(`${USER.name}:${USER.password}@`);
    const store = storeAt(group.url, uniquePrefix('sentinel-acl'));
    try {
      expect((await store.createAssociation(device('a@x.test', 'D1'))).created).toBe(true);
      const me = async (): Promise<unknown> => store.client.call('ACL', 'WHOAMI');
      expect(await me()).toBe(USER.name);
      await group.failover();
      expect(await createOnceWritable(store, 'b@x.test', 'D2')).toBe(true);
      expect(await me()).toBe(USER.name);
      expect(await store.countAssociations()).toBe(2);
    } finally {
      store.disconnect();
    }
  }, 60_000);

  it('is refused with a user name the data nodes do not know', async () => {
    const store = storeAt(group.url.replace(`${USER.name}:`, 'nobody:'), uniquePrefix('sentinel-acl-bad'));
    const errors: string[] = [];
    store.client.on('error', (err: Error) => errors.push(err.message));
    try {
      await expect(store.getSystem()).rejects.toThrow();
      expect(errors.join('\n')).toMatch(/WRONGPASS|NOAUTH|invalid username-password/i);
      expect(errors.join('\n')).not.toContain(USER.password);
    } finally {
      store.disconnect();
    }
  });
});
