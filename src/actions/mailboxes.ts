import { domainOf, type AccessLevel, type Mailbox } from '../policy/index.js';
import { requirePolicy } from './policies.js';
import type { Store } from '../store/index.js';
import type { ActionContext } from './context.js';
import { invalid, licenseRefused } from './errors.js';
import { licenseLimit, listIds, mailUser, refuseFullLists, unlistIds, updateMailbox, withoutId } from './mailbox-write.js';

/** Mailboxes (Set-CASMailbox): ActiveSync on/off, allowed and blocked device IDs, default level; bulk on/off. */
export interface MailboxChange {
  activeSyncEnabled?: boolean | undefined;
  /** Replace the whole list (an ID in it leaves the other list). */
  allowedDeviceIds?: string[] | undefined;
  blockedDeviceIds?: string[] | undefined;
  /** Add single IDs (each leaves the other list), as `device allow|block` does. */
  allow?: string[] | undefined;
  block?: string[] | undefined;
  /** Take single IDs off both lists. */
  unlist?: string[] | undefined;
  defaultAccessLevel?: AccessLevel | null | undefined;
  /** The gateway ActiveSync policy of the mailbox's devices (null: none of its own). */
  policy?: string | null | undefined;
}

function switchTo(m: Mailbox, enabled: boolean): Mailbox {
  const n: Mailbox = { ...m, activeSyncEnabled: enabled };
  if (enabled) delete n.disabledReason;
  else n.disabledReason = 'Admin';
  return n;
}

function applyChange(held: Mailbox, c: MailboxChange): Mailbox {
  let n: Mailbox = { ...held };
  if (c.allowedDeviceIds !== undefined && c.blockedDeviceIds !== undefined) {
    const blocked = new Set(c.blockedDeviceIds.map((id) => id.toLowerCase()));
    const both = c.allowedDeviceIds.find((id) => blocked.has(id.toLowerCase()));
    if (both !== undefined) throw invalid('blockedDeviceIds', `no device ID that is also allowed (${both})`);
  }
  if (c.allowedDeviceIds !== undefined) n = { ...n, allowedDeviceIds: [...c.allowedDeviceIds], blockedDeviceIds: c.allowedDeviceIds.reduce(withoutId, n.blockedDeviceIds) };
  if (c.blockedDeviceIds !== undefined) n = { ...n, blockedDeviceIds: [...c.blockedDeviceIds], allowedDeviceIds: c.blockedDeviceIds.reduce(withoutId, n.allowedDeviceIds) };
  if (c.unlist !== undefined) n = unlistIds(n, c.unlist);
  if (c.allow !== undefined) n = listIds(n, 'Allow', c.allow);
  if (c.block !== undefined) n = listIds(n, 'Block', c.block);
  refuseFullLists(n, 'deviceId');
  if (c.defaultAccessLevel === null) delete n.defaultAccessLevel;
  else if (c.defaultAccessLevel !== undefined) n.defaultAccessLevel = c.defaultAccessLevel;
  if (c.policy === null) delete n.policy;
  else if (c.policy !== undefined) n.policy = c.policy;
  if (c.activeSyncEnabled !== undefined && c.activeSyncEnabled !== held.activeSyncEnabled) n = switchTo(n, c.activeSyncEnabled);
  return n;
}

/** Changes a mailbox; fields left out keep their value, also when someone else changes them meanwhile. */
export async function changeMailbox(ctx: ActionContext, rawUser: string, change: MailboxChange): Promise<Mailbox> {
  const user = mailUser(ctx.normalizeUser, rawUser, 'user');
  await requirePolicy(ctx, change.policy);
  const { before, write, next } = await updateMailbox(ctx.store, user, (held) => applyChange(held, change), 'refuse');
  if (write.status === 'license-limit') throw licenseRefused(user);
  ctx.audit({ action: 'mailbox.put', object: `mailbox:${user}`, before: before ?? null, after: next });
  return write.mailbox ?? next;
}

export type BulkStatus = 'enabled' | 'disabled' | 'unchanged' | 'license-limit' | 'invalid' | 'unknown';
export const BULK_STATUSES: readonly BulkStatus[] = ['enabled', 'disabled', 'unchanged', 'license-limit', 'invalid', 'unknown'];

export interface BulkResult {
  input: string;
  user?: string;
  status: BulkStatus;
  message?: string;
}

/** Turns ActiveSync on or off for one user, through the license; an unknown user only with `create`. */
async function setEnabled(ctx: ActionContext, user: string, enabled: boolean, create: boolean, limit: { licenseLimit?: number }): Promise<BulkStatus> {
  const held = await ctx.store.getMailbox(user);
  if (held === undefined && !create) return 'unknown';
  if (held?.activeSyncEnabled === enabled) return 'unchanged';
  const { before, write, next } = await updateMailbox(ctx.store, user, (m) => switchTo(m, enabled), 'refuse', limit);
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

export interface BulkInput {
  activeSyncEnabled: boolean;
  users?: readonly string[] | undefined;
  domain?: string | undefined;
  /** Create a mailbox record for a user that has none (else: reported as unknown, nothing changes). */
  create?: boolean | undefined;
}

/** ActiveSync on or off for a list of users or every user of a domain, with a result per user. */
export async function bulkMailboxes(ctx: ActionContext, input: BulkInput): Promise<{ results: BulkResult[]; counts: Record<BulkStatus, number> }> {
  if ((input.users === undefined) === (input.domain === undefined)) throw invalid('users', 'either users or domain (one of the two)');
  const limit = await licenseLimit(ctx.store);
  const results: BulkResult[] = [];
  const apply = async (raw: string): Promise<void> => {
    let user: string;
    try {
      user = mailUser(ctx.normalizeUser, raw, 'users');
    } catch {
      results.push({ input: raw, status: 'invalid', message: 'not a mail address (user@domain)' });
      return;
    }
    const status = await setEnabled(ctx, user, input.activeSyncEnabled, input.create === true, limit);
    results.push({ input: raw, user, status, ...(status === 'unknown' ? { message: 'no such mailbox (nothing changed; create it explicitly)' } : {}) });
  };
  if (input.users !== undefined) for (const raw of input.users) await apply(raw);
  else for await (const user of usersOfDomain(ctx.store, input.domain!.toLowerCase())) await apply(user);
  const counts = Object.fromEntries(BULK_STATUSES.map((s) => [s, 0])) as Record<BulkStatus, number>;
  for (const r of results) counts[r.status]++;
  return { results, counts };
}
