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
  /** A new mailbox over the license: created disabled (a device's own first request does that), or refused. */
  newOverLicense: 'disable' | 'refuse' = 'disable',
  /** The license limit, when the caller read it already (bulk changes). */
  knownLimit?: { licenseLimit?: number },
): Promise<{ before: Mailbox | undefined; write: MailboxWrite; next: Mailbox }> {
  const limit = knownLimit ?? (await licenseLimit(store));
  let before = await store.getMailbox(user);
  // Compare and set: a writer that changed the mailbox meanwhile (another admin, the
  // backend's actions, a device's first request creating it) is never overwritten.
  for (let attempt = 1; ; attempt++) {
    const next = change(structuredClone(before ?? defaultMailbox(user)));
    const fresh = newOverLicense === 'disable' ? { createOnly: true } : { expect: null };
    const write = await store.putMailbox(next, { ...limit, ...(before === undefined ? fresh : { expect: before }) });
    if (write.status !== 'exists' && write.status !== 'changed') return { before, write, next };
    if (attempt === MAX_ATTEMPTS) throw new ApiError('EASGATE_ERR_API_CONFLICT', `the mailbox of ${user} kept changing while this change was written; try again`);
    before = write.mailbox;
    // Many writers at once: each round one wins; a short random wait spreads the rest.
    if (attempt > 2) await new Promise((r) => setTimeout(r, Math.random() * attempt * 2));
  }
}

const MAX_ATTEMPTS = 50;

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
