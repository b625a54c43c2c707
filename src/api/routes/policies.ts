import { assignPolicy, deletePolicy, NEEDS, policyFrom, putPolicy, revertPolicy } from '../../actions/index.js';
import { EAS_POLICY_SETTINGS } from '../../policy/index.js';
import { notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS, POLICY_NAME } from '../schemas.js';

/** Gateway ActiveSync policies and their assignment to one device (src/actions/policies.ts). */
const POLICY = s.any('{ name, description?, settings: { EASProvisionDoc setting: value }, allowNonProvisionableDevices, refreshIntervalSeconds, revision }');
const NAME = POLICY_NAME;
const PARAMS = s.object({ name: NAME });

export const policyRoutes = [
  route({
    method: 'GET',
    path: '/policies',
    tag: 'policies',
    summary: 'Every gateway ActiveSync policy, by name',
    permission: 'read',
    response: s.any('{ items: [policy], nextCursor: null }'),
    handler: async ({ store }) => ({ items: (await store.listEasPolicies()).sort((a, b) => (a.name < b.name ? -1 : 1)), nextCursor: null }),
  }),
  route({
    method: 'GET',
    path: '/policies/settings',
    tag: 'policies',
    summary: 'The EASProvisionDoc settings a policy may set: name, kind and range, default, the protocol version that brought it',
    permission: 'read',
    response: s.any('[{ name, kind, default, since, doc }]'),
    handler: async () => EAS_POLICY_SETTINGS,
  }),
  route({
    method: 'GET',
    path: '/policies/{name}',
    tag: 'policies',
    summary: 'One policy',
    permission: 'read',
    params: PARAMS,
    response: POLICY,
    handler: async ({ store, params }) => (await store.getEasPolicy(params.name)) ?? Promise.reject(notFound('policy')),
  }),
  route({
    method: 'PUT',
    path: '/policies/{name}',
    tag: 'policies',
    summary: 'Create or replace a policy (each setting checked against its type and range); devices it reaches provision again',
    permission: NEEDS.policy,
    params: PARAMS,
    body: s.any('{ description?, settings?, allowNonProvisionableDevices?, refreshIntervalSeconds? }'),
    response: POLICY,
    handler: ({ action, params, body }) => putPolicy(action, policyFrom(params.name, body)),
  }),
  route({
    method: 'DELETE',
    path: '/policies/{name}',
    tag: 'policies',
    summary: 'Remove a policy (409 while the organisation, a domain or a mailbox names it)',
    permission: NEEDS.policy,
    params: PARAMS,
    handler: ({ action, params }) => deletePolicy(action, params.name),
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/policy',
    tag: 'associations',
    summary: "Assign a policy to this device (before its mailbox's, its domain's and the organisation's)",
    permission: NEEDS.assignPolicy,
    params: DEVICE_PARAMS,
    body: s.object({ name: NAME }),
    response: ASSOCIATION,
    handler: ({ action, params, body }) => assignPolicy(action, params.user, params.deviceId, body.name),
  }),
  route({
    method: 'DELETE',
    path: '/associations/{user}/{deviceId}/policy',
    tag: 'associations',
    summary: "Revert the device's own policy: its mailbox's, domain's or the organisation's applies again (or the upstream's)",
    permission: NEEDS.assignPolicy,
    params: DEVICE_PARAMS,
    response: ASSOCIATION,
    handler: ({ action, params }) => revertPolicy(action, params.user, params.deviceId),
  }),
];
