import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { device, useStore, type MakeStore } from './fixture.js';

async function changedIds(store: Store, after: number, limit = 100): Promise<{ ids: string[]; last: number }> {
  const page = await store.changedAssociations(after, limit);
  return { ids: page.items.map((a) => a.deviceId), last: page.last };
}

/** The change index behind the backend sync's differential (docs/store.md). */
export function changesContract(name: string, make: MakeStore): void {
  describe(`${name}: the change index`, () => {
    const t = useStore(make);

    it('lists creations and changes in change order, and not a change of last-sync times alone', async () => {
      const start = await t.store.changeNumber();
      await t.store.createAssociation(device('a@x.test', 'D1', { firstSyncAt: 1000 }));
      await t.store.createAssociation(device('a@x.test', 'D2', { firstSyncAt: 1000 }));
      const first = await changedIds(t.store, start);
      expect(first.ids).toEqual(['D1', 'D2']);
      expect(first.last).toBe(await t.store.changeNumber());

      await t.store.recordSyncs([{ user: 'a@x.test', deviceId: 'D1', lastSyncAttemptAt: 5000, lastSuccessSyncAt: 5000, lastCommand: 'Sync' }]);
      await t.store.updateAssociation('a@x.test', 'D2', { lastSyncAttemptAt: 6000, lastInstance: 'gw2' });
      expect(await changedIds(t.store, first.last)).toEqual({ ids: [], last: first.last });

      await t.store.setAccessState('a@x.test', 'D2', { state: 'Blocked', reason: 'Individual', at: 7000 });
      await t.store.updateAssociation('a@x.test', 'D1', { comment: 'loaner' });
      const second = await changedIds(t.store, first.last);
      expect(second.ids).toEqual(['D2', 'D1']);

      await t.store.updateAssociation('a@x.test', 'D2', { backendDeviceId: 'b-2', linkedAt: 8000 });
      expect((await changedIds(t.store, second.last)).ids).toEqual(['D2']);
      expect((await t.store.changedAssociations(second.last, 10)).items[0]).toMatchObject({ backendDeviceId: 'b-2', accessState: 'Blocked' });
    });

    it('pages by limit and forgets deleted associations', async () => {
      const start = await t.store.changeNumber();
      for (const n of [1, 2, 3, 4, 5]) await t.store.createAssociation(device('p@x.test', `P${n}`));
      await t.store.deleteAssociation('p@x.test', 'P2');
      const one = await changedIds(t.store, start, 2);
      expect(one.ids).toEqual(['P1', 'P3']);
      const two = await changedIds(t.store, one.last, 2);
      expect(two.ids).toEqual(['P4', 'P5']);
      expect((await changedIds(t.store, two.last, 2)).ids).toEqual([]);
    });
  
    it('lists deletions in order until they are forgotten; one created again is no longer a deletion; none is a pending change', async () => {
      const start = (await t.store.deletedAssociations(0, 10_000)).last;
      for (const n of [1, 2, 3]) await t.store.createAssociation(device('del@x.test', `Gone${n}`));
      await t.store.deleteAssociation('del@x.test', 'GONE2');
      await t.store.deleteAssociation('del@x.test', 'gone1');
      await t.store.deleteAssociation('del@x.test', 'gone3');
      const all = await t.store.deletedAssociations(start, 10);
      expect(all.items.map((d) => [d.user, d.deviceId])).toEqual([['del@x.test', 'gone2'], ['del@x.test', 'gone1'], ['del@x.test', 'gone3']]);
      const changes = await t.store.changeNumber();
      const page = await t.store.deletedAssociations(start, 2);
      expect(page.items).toHaveLength(2);
      expect((await t.store.deletedAssociations(page.last, 2)).items.map((d) => d.deviceId)).toEqual(['gone3']);

      await t.store.createAssociation(device('del@x.test', 'Gone3'));
      expect((await t.store.deletedAssociations(start, 10)).items.map((d) => d.deviceId)).toEqual(['gone2', 'gone1']);
      await t.store.forgetDeletions(page.items[0]!.change);
      expect((await t.store.deletedAssociations(start, 10)).items.map((d) => d.deviceId)).toEqual(['gone1']);
      expect((await t.store.deletedAssociations(all.last, 10)).items).toEqual([]);
      expect(await t.store.changeNumber()).toBe(changes + 1); // the re-creation only
    });
  });
}
