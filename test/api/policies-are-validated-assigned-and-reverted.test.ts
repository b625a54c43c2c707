import { describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/** Gateway ActiveSync policies through the admin API: validated, assigned at each level, reverted, audited with the reason. */
describe('gateway ActiveSync policies in the admin API', () => {
  const t = useApi({ each: true });
  const strict = { description: 'PIN of 6', settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6, RequireDeviceEncryption: true } };

  it('creates, lists and replaces a policy; each setting is checked against its type and range', async () => {
    const put = await t.fx.call('PUT', '/api/v1/policies/Strict', { body: strict });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Strict', settings: strict.settings, allowNonProvisionableDevices: false, refreshIntervalSeconds: 0 });
    expect(put.body.revision).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await t.fx.call('GET', '/api/v1/policies', { token: t.fx.tokens.viewer })).body.items.map((p: { name: string }) => p.name)).toEqual(['Strict']);
    const bad = await t.fx.call('PUT', '/api/v1/policies/Strict', { body: { settings: { MinDevicePasswordLength: 40 } } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'policy.settings.MinDevicePasswordLength' });
    expect(bad.body.message).toContain('an integer from 1 to 16');
    const typo = await t.fx.call('PUT', '/api/v1/policies/Strict', { body: { settings: { AllowCamra: false } } });
    expect(typo.body).toMatchObject({ field: 'policy.settings.AllowCamra', message: 'policy.settings.AllowCamra: not a setting of EASProvisionDoc (did you mean AllowCamera?)' });
    expect((await t.fx.call('PUT', '/api/v1/policies/Strict', { body: strict, token: t.fx.tokens.helpdesk })).status).toBe(403);
    const settings = (await t.fx.call('GET', '/api/v1/policies/settings')).body;
    expect(settings).toHaveLength(42);
    expect(settings[5]).toMatchObject({ name: 'MinDevicePasswordLength', kind: { type: 'at-least', min: 1, max: 16 } });
  });

  it('assigns a policy to the organisation, a domain and a mailbox only when it exists, and removes it with null', async () => {
    expect((await t.fx.call('PUT', '/api/v1/settings/organization', { body: { policy: 'Strict' } })).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'policy' });
    await t.fx.call('PUT', '/api/v1/policies/Strict', { body: strict });
    expect((await t.fx.call('PUT', '/api/v1/settings/organization', { body: { policy: 'Strict' } })).body.policy).toBe('Strict');
    expect((await t.fx.call('PUT', '/api/v1/domains/x.test', { body: { policy: 'Strict' } })).body.policy).toBe('Strict');
    expect((await t.fx.call('PUT', '/api/v1/mailboxes/ceo@x.test', { body: { policy: 'Strict' } })).body.policy).toBe('Strict');
    const inUse = await t.fx.call('DELETE', '/api/v1/policies/Strict');
    expect(inUse.status).toBe(409);
    expect(inUse.body.message).toContain('organization, domain x.test, mailbox ceo@x.test');
    await t.fx.call('PUT', '/api/v1/settings/organization', { body: { policy: null } });
    await t.fx.call('PUT', '/api/v1/domains/x.test', { body: { policy: null } });
    await t.fx.call('PUT', '/api/v1/mailboxes/ceo@x.test', { body: { policy: null } });
    expect((await t.fx.store.getOrganization()).policy).toBeUndefined();
    expect((await t.fx.call('DELETE', '/api/v1/policies/Strict')).status).toBe(204);
    expect((await t.fx.call('GET', '/api/v1/policies/Strict')).status).toBe(404);
  });

  it('the help desk assigns a policy to one device and reverts it, with a reason in the audit', async () => {
    await t.fx.call('PUT', '/api/v1/policies/Strict', { body: strict });
    await t.fx.store.createAssociation(device('a@x.test', 'PHONE1'));
    const helpdesk = t.fx.tokens.helpdesk;
    const assigned = await t.fx.call('POST', '/api/v1/associations/a@x.test/PHONE1/policy', { token: helpdesk, body: { name: 'Strict', reason: 'INC-42' } });
    expect(assigned.status).toBe(200);
    expect((await t.fx.store.getAssociation('a@x.test', 'PHONE1'))?.policyAssigned).toBe('Strict');
    expect((await t.fx.call('POST', '/api/v1/associations/a@x.test/PHONE1/policy', { token: helpdesk, body: { name: 'Nope' } })).body).toMatchObject({ field: 'name' });
    expect((await t.fx.call('DELETE', '/api/v1/associations/a@x.test/PHONE1/policy', { token: helpdesk })).status).toBe(200);
    expect((await t.fx.store.getAssociation('a@x.test', 'PHONE1'))?.policyAssigned).toBeUndefined();
    expect((await t.fx.call('DELETE', '/api/v1/associations/a@x.test/PHONE1/policy', { token: helpdesk })).status).toBe(409);
    const audit = (await t.fx.call('GET', '/api/v1/audit?object=association:a@x.test/PHONE1')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['association.policy.revert', 'association.policy.assign']);
    expect(audit[1]).toMatchObject({ reason: 'INC-42', after: { policyAssigned: 'Strict' } });
  });
});
