import { domainOf, type Mailbox } from '../policy/index.js';
import { decodeMailboxCursor, encodeCursor, MAX_PAGE } from './association-query.js';
import { StoreError } from './errors.js';
import type { KeySchema } from './redis-keys.js';
import { SCRIPTS, type RedisClient } from './redis-scripts.js';
import type { Change, MailboxQuery, MailboxWrite, MailboxWriteOptions, Page } from './types.js';

/** What the mailbox functions need of RedisStore (key schema: docs/store.md). */
export interface MailboxContext {
  readonly client: RedisClient;
  readonly keys: KeySchema;
  /** PUBLISH arguments of a change. */
  notice(change: Change): [string, string];
  /** Tells this store's own listeners. */
  emit(change: Change): void;
}

/** `[domain \0 … \xff`: above every member of the domain in `P:mbx:en` (0xFF never occurs in UTF-8). */
function domainTop(domain: string, open: '[' | '('): Buffer {
  return Buffer.concat([Buffer.from(`${open}${domain}\u0000`), Buffer.from([0xff])]);
}

export async function putMailbox(ctx: MailboxContext, mailbox: Mailbox, options: MailboxWriteOptions): Promise<MailboxWrite> {
  const k = ctx.keys;
  const change: Change = { kind: 'mailbox', key: mailbox.user };
  const off: Mailbox = { ...mailbox, activeSyncEnabled: false, disabledReason: 'License' };
  const args = [
    mailbox.user,
    JSON.stringify(mailbox),
    mailbox.activeSyncEnabled ? '1' : '0',
    `${domainOf(mailbox.user)}\u0000${mailbox.user}`,
    options.licenseLimit === undefined || !Number.isFinite(options.licenseLimit) ? '' : String(options.licenseLimit),
    options.createOnly === true ? '1' : '0',
    JSON.stringify(off),
    ...ctx.notice(change),
    // getMailbox parses what JSON.stringify wrote, so the same mailbox gives the same text.
    options.expect === undefined ? '' : options.expect === null ? '!' : JSON.stringify(options.expect),
  ];
  const [status, json] = (await SCRIPTS.putMailbox.run(ctx.client, [k.mailboxes, k.mailboxIndex, k.enabledMailboxes], args)) as [
    MailboxWrite['status'],
    string,
  ];
  if (status === 'ok') ctx.emit(change);
  return { status, mailbox: json === '' ? undefined : (JSON.parse(json) as Mailbox) };
}

export async function deleteMailbox(ctx: MailboxContext, user: string): Promise<boolean> {
  const k = ctx.keys;
  const change: Change = { kind: 'mailbox', key: user };
  const res = (await ctx.client
    .multi()
    .hdel(k.mailboxes, user)
    .zrem(k.mailboxIndex, user)
    .zrem(k.enabledMailboxes, `${domainOf(user)}\u0000${user}`)
    .publish(...ctx.notice(change))
    .exec()) ?? [];
  const deleted = res[0]?.[1] === 1;
  if (deleted) ctx.emit(change);
  return deleted;
}

export async function listMailboxes(ctx: MailboxContext, query: MailboxQuery): Promise<Page<Mailbox>> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY');
  const prefix = (query.prefix ?? '').toLowerCase();
  const lo = query.cursor !== undefined ? `(${decodeMailboxCursor(query.cursor)}` : prefix === '' ? '-' : `[${prefix}`;
  const hi = prefix === '' ? '+' : Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]);
  const users = await ctx.client.zrangebylex(ctx.keys.mailboxIndex, lo, hi, 'LIMIT', 0, limit + 1);
  const page = users.slice(0, limit);
  const json = page.length === 0 ? [] : await ctx.client.hmget(ctx.keys.mailboxes, ...page);
  const items = json.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as Mailbox);
  return { items, nextCursor: users.length > limit ? encodeCursor('mailbox', page[page.length - 1]) : null };
}

export async function countEnabled(ctx: MailboxContext, domain?: string): Promise<number> {
  const k = ctx.keys.enabledMailboxes;
  if (domain === undefined) return ctx.client.zcard(k);
  const d = domain.toLowerCase();
  return ctx.client.zlexcount(k, `[${d}\u0000`, domainTop(d, '['));
}

/** Enabled mailboxes per domain: a skip scan over `P:mbx:en`, two commands per domain. */
export async function countEnabledByDomain(ctx: MailboxContext): Promise<Record<string, number>> {
  const key = ctx.keys.enabledMailboxes;
  const out: Record<string, number> = {};
  let lo: string | Buffer = '-';
  for (;;) {
    const [first] = await ctx.client.zrangebylex(key, lo, '+', 'LIMIT', 0, 1);
    if (first === undefined) return out;
    const domain = first.slice(0, first.indexOf('\u0000'));
    out[domain] = await ctx.client.zlexcount(key, `[${domain}\u0000`, domainTop(domain, '['));
    lo = domainTop(domain, '(');
  }
}
