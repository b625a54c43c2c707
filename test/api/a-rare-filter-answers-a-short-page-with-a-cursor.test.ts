import { describe, expect, it } from 'vitest';
import { SCAN_BUDGET } from '../../src/api/index.js';
import type { NewAssociation } from '../../src/store/index.js';
import { useApi } from './fixture.js';

/**
 * A filter no index serves looks at SCAN_BUDGET associations per page at most: the page
 * comes back short (even empty) with a cursor, fast, instead of scanning every association.
 */
describe('a rare filter', () => {
  const t = useApi();

  it('answers short pages with a cursor until the matches are found', async () => {
    const n = SCAN_BUDGET + 600;
    const rows: NewAssociation[] = Array.from({ length: n }, (_, i) => ({
      user: `u${i}@x.test`,
      deviceId: `D${i}`,
      deviceType: 'iPhone',
      firstSyncAt: 1_000_000 + i,
      accessState: 'Allowed',
      accessReason: 'Global',
      ...(i < 3 ? { backendDeviceId: `mdm${i}` } : {}),
    }));
    await t.fx.store.createAssociations(rows);
    const first = await t.fx.call('GET', '/api/v1/associations?linked=true&limit=10');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.fx.call('GET', `/api/v1/associations?linked=true&limit=10&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a: { deviceId: string }) => a.deviceId)).toEqual(['D2', 'D1', 'D0']);
    expect(second.body.nextCursor).toBeNull();
    const wrongSort = await t.fx.call('GET', `/api/v1/associations?linked=true&sort=user&cursor=${first.body.nextCursor}`);
    expect(wrongSort.body.code).toBe('EASGATE_ERR_API_BAD_CURSOR');
  });
});
