import { beforeAll, describe, expect, it } from 'vitest';
import type { Association } from '../../src/policy/index.js';
import { device } from '../store/fixture.js';
import { useApi, type ApiFixture } from './fixture.js';

/**
 * A sort by a column some associations lack (a device that never sent DeviceInformation has
 * no model, OS or friendly name): every association is listed once, those without the value
 * after the others (before them, descending), also one user's devices sorted in memory.
 */
async function all(fx: ApiFixture, query: string, limit: number): Promise<Association[]> {
  const out: Association[] = [];
  let cursor: string | null = null;
  do {
    const res = await fx.call('GET', `/api/v1/associations?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...(res.body.items as Association[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor !== null);
  return out;
}

for (const memory of [false, true]) {
  describe(`sorting by a column some lack (${memory ? 'memory' : 'Redis'})`, () => {
    const t = useApi({ memory });
    beforeAll(async () => {
      const rows = Array.from({ length: 11 }, (_, i) =>
        device(`u${i % 3}@x.test`, `D${String(i).padStart(2, '0')}`, {
          firstSyncAt: 1_000_000 + i,
          ...(i % 4 === 0 ? {} : { model: `Model ${i}`, os: `iOS ${i}`, friendlyName: `Phone ${i}` }),
        }),
      );
      await t.fx.store.createAssociations(rows);
    });

    for (const sort of ['model', 'os', 'friendlyName'] as const) {
      it(`lists every association once by ${sort}, those without it last (first descending), over pages`, async () => {
        for (const limit of [1, 2, 4, 50]) {
          const asc = await all(t.fx, `sort=${sort}`, limit);
          expect(asc.map((a) => a.deviceId).sort(), `limit ${limit}`).toEqual(Array.from({ length: 11 }, (_, i) => `D${String(i).padStart(2, '0')}`));
          expect(asc.slice(-3).every((a) => a[sort] === undefined)).toBe(true);
          expect(asc.slice(0, 8).every((a) => a[sort] !== undefined)).toBe(true);
          const desc = await all(t.fx, `sort=${sort}&order=desc`, limit);
          expect(desc).toHaveLength(11);
          expect(desc.slice(0, 3).every((a) => a[sort] === undefined)).toBe(true);
        }
      });
    }

    it("sorts one user's devices with the ones lacking the column last", async () => {
      const mine = await all(t.fx, 'user=u0@x.test&sort=model', 2);
      expect(mine.map((a) => a.deviceId)).toEqual(['D03', 'D06', 'D09', 'D00']);
      expect((await all(t.fx, 'user=u0@x.test&sort=model&order=desc', 2)).map((a) => a.deviceId)).toEqual(['D00', 'D09', 'D06', 'D03']);
    });
  });
}
