import { beforeAll, describe, expect, it } from 'vitest';
import { GRANTS, ROLES, ROUTES } from '../../src/api/index.js';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';
import { sampleOf } from './samples.js';

/**
 * The role matrix: every route × every role (and no token, a wrong token). A role without
 * the route's permission gets 403 and changes nothing; a role with it gets through
 * (2xx; 404 or 409 for a sample that names nothing or exists already), and every change it makes is audited
 * with its token name and address.
 */
describe('every route checks the role of its token', () => {
  const t = useApi();
  beforeAll(async () => {
    await t.fx.store.createAssociation(device('a@x.test', 'DEV1', { model: 'iPhone15,2', os: 'iOS 17.1', accessState: 'Quarantined', accessReason: 'Global' }));
    await t.fx.store.putRule({ id: 'r1', characteristic: 'DeviceType', queryString: 'Old', accessLevel: 'Block' });
    await t.fx.store.putDeviceId({ deviceId: 'LOAN1', accessLevel: 'Allow' });
    await t.fx.store.putEasPolicy({ name: 'Strict', settings: { DevicePasswordEnabled: true }, allowNonProvisionableDevices: false, refreshIntervalSeconds: 0 });
  });

  it('has a sample request for every route', () => {
    for (const r of ROUTES) expect(() => sampleOf(r)).not.toThrow();
  });

  for (const r of ROUTES) {
    describe(`${r.method} ${r.path} (${r.permission})`, () => {
      it('answers 401 without a token or with a wrong one', async () => {
        const s = sampleOf(r);
        for (const token of [null, 'nobody.secret', `${t.fx.tokens.admin}x`, 'Basic abc']) {
          const res = await t.fx.call(r.method, `/api/v1${s.path}`, { token: token === 'Basic abc' ? null : token, ...(s.body === undefined ? {} : { body: s.body }), ...(token === 'Basic abc' ? { headers: { authorization: 'Basic abc' } } : {}) });
          expect(res.status, String(token)).toBe(401);
          expect(res.body.code).toBe('EASGATE_ERR_API_UNAUTHORIZED');
        }
      });

      for (const role of ROLES) {
        const allowed = GRANTS[role].has(r.permission);
        it(`${allowed ? 'lets' : 'refuses'} ${role}`, async () => {
          const s = sampleOf(r);
          const before = await t.fx.store.queryAudit({ limit: 1 });
          const res = await t.fx.call(r.method, `/api/v1${s.path}`, { token: t.fx.tokens[role], ...(s.body === undefined ? {} : { body: s.body }) });
          const after = await t.fx.store.queryAudit({ limit: 1000 });
          const newEntries = after.items.filter((e) => e.id > (before.items[0]?.id ?? 0));
          if (!allowed) {
            expect(res.status).toBe(403);
            expect(res.body.code).toBe('EASGATE_ERR_API_FORBIDDEN');
            expect(newEntries).toEqual([]);
            return;
          }
          expect([200, 201, 204, 404, 409], JSON.stringify(res.body)).toContain(res.status);
          if (r.method === 'GET' || res.status >= 400 || (s.body as { dryRun?: boolean } | undefined)?.dryRun === true) {
            expect(newEntries).toEqual([]);
          } else {
            expect(newEntries.length).toBeGreaterThan(0);
            for (const e of newEntries) expect(e).toMatchObject({ actor: `${role}-token`, source: '127.0.0.1' });
          }
        });
      }
    });
  }
});
