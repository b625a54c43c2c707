import { beforeEach, describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/** Allow, block, rule from device, comment, delete and the detail view of one association. */
describe('actions on one association', () => {
  const t = useApi({ each: true, memory: false });
  beforeEach(async () => {
    await t.fx.store.createAssociation(device('alice@x.test', 'APPL01', { model: 'iPhone15,2', deviceType: 'iPhone', accessState: 'Quarantined', accessReason: 'Global', firstSyncAt: 1000 }));
    await t.fx.store.putMailbox({ user: 'alice@x.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['other'] });
  });

  it('releases a quarantined device with allow, then blocks it: the mailbox lists move, the state is Individual, history and audit follow', async () => {
    const allow = await t.fx.call('POST', '/api/v1/associations/Alice@X.test/appl01/allow', { token: t.fx.tokens.helpdesk });
    expect(allow.status).toBe(200);
    expect(allow.body).toMatchObject({ user: 'alice@x.test', deviceId: 'APPL01', accessState: 'Allowed', accessReason: 'Individual' });
    expect(await t.fx.store.getMailbox('alice@x.test')).toMatchObject({ allowedDeviceIds: ['APPL01'], blockedDeviceIds: ['other'] });

    const block = await t.fx.call('POST', '/api/v1/associations/alice@x.test/APPL01/block', { token: t.fx.tokens.helpdesk, body: {} });
    expect(block.body).toMatchObject({ accessState: 'Blocked', accessReason: 'Individual' });
    expect(await t.fx.store.getMailbox('alice@x.test')).toMatchObject({ allowedDeviceIds: [], blockedDeviceIds: ['other', 'APPL01'] });

    const detail = await t.fx.call('GET', '/api/v1/associations/alice@x.test/APPL01', { token: t.fx.tokens.viewer });
    expect(detail.body.history.map((h: { state: string; actor?: string }) => [h.state, h.actor])).toEqual([
      ['Blocked', 'helpdesk-token'],
      ['Allowed', 'helpdesk-token'],
      ['Quarantined', undefined],
    ]);
    expect(detail.body).toMatchObject({ model: 'iPhone15,2', firstSyncAt: 1000, displayName: 'alice_iPhone' });

    const audit = (await t.fx.call('GET', '/api/v1/audit?object=association:alice@x.test/appl01')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['association.block', 'association.allow']);
    expect(audit[1]).toMatchObject({
      actor: 'helpdesk-token',
      source: '127.0.0.1',
      before: { accessState: 'Quarantined', allowed: false, blocked: false },
      after: { accessState: 'Allowed', allowed: true, blocked: false },
    });
  });

  it('creates a mailbox through the license when the user has none yet', async () => {
    await t.fx.store.createAssociation(device('new@x.test', 'D9'));
    await t.fx.store.putSystem({ activeSyncEnabled: true, license: { total: 1 } });
    const r = await t.fx.call('POST', '/api/v1/associations/new@x.test/D9/allow');
    expect(r.status).toBe(200);
    expect(await t.fx.store.getMailbox('new@x.test')).toMatchObject({ activeSyncEnabled: false, disabledReason: 'License', allowedDeviceIds: ['D9'] });
  });

  it('creates a rule for similar devices from the model, the type or the characteristic asked for, once', async () => {
    const r = await t.fx.call('POST', '/api/v1/associations/alice@x.test/APPL01/rule', { token: t.fx.tokens.helpdesk, body: { accessLevel: 'Allow' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: 'DeviceModel-iPhone15-2', characteristic: 'DeviceModel', queryString: 'iPhone15,2', accessLevel: 'Allow' });
    expect(await t.fx.store.getRule('DeviceModel-iPhone15-2')).toEqual(r.body);
    const again = await t.fx.call('POST', '/api/v1/associations/alice@x.test/APPL01/rule', { body: { accessLevel: 'Block' } });
    expect(again).toMatchObject({ status: 409, body: { code: 'EASGATE_ERR_API_CONFLICT' } });
    const byType = await t.fx.call('POST', '/api/v1/associations/alice@x.test/APPL01/rule', { body: { accessLevel: 'Quarantine', characteristic: 'DeviceType', id: 'phones' } });
    expect(byType.body).toEqual({ id: 'phones', characteristic: 'DeviceType', queryString: 'iPhone', accessLevel: 'Quarantine' });
    const noOs = await t.fx.call('POST', '/api/v1/associations/alice@x.test/APPL01/rule', { body: { accessLevel: 'Block', characteristic: 'DeviceOS' } });
    expect(noOs).toMatchObject({ status: 400, body: { code: 'EASGATE_ERR_API_INVALID', field: 'characteristic' } });
    expect((await t.fx.call('GET', '/api/v1/audit?objectType=rule')).body.items).toHaveLength(2);
  });

  it('sets and removes a comment', async () => {
    const set = await t.fx.call('PUT', '/api/v1/associations/alice@x.test/APPL01/comment', { token: t.fx.tokens.helpdesk, body: { comment: 'CEO phone\nhandle with care' } });
    expect(set.body.comment).toBe('CEO phone\nhandle with care');
    const cleared = await t.fx.call('PUT', '/api/v1/associations/alice@x.test/APPL01/comment', { body: { comment: '' } });
    expect(cleared.body.comment).toBeUndefined();
    const audit = (await t.fx.call('GET', '/api/v1/audit?actor=admin-token')).body.items;
    expect(audit[0]).toMatchObject({ action: 'association.comment', before: { comment: 'CEO phone\nhandle with care' }, after: { comment: null } });
  });

  it('removes the partnership: the detail is gone, a returning device starts over', async () => {
    expect((await t.fx.call('DELETE', '/api/v1/associations/alice@x.test/APPL01')).status).toBe(204);
    expect((await t.fx.call('GET', '/api/v1/associations/alice@x.test/APPL01')).body.code).toBe('EASGATE_ERR_API_NOT_FOUND');
    expect((await t.fx.call('DELETE', '/api/v1/associations/alice@x.test/APPL01')).status).toBe(404);
    const again = await t.fx.store.createAssociation(device('alice@x.test', 'APPL01', { firstSyncAt: 5000 }));
    expect(again.created).toBe(true);
    const audit = (await t.fx.call('GET', '/api/v1/audit?object=association:alice@x.test/appl01')).body.items;
    expect(audit[0]).toMatchObject({ action: 'association.delete', before: { model: 'iPhone15,2' } });
  });

  it('answers 404 for an unknown association, for every action', async () => {
    for (const [m, p, body] of [['GET', ''], ['POST', '/allow'], ['POST', '/block'], ['POST', '/rule', { accessLevel: 'Block' }], ['PUT', '/comment', { comment: 'x' }], ['DELETE', '']] as const) {
      const r = await t.fx.call(m, `/api/v1/associations/nobody@x.test/X${p}`, body === undefined ? {} : { body });
      expect(r.status, `${m} ${p}`).toBe(404);
    }
  });
});
