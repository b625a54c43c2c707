import { afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/policy/index.js';
import { MemoryStore, PolicyRuntime } from '../../src/store/index.js';
import { device, mailbox, waitFor } from './fixture.js';

describe('PolicyRuntime over the memory store', () => {
  const runtimes: PolicyRuntime[] = [];
  async function runtime(store = new MemoryStore()): Promise<PolicyRuntime> {
    const rt = new PolicyRuntime(store, { debounceMs: 1 });
    await rt.start();
    runtimes.push(rt);
    return rt;
  }
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  });

  it('fetches a mailbox once, then answers from the cache; absence is cached too', async () => {
    const store = new MemoryStore();
    await store.putMailbox(mailbox('a@x.test', { blockedDeviceIds: ['DEV1'] }));
    const rt = await runtime(store);
    expect(rt.peekMailbox('a@x.test')).toBeUndefined();
    const m = await rt.getMailbox('a@x.test');
    expect(m?.blocked.has('dev1')).toBe(true);
    expect(rt.peekMailbox('a@x.test')).toBe(m);
    expect(await rt.getMailbox('nobody@x.test')).toBeNull();
    expect(rt.peekMailbox('nobody@x.test')).toBeNull();
    expect(rt.stats).toMatchObject({ mailboxMisses: 2 });
  });

  it('drops a cached mailbox or association when it changes', async () => {
    const store = new MemoryStore();
    const rt = await runtime(store);
    await rt.getMailbox('a@x.test');
    await rt.getAssociation('a@x.test', 'd1');
    await store.putMailbox(mailbox('a@x.test'));
    await store.createAssociation(device('a@x.test', 'D1'));
    expect(rt.peekMailbox('a@x.test')).toBeUndefined();
    expect(rt.peekAssociation('a@x.test', 'd1')).toBeUndefined();
    expect((await rt.getAssociation('a@x.test', 'd1'))?.deviceId).toBe('D1');
  });

  it('rebuilds the snapshot when a rule or setting changes, and follows the license count', async () => {
    const store = new MemoryStore();
    const rt = await runtime(store);
    const before = rt.snapshot;
    await store.putRule({ id: 'r', characteristic: 'DeviceType', queryString: 'iPhone', accessLevel: 'Block' });
    await waitFor(() => rt.snapshot !== before);
    expect(rt.snapshot.rules.DeviceType.get('iPhone')?.rule.id).toBe('r');
    await store.putMailbox(mailbox('a@x.test'));
    await waitFor(() => rt.snapshot.licenseInUse === 1);
  });

  it('creates a new user over the license limit with ActiveSync disabled', async () => {
    const store = new MemoryStore();
    await store.putSystem({ activeSyncEnabled: true, license: { total: 1 } });
    const rt = await runtime(store);
    expect((await rt.ensureMailbox('a@x.test')).mailbox.activeSyncEnabled).toBe(true);
    const b = await rt.ensureMailbox('b@x.test');
    expect(b.mailbox).toMatchObject({ activeSyncEnabled: false, disabledReason: 'License' });
    const req = { command: 'Sync', user: 'b@x.test', deviceKey: 'd', deviceType: 'iPhone', userAgent: undefined, now: Date.now() };
    expect(evaluate(rt.snapshot, rt.peekMailbox('b@x.test'), undefined, req)).toMatchObject({ reason: 'License', status: 126 });
  });

  it('records a decision that changed the state; the next read sees it, never an older cached copy', async () => {
    const store = new MemoryStore();
    const rt = await runtime(store);
    const { association } = await store.createAssociation(device('a@x.test', 'D1', { accessState: 'DeviceDiscovery' }));
    rt.rememberAssociation(association);
    // Another write to the same association lands while the decision is in flight.
    const marked = store.updateAssociation('a@x.test', 'D1', { quarantineMailboxAt: 7 });
    const next = await rt.recordDecision(association, { access: 'Block', state: 'Blocked', reason: 'DeviceRule', ruleId: 'r1', status: 129 }, 5, 'gw1');
    await marked;
    expect(next).toMatchObject({ accessState: 'Blocked', matchedRuleId: 'r1' });
    expect(await rt.getAssociation('a@x.test', 'd1')).toMatchObject({ accessState: 'Blocked', matchedRuleId: 'r1', quarantineMailboxAt: 7 });
    expect(await store.getAssociation('a@x.test', 'D1')).toMatchObject({ accessState: 'Blocked', matchedRuleId: 'r1' });
    expect((await store.getAssociationHistory('a@x.test', 'D1'))[0]).toMatchObject({ state: 'Blocked', actor: 'gw1' });
  });

  it('after the change feed comes back, keeps serving its cache until the store answers, then reloads and empties it', async () => {
    const inner = new MemoryStore();
    await inner.createAssociation(device('a@x.test', 'D1'));
    // The store as the runtime sees it: reads fail while "down", and the feed's listener is kept to replay a resync.
    let down = false;
    let feed: ((c: { kind: 'resync' }) => void) | undefined;
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'onChange') return (l: (c: { kind: 'resync' }) => void) => ((feed = l), target.onChange(l as never));
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => (down ? Promise.reject(new Error('store away')) : (v as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
    const rt = await runtime(store);
    const cached = await rt.getAssociation('a@x.test', 'd1');
    expect(cached?.deviceId).toBe('D1');
    const reloads = rt.stats.reloads;

    down = true;
    feed!({ kind: 'resync' }); // the subscriber is back before the store connection
    await new Promise((r) => setTimeout(r, 100));
    expect(rt.peekAssociation('a@x.test', 'd1')).toBe(cached); // known devices still decided from the cache

    down = false;
    await waitFor(() => rt.peekAssociation('a@x.test', 'd1') === undefined, 3000);
    expect(rt.stats.reloads).toBeGreaterThan(reloads);
  });
});
