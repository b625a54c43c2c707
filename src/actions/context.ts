import { deviceKey, type Association } from '../policy/index.js';
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

/** The association a user and device ID name, as an admin typed them. */
export function findAssociation(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  return requireAssociation(ctx.store, ctx.normalizeUser(user), deviceId);
}

export const DAY_MS = 86_400_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
