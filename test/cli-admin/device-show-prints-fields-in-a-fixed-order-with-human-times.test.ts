import { describe, expect, it } from 'vitest';
import { humanTime } from '../../src/cli/admin/devices.js';
import { useApi } from '../api/fixture.js';
import { device } from '../store/fixture.js';
import { easgate, envOf } from './run.js';

/** `easgate device show`: fields in a fixed order (identity, access, sync, wipe, link), times as ISO 8601 and how long ago. */
describe('device show', () => {
  const t = useApi({ each: true });

  it('prints identity, then access, then sync times, with ISO times and how long ago', async () => {
    const now = Date.now();
    await t.fx.store.createAssociation(device('ann@x.test', 'SHOW1', { model: 'Pixel 8', os: 'Android 14', firstSyncAt: now - 3 * 60_000 - 5000, comment: 'desk phone' }));
    const r = await easgate(['device', 'show', 'ann@x.test', 'SHOW1'], envOf(t.fx));
    expect(r.code).toBe(0);
    const keys = r.stdout.split('\n').filter((l) => /^\w+:/.test(l)).map((l) => l.slice(0, l.indexOf(':')));
    expect(keys.slice(0, 5)).toEqual(['user', 'deviceId', 'displayName', 'deviceType', 'model']);
    expect(keys.indexOf('accessState')).toBeLessThan(keys.indexOf('firstSyncAt'));
    expect(keys.indexOf('firstSyncAt')).toBeLessThan(keys.indexOf('comment'));
    expect(r.stdout).toMatch(/firstSyncAt:\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(3 min ago\)/);
  });

  it('says how long ago in seconds, minutes, hours and days', () => {
    const now = Date.UTC(2026, 0, 31, 12);
    expect(humanTime(now - 2000, now)).toBe('2026-01-31T11:59:58Z (just now)');
    expect(humanTime(now - 90_000, now)).toBe('2026-01-31T11:58:30Z (1 min ago)');
    expect(humanTime(now - 5 * 3_600_000, now)).toBe('2026-01-31T07:00:00Z (5 h ago)');
    expect(humanTime(now - 3 * 86_400_000, now)).toBe('2026-01-28T12:00:00Z (3 days ago)');
  });
});
