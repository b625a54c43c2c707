import { describe, expect, it } from 'vitest';
import { compileMailbox, defaultMailbox, type Association } from '../../src/policy/index.js';
import { UserCache } from '../../src/store/index.js';

const assoc = (user: string, deviceId: string): Association => ({
  user,
  deviceId,
  firstSyncAt: 1,
  accessState: 'Allowed',
  accessReason: 'Global',
  displayName: 'x',
});

describe('UserCache', () => {
  it('keeps a mailbox, an absence and several devices per user', () => {
    const c = new UserCache(10, 4, 1000, () => 0);
    const m = compileMailbox(defaultMailbox('a@x.test'));
    c.setMailbox('a@x.test', m);
    c.setMailbox('b@x.test', null);
    expect(c.getMailbox('a@x.test')).toBe(m);
    expect(c.getMailbox('b@x.test')).toBeNull();
    expect(c.getMailbox('c@x.test')).toBeUndefined();
    for (const d of ['d1', 'd2', 'd3']) c.setAssociation('a@x.test', d, assoc('a@x.test', d));
    c.setAssociation('a@x.test', 'd4', null);
    expect(['d1', 'd2', 'd3'].map((d) => c.getAssociation('a@x.test', d)?.deviceId)).toEqual(['d1', 'd2', 'd3']);
    expect(c.getAssociation('a@x.test', 'd4')).toBeNull();
    expect(c.getAssociation('a@x.test', 'd5')).toBeUndefined();
  });

  it('bounds the devices of one user', () => {
    const c = new UserCache(10, 2, 1000, () => 0);
    for (let i = 0; i < 10; i++) c.setAssociation('a@x.test', `d${i}`, null);
    const kept = Array.from({ length: 10 }, (_, i) => c.getAssociation('a@x.test', `d${i}`)).filter((v) => v !== undefined);
    expect(kept).toHaveLength(3); // the inline device and two more
    expect(c.getAssociation('a@x.test', 'd9')).toBeNull();
  });

  it('evicts users that were not used since the last sweep first (CLOCK)', () => {
    const c = new UserCache(3, 2, 1000, () => 0);
    for (const u of ['a', 'b', 'c']) c.setMailbox(u, null);
    c.getMailbox('a');
    c.getMailbox('c');
    c.setMailbox('d', null);
    expect(['a', 'b', 'c', 'd'].map((u) => c.getMailbox(u) === null)).toEqual([true, false, true, true]);
    expect(c.size).toBe(3);
  });

  it('expires entries and drops them on invalidation', () => {
    let now = 0;
    const c = new UserCache(10, 2, 100, () => now);
    c.setMailbox('a', null);
    c.setAssociation('a', 'd1', null);
    c.setAssociation('a', 'd2', null);
    c.dropAssociation('a', 'd2');
    c.dropAssociation('a', 'd1');
    expect(c.getAssociation('a', 'd1')).toBeUndefined();
    expect(c.getAssociation('a', 'd2')).toBeUndefined();
    expect(c.getMailbox('a')).toBeNull();
    c.dropMailbox('a');
    expect(c.getMailbox('a')).toBeUndefined();
    c.setMailbox('a', null);
    now = 100;
    expect(c.getMailbox('a')).toBeUndefined();
  });
});
