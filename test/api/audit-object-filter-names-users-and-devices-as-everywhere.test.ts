import { describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/**
 * GET /audit?object=… and `easgate audit --object`: the object is named as the admin typed
 * it elsewhere (device ID in any case, a bare user with EASGATE_DEFAULT_DOMAIN), not only as
 * the lower-cased stored key.
 */
describe('the audit object filter', () => {
  const t = useApi({ each: true, normalize: { defaultDomain: 'example.test' } });

  it('finds an association by the device ID as the device spelt it and a bare user name', async () => {
    await t.fx.store.createAssociation(device('alice@example.test', 'ALICENEW01'));
    expect((await t.fx.call('POST', '/api/v1/associations/alice/ALICENEW01/block')).status).toBe(200);
    for (const object of ['association:alice@example.test/ALICENEW01', 'association:alice/AliceNew01', 'association:ALICE@example.test/alicenew01']) {
      const r = await t.fx.call('GET', `/api/v1/audit?object=${encodeURIComponent(object)}`);
      expect(r.body.items.map((e: { action: string }) => e.action), object).toEqual(['association.block']);
    }
    await t.fx.call('PUT', '/api/v1/mailboxes/alice', { body: { defaultAccessLevel: 'Block' } });
    expect((await t.fx.call('GET', '/api/v1/audit?object=mailbox:Alice')).body.items.map((e: { action: string }) => e.action)).toContain('mailbox.put');
    await t.fx.call('PUT', '/api/v1/domains/Corp.Test', { body: { activeSyncEnabled: false } });
    expect((await t.fx.call('GET', '/api/v1/audit?object=domain:CORP.test')).body.items).toHaveLength(1);
  });
});
