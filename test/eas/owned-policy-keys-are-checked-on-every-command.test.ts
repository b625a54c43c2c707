import { describe, expect, it } from 'vitest';
import { commandByName } from '../../src/eas/commands.js';
import { checkPolicyKey, policyKeysFor, type KeyCheckInput, type PolicyInForce, type ProvisionRecord } from '../../src/eas/policy-key-check.js';
import { decode, type WbxmlElement } from '../../src/wbxml/index.js';
import { ProvisionLoopGuard } from '../../src/proxy/provision-loop.js';

const policy: PolicyInForce = { revision: 'r2', allowNonProvisionableDevices: false, refreshIntervalSeconds: 0 };
const keys = policyKeysFor('secret', 'alice@example.test', 'd1', 'r2');
const earlier = policyKeysFor('secret', 'alice@example.test', 'd1', 'r1');
const provisioned: ProvisionRecord = { key: keys.final, revision: 'r2', keyAt: 1_000 };
const input = (over: Partial<KeyCheckInput> & { cmd?: string }): KeyCheckInput => ({
  command: commandByName(over.cmd ?? 'Sync'),
  protocolVersion: '14.1',
  policyKey: keys.final,
  provision: undefined,
  policy,
  keys,
  record: provisioned,
  now: 2_000,
  ...over,
});
const statusOf = (b: Buffer | undefined): string | undefined => {
  const s = b === undefined ? undefined : (decode(b).children[0] as WbxmlElement);
  return s?.children[0] as string | undefined;
};

describe('a device whose policy the gateway owns', () => {
  it('with the key of the policy in force: forwarded', () => {
    expect(checkPolicyKey(input({}))).toEqual({ kind: 'forward' });
  });

  it.each([
    ['no key, 14.1', { policyKey: undefined }, 142, 200],
    ['key 0, 14.1', { policyKey: '0' }, 142, 200],
    ['another key, 14.1', { policyKey: '1111' }, 144, 200],
    ['the key of the earlier policy revision, 14.1', { policyKey: earlier.final, record: { key: earlier.final, revision: 'r1', keyAt: 1_000 } }, 143, 200],
    ['past the refresh interval, 14.1', { policy: { ...policy, refreshIntervalSeconds: 60 }, now: 62_000 }, 143, 200],
    ['no key, 12.1', { policyKey: undefined, protocolVersion: '12.1' }, 142, 449],
    ['another key, 2.5', { policyKey: '1111', protocolVersion: '2.5' }, 144, 449],
    ['GetAttachment (no WBXML answer) on 14.0', { cmd: 'GetAttachment', protocolVersion: '14.0', policyKey: undefined }, 142, 449],
  ])('%s: told to provision (Status %i, HTTP %i), not forwarded', (_, over, status, http) => {
    const o = checkPolicyKey(input(over as Partial<KeyCheckInput>));
    expect(o.kind).toBe('provision-required');
    if (o.kind !== 'provision-required') return;
    expect(o.status).toBe(status);
    expect(o.answer.httpStatus).toBe(http);
    if (http === 200) expect(statusOf(o.answer.body)).toBe(String(status));
  });

  it('within the refresh interval: forwarded', () => {
    expect(checkPolicyKey(input({ policy: { ...policy, refreshIntervalSeconds: 60 }, now: 60_000 })).kind).toBe('forward');
  });

  it('allowNonProvisionableDevices: a device that never provisioned and sends no key syncs; one that did must keep its key', () => {
    const lax = { ...policy, allowNonProvisionableDevices: true };
    expect(checkPolicyKey(input({ policy: lax, policyKey: undefined, record: {} })).kind).toBe('forward');
    expect(checkPolicyKey(input({ policy: lax, policyKey: undefined })).kind).toBe('provision-required');
  });

  it('Provision: the initial request gets a new temporary key, a non-zero uint32', () => {
    const o = checkPolicyKey(input({ cmd: 'Provision', policyKey: undefined, provision: { phase: 'initial', policyType: 'MS-EAS-Provisioning-WBXML' }, record: {} }));
    expect(o).toEqual({ kind: 'issue', temporaryKey: keys.temporary });
    expect(Number(keys.temporary)).toBeGreaterThan(0);
    expect(Number(keys.temporary)).toBeLessThan(2 ** 32);
    expect(String(Number(keys.final))).toBe(keys.final);
  });

  it.each([
    [1, 'applied'],
    [2, 'partially-applied'],
    [3, 'not-applied'],
    [4, 'externally-managed'],
    [undefined, 'unknown'],
  ])('Provision: the acknowledgement of the temporary key (Status %s) gets the final key and says %s', (status, application) => {
    const o = checkPolicyKey(input({ cmd: 'Provision', provision: { phase: 'acknowledgement', policyKey: keys.temporary, ...(status === undefined ? {} : { policyStatus: status }) }, record: {} }));
    expect(o).toEqual({ kind: 'confirm', finalKey: keys.final, application });
  });

  it('Provision: acknowledging a key the gateway did not hand out', () => {
    expect(checkPolicyKey(input({ cmd: 'Provision', provision: { phase: 'acknowledgement', policyKey: earlier.temporary, policyStatus: 1 }, record: {} }))).toEqual({ kind: 'wrong-acknowledgement' });
  });

  it('keys are the same on every replica (the same secret), and differ per user, device, revision and secret', () => {
    expect(policyKeysFor('secret', 'alice@example.test', 'd1', 'r2')).toEqual(keys);
    const others = [policyKeysFor('secret', 'bob@example.test', 'd1', 'r2'), policyKeysFor('secret', 'alice@example.test', 'd2', 'r2'), earlier, policyKeysFor('other', 'alice@example.test', 'd1', 'r2')];
    for (const o of others) expect(o.final).not.toBe(keys.final);
    expect(keys.temporary).not.toBe(keys.final);
  });
});

describe('provision loop protection', () => {
  it('counts Provisions per device within the window and says when to come back', () => {
    const g = new ProvisionLoopGuard(3, 60_000);
    expect([1, 2, 3].map((t) => g.note('alice/D1', t * 1000).looping)).toEqual([false, false, false]);
    expect(g.note('alice/D2', 3_500).looping).toBe(false);
    expect(g.note('alice/D1', 4_000)).toEqual({ looping: true, count: 4, retryAfterSeconds: 57 });
    expect(g.note('alice/D1', 70_000).looping).toBe(false);
  });

  it('remembers a bounded number of devices', () => {
    const g = new ProvisionLoopGuard(1, 60_000, 2);
    g.note('a', 0);
    g.note('b', 0);
    g.note('c', 0);
    expect(g.note('a', 1).looping).toBe(false); // forgotten, counted anew
    expect(g.note('c', 1).looping).toBe(true);
  });
});
