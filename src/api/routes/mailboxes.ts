import { domainOf, type Mailbox } from '../../policy/index.js';
import type { Store } from '../../store/index.js';
import { invalid, notFound } from '../errors.js';
import { route, type ApiContext } from '../route.js';
import { s } from '../schema.js';
import { CURSOR, DEVICE_ID_LIST, DOMAIN, LEVEL, LIMIT, page, USER_PARAMS } from '../schemas.js';
import { licenseLimit, licenseRefused, mailUser, updateMailbox } from './common.js';

/** Mailboxes (Set-CASMailbox): ActiveSync on/off, allowed and blocked device IDs, default level; bulk on/off. */
const MAILBOX = s.any('{ user, activeSyncEnabled, allowedDeviceIds, blockedDeviceIds, defaultAccessLevel?, disabledReason? }');
const BULK_RESULT = s.any('{ results: [{ input, user?, status: enabled|disabled|unchanged|license-limit|invalid, message? }], counts }');

type BulkStatus = 'enabled' | 'disabled' | 'unchanged' | 'license-limit' | 'invalid';
interface BulkResult {
  input: string;
  user?: string;
  status: BulkStatus;
  message?: string;
}

function checkLists(m: Mailbox): void {
  const blocked = new Set(m.blockedDeviceIds.map((id) => id.toLowerCase()));
  const both = m.allowedDeviceIds.find((id) => blocked.has(id.toLowerCase()));
  if (both !== undefined) throw invalid('blockedDeviceIds', `no device ID that is also allowed (${both})`);
}

/** Turns ActiveSync on or off for one user, through the license. */
async function setEnabled(ctx: ApiContext<unknown, unknown, unknown>, user: string, enabled: boolean, limit: { licenseLimit?: number }): Promise<BulkStatus> {
  if ((await ctx.store.getMailbox(user))?.activeSyncEnabled === enabled) return 'unchanged';
  const { before, write, next } = await updateMailbox(
    ctx.store,
    user,
    (m) => {
      const n: Mailbox = { ...m, activeSyncEnabled: enabled };
      if (enabled) delete n.disabledReason;
      else n.disabledReason = 'Admin';
      return n;
    },
    'refuse',
    limit,
  );
  if (write.status === 'license-limit') return 'license-limit';
  ctx.audit({ action: enabled ? 'mailbox.enable' : 'mailbox.disable', object: `mailbox:${user}`, before: before ?? null, after: next });
  return enabled ? 'enabled' : 'disabled';
}

async function* usersOfDomain(store: Store, domain: string): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const p = await store.listMailboxes({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const m of p.items) if (domainOf(m.user) === domain) yield m.user;
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

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
    summary: 'Change a mailbox (fields left out keep their value; a new one starts from the defaults); enabling goes through the license',
    permission: 'admin',
    params: USER_PARAMS,
    body: s.object({
      activeSyncEnabled: s.optional(s.bool()),
      allowedDeviceIds: s.optional(DEVICE_ID_LIST),
      blockedDeviceIds: s.optional(DEVICE_ID_LIST),
      defaultAccessLevel: s.optional(s.nullable(LEVEL)),
    }),
    response: MAILBOX,
    handler: async ({ store, params, body, normalizeUser, audit }) => {
      const user = mailUser(normalizeUser, params.user, 'user');
      // Fields left out keep their value, also when someone else changes them meanwhile.
      const { before, write: w, next } = await updateMailbox(
        store,
        user,
        (held) => {
          const n: Mailbox = { ...held };
          if (body.allowedDeviceIds !== undefined) n.allowedDeviceIds = body.allowedDeviceIds;
          if (body.blockedDeviceIds !== undefined) n.blockedDeviceIds = body.blockedDeviceIds;
          if (body.defaultAccessLevel === null) delete n.defaultAccessLevel;
          else if (body.defaultAccessLevel !== undefined) n.defaultAccessLevel = body.defaultAccessLevel;
          if (body.activeSyncEnabled !== undefined && body.activeSyncEnabled !== held.activeSyncEnabled) {
            n.activeSyncEnabled = body.activeSyncEnabled;
            if (n.activeSyncEnabled) delete n.disabledReason;
            else n.disabledReason = 'Admin';
          }
          checkLists(n);
          return n;
        },
        'refuse',
      );
      if (w.status === 'license-limit') throw licenseRefused(user);
      audit({ action: 'mailbox.put', object: `mailbox:${user}`, before: before ?? null, after: next });
      return w.mailbox;
    },
  }),
  route({
    method: 'POST',
    path: '/mailboxes/bulk',
    tag: 'mailboxes',
    summary: 'Turn ActiveSync on or off for a list of users or every user of a domain, with a result per user (the license applies per user)',
    permission: 'admin',
    body: s.object({
      activeSyncEnabled: s.bool(),
      users: s.optional(s.array(s.string({ max: 1000 }), 10_000, 1)),
      domain: s.optional(DOMAIN),
    }),
    bodyLimit: 1024 * 1024,
    response: BULK_RESULT,
    handler: async (ctx) => {
      const { body } = ctx;
      if ((body.users === undefined) === (body.domain === undefined)) throw invalid('users', 'either users or domain (one of the two)');
      const limit = await licenseLimit(ctx.store);
      const results: BulkResult[] = [];
      const apply = async (input: string): Promise<void> => {
        let user: string;
        try {
          user = mailUser(ctx.normalizeUser, input, 'users');
        } catch {
          results.push({ input, status: 'invalid', message: 'not a mail address (user@domain)' });
          return;
        }
        results.push({ input, user, status: await setEnabled(ctx, user, body.activeSyncEnabled, limit) });
      };
      if (body.users !== undefined) for (const input of body.users) await apply(input);
      else for await (const user of usersOfDomain(ctx.store, body.domain!.toLowerCase())) await apply(user);
      const counts: Record<BulkStatus, number> = { enabled: 0, disabled: 0, unchanged: 0, 'license-limit': 0, invalid: 0 };
      for (const r of results) counts[r.status]++;
      return { results, counts };
    },
  }),
];
