import { describe, expect, it } from 'vitest';
import { searchAssociations, type AuditEntry, type NewAuditEntry, type SearchQuery, type Store } from '../../src/store/index.js';
import { allPages, at, device, mailbox, useStore, type MakeStore } from './fixture.js';

/** Admin tokens, the audit log, the OS and first-sync indexes and per-domain usage (issue 6). */

function allAudit(store: Store, q: Parameters<Store['queryAudit']>[0]): Promise<AuditEntry[]> {
  return allPages((cursor) => store.queryAudit({ ...q, ...at(cursor) }));
}

const entry = (i: number, actor: string, object: string): NewAuditEntry => ({
  at: 1000 + i,
  actor,
  action: `${object.split(':')[0]}.put`,
  object,
  before: i === 0 ? undefined : { n: i - 1 },
  after: { n: i },
  source: '127.0.0.1',
});

export function adminContract(name: string, make: MakeStore): void {
  describe(`${name}: admin tokens and audit`, () => {
    const t = useStore(make);

    it('creates a token once, lists, gets and deletes it', async () => {
      const tok = { name: 'ops', role: 'viewer', hash: 'ab'.repeat(32), createdAt: 5, createdBy: 'bootstrap' };
      expect(await t.store.createToken(tok)).toBe(true);
      expect(await t.store.createToken({ ...tok, role: 'admin' })).toBe(false);
      await t.store.createToken({ ...tok, name: 'alpha' });
      expect(await t.store.getToken('ops')).toEqual(tok);
      expect((await t.store.listTokens()).map((x) => x.name)).toEqual(['alpha', 'ops']);
      expect(await t.store.deleteToken('ops')).toBe(true);
      expect(await t.store.deleteToken('ops')).toBe(false);
      expect(await t.store.getToken('ops')).toBeUndefined();
    });

    it('appends audit entries with increasing ids and lists them newest first, filtered and paged', async () => {
      const entries = Array.from({ length: 30 }, (_, i) => entry(i, i % 3 === 0 ? 'alice' : 'bob', i % 2 ? `rule:r${i % 4}` : `mailbox:u${i}@x.test`));
      const ids = await t.store.appendAudit(entries);
      expect(ids).toHaveLength(30);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const list = await allAudit(t.store, { limit: 7 });
      expect(list.map((e) => e.after)).toEqual(entries.map((e) => e.after).reverse());
      expect(list[0]).toEqual({ ...entries[29], id: ids[29] });
      expect((await allAudit(t.store, { actor: 'alice', limit: 2 })).map((e) => e.at)).toEqual([1027, 1024, 1021, 1018, 1015, 1012, 1009, 1006, 1003, 1000]);
      expect((await allAudit(t.store, { object: 'rule:r1' })).map((e) => e.at)).toEqual([1029, 1025, 1021, 1017, 1013, 1009, 1005, 1001]);
      expect(await allAudit(t.store, { objectType: 'rule', actor: 'alice', limit: 1 })).toHaveLength(5);
      expect(await allAudit(t.store, { objectType: 'mailbox' })).toHaveLength(15);
      expect(await allAudit(t.store, { actor: 'nobody' })).toEqual([]);
      const first = await t.store.queryAudit({ limit: 30 });
      expect([first.items.length, first.nextCursor]).toEqual([30, null]);
    });

    it('refuses a bad audit cursor and limit', async () => {
      await expect(t.store.queryAudit({ cursor: 'x' })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_CURSOR' });
      await expect(t.store.queryAudit({ limit: 0 })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_QUERY' });
    });

    it('counts enabled mailboxes per domain', async () => {
      for (const u of ['a@one.test', 'b@one.test', 'c@two.test', 'd@one.testx']) await t.store.putMailbox(mailbox(u));
      await t.store.putMailbox(mailbox('e@three.test', { activeSyncEnabled: false }));
      expect(await t.store.countEnabledMailboxesByDomain()).toEqual({ 'one.test': 2, 'one.testx': 1, 'two.test': 1 });
    });
  });

  describe(`${name}: OS and first-sync indexes`, () => {
    const t = useStore(make);

    it('lists by OS prefix and by first sync, and keeps both indexes in step with updates and deletes', async () => {
      for (let i = 0; i < 12; i++) {
        await t.store.createAssociation(device(`u${i % 4}@x.test`, `D${i}`, { os: i % 2 ? 'iOS 17.1' : 'Android 14', firstSyncAt: 100 + ((i * 7) % 12) }));
      }
      const ios = await t.store.queryAssociations({ index: 'os', prefix: 'IOS 17', limit: 100 });
      expect(ios.items).toHaveLength(6);
      const byFirst = (await t.store.queryAssociations({ index: 'firstSync', order: 'desc', limit: 100 })).items.map((a) => a.firstSyncAt);
      expect(byFirst).toEqual([...byFirst].sort((a, b) => b - a));
      expect((await t.store.queryAssociations({ index: 'firstSync', after: 105, before: 108 })).items).toHaveLength(3);
      await t.store.updateAssociation('u1@x.test', 'D1', { os: 'Windows 11' });
      expect((await t.store.queryAssociations({ index: 'os', prefix: 'ios' })).items).toHaveLength(5);
      await t.store.deleteAssociation('u3@x.test', 'D3');
      expect((await t.store.queryAssociations({ index: 'firstSync', limit: 100 })).items).toHaveLength(11);
      expect((await t.store.queryAssociations({ index: 'os', prefix: 'ios' })).items).toHaveLength(4);
    });
  });

  describe(`${name}: one search over user, device ID, type, model and friendly name`, () => {
    const t = useStore(make);

    async function all(q: SearchQuery): Promise<string[]> {
      return (await allPages((cursor) => searchAssociations(t.store, { ...q, ...at(cursor) }))).map((a) => a.deviceId);
    }

    it('merges the indexes in the order of the matching value, serves each association once, pages both ways', async () => {
      await t.store.createAssociation(device('ipad.user@x.test', 'A1', { deviceType: 'iPad', model: 'iPad Pro', friendlyName: 'iPad of Ann' }));
      await t.store.createAssociation(device('bob@x.test', 'IP2', { deviceType: 'iPhone', model: 'iPhone 15' }));
      await t.store.createAssociation(device('carol@x.test', 'C3', { deviceType: 'Android', model: 'Pixel', friendlyName: 'Carol IP phone' }));
      await t.store.createAssociation(device('ivy@x.test', 'C4', { deviceType: 'Outlook', model: 'Outlook', friendlyName: 'ipod' }));
      const asc = await all({ prefix: 'IP', limit: 1 });
      // members: ip2 (deviceId), ipad (type, A1's first match), iphone (type of IP2: already served), ipod (friendly name)
      expect(asc).toEqual(['IP2', 'A1', 'C4']);
      expect(await all({ prefix: 'ip', order: 'desc', limit: 2 })).toEqual(['C4', 'IP2', 'A1']);
      expect(await all({ prefix: 'carol ip', limit: 5 })).toEqual(['C3']);
      expect(await all({ prefix: 'zz' })).toEqual([]);
      const first = await searchAssociations(t.store, { prefix: 'ip', limit: 2 });
      const rest = await searchAssociations(t.store, { prefix: 'ip', cursor: first.nextCursor! });
      expect(rest).toEqual({ items: [expect.objectContaining({ deviceId: 'C4' })], nextCursor: null });
      await expect(searchAssociations(t.store, { prefix: 'ca', cursor: first.nextCursor! })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_CURSOR' });
    });
  });
}
