import { describe, expect, it } from 'vitest';
import { useApi } from './fixture.js';

/** System and organisation settings, domains with usage, rules and the device-ID list. */
describe('settings, domains, rules and device IDs', () => {
  const t = useApi({ each: true });

  it('changes system and organisation settings field by field, and refuses an impossible date', async () => {
    expect((await t.fx.call('PUT', '/api/v1/settings/system', { body: { activeSyncEnabled: false } })).body).toEqual({ activeSyncEnabled: false });
    expect((await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: { total: 10 } } })).body).toEqual({ activeSyncEnabled: false, license: { total: 10 } });
    const bad = await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: { total: 10, expiresAt: '2027-02-30' } } });
    expect(bad.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'license.expiresAt' });
    const org = await t.fx.call('PUT', '/api/v1/settings/organization', { body: { defaultAccessLevel: 'Quarantine', adminMailRecipients: ['it@x.test'] } });
    expect(org.body).toEqual({ defaultAccessLevel: 'Quarantine', unregisteredAccessLevel: 'Allow', adminMailRecipients: ['it@x.test'], userMailInsert: '' });
    const only = await t.fx.call('PUT', '/api/v1/settings/organization', { body: { userMailInsert: 'Call 123\nor mail', unregisteredAccessLevel: 'Block' } });
    expect(only.body).toMatchObject({ defaultAccessLevel: 'Quarantine', unregisteredAccessLevel: 'Block' });
    const badLevel = await t.fx.call('PUT', '/api/v1/settings/organization', { body: { unregisteredAccessLevel: 'Maybe' } });
    expect(badLevel.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'unregisteredAccessLevel' });
    expect((await t.fx.call('GET', '/api/v1/settings/organization', { token: t.fx.tokens.viewer })).body.userMailInsert).toBe('Call 123\nor mail');
    expect((await t.fx.store.getOrganization()).adminMailRecipients).toEqual(['it@x.test']);
    const badMail = await t.fx.call('PUT', '/api/v1/settings/organization', { body: { adminMailRecipients: ['ok@x.test', 'nope'] } });
    expect(badMail.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'adminMailRecipients[1]' });
    const audit = (await t.fx.call('GET', '/api/v1/audit?objectType=settings')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['settings.organization', 'settings.organization', 'settings.system', 'settings.system']);
    expect(audit[3]).toMatchObject({ before: { activeSyncEnabled: true }, after: { activeSyncEnabled: false } });
  });

  it('lists domains with their usage (a disabled domain counts zero), changes and removes them', async () => {
    for (const u of ['a@one.test', 'b@one.test', 'c@two.test']) await t.fx.call('PUT', `/api/v1/mailboxes/${u}`, { body: {} });
    await t.fx.call('PUT', '/api/v1/domains/TWO.test', { body: { activeSyncEnabled: false, defaultAccessLevel: 'Block' } });
    await t.fx.call('PUT', '/api/v1/domains/three.test', { body: {} });
    const list = await t.fx.call('GET', '/api/v1/domains', { token: t.fx.tokens.viewer });
    expect(list.body).toEqual({
      items: [
        { name: 'one.test', activeSyncEnabled: true, stored: false, activeSyncUsers: 2 },
        { name: 'three.test', activeSyncEnabled: true, stored: true, activeSyncUsers: 0 },
        { name: 'two.test', activeSyncEnabled: false, defaultAccessLevel: 'Block', stored: true, activeSyncUsers: 0 },
      ],
      nextCursor: null,
    });
    expect((await t.fx.call('GET', '/api/v1/domains/one.test')).body.activeSyncUsers).toBe(2);
    expect((await t.fx.call('GET', '/api/v1/domains/none.test')).status).toBe(404);
    expect((await t.fx.call('PUT', '/api/v1/domains/two.test', { body: { defaultAccessLevel: null } })).body).toEqual({ name: 'two.test', activeSyncEnabled: false });
    expect((await t.fx.call('DELETE', '/api/v1/domains/two.test')).status).toBe(204);
    expect((await t.fx.call('GET', '/api/v1/domains/two.test')).body).toMatchObject({ stored: false, activeSyncUsers: 1 });
    expect((await t.fx.call('PUT', '/api/v1/domains/bad_domain!', { body: {} })).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'domain' });
  });

  it('creates, reads, replaces and removes rules; one rule per characteristic and query string', async () => {
    const made = await t.fx.call('POST', '/api/v1/rules', { body: { characteristic: 'DeviceOS', queryString: 'iOS 12.0', accessLevel: 'Block' } });
    expect(made).toMatchObject({ status: 201, body: { id: 'DeviceOS-iOS-12.0' } });
    expect((await t.fx.call('POST', '/api/v1/rules', { body: { id: 'x', characteristic: 'DeviceOS', queryString: 'iOS 12.0', accessLevel: 'Allow' } })).status).toBe(409);
    expect((await t.fx.call('POST', '/api/v1/rules', { body: { id: 'DeviceOS-iOS-12.0', characteristic: 'DeviceOS', queryString: 'iOS 13', accessLevel: 'Allow' } })).status).toBe(409);
    const put = await t.fx.call('PUT', '/api/v1/rules/DeviceOS-iOS-12.0', { body: { characteristic: 'DeviceOS', queryString: 'iOS 12.0', accessLevel: 'Quarantine' } });
    expect(put.body.accessLevel).toBe('Quarantine');
    await t.fx.call('PUT', '/api/v1/rules/a-first', { body: { characteristic: 'UserAgent', queryString: 'Outlook/1', accessLevel: 'Allow' } });
    expect((await t.fx.call('GET', '/api/v1/rules', { token: t.fx.tokens.viewer })).body.items.map((r: { id: string }) => r.id)).toEqual(['DeviceOS-iOS-12.0', 'a-first']);
    expect((await t.fx.call('GET', '/api/v1/rules/a-first')).body.queryString).toBe('Outlook/1');
    expect((await t.fx.call('DELETE', '/api/v1/rules/a-first')).status).toBe(204);
    expect((await t.fx.call('GET', '/api/v1/rules/a-first')).status).toBe(404);
    expect((await t.fx.call('GET', '/api/v1/audit?objectType=rule')).body.items.map((e: { action: string }) => e.action)).toEqual(['rule.delete', 'rule.create', 'rule.put', 'rule.create']);
  });

  it('keeps the device-ID list, without regard to case', async () => {
    expect((await t.fx.call('PUT', '/api/v1/device-ids/LoanER01', { body: { accessLevel: 'Allow', note: 'loaner' } })).body).toEqual({ deviceId: 'LoanER01', accessLevel: 'Allow', note: 'loaner' });
    expect((await t.fx.call('PUT', '/api/v1/device-ids/loaner01', { body: { accessLevel: 'Block' } })).body).toEqual({ deviceId: 'LoanER01', accessLevel: 'Block' });
    expect((await t.fx.call('GET', '/api/v1/device-ids/LOANER01')).body.accessLevel).toBe('Block');
    expect((await t.fx.call('GET', '/api/v1/device-ids')).body.items).toHaveLength(1);
    expect((await t.fx.call('PUT', '/api/v1/device-ids/x', { body: { accessLevel: 'Quarantine' } })).body).toMatchObject({ field: 'accessLevel' });
    expect((await t.fx.call('DELETE', '/api/v1/device-ids/loaner01')).status).toBe(204);
    expect((await t.fx.call('GET', '/api/v1/device-ids/LOANER01')).status).toBe(404);
    expect((await t.fx.call('GET', '/api/v1/audit?objectType=deviceId')).body.items).toHaveLength(3);
  });
});
