import type { Association } from '../policy/index.js';
import { associationId, indexValue, SEARCHED_FIELDS, TEXT_INDEXES, textMembers } from './association-codec.js';
import { primaryMember, slotOf } from './association-filter.js';
import { decodeCursor, encodeCursor, MAX_PAGE } from './association-query.js';
import { StoreError } from './errors.js';
import type { AssociationFilter, Page, SearchField, Store } from './types.js';

/**
 * One search over several text indexes (the admin API's `q`: user, device ID, device type,
 * model, friendly name), merged in the order of the matching value. Each index is read
 * with the filter `firstMatchIn: itself`, evaluated next to the data, so the five streams
 * are disjoint (an association matching in several comes only from the index of its first
 * match) and the merge is a plain k-way merge. The cursor is a member position: every
 * index resumes right after it. Works over any Store.
 */
export interface SearchQuery {
  /** Prefix (implied trailing wildcard), compared without case. */
  prefix: string;
  order?: 'asc' | 'desc';
  /** 1–1000, default 50. */
  limit?: number;
  cursor?: string;
  /** More conditions (the `text` is the prefix). */
  filter?: Omit<AssociationFilter, 'text' | 'firstMatchIn'>;
  /** Index entries the page looks at, over all indexes (default 5,000). */
  scanLimit?: number;
}

interface Stream {
  field: SearchField;
  /** Fetched, not yet merged, with their members in this index. */
  buf: { a: Association; m: string }[];
  /** The store cursor to continue with; undefined once the index range is done. */
  cursor: string | undefined;
  /** The last member looked at (everything up to it is fetched). */
  pos: string | undefined;
  done: boolean;
}

export async function searchAssociations(store: Store, q: SearchQuery): Promise<Page<Association>> {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', `limit must be 1–${MAX_PAGE}`);
  const pv = indexValue(q.prefix);
  if (pv === '') throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', 'a search needs a prefix');
  const desc = q.order === 'desc';
  const before = (x: string, y: string): boolean => (desc ? x > y : x < y);
  let at: string | undefined;
  if (q.cursor !== undefined) {
    const p = decodeCursor(q.cursor, 'search');
    if (typeof p !== 'string' || !p.startsWith(pv)) throw new StoreError('EASGATE_ERR_STORE_BAD_CURSOR');
    at = p;
  }
  // The budget, shared: each fetch may look at a fifth of it, and there are at most ten fetches.
  const perFetch = Math.max(1, Math.ceil((q.scanLimit ?? 5000) / SEARCHED_FIELDS.length));
  let fetches = 0;
  const streams: Stream[] = SEARCHED_FIELDS.map((field) => ({ field, buf: [], cursor: at === undefined ? undefined : encodeCursor(field, at), pos: at, done: false }));
  const fetch = async (st: Stream): Promise<void> => {
    fetches++;
    const page = await store.queryAssociations({
      index: st.field,
      prefix: q.prefix,
      order: q.order ?? 'asc',
      limit: Math.min(limit + 1, MAX_PAGE),
      filter: { ...q.filter, text: q.prefix, firstMatchIn: st.field },
      scanLimit: perFetch,
      ...(st.cursor === undefined ? {} : { cursor: st.cursor }),
    });
    const id = (a: Association): string => associationId(a.user, a.deviceId);
    st.buf = page.items.map((a) => ({ a, m: textMembers(a, id(a))[st.field] ?? '' }));
    st.cursor = page.nextCursor ?? undefined;
    st.done = page.nextCursor === null;
    st.pos = st.done ? undefined : (decodeCursor(page.nextCursor!, st.field) as string);
  };
  await Promise.all(streams.map(fetch));
  const out: Association[] = [];
  let lastM = '';
  let cursor: string | null = null;
  for (;;) {
    // Streams with nothing fetched but more to look at bound what may be served yet.
    const blocked = streams.filter((st) => st.buf.length === 0 && !st.done);
    const bound = blocked.reduce<string | undefined>((b, st) => (b === undefined || before(st.pos!, b) ? st.pos : b), undefined);
    let best: Stream | undefined;
    for (const st of streams) if (st.buf.length > 0 && (best === undefined || before(st.buf[0]!.m, best.buf[0]!.m))) best = st;
    if (best !== undefined && (bound === undefined || !before(bound, best.buf[0]!.m))) {
      const { a, m } = best.buf.shift()!;
      if (out.length === limit) {
        cursor = encodeCursor('search', lastM);
        break;
      }
      out.push(a);
      lastM = m;
      continue;
    }
    if (blocked.length === 0) break;
    if (fetches >= SEARCHED_FIELDS.length * 2) {
      cursor = encodeCursor('search', bound!);
      break;
    }
    await Promise.all(blocked.map(fetch));
  }
  return { items: out, nextCursor: cursor };
}

/**
 * The search cursor that resumes right after association `a` (one the search served): the
 * member it was served at, its first match in the search's order (as the merge serves it).
 */
export function searchCursorAfter(q: Pick<SearchQuery, 'prefix' | 'order'>, a: Association): string {
  const byField = textMembers(a, associationId(a.user, a.deviceId));
  const members: (string | undefined)[] = [undefined, ...TEXT_INDEXES.map((f) => byField[f])];
  const hit = primaryMember(members, SEARCHED_FIELDS.map(slotOf), indexValue(q.prefix), q.order === 'desc');
  if (hit === undefined) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY', 'the association does not match the search');
  return encodeCursor('search', hit.member);
}
