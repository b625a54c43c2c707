import { describe, expect, it } from 'vitest';
import { useApi } from './fixture.js';

/** Mailboxes: get, list, change, bulk (per user, through the license), and GET /license. */
describe('mailboxes and the license', () => {
  const t = useApi({ each: true, now: () => Date.UTC(2026, 11, 1) });

  it('creates, reads, lists and changes a mailbox; fields left out keep their value', async () => {
    expect((await t.fx.call('GET', '/api/v1/mailboxes/bob@x.test')).status).toBe(404);
    const put = await t.fx.call('PUT', '/api/v1/mailboxes/BOB@x.test', { body: { allowedDeviceIds: ['A1'], defaultAccessLevel: 'Quarantine' } });
    expect(put.body).toEqual({ user: 'bob@x.test', activeSyncEnabled: true, allowedDeviceIds: ['A1'], blockedDeviceIds: [], defaultAccessLevel: 'Quarantine' });
    const off = await t.fx.call('PUT', '/api/v1/mailboxes/bob@x.test', { body: { activeSyncEnabled: false, defaultAccessLevel: null } });
    expect(off.body).toEqual({ user: 'bob@x.test', activeSyncEnabled: false, disabledReason: 'Admin', allowedDeviceIds: ['A1'], blockedDeviceIds: [] });
    expect((await t.fx.call('GET', '/api/v1/mailboxes/bob@x.test', { token: t.fx.tokens.viewer })).body).toEqual(off.body);
    await t.fx.call('PUT', '/api/v1/mailboxes/ann@x.test', { body: {} });
    const list = await t.fx.call('GET', '/api/v1/mailboxes?limit=1');
    expect(list.body.items.map((m: { user: string }) => m.user)).toEqual(['ann@x.test']);
    const next = await t.fx.call('GET', `/api/v1/mailboxes?limit=1&cursor=${list.body.nextCursor}`);
    expect(next.body).toMatchObject({ items: [{ user: 'bob@x.test' }], nextCursor: null });
    expect((await t.fx.call('GET', '/api/v1/mailboxes?prefix=an')).body.items).toHaveLength(1);
    const both = await t.fx.call('PUT', '/api/v1/mailboxes/bob@x.test', { body: { allowedDeviceIds: ['A1'], blockedDeviceIds: ['a1'] } });
    expect(both.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'blockedDeviceIds' });
    // Replacing the blocked list with an allowed ID moves it, as blocking a device does.
    const moved = await t.fx.call('PUT', '/api/v1/mailboxes/bob@x.test', { body: { blockedDeviceIds: ['a1'] } });
    expect(moved.body).toMatchObject({ allowedDeviceIds: [], blockedDeviceIds: ['a1'] });
    const notMail = await t.fx.call('PUT', '/api/v1/mailboxes/bob', { body: {} });
    expect(notMail.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'user' });
    const audit = (await t.fx.call('GET', '/api/v1/audit?object=mailbox:bob@x.test')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['mailbox.put', 'mailbox.put', 'mailbox.put']);
    expect(audit[2].before).toBeNull();
  });

  it('refuses to enable a user beyond the license (409) and reports the license', async () => {
    await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: { total: 2, expiresAt: '2026-12-31' } } });
    await t.fx.call('PUT', '/api/v1/mailboxes/a@x.test', { body: {} });
    await t.fx.call('PUT', '/api/v1/mailboxes/b@x.test', { body: {} });
    const c = await t.fx.call('PUT', '/api/v1/mailboxes/c@x.test', { body: { activeSyncEnabled: true } });
    expect(c).toMatchObject({ status: 409, body: { code: 'EASGATE_ERR_API_LICENSE_LIMIT' } });
    const lic = await t.fx.call('GET', '/api/v1/license', { token: t.fx.tokens.viewer });
    expect(lic.body).toEqual({ total: 2, inUse: 2, available: 0, expiresAt: '2026-12-31', daysRemaining: 31, expired: false, overLimit: false, full: true, message: null });
    await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: { total: 1 } } });
    const over = await t.fx.call('GET', '/api/v1/license');
    expect(over.body).toMatchObject({ total: 1, inUse: 2, overLimit: true, daysRemaining: null });
    expect(over.body.message).toMatch(/2 users have ActiveSync enabled but the license allows 1: ActiveSync is refused for every user until 1 of them/);
    await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: { total: 5, expiresAt: '2026-11-30' } } });
    expect((await t.fx.call('GET', '/api/v1/license')).body).toMatchObject({ expired: true, message: expect.stringMatching(/expired on 2026-11-30/) });
    await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: null } });
    expect((await t.fx.call('GET', '/api/v1/license')).body).toMatchObject({ total: null, available: null, full: false, message: null });
  });

  it('turns ActiveSync on or off for a list of users, with a result per user, the license per user, a bad entry reported', async () => {
    await t.fx.call('PUT', '/api/v1/settings/system', { body: { license: { total: 2 } } });
    await t.fx.call('PUT', '/api/v1/mailboxes/on@x.test', { body: {} });
    const unknown = await t.fx.call('POST', '/api/v1/mailboxes/bulk', { body: { activeSyncEnabled: true, users: ['NEW1@x.test'] } });
    expect(unknown.body.results).toEqual([{ input: 'NEW1@x.test', user: 'new1@x.test', status: 'unknown', message: 'no such mailbox (nothing changed; create it explicitly)' }]);
    expect(await t.fx.store.getMailbox('new1@x.test')).toBeUndefined();
    const r = await t.fx.call('POST', '/api/v1/mailboxes/bulk', { body: { activeSyncEnabled: true, create: true, users: ['on@x.test', 'NEW1@x.test', 'not a user', 'new2@x.test', 'new1@x.test'] } });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { input: 'on@x.test', user: 'on@x.test', status: 'unchanged' },
      { input: 'NEW1@x.test', user: 'new1@x.test', status: 'enabled' },
      { input: 'not a user', status: 'invalid', message: 'not a mail address (user@domain)' },
      { input: 'new2@x.test', user: 'new2@x.test', status: 'license-limit' },
      { input: 'new1@x.test', user: 'new1@x.test', status: 'unchanged' },
    ]);
    expect(r.body.counts).toEqual({ enabled: 1, disabled: 0, unchanged: 2, 'license-limit': 1, invalid: 1, unknown: 0 });
    const off = await t.fx.call('POST', '/api/v1/mailboxes/bulk', { body: { activeSyncEnabled: false, domain: 'X.test' } });
    expect(off.body.counts).toEqual({ enabled: 0, disabled: 2, unchanged: 0, 'license-limit': 0, invalid: 0, unknown: 0 });
    expect(await t.fx.store.countEnabledMailboxes()).toBe(0);
    expect((await t.fx.call('GET', '/api/v1/audit?objectType=mailbox')).body.items.map((e: { action: string }) => e.action)).toEqual([
      'mailbox.disable',
      'mailbox.disable',
      'mailbox.enable',
      'mailbox.put',
    ]);
    const neither = await t.fx.call('POST', '/api/v1/mailboxes/bulk', { body: { activeSyncEnabled: false } });
    expect(neither.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'users' });
  });
});
