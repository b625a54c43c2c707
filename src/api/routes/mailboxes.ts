import { bulkMailboxes, changeMailbox, NEEDS } from '../../actions/index.js';
import { notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { CURSOR, DEVICE_ID_LIST, DOMAIN, LEVEL, LIMIT, page, USER_PARAMS, POLICY_NAME } from '../schemas.js';

/** Mailboxes (Set-CASMailbox): ActiveSync on/off, allowed and blocked device IDs, default level; bulk on/off (src/actions/mailboxes.ts). */
const MAILBOX = s.any('{ user, activeSyncEnabled, allowedDeviceIds, blockedDeviceIds, defaultAccessLevel?, disabledReason? }');
const BULK_RESULT = s.any('{ results: [{ input, user?, status: enabled|disabled|unchanged|license-limit|invalid|unknown, message? }], counts }');

export const mailboxRoutes = [
  route({
    method: 'GET',
    path: '/mailboxes',
    tag: 'mailboxes',
    summary: 'List mailboxes by user prefix',
    permission: 'read',
    query: s.object({ prefix: s.optional(s.string({ min: 1, max: 320 })), limit: s.optional(LIMIT), cursor: s.optional(CURSOR) }),
    response: page(MAILBOX),
    handler: ({ store, query }) => store.listMailboxes({ limit: query.limit ?? 50, ...(query.prefix === undefined ? {} : { prefix: query.prefix }), ...(query.cursor === undefined ? {} : { cursor: query.cursor }) }),
  }),
  route({
    method: 'GET',
    path: '/mailboxes/{user}',
    tag: 'mailboxes',
    summary: "One user's mailbox settings",
    permission: 'read',
    params: USER_PARAMS,
    response: MAILBOX,
    handler: async ({ store, params, normalizeUser }) => {
      const m = await store.getMailbox(normalizeUser(params.user));
      if (m === undefined) throw notFound('mailbox');
      return m;
    },
  }),
  route({
    method: 'PUT',
    path: '/mailboxes/{user}',
    tag: 'mailboxes',
    summary: 'Change a mailbox (fields left out keep their value; a new one starts from the defaults): allow, block, unlist move single device IDs, allowedDeviceIds and blockedDeviceIds replace a list; enabling goes through the license',
    permission: NEEDS.mailbox,
    params: USER_PARAMS,
    body: s.object({
      activeSyncEnabled: s.optional(s.bool()),
      allowedDeviceIds: s.optional(DEVICE_ID_LIST),
      blockedDeviceIds: s.optional(DEVICE_ID_LIST),
      allow: s.optional(DEVICE_ID_LIST),
      block: s.optional(DEVICE_ID_LIST),
      unlist: s.optional(DEVICE_ID_LIST),
      defaultAccessLevel: s.optional(s.nullable(LEVEL)),
      policy: s.optional(s.nullable(POLICY_NAME)),
    }),
    response: MAILBOX,
    handler: ({ action, params, body }) => changeMailbox(action, params.user, body),
  }),
  route({
    method: 'POST',
    path: '/mailboxes/bulk',
    tag: 'mailboxes',
    summary: 'Turn ActiveSync on or off for a list of users or every user of a domain, with a result per user (the license applies per user; an unknown user only with create)',
    permission: NEEDS.mailboxBulk,
    body: s.object({
      activeSyncEnabled: s.bool(),
      users: s.optional(s.array(s.string({ max: 1000 }), 10_000, 1)),
      domain: s.optional(DOMAIN),
      create: s.optional(s.bool('Create a mailbox record for a user who has none (else: status unknown, nothing changes)')),
    }),
    bodyLimit: 1024 * 1024,
    response: BULK_RESULT,
    handler: ({ action, body }) => bulkMailboxes(action, body),
  }),
];
