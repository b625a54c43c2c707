import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GRANTS, ROLES, type Permission, type Role } from '../actions/index.js';
import type { AdminToken, Store } from '../store/index.js';
import { ApiError } from './errors.js';

export { GRANTS, PERMISSIONS, ROLES, type Permission, type Role } from '../actions/index.js';

/**
 * Bearer tokens and roles. A token is `<name>.<secret>`: the name finds the stored record,
 * whose SHA-256 of the secret is compared in constant time (the secret is 256 random bits,
 * so a fast hash is enough; it is never stored or logged). EASGATE_ADMIN_TOKEN is the
 * bootstrap admin, named `bootstrap`. Roles and what each may do: src/actions/roles.ts.
 */

export const BOOTSTRAP_NAME = 'bootstrap';
export const TOKEN_NAME_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const TOKEN_NAME = new RegExp(TOKEN_NAME_PATTERN);

export interface Actor {
  name: string;
  role: Role;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** A new secret and its record; the secret is shown once. */
export function mintToken(name: string, role: Role, createdBy: string, now: number): { token: string; record: AdminToken } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${name}.${secret}`, record: { name, role, hash: sha256(secret).toString('hex'), createdAt: now, createdBy } };
}

/** Why an authentication failed (logged and counted; the answer is the same 401 for all). */
export type AuthFailureReason = 'missing' | 'malformed' | 'unknown-token';

export class Unauthorized extends ApiError {
  constructor(readonly reason: AuthFailureReason) {
    super('EASGATE_ERR_API_UNAUTHORIZED');
  }
}

const UNAUTHORIZED = (reason: AuthFailureReason = 'unknown-token'): ApiError => new Unauthorized(reason);
const DUMMY = sha256('easgate: no such token');

/** Builds the authenticator: Authorization header → actor, or 401. */
export function authenticator(store: Store, bootstrapToken: string | undefined): (header: string | undefined) => Promise<Actor> {
  if (bootstrapToken !== undefined && !/^[\x21-\x7e]{16,200}$/.test(bootstrapToken)) {
    throw new Error('EASGATE_ADMIN_TOKEN must be 16–200 printable characters without spaces');
  }
  const bootstrap = bootstrapToken === undefined ? undefined : sha256(bootstrapToken);
  return async (header) => {
    if (header === undefined) throw UNAUTHORIZED('missing');
    const m = /^Bearer ([\x21-\x7e]{1,200})$/i.exec(header);
    if (m === null) throw UNAUTHORIZED('malformed');
    const presented = m[1]!;
    if (bootstrap !== undefined && timingSafeEqual(sha256(presented), bootstrap)) return { name: BOOTSTRAP_NAME, role: 'admin' };
    const dot = presented.lastIndexOf('.');
    const name = presented.slice(0, dot);
    if (dot < 1 || !TOKEN_NAME.test(name)) throw UNAUTHORIZED();
    const record = await store.getToken(name);
    const stored = record === undefined ? DUMMY : Buffer.from(record.hash, 'hex');
    const ok = stored.length === 32 && timingSafeEqual(sha256(presented.slice(dot + 1)), stored);
    if (!ok || record === undefined || !(ROLES as readonly string[]).includes(record.role)) throw UNAUTHORIZED();
    return { name: record.name, role: record.role as Role };
  };
}

export function authorize(actor: Actor, permission: Permission): void {
  if (!GRANTS[actor.role].has(permission)) {
    throw new ApiError('EASGATE_ERR_API_FORBIDDEN', `the role ${actor.role} does not allow this call (it needs ${permission})`);
  }
}
