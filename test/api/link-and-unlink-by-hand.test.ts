import { describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/** POST …/link {backendDeviceId} and …/unlink: the cases the backend sync's matching misses. */
describe('linking an association by hand', () => {
  const t = useApi({ memory: true, each: true });

  it('links and unlinks, audited, and the list filters on linked', async () => {
    await t.fx.store.createAssociation(device('a@x.test', 'SAMSUNG2'));
    const link = await t.fx.call('POST', '/api/v1/associations/a@x.test/samsung2/link', { token: t.fx.tokens.helpdesk, body: { backendDeviceId: 'mdm-7' } });
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ backendDeviceId: 'mdm-7' });
    expect((link.body as { linkedAt?: number }).linkedAt).toBeGreaterThan(0);
    const linked = await t.fx.call('GET', '/api/v1/associations?linked=true', { token: t.fx.tokens.viewer });
    expect((linked.body as { items: { deviceId: string }[] }).items.map((a) => a.deviceId)).toEqual(['SAMSUNG2']);

    const unlink = await t.fx.call('POST', '/api/v1/associations/a@x.test/SAMSUNG2/unlink', { token: t.fx.tokens.helpdesk });
    expect(unlink.status).toBe(200);
    expect(unlink.body).not.toHaveProperty('backendDeviceId');
    const audit = await t.fx.store.queryAudit({ actor: 'helpdesk-token' });
    expect(audit.items.map((e) => [e.action, e.after])).toEqual([
      ['association.unlink', { backendDeviceId: null }],
      ['association.link', { backendDeviceId: 'mdm-7' }],
    ]);
    expect((await t.fx.call('POST', '/api/v1/associations/a@x.test/NONE/link', { token: t.fx.tokens.helpdesk, body: { backendDeviceId: 'x' } })).status).toBe(404);
  });
});
