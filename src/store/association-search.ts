import { StoreError } from './errors.js';
import { associationId, indexValue, textMembers } from './association-codec.js';
import { decodeCursor, encodeCursor, MAX_PAGE } from './association-query.js';
import type { Association } from '../policy/index.js';
import type { Page, SearchField, Store } from './types.js';

/**
 * One search over several text indexes (the admin API's `q`: user, device ID, device type,
 * model, friendly name), merged in the order of the matching value: each index is read
 * from the same position, and an association that matches in several is served once, at
 * its first match in the query's order (its "primary" member). The cursor is that member,
 * so every index resumes right after it. Works over any Store (queryAssociations).
 */
export const SEARCHED_FIELDS: readonly SearchField[] = ['user', 'deviceId', 'deviceType', 'model', 'friendlyName'];

export interface SearchQuery {
  /** Prefix (implied trailing wildcard), compared without case. */
  prefix: string;
  order?: 'asc' | 'desc';
  /** 1–1000, default 50. */
  limit?: number;
  cursor?: string;
}

/** The member an association is served at, and the index it comes from (undefined: it does not match). */
function primary(a: Association, pv: string, desc: boolean): { member: string; field: SearchField } | undefined {
  const members = textMembers(a, associationId(a.user, a.deviceId));
  let best: { member: string; field: SearchField } | undefined;
  for (const field of SEARCHED_FIELDS) {
    const m = members[field];
    if (m === undefined || !m.startsWith(pv)) continue;
    if (best === undefined || (desc ? m > best.member : m < best.member)) best = { member: m, field };
  }
  return best;
}

export function searchCursorAfter(q: SearchQuery, a: Association): string {
  const p = primary(a, indexValue(q.prefix), q.order === 'desc');
  if (p === undefined) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', 'the association does not match the search');
  return encodeCursor('search', p.member);
}

interface Stream {
  field: SearchField;
  buf: Association[];
  cursor: string | undefined;
  done: boolean;
}

export async function searchAssociations(store: Store, q: SearchQuery): Promise<Page<Association>> {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', `limit must be 1–${MAX_PAGE}`);
  const pv = indexValue(q.prefix);
  if (pv === '') throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', 'a search needs a prefix');
  const desc = q.order === 'desc';
  let at: string | undefined;
  if (q.cursor !== undefined) {
    const p = decodeCursor(q.cursor, 'search');
    if (typeof p !== 'string' || !p.startsWith(pv)) throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
    at = p;
  }
  const streams: Stream[] = SEARCHED_FIELDS.map((field) => ({ field, buf: [], cursor: at === undefined ? undefined : encodeCursor(field, at), done: false }));
  const fill = async (st: Stream): Promise<void> => {
    if (st.buf.length > 0 || st.done) return;
    const page = await store.queryAssociations({ index: st.field, prefix: q.prefix, order: q.order ?? 'asc', limit: Math.min(limit + 1, MAX_PAGE), ...(st.cursor === undefined ? {} : { cursor: st.cursor }) });
    st.buf = page.items;
    st.cursor = page.nextCursor ?? undefined;
    st.done = page.nextCursor === null;
  };
  const memberOf = (st: Stream): string => textMembers(st.buf[0]!, associationId(st.buf[0]!.user, st.buf[0]!.deviceId))[st.field] ?? '';
  const out: Association[] = [];
  while (out.length <= limit) {
    await Promise.all(streams.map(fill));
    let best: { st: Stream; m: string } | undefined;
    for (const st of streams) {
      if (st.buf.length === 0) continue;
      const m = memberOf(st);
      if (best === undefined || (desc ? m > best.m : m < best.m)) best = { st, m };
    }
    if (best === undefined) break;
    const a = best.st.buf.shift()!;
    const p = primary(a, pv, desc);
    if (p !== undefined && p.field === best.st.field && p.member === best.m) out.push(a);
  }
  const items = out.slice(0, limit);
  return { items, nextCursor: out.length > limit ? searchCursorAfter(q, items[limit - 1]!) : null };
}
