import { beforeEach, describe, expect, it } from 'vitest';
import type { Association } from '../../src/policy/index.js';
import { associationMatches, searchAssociations, type AssociationFilter, type AssociationQuery, type NewAssociation, type Store } from '../../src/store/index.js';
import { allPages, at, useStore, type MakeStore } from './fixture.js';

/** Filters evaluated next to the data: the same answers in both adapters, short pages under scanLimit. */
const YEAR = Date.UTC(2026, 0, 1);

function rows(): NewAssociation[] {
  return Array.from({ length: 40 }, (_, i) => ({
    user: `u${i % 7}@${i % 3 ? 'x.test' : 'corp.test'}`,
    deviceId: `Dev${i}`,
    deviceType: ['iPhone', 'SamsungDevice', 'Outlook'][i % 3]!,
    model: i % 4 ? `Model ${i % 5}` : 'Ärger Phone',
    os: i % 2 ? 'iOS 17.1' : 'Android 14',
    friendlyName: `Phone ${i}`,
    firstSyncAt: YEAR - 5000 + i * 100,
    ...(i % 5 ? { lastSyncAttemptAt: YEAR + i * 100 } : {}),
    accessState: (['Allowed', 'Blocked', 'Quarantined', 'DeviceDiscovery'] as const)[i % 4]!,
    accessReason: i % 6 ? 'Global' : 'Individual',
    ...(i % 6 === 0 ? { accessStateAt: YEAR + 10 } : {}),
    ...(i % 9 === 0 ? { backendDeviceId: `b${i}` } : {}),
    ...(i % 8 === 0 ? { matchedRuleId: 'r' } : {}),
    ...(i === 13 ? { wipeRequestedAt: YEAR + 5 } : {}),
  }));
}

function all(store: Store, q: AssociationQuery): Promise<Association[]> {
  return allPages((cursor) => store.queryAssociations({ ...q, ...at(cursor) }));
}

export function filterContract(name: string, make: MakeStore): void {
  describe(`${name}: filtered queries`, () => {
    const t = useStore(make);
    let data: Association[];
    beforeEach(async () => {
      await t.store.createAssociations(rows());
      data = await all(t.store, { index: 'deviceId', limit: 1000 });
    });

    const filters: AssociationFilter[] = [
      { state: 'Blocked' },
      { reason: 'Individual' },
      { user: 'u3@x.test' },
      { domain: 'CORP.test' },
      { deviceType: 'samsungdevice' },
      { deviceId: 'DEV7' },
      { os: 'ios 17' },
      { text: 'ärger' },
      { text: 'phone 1' },
      { linked: true },
      { linked: false, ruleMatched: true },
      { actionSince: { at: YEAR, present: true } },
      { actionSince: { at: YEAR, present: false }, state: 'Allowed' },
      { syncAfter: YEAR, syncBefore: YEAR + 2000 },
      { syncBefore: YEAR },
      { state: 'Quarantined', domain: 'x.test', os: 'android' },
    ];
    for (const f of filters) {
      it(`filters ${JSON.stringify(f)} on every index, in pages, within any scan limit`, async () => {
        const want = data.filter((a) => associationMatches(f, a)).map((a) => a.deviceId).sort();
        expect(want.length).toBeGreaterThan(0);
        for (const q of [{ index: 'lastSync', order: 'desc' }, { index: 'user' }, { index: 'model', order: 'desc' }, { index: 'firstSync' }] as const) {
          for (const [limit, scanLimit] of [[3, 5000], [50, 7]]) {
            const got = await all(t.store, { ...q, filter: f, limit, scanLimit });
            expect(got.map((a) => a.deviceId).sort(), `${q.index} ${limit}/${scanLimit}`).toEqual(want);
          }
        }
      });
    }

    it('answers a rare filter with short pages and a cursor within the scan limit', async () => {
      const first = await t.store.queryAssociations({ index: 'deviceId', filter: { deviceId: 'dev9' }, scanLimit: 10, limit: 5 });
      expect(first.items).toEqual([]);
      expect(first.nextCursor).not.toBeNull();
      let pages = 0;
      const items = await allPages((cursor) => {
        pages++;
        return t.store.queryAssociations({ index: 'deviceId', filter: { deviceId: 'dev9' }, scanLimit: 10, limit: 5, ...at(cursor) });
      });
      expect([items.map((a) => a.deviceId), pages]).toEqual([['Dev9'], 4]);
      await expect(t.store.queryAssociations({ index: 'user', scanLimit: 0 })).rejects.toMatchObject({ code: 'EASGATE_ERR_STORE_BAD_QUERY' });
    });

    it('searches with more conditions, in both orders, across short pages', async () => {
      for (const order of ['asc', 'desc'] as const) {
        const seen = (await allPages((cursor) => searchAssociations(t.store, { prefix: 'phone', order, limit: 2, scanLimit: 5, filter: { state: 'Blocked' }, ...at(cursor) }))).map((a) => a.deviceId);
        const want = data.filter((a) => a.accessState === 'Blocked' && a.friendlyName!.startsWith('Phone')).map((a) => a.deviceId);
        expect([...seen].sort()).toEqual([...want].sort());
        expect(new Set(seen).size).toBe(seen.length);
      }
    });
  });
}
