import { deviceKey, type AccessLevel, type Characteristic, type DeviceAccessRule } from '../../policy/index.js';
import { ApiError, invalid } from '../errors.js';
import { route, type ApiContext } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, CHARACTERISTIC, DEVICE_PARAMS, LEVEL, RULE_ID } from '../schemas.js';
import { listDevice } from '../device-access.js';
import { freeRuleId, licenseRefused, MAX_LISTED_IDS, requireAssociation } from './common.js';

/**
 * Allow and block one device of one mailbox (its allowed or blocked device-ID list, as
 * Set-CASMailbox does; the other list loses it), and "a rule for similar devices".
 */
type Params = { user: string; deviceId: string };

async function listDeviceRoute(ctx: ApiContext<Params, unknown, unknown>, level: 'Allow' | 'Block'): Promise<unknown> {
  const { store, params } = ctx;
  const a = await requireAssociation(store, ctx.normalizeUser(params.user), params.deviceId);
  const r = await listDevice(store, a, level, ctx.now(), ctx.actor.name);
  if (r.outcome === 'license-limit') throw licenseRefused(a.user);
  if (r.outcome === 'too-many') throw invalid('deviceId', `room in the mailbox's device-ID lists (at most ${MAX_LISTED_IDS} each)`);
  ctx.audit(r.audit);
  return requireAssociation(store, a.user, a.deviceId);
}

const FIELD_OF: { [C in Characteristic]: 'userAgent' | 'os' | 'model' | 'deviceType' } = {
  UserAgent: 'userAgent',
  DeviceOS: 'os',
  DeviceModel: 'model',
  DeviceType: 'deviceType',
};

const RULE_BODY = s.object({
  accessLevel: LEVEL,
  characteristic: s.optional(CHARACTERISTIC),
  id: s.optional(RULE_ID),
});

const DEVICE_ACTION = { tag: 'associations', permission: 'act', params: DEVICE_PARAMS, body: s.object({}), bodyOptional: true, response: ASSOCIATION } as const;

export const associationActionRoutes = [
  route({
    ...DEVICE_ACTION,
    method: 'POST',
    path: '/associations/{user}/{deviceId}/allow',
    summary: "Allow this device for this mailbox (adds it to the mailbox's allowed device IDs); releases a quarantined device",
    handler: (ctx) => listDeviceRoute(ctx, 'Allow'),
  }),
  route({
    ...DEVICE_ACTION,
    method: 'POST',
    path: '/associations/{user}/{deviceId}/block',
    summary: "Block this device for this mailbox (adds it to the mailbox's blocked device IDs)",
    handler: (ctx) => listDeviceRoute(ctx, 'Block'),
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/rule',
    tag: 'associations',
    summary: "Create a rule for similar devices: the device's model (else type), or the characteristic given",
    permission: 'act',
    params: DEVICE_PARAMS,
    body: RULE_BODY,
    status: 201,
    response: s.any('The rule created'),
    handler: async ({ store, params, body, normalizeUser, audit }) => {
      const a = await requireAssociation(store, normalizeUser(params.user), params.deviceId);
      const characteristic: Characteristic = body.characteristic ?? (a.model !== undefined ? 'DeviceModel' : 'DeviceType');
      const queryString = a[FIELD_OF[characteristic]];
      if (queryString === undefined || queryString === '') throw invalid('characteristic', `a characteristic the device has (it has no ${FIELD_OF[characteristic]})`);
      const same = (await store.listRules()).find((r) => r.characteristic === characteristic && r.queryString === queryString);
      if (same !== undefined) throw new ApiError('EASGATE_ERR_API_CONFLICT', `rule ${same.id} already matches ${characteristic} ${JSON.stringify(queryString)}`);
      if (body.id !== undefined && (await store.getRule(body.id)) !== undefined) throw new ApiError('EASGATE_ERR_API_CONFLICT', `rule ${body.id} exists`);
      const rule: DeviceAccessRule = {
        id: body.id ?? (await freeRuleId(store, characteristic, queryString)),
        characteristic,
        queryString: queryString.slice(0, 256),
        accessLevel: body.accessLevel as AccessLevel,
      };
      await store.putRule(rule);
      audit({ action: 'rule.create', object: `rule:${rule.id}`, after: { ...rule, from: `${a.user}/${deviceKey(a.deviceId)}` } });
      return rule;
    },
  }),
];
