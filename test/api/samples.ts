import type { RouteDef } from '../../src/api/index.js';

/**
 * A valid request for every route of the admin API, keyed `METHOD path` (the role matrix
 * and the audit test call each one). A route without a sample fails the matrix test.
 * Paths name objects the test seeds: user a@x.test with device DEV1, rule r1, device ID LOAN1.
 */
export interface Sample {
  path: string;
  body?: unknown;
}

let n = 0;
const fresh = (): string => `n${++n}`;

export const SAMPLES: Record<string, () => Sample> = {
  'GET /associations': () => ({ path: '/associations?sort=user&limit=5' }),
  'GET /associations/{user}/{deviceId}': () => ({ path: '/associations/a@x.test/DEV1' }),
  'PUT /associations/{user}/{deviceId}/comment': () => ({ path: '/associations/a@x.test/DEV1/comment', body: { comment: `c ${fresh()}` } }),
  'DELETE /associations/{user}/{deviceId}': () => ({ path: '/associations/gone@x.test/NONE' }),
  'POST /associations/{user}/{deviceId}/allow': () => ({ path: '/associations/a@x.test/DEV1/allow' }),
  'POST /associations/{user}/{deviceId}/block': () => ({ path: '/associations/a@x.test/DEV1/block' }),
  'POST /associations/{user}/{deviceId}/wipe': () => ({ path: '/associations/a@x.test/DEV1/wipe', body: { accountOnly: true, fallbackToFull: true } }),
  'POST /associations/{user}/{deviceId}/cancel-wipe': () => ({ path: '/associations/a@x.test/DEV1/cancel-wipe' }),
  'POST /associations/{user}/{deviceId}/link': () => ({ path: '/associations/a@x.test/DEV1/link', body: { backendDeviceId: `mdm-${fresh()}` } }),
  'POST /associations/{user}/{deviceId}/unlink': () => ({ path: '/associations/a@x.test/DEV1/unlink' }),
  'POST /associations/{user}/{deviceId}/rule': () => ({ path: '/associations/a@x.test/DEV1/rule', body: { accessLevel: 'Block', id: `r-${fresh()}`, characteristic: 'DeviceOS' } }),
  'GET /mailboxes': () => ({ path: '/mailboxes?prefix=a' }),
  'GET /mailboxes/{user}': () => ({ path: '/mailboxes/a@x.test' }),
  'PUT /mailboxes/{user}': () => ({ path: `/mailboxes/${fresh()}@x.test`, body: { activeSyncEnabled: false } }),
  'POST /mailboxes/bulk': () => ({ path: '/mailboxes/bulk', body: { activeSyncEnabled: true, create: true, users: [`${fresh()}@x.test`] } }),
  'GET /domains': () => ({ path: '/domains' }),
  'GET /domains/{domain}': () => ({ path: '/domains/x.test' }),
  'PUT /domains/{domain}': () => ({ path: `/domains/${fresh()}.test`, body: { activeSyncEnabled: true } }),
  'DELETE /domains/{domain}': () => ({ path: '/domains/none.test' }),
  'GET /settings/system': () => ({ path: '/settings/system' }),
  'PUT /settings/system': () => ({ path: '/settings/system', body: { activeSyncEnabled: true } }),
  'GET /license': () => ({ path: '/license' }),
  'GET /settings/organization': () => ({ path: '/settings/organization' }),
  'PUT /settings/organization': () => ({ path: '/settings/organization', body: { userMailInsert: fresh() } }),
  'GET /rules': () => ({ path: '/rules' }),
  'POST /rules': () => ({ path: '/rules', body: { characteristic: 'DeviceType', queryString: `T ${fresh()}`, accessLevel: 'Quarantine' } }),
  'GET /rules/{id}': () => ({ path: '/rules/r1' }),
  'PUT /rules/{id}': () => ({ path: `/rules/${fresh()}`, body: { characteristic: 'DeviceModel', queryString: `M ${fresh()}`, accessLevel: 'Allow' } }),
  'DELETE /rules/{id}': () => ({ path: '/rules/none' }),
  'GET /policies': () => ({ path: '/policies' }),
  'GET /policies/settings': () => ({ path: '/policies/settings' }),
  'GET /policies/{name}': () => ({ path: '/policies/Strict' }),
  'PUT /policies/{name}': () => ({ path: `/policies/${fresh()}`, body: { settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6 } } }),
  'DELETE /policies/{name}': () => ({ path: '/policies/none' }),
  'POST /associations/{user}/{deviceId}/policy': () => ({ path: '/associations/a@x.test/DEV1/policy', body: { name: 'Strict' } }),
  'DELETE /associations/{user}/{deviceId}/policy': () => ({ path: '/associations/a@x.test/DEV1/policy' }),
  'GET /device-ids': () => ({ path: '/device-ids' }),
  'GET /device-ids/{deviceId}': () => ({ path: '/device-ids/LOAN1' }),
  'PUT /device-ids/{deviceId}': () => ({ path: `/device-ids/${fresh()}`, body: { accessLevel: 'Allow', note: 'loaner' } }),
  'DELETE /device-ids/{deviceId}': () => ({ path: '/device-ids/none' }),
  'POST /actions/grandfather': () => ({ path: '/actions/grandfather', body: { since: '2020-01-01', dryRun: true } }),
  'POST /actions/purge': () => ({ path: '/actions/purge', body: { olderThanDays: 3650, dryRun: true } }),
  'GET /audit': () => ({ path: '/audit?limit=5' }),
  'GET /tokens': () => ({ path: '/tokens' }),
  'POST /tokens': () => ({ path: '/tokens', body: { name: `t-${fresh()}`, role: 'viewer' } }),
  'DELETE /tokens/{name}': () => ({ path: '/tokens/none' }),
  'GET /openapi.json': () => ({ path: '/openapi.json' }),
  'POST /sync/run': () => ({ path: '/sync/run', body: { full: false } }),
  'GET /sync/status': () => ({ path: '/sync/status' }),
};

export function sampleOf(r: RouteDef): Sample {
  const make = SAMPLES[`${r.method} ${r.path}`];
  if (make === undefined) throw new Error(`no sample request for ${r.method} ${r.path} (add one to test/api/samples.ts)`);
  return make();
}
