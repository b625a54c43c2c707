import { decodeCursor, MAX_PAGE } from './association-query.js';
import { StoreError } from './errors.js';
import type { AuditEntry, AuditQuery } from './types.js';

/**
 * Audit queries, shared by both adapters: newest first, resuming strictly below the last
 * id looked at. A page looks at no more than AUDIT_SCAN_BUDGET entries, so that a filter
 * that matches rarely answers fast (with fewer items and a cursor) instead of scanning all.
 */
export const AUDIT_SCAN_BUDGET = 5000;

export interface AuditPlan {
  limit: number;
  /** Entries with an id below this one (Infinity: from the newest). */
  before: number;
}

/** `association:alice@x.test/dev1` → `association`. */
export function objectTypeOf(object: string): string {
  const colon = object.indexOf(':');
  return colon < 0 ? object : object.slice(0, colon);
}

export function auditPlan(q: AuditQuery): AuditPlan {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', `limit must be 1–${MAX_PAGE}`);
  if (q.cursor === undefined) return { limit, before: Infinity };
  const p = decodeCursor(q.cursor, 'audit');
  if (typeof p !== 'number' || !Number.isSafeInteger(p)) throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
  return { limit, before: p };
}

export function auditMatches(e: AuditEntry, q: AuditQuery): boolean {
  return (
    (q.actor === undefined || e.actor === q.actor) &&
    (q.object === undefined || e.object === q.object) &&
    (q.objectType === undefined || objectTypeOf(e.object) === q.objectType)
  );
}
