import { deviceIdForms, deviceKey, type Association } from '../policy/index.js';
import type { NewAuditEntry, Store } from '../store/index.js';
import { notFound } from './errors.js';

/** One change as an operation records it; who, when, from where and why are the caller's. */
export type AuditDraft = Pick<NewAuditEntry, 'action' | 'object' | 'before' | 'after'>;

/**
 * What an admin operation runs with: the store, who acts (a token name, or `backend`), the
 * clock, the gateway's user naming, the admin's reason (a ticket number), and where its
 * audit entries go (the caller writes them with who, when, from where and the reason).
 */
export interface ActionContext {
  store: Store;
  actor: string;
  now: () => number;
  normalizeUser: (raw: string) => string;
  reason?: string | undefined;
  audit(entry: AuditDraft): void;
}

export function associationObject(a: Pick<Association, 'user' | 'deviceId'>): string {
  return `association:${a.user}/${deviceKey(a.deviceId)}`;
}

export async function requireAssociation(store: Store, user: string, deviceId: string): Promise<Association> {
  const a = await store.getAssociation(user, deviceId);
  if (a === undefined) throw notFound('association');
  return a;
}

/**
 * The association a user and device ID name, as an admin typed them: the device ID as the
 * device sent it, or a base64 query's ID as its text (Apple001) or as the hex it is kept as.
 */
export async function findAssociation(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  const name = ctx.normalizeUser(user);
  for (const form of deviceIdForms(deviceId)) {
    const a = await ctx.store.getAssociation(name, form);
    if (a !== undefined) return a;
  }
  throw notFound('association');
}

export const DAY_MS = 86_400_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * An audit object as an admin types it (`association:Alice/ALICENEW01`, `mailbox:alice`,
 * `domain:X.TEST`), named as the audit log names it: users normalised as every endpoint
 * normalises them, device IDs and domains lower-cased.
 */
export function auditObject(raw: string, normalizeUser: (raw: string) => string): string {
  const colon = raw.indexOf(':');
  if (colon < 0) return raw;
  const type = raw.slice(0, colon);
  const key = raw.slice(colon + 1);
  switch (type) {
    case 'association': {
      const slash = key.lastIndexOf('/');
      return slash < 0 ? raw : associationObject({ user: normalizeUser(key.slice(0, slash)), deviceId: key.slice(slash + 1) });
    }
    case 'mailbox':
      return `mailbox:${normalizeUser(key)}`;
    case 'domain':
    case 'deviceId':
      return `${type}:${key.toLowerCase()}`;
    default:
      return raw;
  }
}
