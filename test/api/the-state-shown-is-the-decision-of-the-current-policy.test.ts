import { describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/**
 * The access state an association shows is the decision its next request would get under
 * the current policy, not the verdict recorded at its last request: after the system switch
 * (or a domain switch, a rule, the default level) changes and changes back while the device
 * is away, lists, details, filters and grandfather show the current decision, with the
 * recorded verdict and its time beside it.
 */
const NOW = Date.UTC(2026, 5, 15);

describe('the state shown', () => {
  const t = useApi({ each: true, now: () => NOW });

  it('is Allowed again once the system switch is back on, though the device was last refused with SystemDisabled', async () => {
    // Recorded while the system was off; the switch is on again now.
    await t.fx.store.createAssociation(device('a@x.test', 'OFF1', { firstSyncAt: NOW - 1000, accessState: 'Blocked', accessReason: 'SystemDisabled' }));
    const detail = await t.fx.call('GET', '/api/v1/associations/a@x.test/OFF1');
    expect(detail.body).toMatchObject({ accessState: 'Allowed', accessReason: 'Global', recordedAccessState: 'Blocked', recordedAccessReason: 'SystemDisabled', recordedAccessStateAt: NOW - 1000 });
    const list = await t.fx.call('GET', '/api/v1/associations');
    expect(list.body.items[0]).toMatchObject({ deviceId: 'OFF1', accessState: 'Allowed', recordedAccessState: 'Blocked' });
    expect((await t.fx.call('GET', '/api/v1/associations?state=Blocked')).body.items).toEqual([]);
    expect((await t.fx.call('GET', '/api/v1/associations?state=Allowed')).body.items).toHaveLength(1);
    expect((await t.fx.call('GET', '/api/v1/associations?reason=SystemDisabled&sort=user')).body.items).toEqual([]);

    // And the other way: the switch is off now, so every device shows Blocked SystemDisabled.
    await t.fx.call('PUT', '/api/v1/settings/system', { body: { activeSyncEnabled: false } });
    expect((await t.fx.call('GET', '/api/v1/associations?state=Blocked&reason=SystemDisabled')).body.items.map((a: { deviceId: string }) => a.deviceId)).toEqual(['OFF1']);
  });

  it('follows a domain switch, a rule and the default level, in lists, filters and one user\'s devices', async () => {
    await t.fx.store.createAssociation(device('b@corp.test', 'RULE1', { model: 'Old', firstSyncAt: NOW - 10 }));
    await t.fx.store.createAssociation(device('c@x.test', 'DEF1', { firstSyncAt: NOW - 20 }));
    await t.fx.call('PUT', '/api/v1/rules/old', { body: { characteristic: 'DeviceModel', queryString: 'Old', accessLevel: 'Block' } });
    await t.fx.call('PUT', '/api/v1/settings/organization', { body: { defaultAccessLevel: 'Quarantine' } });
    const states = async (q: string): Promise<string[]> =>
      (await t.fx.call('GET', `/api/v1/associations?${q}`)).body.items.map((a: { deviceId: string; accessState: string; accessReason: string }) => `${a.deviceId} ${a.accessState} ${a.accessReason}`);
    expect(await states('sort=deviceId')).toEqual(['DEF1 Quarantined Global', 'RULE1 Blocked DeviceRule']);
    expect(await states('policyAssigned=true')).toEqual(['RULE1 Blocked DeviceRule']);
    expect(await states('user=b@corp.test&state=Blocked')).toEqual(['RULE1 Blocked DeviceRule']);
    await t.fx.call('PUT', '/api/v1/domains/corp.test', { body: { activeSyncEnabled: false } });
    expect(await states('state=Blocked&sort=model')).toEqual(['RULE1 Blocked DomainDisabled']);
  });

  it('pages a filter on the current state without gaps or repeats', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => device(`u${i}@x.test`, `D${String(i).padStart(2, '0')}`, { firstSyncAt: NOW - i * 1000, ...(i % 3 === 0 ? { model: 'Old' } : {}) }));
    await t.fx.store.createAssociations(rows);
    await t.fx.store.putRule({ id: 'old', characteristic: 'DeviceModel', queryString: 'Old', accessLevel: 'Quarantine' });
    for (const q of ['', '&sort=deviceId', '&sort=model&order=desc', '&q=u1', '&sort=accessState']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await t.fx.call('GET', `/api/v1/associations?state=Quarantined&limit=2${q}${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        seen.push(...r.body.items.map((a: { deviceId: string }) => a.deviceId));
        cursor = r.body.nextCursor;
      } while (cursor !== null);
      expect(seen.sort(), q).toEqual(rows.filter((a, i) => i % 3 === 0 && (q !== '&q=u1' || a.user.startsWith('u1'))).map((a) => a.deviceId).sort());
    }
  });

  it('is what grandfather trusts: a device recorded Allowed that a rule now quarantines is not grandfathered', async () => {
    await t.fx.store.createAssociation(device('d@x.test', 'NOW1', { model: 'Old', firstSyncAt: NOW - 1000 }));
    await t.fx.store.createAssociation(device('d@x.test', 'OK1', { firstSyncAt: NOW - 1000, accessState: 'Blocked', accessReason: 'SystemDisabled' }));
    await t.fx.store.putRule({ id: 'old', characteristic: 'DeviceModel', queryString: 'Old', accessLevel: 'Quarantine' });
    const r = await t.fx.call('POST', '/api/v1/actions/grandfather', { body: { since: new Date(NOW - 86_400_000).toISOString(), dryRun: true } });
    expect(r.body.items).toEqual(expect.arrayContaining([{ user: 'd@x.test', deviceId: 'NOW1', result: 'skipped-Quarantined' }, { user: 'd@x.test', deviceId: 'OK1', result: 'would-allow' }]));
  });
});
