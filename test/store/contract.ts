import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/store/index.js';
import { adminContract } from './contract-admin.js';
import { changesContract } from './contract-changes.js';
import { associationContract } from './contract-associations.js';
import { filterContract } from './contract-filter.js';
import { registeredDevicesContract } from './contract-registered-devices.js';
import { mailbox, useStore, waitFor, type MakeStore } from './fixture.js';

/** The store contract: every adapter passes the same suite (fixtures: ./fixture.ts). */

export function storeContract(name: string, make: MakeStore): void {
  describe(`${name}: settings, rules, device IDs`, () => {
    const t = useStore(make);

    it('starts with the defaults: ActiveSync on, no license, default access Allow', async () => {
      expect(await t.store.getSystem()).toEqual({ activeSyncEnabled: true });
      expect(await t.store.getOrganization()).toEqual({ defaultAccessLevel: 'Allow', unregisteredAccessLevel: 'Allow', adminMailRecipients: [], userMailInsert: '' });
      const p = await t.store.loadPolicy();
      expect(p).toMatchObject({ domains: [], rules: [], deviceIds: [], licenseInUse: 0 });
    });

    it('keeps system and organisation settings', async () => {
      await t.store.putSystem({ activeSyncEnabled: false, license: { total: 5, expiresAt: '2027-12-31' } });
      await t.store.putOrganization({ defaultAccessLevel: 'Quarantine', unregisteredAccessLevel: 'Block', adminMailRecipients: ['a@x.test'], userMailInsert: 'Hi' });
      expect(await t.store.getSystem()).toEqual({ activeSyncEnabled: false, license: { total: 5, expiresAt: '2027-12-31' } });
      expect(await t.store.getOrganization()).toMatchObject({ defaultAccessLevel: 'Quarantine', unregisteredAccessLevel: 'Block' });
    });

    it('keeps domains by lower-case name, rules by id and device IDs without regard to case', async () => {
      await t.store.putDomain({ name: 'Example.TEST', activeSyncEnabled: false, defaultAccessLevel: 'Block' });
      await t.store.putRule({ id: 'r1', characteristic: 'DeviceModel', queryString: 'iPhone', accessLevel: 'Block' });
      await t.store.putDeviceId({ deviceId: 'LoanER01', accessLevel: 'Allow', note: 'loaner' });
      expect(await t.store.getDomain('example.test')).toEqual({ name: 'example.test', activeSyncEnabled: false, defaultAccessLevel: 'Block' });
      expect(await t.store.getRule('r1')).toMatchObject({ queryString: 'iPhone' });
      expect(await t.store.getDeviceId('loaner01')).toEqual({ deviceId: 'LoanER01', accessLevel: 'Allow', note: 'loaner' });
      const p = await t.store.loadPolicy();
      expect([p.domains.length, p.rules.length, p.deviceIds.length]).toEqual([1, 1, 1]);
      expect(await t.store.deleteRule('r1')).toBe(true);
      expect(await t.store.deleteRule('r1')).toBe(false);
      expect(await t.store.deleteDeviceId('LOANER01')).toBe(true);
      expect(await t.store.deleteDomain('EXAMPLE.test')).toBe(true);
      expect(await t.store.listRules()).toEqual([]);
    });

    it('keeps gateway ActiveSync policies by name, in the policy snapshot, and tells another replica', async () => {
      const peer = await t.fx.peer();
      const theirs: Change[] = [];
      await peer.onChange((c) => theirs.push(c));
      const v0 = await t.store.policyVersion();
      const strict = { name: 'Strict', settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6 }, allowNonProvisionableDevices: false, refreshIntervalSeconds: 0 };
      await t.store.putEasPolicy(strict);
      await t.store.putEasPolicy({ ...strict, name: 'Lax', settings: {} });
      expect(await t.store.getEasPolicy('Strict')).toEqual(strict);
      expect((await t.store.listEasPolicies()).map((p) => p.name).sort()).toEqual(['Lax', 'Strict']);
      expect((await t.store.loadPolicy()).easPolicies?.find((p) => p.name === 'Strict')).toEqual(strict);
      expect(await t.store.policyVersion()).toBeGreaterThan(v0);
      await waitFor(() => theirs.some((c) => c.kind === 'easPolicy' && c.key === 'Lax'));
      expect(await t.store.deleteEasPolicy('Lax')).toBe(true);
      expect(await t.store.deleteEasPolicy('Lax')).toBe(false);
      expect(await t.store.getEasPolicy('Lax')).toBeUndefined();
    });

    it('makes a shared secret once: the same for every replica, another per name', async () => {
      const peer = await t.fx.peer();
      const [a, b] = await Promise.all([t.store.sharedSecret('policy-keys'), peer.sharedSecret('policy-keys')]);
      expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(b).toBe(a);
      expect(await t.store.sharedSecret('policy-keys')).toBe(a);
      expect(await t.store.sharedSecret('other')).not.toBe(a);
    });

    it('bumps the policy version on policy writes only', async () => {
      const v0 = await t.store.policyVersion();
      await t.store.putRule({ id: 'r', characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Allow' });
      const v1 = await t.store.policyVersion();
      expect(v1).toBeGreaterThan(v0);
      await t.store.putMailbox(mailbox('a@x.test'));
      expect(await t.store.policyVersion()).toBe(v1);
    });
  });

  describe(`${name}: mailboxes and licenses`, () => {
    const t = useStore(make);

    it('puts, gets, lists by prefix with a cursor, and deletes mailboxes', async () => {
      for (const u of ['carol@b.test', 'alice@a.test', 'bob@a.test', 'alan@a.test']) await t.store.putMailbox(mailbox(u));
      expect(await t.store.getMailbox('bob@a.test')).toEqual(mailbox('bob@a.test'));
      const p1 = await t.store.listMailboxes({ prefix: 'al', limit: 1 });
      expect(p1.items.map((m) => m.user)).toEqual(['alan@a.test']);
      const p2 = await t.store.listMailboxes({ prefix: 'al', limit: 1, cursor: p1.nextCursor! });
      expect(p2.items.map((m) => m.user)).toEqual(['alice@a.test']);
      expect(p2.nextCursor).toBeNull();
      const all = await t.store.listMailboxes({ limit: 10 });
      expect(all.items.map((m) => m.user)).toEqual(['alan@a.test', 'alice@a.test', 'bob@a.test', 'carol@b.test']);
      expect(await t.store.deleteMailbox('bob@a.test')).toBe(true);
      expect(await t.store.getMailbox('bob@a.test')).toBeUndefined();
      expect(await t.store.countEnabledMailboxes()).toBe(3);
    });

    it('writes a mailbox only if it is still the one read (compare and set), else answers changed with the stored one', async () => {
      await t.store.putMailbox(mailbox('cas@x.test'));
      const read = (await t.store.getMailbox('cas@x.test'))!;
      const other = { ...read, allowedDeviceIds: ['OTHER1'] };
      expect((await t.store.putMailbox(other, { expect: read })).status).toBe('ok');
      const late = await t.store.putMailbox({ ...read, blockedDeviceIds: ['MINE1'] }, { expect: read });
      expect(late).toEqual({ status: 'changed', mailbox: other });
      expect(await t.store.getMailbox('cas@x.test')).toEqual(other);
      expect((await t.store.putMailbox({ ...other, blockedDeviceIds: ['MINE1'] }, { expect: late.mailbox! })).status).toBe('ok');
      // expect: null writes only a mailbox that does not exist yet.
      expect(await t.store.putMailbox(mailbox('cas@x.test'), { expect: null })).toMatchObject({ status: 'changed', mailbox: { blockedDeviceIds: ['MINE1'] } });
      expect((await t.store.putMailbox(mailbox('cas-new@x.test'), { expect: null })).status).toBe('ok');
    });

    it('counts enabled mailboxes, all and per domain', async () => {
      await t.store.putMailbox(mailbox('a@one.test'));
      await t.store.putMailbox(mailbox('b@one.test'));
      await t.store.putMailbox(mailbox('c@two.test'));
      await t.store.putMailbox(mailbox('d@two.test', { activeSyncEnabled: false }));
      expect(await t.store.countEnabledMailboxes()).toBe(3);
      expect(await t.store.countEnabledMailboxes('one.test')).toBe(2);
      expect(await t.store.countEnabledMailboxes('two.test')).toBe(1);
      expect((await t.store.loadPolicy()).licenseInUse).toBe(3);
    });

    it('refuses to enable a user when the license is full, until a seat is free', async () => {
      await t.store.putMailbox(mailbox('a@x.test'), { licenseLimit: 1 });
      await t.store.putMailbox(mailbox('b@x.test', { activeSyncEnabled: false }), { licenseLimit: 1 });
      const refused = await t.store.putMailbox(mailbox('b@x.test'), { licenseLimit: 1 });
      expect(refused.status).toBe('license-limit');
      expect((await t.store.getMailbox('b@x.test'))?.activeSyncEnabled).toBe(false);
      // a user already enabled may be written again at the limit
      expect((await t.store.putMailbox(mailbox('a@x.test', { defaultAccessLevel: 'Block' }), { licenseLimit: 1 })).status).toBe('ok');
      await t.store.putMailbox(mailbox('a@x.test', { activeSyncEnabled: false }), { licenseLimit: 1 });
      expect((await t.store.putMailbox(mailbox('b@x.test'), { licenseLimit: 1 })).status).toBe('ok');
    });

    it('creates a new user over the limit with ActiveSync disabled (reason License), once', async () => {
      await t.store.putMailbox(mailbox('a@x.test'), { licenseLimit: 1, createOnly: true });
      const r = await t.store.putMailbox(mailbox('b@x.test'), { licenseLimit: 1, createOnly: true });
      expect(r).toEqual({ status: 'ok', mailbox: mailbox('b@x.test', { activeSyncEnabled: false, disabledReason: 'License' }) });
      const again = await t.store.putMailbox(mailbox('b@x.test'), { licenseLimit: 5, createOnly: true });
      expect(again.status).toBe('exists');
      expect(again.mailbox?.disabledReason).toBe('License');
    });

    it('lets concurrent creations through the license only up to the limit', async () => {
      const peer = await t.fx.peer();
      const users = Array.from({ length: 20 }, (_, i) => `u${i}@x.test`);
      await Promise.all(users.map((u, i) => (i % 2 ? peer : t.store).putMailbox(mailbox(u), { licenseLimit: 7, createOnly: true })));
      expect(await t.store.countEnabledMailboxes()).toBe(7);
    });
  });

  describe(`${name}: change notifications`, () => {
    const t = useStore(make);

    it('tells its own listeners and another replica what changed, within a second', async () => {
      const peer = await t.fx.peer();
      const mine: Change[] = [];
      const theirs: Change[] = [];
      await t.store.onChange((c) => mine.push(c));
      await peer.onChange((c) => theirs.push(c));
      await t.store.putRule({ id: 'r9', characteristic: 'DeviceOS', queryString: 'iOS 12.0', accessLevel: 'Block' });
      await t.store.putMailbox(mailbox('z@x.test'));
      await t.store.putSystem({ activeSyncEnabled: true });
      const expected = [{ kind: 'rule', key: 'r9' }, { kind: 'mailbox', key: 'z@x.test' }, { kind: 'system' }];
      expect(mine).toEqual(expected);
      await waitFor(() => theirs.length >= 3);
      expect(theirs.filter((c) => c.kind !== 'resync').slice(-3)).toEqual(expected);
    });
  });

  associationContract(name, make);
  adminContract(name, make);
  filterContract(name, make);
  changesContract(name, make);
  registeredDevicesContract(name, make);
}
