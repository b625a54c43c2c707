import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceKey, evaluate } from '../../src/policy/index.js';
import { PolicyRuntime, type RedisStore } from '../../src/store/index.js';
import { device, mailbox, waitFor } from './fixture.js';
import { dropPrefix, redisStore, uniquePrefix } from './redis-fixture.js';

/** Two gateway replicas (two stores, two runtimes) on one real Redis. */
describe('two replicas on one Redis', () => {
  let prefix: string;
  let a: RedisStore;
  let b: RedisStore;
  let rtB: PolicyRuntime;
  let commandsOfB = 0;

  beforeEach(async () => {
    prefix = uniquePrefix('replicas');
    a = redisStore(prefix);
    b = redisStore(prefix);
    // Count what replica B really sends to Redis (its own client, not a mock).
    const client = b.client as Redis;
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
      commandsOfB++;
      return send(...args);
    }) as Redis['sendCommand'];
    rtB = new PolicyRuntime(b, { debounceMs: 5, reloadIntervalMs: 60_000 });
    await rtB.start();
  });

  afterEach(async () => {
    await rtB.stop();
    await Promise.all([a.close(), b.close()]);
    await dropPrefix(prefix);
  });

  it('sees a mailbox, a rule, a setting and an association change made through the other within a second', async () => {
    await a.putMailbox(mailbox('u@x.test'));
    await a.createAssociation(device('u@x.test', 'D1'));
    expect((await rtB.getMailbox('u@x.test'))?.mailbox.activeSyncEnabled).toBe(true);
    expect((await rtB.getAssociation('u@x.test', 'd1'))?.accessState).toBe('Allowed');

    await a.putMailbox(mailbox('u@x.test', { activeSyncEnabled: false }));
    const mailboxMs = await waitFor(() => rtB.peekMailbox('u@x.test') === undefined);
    expect((await rtB.getMailbox('u@x.test'))?.mailbox.activeSyncEnabled).toBe(false);

    await a.putRule({ id: 'r', characteristic: 'DeviceModel', queryString: 'X1', accessLevel: 'Block' });
    const ruleMs = await waitFor(() => rtB.snapshot.rules.DeviceModel.has('X1'));

    await a.putSystem({ activeSyncEnabled: false });
    await waitFor(() => !rtB.snapshot.systemEnabled);

    await a.setAccessState('u@x.test', 'D1', { state: 'Blocked', reason: 'Individual', at: 1 });
    await waitFor(() => rtB.peekAssociation('u@x.test', 'd1') === undefined);
    expect((await rtB.getAssociation('u@x.test', 'd1'))?.accessState).toBe('Blocked');

    await a.deleteAssociation('u@x.test', 'D1');
    await waitFor(() => rtB.peekAssociation('u@x.test', 'd1') === undefined);
    expect(await rtB.getAssociation('u@x.test', 'd1')).toBeNull();
    expect(Math.max(mailboxMs, ruleMs)).toBeLessThan(1000);
  });

  it('answers a cached device with no Redis round trip', async () => {
    await a.putMailbox(mailbox('u@x.test'));
    await a.createAssociation(device('u@x.test', 'D1', { model: 'X1' }));
    await rtB.getMailbox('u@x.test');
    await rtB.getAssociation('u@x.test', 'd1');
    const before = commandsOfB;
    for (let i = 0; i < 1000; i++) {
      const m = rtB.peekMailbox('u@x.test');
      const as = rtB.peekAssociation('u@x.test', 'd1');
      const d = evaluate(rtB.snapshot, m, as, { command: 'Sync', user: 'u@x.test', deviceKey: deviceKey('D1'), deviceType: 'iPhone', userAgent: 'UA', now: Date.now() });
      expect(d.access).toBe('Allow');
    }
    expect(commandsOfB - before).toBe(0);
    await rtB.getMailbox('other@x.test');
    expect(commandsOfB - before).toBeGreaterThanOrEqual(1); // the counter does see a miss
  });

  it('picks up a change whose notification was lost, through the version poll', async () => {
    const raw = a.client as Redis;
    const rule = { id: 'silent', characteristic: 'DeviceType', queryString: 'Silent', accessLevel: 'Block' };
    const polling = new PolicyRuntime(b, { reloadIntervalMs: 100 });
    await polling.start();
    await raw.multi().hset(a.keys.rules, 'silent', JSON.stringify(rule)).incr(a.keys.policyVersion).exec();
    await waitFor(() => polling.snapshot.rules.DeviceType.has('Silent'), 2000);
    expect(rtB.snapshot.rules.DeviceType.has('Silent')).toBe(false);
    await polling.stop();
  });
});
