import { defaultMailbox, deviceKey, type Association, type Characteristic, type Mailbox } from '../../policy/index.js';
import type { MailboxWrite, Store } from '../../store/index.js';
import { ApiError, invalid, notFound } from '../errors.js';
import { MAIL_PATTERN } from '../schemas.js';

/** Helpers shared by the route modules. */
const MAIL = new RegExp(MAIL_PATTERN);
export const DAY_MS = 86_400_000;

/** A user named in a path or body, as the gateway names it; refused unless a mail address. */
export function mailUser(normalizeUser: (raw: string) => string, raw: string, field: string): string {
  const user = normalizeUser(raw);
  if (!MAIL.test(user)) throw invalid(field, 'a mail address (user@domain), or DOMAIN\\user with a mapped NetBIOS name');
  return user;
}

export function associationObject(a: Pick<Association, 'user' | 'deviceId'>): string {
  return `association:${a.user}/${deviceKey(a.deviceId)}`;
}

export async function requireAssociation(store: Store, user: string, deviceId: string): Promise<Association> {
  const a = await store.getAssociation(user, deviceId);
  if (a === undefined) throw notFound('association');
  return a;
}

/** The license's user limit, for mailbox writes (undefined: no license, no limit). */
export async function licenseLimit(store: Store): Promise<{ licenseLimit?: number }> {
  const total = (await store.getSystem()).license?.total;
  return total === undefined ? {} : { licenseLimit: total };
}

export function licenseRefused(user: string): ApiError {
  return new ApiError('EASGATE_ERR_API_LICENSE_LIMIT', `${user}: every licensed user is in use; disable another user or extend the license first`);
}

/**
 * Writes `change(mailbox)` over the stored mailbox (a new one: the default, created through
 * the license). Returns the write and the mailbox before it (undefined: none was stored).
 */
export async function updateMailbox(
  store: Store,
  user: string,
  change: (m: Mailbox) => Mailbox,
): Promise<{ before: Mailbox | undefined; write: MailboxWrite; next: Mailbox }> {
  const limit = await licenseLimit(store);
  const before = await store.getMailbox(user);
  const next = change(structuredClone(before ?? defaultMailbox(user)));
  let write = await store.putMailbox(next, before === undefined ? { ...limit, createOnly: true } : limit);
  if (write.status === 'exists' && write.mailbox !== undefined) {
    // Created meanwhile (by a device's first request): change that one.
    return { before: write.mailbox, write: await store.putMailbox(change(structuredClone(write.mailbox)), limit), next: change(structuredClone(write.mailbox)) };
  }
  return { before, write, next };
}

/** The list without this device ID (compared without case). */
export function withoutId(ids: readonly string[], deviceId: string): string[] {
  const key = deviceKey(deviceId);
  return ids.filter((id) => deviceKey(id) !== key);
}

export function hasId(ids: readonly string[], deviceId: string): boolean {
  const key = deviceKey(deviceId);
  return ids.some((id) => deviceKey(id) === key);
}

export const MAX_LISTED_IDS = 1000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An unused rule id made of the characteristic and the query string. */
export async function freeRuleId(store: Store, characteristic: Characteristic, queryString: string): Promise<string> {
  const base = `${characteristic}-${queryString.replace(/[^A-Za-z0-9._-]+/g, '-')}`.slice(0, 120);
  for (let i = 1; ; i++) {
    const id = i === 1 ? base : `${base}-${i}`;
    if ((await store.getRule(id)) === undefined) return id;
  }
}
