import { beforeEach, describe, expect, it } from 'vitest';
import type { Association } from '../../src/policy/index.js';
import { StoreError, type NewAssociation, type Store } from '../../src/store/index.js';
import { allPages, at, device, useStore, type MakeStore } from './fixture.js';

function all(store: Store, q: Parameters<Store['queryAssociations']>[0]): Promise<Association[]> {
  return allPages((cursor) => store.queryAssociations({ ...q, ...at(cursor) }));
}

const ids = (list: Association[]): string[] => list.map((a) => `${a.user}/${a.deviceId}`);

export function associationContract(name: string, make: MakeStore): void {
  describe(`${name}: associations`, () => {
    const t = useStore(make);

    it('creates once: a second create returns the first one, first sync included', async () => {
      const first = await t.store.createAssociation(device('a@x.test', 'ABC', { firstSyncAt: 1000 }));
      expect(first.created).toBe(true);
      expect(first.association).toMatchObject({ firstSyncAt: 1000, displayName: 'a_iPhone', accessState: 'Allowed' });
      const second = await t.store.createAssociation(device('a@x.test', 'abc', { firstSyncAt: 2000, model: 'other' }));
      expect(second.created).toBe(false);
      expect(second.association.firstSyncAt).toBe(1000);
      expect(second.association.deviceId).toBe('ABC');
      expect(await t.store.getAssociation('a@x.test', 'aBc')).toEqual(first.association);
    });

    it('sets the first sync exactly once when replicas race', async () => {
      const peer = await t.fx.peer();
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? peer : t.store).createAssociation(device('r@x.test', 'RACE', { firstSyncAt: 100 + i }))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.association.firstSyncAt)).size).toBe(1);
    });

    it('keeps ids apart that only a separator could confuse', async () => {
      await t.store.createAssociation(device('a/b@x.test', 'c'));
      await t.store.createAssociation(device('a@x.test', 'b/c'));
      expect(await t.store.getAssociation('a/b@x.test', 'c')).toBeDefined();
      expect((await t.store.getAssociation('a@x.test', 'b/c'))?.user).toBe('a@x.test');
      expect(await t.store.countAssociations()).toBe(2);
    });

    it('updates fields, removes them with null, keeps times from going back, re-indexes', async () => {
      await t.store.createAssociation(device('a@x.test', 'D1', { model: 'Old Model', firstSyncAt: 10 }));
      expect(await t.store.updateAssociation('a@x.test', 'd1', { model: 'New Model', imei: '123', deviceInfoAt: 50 })).toBe(true);
      expect(await t.store.updateAssociation('a@x.test', 'd1', { imei: null, deviceInfoAt: 40, wipeAccountOnly: true })).toBe(true);
      const a = await t.store.getAssociation('a@x.test', 'D1');
      expect(a).toMatchObject({ model: 'New Model', deviceInfoAt: 50, wipeAccountOnly: true });
      expect(a?.imei).toBeUndefined();
      expect((await t.store.queryAssociations({ index: 'model', prefix: 'old' })).items).toEqual([]);
      expect(ids((await t.store.queryAssociations({ index: 'model', prefix: 'NEW m' })).items)).toEqual(['a@x.test/D1']);
      expect(await t.store.updateAssociation('nobody@x.test', 'D1', { model: 'x' })).toBe(false);
      expect(await t.store.getAssociation('nobody@x.test', 'D1')).toBeUndefined();
    });

    it('records state changes with history, and ignores a change to the same verdict', async () => {
      await t.store.createAssociation(device('a@x.test', 'D1', { firstSyncAt: 10, accessState: 'DeviceDiscovery' }));
      const block = { state: 'Blocked', reason: 'DeviceRule', ruleId: 'r1', at: 20, actor: 'gw1' } as const;
      expect(await t.store.setAccessState('a@x.test', 'D1', block)).toBe(true);
      expect(await t.store.setAccessState('a@x.test', 'D1', { ...block, at: 30 })).toBe(false);
      expect(await t.store.setAccessState('a@x.test', 'D1', { state: 'Allowed', reason: 'Individual', at: 40, actor: 'admin' })).toBe(true);
      const a = await t.store.getAssociation('a@x.test', 'D1');
      expect(a).toMatchObject({ accessState: 'Allowed', accessReason: 'Individual', accessStateAt: 40 });
      expect(a?.matchedRuleId).toBeUndefined();
      const h = await t.store.getAssociationHistory('a@x.test', 'D1');
      expect(h.map((e) => [e.state, e.at, e.actor])).toEqual([
        ['Allowed', 40, 'admin'],
        ['Blocked', 20, 'gw1'],
        ['DeviceDiscovery', 10, undefined],
      ]);
      expect(ids(await all(t.store, { index: 'state', state: 'Blocked' }))).toEqual([]);
      expect(ids(await all(t.store, { index: 'state', state: 'Allowed' }))).toEqual(['a@x.test/D1']);
      expect(await t.store.setAccessState('no@x.test', 'D1', block)).toBe(false);
    });

    it('writes sync records, and drops those of a deleted association', async () => {
      await t.store.createAssociation(device('a@x.test', 'D1', { firstSyncAt: 10 }));
      await t.store.createAssociation(device('b@x.test', 'D2', { firstSyncAt: 11 }));
      await t.store.recordSyncs([
        { user: 'a@x.test', deviceId: 'd1', lastSyncAttemptAt: 500, lastSuccessSyncAt: 500, lastCommand: 'Sync', protocolVersion: '16.1', userAgent: 'UA/1', lastInstance: 'gw2' },
        { user: 'gone@x.test', deviceId: 'D9', lastSyncAttemptAt: 600, lastCommand: 'Ping' },
      ]);
      expect(await t.store.getAssociation('a@x.test', 'D1')).toMatchObject({ lastSyncAttemptAt: 500, lastCommand: 'Sync', protocolVersion: '16.1', lastInstance: 'gw2' });
      expect(await t.store.getAssociation('gone@x.test', 'D9')).toBeUndefined();
      expect(ids(await all(t.store, { index: 'lastSync', order: 'desc' }))).toEqual(['a@x.test/D1', 'b@x.test/D2']);
      expect(await t.store.deleteAssociation('a@x.test', 'D1')).toBe(true);
      await t.store.recordSyncs([{ user: 'a@x.test', deviceId: 'D1', lastSyncAttemptAt: 900 }]);
      expect(await t.store.getAssociation('a@x.test', 'D1')).toBeUndefined();
      expect(ids(await all(t.store, { index: 'lastSync' }))).toEqual(['b@x.test/D2']);
      expect(await t.store.countAssociations()).toBe(1);
    });

    it('deletes from every index; a returning device starts over', async () => {
      await t.store.createAssociation(device('a@x.test', 'D1', { model: 'M', friendlyName: 'Phone', firstSyncAt: 10, accessState: 'Quarantined' }));
      expect(await t.store.deleteAssociation('a@x.test', 'd1')).toBe(true);
      expect(await t.store.deleteAssociation('a@x.test', 'd1')).toBe(false);
      for (const index of ['user', 'deviceId', 'deviceType', 'model', 'friendlyName'] as const) {
        expect((await t.store.queryAssociations({ index })).items).toEqual([]);
      }
      expect((await t.store.queryAssociations({ index: 'state', state: 'Quarantined' })).items).toEqual([]);
      expect(await t.store.getAssociationHistory('a@x.test', 'D1')).toEqual([]);
      const again = await t.store.createAssociation(device('a@x.test', 'D1', { firstSyncAt: 99 }));
      expect(again).toMatchObject({ created: true, association: { firstSyncAt: 99 } });
    });
  });

  describe(`${name}: association queries`, () => {
    const t = useStore(make);
    beforeEach(async () => {
      const rows: NewAssociation[] = [];
      for (let i = 0; i < 30; i++) {
        rows.push(
          device(`user${String(i % 10).padStart(2, '0')}@x.test`, `Dev${String(i).padStart(3, '0')}`, {
            deviceType: i % 3 ? 'iPhone' : 'SamsungDevice',
            model: i % 2 ? 'iPhone 15' : 'Galaxy S24',
            friendlyName: `Phone ${i}`,
            firstSyncAt: 1000 + (i % 7), // ties on purpose
            accessState: i % 5 === 0 ? 'Blocked' : 'Allowed',
          }),
        );
      }
      expect(await t.store.createAssociations(rows)).toBe(30);
      expect(await t.store.createAssociations(rows.slice(0, 3))).toBe(0);
    });

    it('lists by user, exactly, in device order', async () => {
      const list = await all(t.store, { index: 'user', prefix: 'USER03@x.test', exact: true, limit: 2 });
      expect(ids(list)).toEqual(['user03@x.test/Dev003', 'user03@x.test/Dev013', 'user03@x.test/Dev023']);
    });

    it('searches by prefix on user, device ID, type, model and friendly name, case-insensitively', async () => {
      expect(await all(t.store, { index: 'user', prefix: 'user0' })).toHaveLength(30);
      expect(ids(await all(t.store, { index: 'deviceId', prefix: 'dev01' }))).toHaveLength(10);
      expect(await all(t.store, { index: 'deviceType', prefix: 'samsung' })).toHaveLength(10);
      expect(await all(t.store, { index: 'model', prefix: 'iphone 1' })).toHaveLength(15);
      expect(ids(await all(t.store, { index: 'friendlyName', prefix: 'phone 2', exact: true }))).toEqual(['user02@x.test/Dev002']);
      expect(await all(t.store, { index: 'model', prefix: 'nokia' })).toEqual([]);
    });

    it('pages both ways without gaps or repeats', async () => {
      for (const order of ['asc', 'desc'] as const) {
        for (const index of ['deviceId', 'lastSync'] as const) {
          const list = await all(t.store, { index, order, limit: 4 });
          expect(new Set(ids(list)).size).toBe(30);
        }
      }
      const asc = ids(await all(t.store, { index: 'deviceId', limit: 7 }));
      const desc = ids(await all(t.store, { index: 'deviceId', order: 'desc', limit: 7 }));
      expect(desc).toEqual([...asc].reverse());
    });

    it('orders by last sync (ties by id), lists a state by when it was entered, filters a time window', async () => {
      const list = await all(t.store, { index: 'lastSync', limit: 3 });
      const times = list.map((a) => a.firstSyncAt);
      expect(times).toEqual([...times].sort((x, y) => x - y));
      const desc = await all(t.store, { index: 'lastSync', order: 'desc', limit: 3 });
      expect(ids(desc)).toEqual(ids(list).reverse());
      const blocked = await all(t.store, { index: 'state', state: 'Blocked', limit: 2 });
      expect(blocked.map((a) => a.deviceId).sort()).toEqual(['Dev000', 'Dev005', 'Dev010', 'Dev015', 'Dev020', 'Dev025']);
      const entered = blocked.map((a) => a.accessStateAt!);
      expect(entered).toEqual([...entered].sort((x, y) => x - y));
      const window = await all(t.store, { index: 'lastSync', after: 1002, before: 1004, limit: 2 });
      expect(window.every((a) => a.firstSyncAt >= 1002 && a.firstSyncAt < 1004)).toBe(true);
      expect(window).toHaveLength(8);
    });

    it('refuses a bad cursor, a cursor of another index and an out-of-range limit', async () => {
      const page = await t.store.queryAssociations({ index: 'model', limit: 1 });
      await expect(t.store.queryAssociations({ index: 'model', cursor: 'nonsense' })).rejects.toBeInstanceOf(StoreError);
      await expect(t.store.queryAssociations({ index: 'user', cursor: page.nextCursor! })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_CURSOR' });
      await expect(t.store.queryAssociations({ index: 'model', limit: 0 })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_QUERY' });
      await expect(t.store.queryAssociations({ index: 'nope' as 'model' })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_QUERY' });
      await expect(t.store.queryAssociations({ index: 'state' })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_QUERY' });
      await expect(t.store.queryAssociations({ index: 'lastSync', state: 'Allowed' })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_QUERY' });
    });
  });
}
