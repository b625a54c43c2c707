import { beforeEach, describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/** POST /actions/grandfather and /actions/purge: dry runs change nothing, real runs are audited. */
const NOW = Date.UTC(2026, 5, 15);
const DAY = 86_400_000;

describe('bulk actions', () => {
  const t = useApi({ each: true, now: () => NOW });
  beforeEach(async () => {
    const s = t.fx.store;
    await s.createAssociation(device('a@x.test', 'A1', { firstSyncAt: NOW - 5 * DAY }));
    await s.createAssociation(device('a@x.test', 'A2', { firstSyncAt: NOW - 6 * DAY }));
    await s.createAssociation(device('b@x.test', 'B1', { firstSyncAt: NOW - 2 * DAY }));
    // Quarantined by a rule, and B1 by b's blocked list: grandfather goes by the decision the next request would get.
    await s.putRule({ id: 'old', characteristic: 'DeviceModel', queryString: 'Old Phone', accessLevel: 'Quarantine' });
    await s.createAssociation(device('b@x.test', 'B2', { firstSyncAt: NOW - 3 * DAY, model: 'Old Phone', accessState: 'Quarantined', accessReason: 'DeviceRule', matchedRuleId: 'old' }));
    await s.createAssociation(device('c@x.test', 'C1', { firstSyncAt: NOW - 90 * DAY }));
    await s.createAssociation(device('q@x.test', 'Q1', { firstSyncAt: NOW - 40 * DAY, accessState: 'Quarantined' }));
    await s.putMailbox({ user: 'a@x.test', activeSyncEnabled: true, allowedDeviceIds: ['a2'], blockedDeviceIds: [] });
    await s.putMailbox({ user: 'b@x.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['B1'] });
  });

  it('grandfathers every allowed device seen since a time into its mailbox, after a dry run that changes nothing', async () => {
    const since = new Date(NOW - 30 * DAY).toISOString();
    const dry = await t.fx.call('POST', '/api/v1/actions/grandfather', { body: { since, dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, counts: { scanned: 4, 'would-allow': 1, 'already-allowed': 1, 'skipped-Blocked': 1, 'skipped-Quarantined': 1 }, truncated: false });
    expect((await t.fx.store.getMailbox('a@x.test'))?.allowedDeviceIds).toEqual(['a2']);
    expect((await t.fx.call('GET', '/api/v1/audit')).body.items).toEqual([]);

    const real = await t.fx.call('POST', '/api/v1/actions/grandfather', { body: { since } });
    expect(real.body.counts).toMatchObject({ allowed: 1 });
    expect(real.body.items).toContainEqual({ user: 'a@x.test', deviceId: 'A1', result: 'allowed' });
    expect((await t.fx.store.getMailbox('a@x.test'))?.allowedDeviceIds).toEqual(['a2', 'A1']);
    const audit = (await t.fx.call('GET', '/api/v1/audit')).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'mailbox.grandfather', object: 'mailbox:a@x.test', before: { allowedDeviceIds: ['a2'] }, after: { allowedDeviceIds: ['a2', 'A1'] } });
    expect((await t.fx.call('POST', '/api/v1/actions/grandfather', { body: { since: '2999-01-01' } })).body).toMatchObject({ field: 'since' });
  });

  it('purges associations in a state for longer than N days, or without a sync for N days', async () => {
    const dry = await t.fx.call('POST', '/api/v1/actions/purge', { body: { state: 'Quarantined', olderThanDays: 30, dryRun: true } });
    expect(dry.body).toMatchObject({ dryRun: true, counts: { 'would-remove': 1 }, items: [{ user: 'q@x.test', deviceId: 'Q1', result: 'would-remove' }] });
    expect(await t.fx.store.getAssociation('q@x.test', 'Q1')).toBeDefined();
    const real = await t.fx.call('POST', '/api/v1/actions/purge', { body: { state: 'Quarantined', olderThanDays: 30 } });
    expect(real.body.counts).toEqual({ removed: 1 });
    expect(await t.fx.store.getAssociation('q@x.test', 'Q1')).toBeUndefined();
    const inactive = await t.fx.call('POST', '/api/v1/actions/purge', { body: { olderThanDays: 60 } });
    expect(inactive.body.items).toEqual([{ user: 'c@x.test', deviceId: 'C1', result: 'removed' }]);
    expect(await t.fx.store.countAssociations()).toBe(4);
    const audit = (await t.fx.call('GET', '/api/v1/audit?objectType=association')).body.items;
    expect(audit.map((e: { action: string; object: string }) => `${e.action} ${e.object}`)).toEqual(['association.purge association:c@x.test/c1', 'association.purge association:q@x.test/q1']);
    expect((await t.fx.call('POST', '/api/v1/actions/purge', { body: { olderThanDays: 0 } })).body).toMatchObject({ field: 'olderThanDays' });
  });
});
