import { defaultMailbox, deviceKey, type Mailbox } from '../policy/index.js';
import type { MailboxWrite, Store } from '../store/index.js';
import { conflict, invalid } from './errors.js';

/** Mailbox writes shared by the operations: compare and set through the license, device-ID lists. */
export const MAX_LISTED_IDS = 1000;
const MAX_ATTEMPTS = 50;
const MAIL = /^[^\s@\\]+@[^\s@\\]+$/;

/** A user named by an admin, as the gateway names it; refused unless a mail address. */
export function mailUser(normalizeUser: (raw: string) => string, raw: string, field: string): string {
  const user = normalizeUser(raw);
  if (!MAIL.test(user)) throw invalid(field, 'a mail address (user@domain), or DOMAIN\\user with a mapped NetBIOS name');
  return user;
}

/** The license's user limit, for mailbox writes (undefined: no license, no limit). */
export async function licenseLimit(store: Store): Promise<{ licenseLimit?: number }> {
  const total = (await store.getSystem()).license?.total;
  return total === undefined ? {} : { licenseLimit: total };
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
    if (attempt === MAX_ATTEMPTS) throw conflict(`the mailbox of ${user} kept changing while this change was written; try again`);
    before = write.mailbox;
    // Many writers at once: each round one wins; a short random wait spreads the rest.
    if (attempt > 2) await new Promise((r) => setTimeout(r, Math.random() * attempt * 2));
  }
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

/**
 * Puts device IDs on the mailbox's allowed or blocked list as Set-CASMailbox does: each
 * leaves the other list (moving an ID from one list to the other), none twice.
 */
export function listIds(m: Mailbox, level: 'Allow' | 'Block', ids: readonly string[]): Mailbox {
  let allowed = m.allowedDeviceIds;
  let blocked = m.blockedDeviceIds;
  for (const id of ids) {
    allowed = withoutId(allowed, id);
    blocked = withoutId(blocked, id);
    (level === 'Allow' ? allowed : blocked).push(id);
  }
  return { ...m, allowedDeviceIds: allowed, blockedDeviceIds: blocked };
}

/** Takes device IDs off both lists. */
export function unlistIds(m: Mailbox, ids: readonly string[]): Mailbox {
  let allowed = m.allowedDeviceIds;
  let blocked = m.blockedDeviceIds;
  for (const id of ids) {
    allowed = withoutId(allowed, id);
    blocked = withoutId(blocked, id);
  }
  return { ...m, allowedDeviceIds: allowed, blockedDeviceIds: blocked };
}

export function refuseFullLists(m: Mailbox, field: string): void {
  if (m.allowedDeviceIds.length > MAX_LISTED_IDS || m.blockedDeviceIds.length > MAX_LISTED_IDS) {
    throw invalid(field, `room in the mailbox's device-ID lists (at most ${MAX_LISTED_IDS} each)`);
  }
}
