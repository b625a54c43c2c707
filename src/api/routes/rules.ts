import { createRule, deleteRule, NEEDS, putRule } from '../../actions/index.js';
import { notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { CHARACTERISTIC, LEVEL, page, QUERY_STRING, RULE_ID } from '../schemas.js';

/** Device access rules (New-ActiveSyncDeviceAccessRule): one per characteristic and query string (src/actions/rules.ts). */
const RULE = s.any('{ id, characteristic, queryString, accessLevel }');
const PARAMS = s.object({ id: RULE_ID });
const FIELDS = { characteristic: CHARACTERISTIC, queryString: QUERY_STRING, accessLevel: LEVEL };

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
    handler: ({ action, body }) => createRule(action, body),
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
    handler: ({ action, params, body }) => putRule(action, { id: params.id, ...body }),
  }),
  route({
    method: 'DELETE',
    path: '/rules/{id}',
    tag: 'rules',
    summary: 'Remove a rule',
    permission: 'admin',
    params: PARAMS,
    handler: ({ action, params }) => deleteRule(action, params.id),
  }),
];
