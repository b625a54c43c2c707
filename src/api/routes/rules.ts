import type { DeviceAccessRule } from '../../policy/index.js';
import type { Store } from '../../store/index.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { CHARACTERISTIC, LEVEL, page, QUERY_STRING, RULE_ID } from '../schemas.js';
import { freeRuleId } from './common.js';

/** Device access rules (New-ActiveSyncDeviceAccessRule): one per characteristic and query string. */
const RULE = s.any('{ id, characteristic, queryString, accessLevel }');
const PARAMS = s.object({ id: RULE_ID });
const FIELDS = { characteristic: CHARACTERISTIC, queryString: QUERY_STRING, accessLevel: LEVEL };

async function refuseTwin(store: Store, rule: DeviceAccessRule): Promise<void> {
  const twin = (await store.listRules()).find((r) => r.id !== rule.id && r.characteristic === rule.characteristic && r.queryString === rule.queryString);
  if (twin !== undefined) throw new ApiError('EASGATE_ERR_API_CONFLICT', `rule ${twin.id} already matches ${rule.characteristic} ${JSON.stringify(rule.queryString)}`);
}

export const ruleRoutes = [
  route({
    method: 'GET',
    path: '/rules',
    tag: 'rules',
    summary: 'Every device access rule, by id',
    permission: 'read',
    response: page(RULE),
    handler: async ({ store }) => ({ items: (await store.listRules()).sort((a, b) => (a.id < b.id ? -1 : 1)), nextCursor: null }),
  }),
  route({
    method: 'POST',
    path: '/rules',
    tag: 'rules',
    summary: 'Create a rule (an id is made up when none is given)',
    permission: 'admin',
    body: s.object({ id: s.optional(RULE_ID), ...FIELDS }),
    status: 201,
    response: RULE,
    handler: async ({ store, body, audit }) => {
      const id = body.id ?? (await freeRuleId(store, body.characteristic, body.queryString));
      const rule: DeviceAccessRule = { id, characteristic: body.characteristic, queryString: body.queryString, accessLevel: body.accessLevel };
      if ((await store.getRule(id)) !== undefined) throw new ApiError('EASGATE_ERR_API_CONFLICT', `rule ${id} exists`);
      await refuseTwin(store, rule);
      await store.putRule(rule);
      audit({ action: 'rule.create', object: `rule:${id}`, after: rule });
      return rule;
    },
  }),
  route({
    method: 'GET',
    path: '/rules/{id}',
    tag: 'rules',
    summary: 'One rule',
    permission: 'read',
    params: PARAMS,
    response: RULE,
    handler: async ({ store, params }) => (await store.getRule(params.id)) ?? Promise.reject(notFound('rule')),
  }),
  route({
    method: 'PUT',
    path: '/rules/{id}',
    tag: 'rules',
    summary: 'Create or replace a rule',
    permission: 'admin',
    params: PARAMS,
    body: s.object(FIELDS),
    response: RULE,
    handler: async ({ store, params, body, audit }) => {
      const rule: DeviceAccessRule = { id: params.id, ...body };
      await refuseTwin(store, rule);
      const held = await store.getRule(params.id);
      await store.putRule(rule);
      audit({ action: held === undefined ? 'rule.create' : 'rule.put', object: `rule:${rule.id}`, before: held ?? null, after: rule });
      return rule;
    },
  }),
  route({
    method: 'DELETE',
    path: '/rules/{id}',
    tag: 'rules',
    summary: 'Remove a rule',
    permission: 'admin',
    params: PARAMS,
    handler: async ({ store, params, audit }) => {
      const held = await store.getRule(params.id);
      if (held === undefined || !(await store.deleteRule(params.id))) throw notFound('rule');
      audit({ action: 'rule.delete', object: `rule:${params.id}`, before: held });
      return undefined;
    },
  }),
];
