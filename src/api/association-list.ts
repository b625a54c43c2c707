import { ACCESS_STATES, deviceKey, type Association } from '../policy/index.js';
import { associationMatches, cursorAfter, searchAssociations, searchCursorAfter, type AssociationFilter, type AssociationQuery, type Page, type SearchField, type Store } from '../store/index.js';
import { PolicyView, type CurrentAssociation } from '../actions/index.js';
import { ApiError } from './errors.js';
import { hasJudged, judgedPage, passesJudged, type JudgedFilter, type Pager } from './judged-page.js';
import { s, type Infer } from './schema.js';
import { ASSOCIATION_SORTS, CURSOR, WIPE_FILTER, DEVICE_ID, DOMAIN, LIMIT, REASON, STATE, TIME, USER } from './schemas.js';

/**
 * GET /associations: one index drives the page (the sort column's, or the search's), and
 * every other condition is a store filter evaluated next to the data (in Redis, in Lua).
 * A page looks at no more than SCAN_BUDGET index entries: a rare filter answers fast with
 * fewer items and a cursor rather than scanning a million. A filter on one user reads that
 * user's devices and sorts them in memory (any column).
 */
export const LIST_QUERY = s.object({
  q: s.optional(s.string({ min: 2, max: 256, description: 'Prefix of user, device ID, device type, model or friendly name (without case)' })),
  sort: s.optional(s.enum(ASSOCIATION_SORTS)),
  order: s.optional(s.enum(['asc', 'desc'] as const)),
  limit: s.optional(LIMIT),
  cursor: s.optional(CURSOR),
  state: s.optional(STATE),
  reason: s.optional(REASON),
  user: s.optional(USER),
  domain: s.optional(DOMAIN),
  deviceType: s.optional(s.string({ min: 1, max: 256, description: 'Exact, without case' })),
  os: s.optional(s.string({ min: 1, max: 256, description: 'Prefix, without case' })),
  deviceId: s.optional(DEVICE_ID),
  wipe: s.optional(s.enum(Object.keys(WIPE_FILTER) as (keyof typeof WIPE_FILTER)[], 'The remote wipe: none (not ordered), pending, sent, succeeded, failed')),
  linked: s.optional(s.bool('Linked to a management-backend device record')),
  policyAssigned: s.optional(s.bool('A device access rule decided it (matchedRuleId set)')),
  actionThisYear: s.optional(s.bool('An admin allowed or blocked it, or a wipe was requested, this calendar year (UTC)')),
  lastSyncAfter: s.optional(TIME),
  lastSyncBefore: s.optional(TIME),
});
export type ListQuery = Infer<typeof LIST_QUERY>;
type Sort = (typeof ASSOCIATION_SORTS)[number];

export const SCAN_BUDGET = 2500;

interface Driver extends Pager {
  /** Binds a cursor to the driver that made it. */
  key: string;
}

function time(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Date.parse(v);
}

/** The query's conditions as a store filter (evaluated next to the data). */
function filterOf(q: ListQuery, user: string | undefined, now: number): AssociationFilter {
  const f: AssociationFilter = {
    user,
    domain: q.domain,
    deviceType: q.deviceType,
    deviceId: q.deviceId,
    os: q.os,
    text: q.q,
    linked: q.linked,
    wipe: q.wipe === undefined ? undefined : WIPE_FILTER[q.wipe],
    actionSince: q.actionThisYear === undefined ? undefined : { at: Date.UTC(new Date(now).getUTCFullYear(), 0, 1), present: q.actionThisYear },
    syncAfter: time(q.lastSyncAfter),
    syncBefore: time(q.lastSyncBefore),
  };
  for (const k of Object.keys(f) as (keyof AssociationFilter)[]) if (f[k] === undefined) delete f[k];
  return f;
}

/** The filter without the conditions the driving index answers already (undefined: nothing left). */
function rest(f: AssociationFilter, covered: readonly (keyof AssociationFilter)[]): AssociationFilter | undefined {
  const r = { ...f };
  for (const k of covered) delete r[k];
  return Object.keys(r).length === 0 ? undefined : r;
}

function indexDriver(store: Store, query: AssociationQuery, filter: AssociationFilter | undefined): Driver {
  return {
    key: JSON.stringify([query.index, query.order, query.state ?? '', query.prefix ?? '', query.exact === true, query.after ?? '', query.before ?? '']),
    page: (limit, cursor) =>
      store.queryAssociations({ ...query, limit, scanLimit: SCAN_BUDGET, ...(filter === undefined ? {} : { filter }), ...(cursor === undefined ? {} : { cursor }) }),
    cursorAt: (a) => cursorAfter(query, a),
  };
}

/** Sort by access state: the four indexes of the recorded state one after the other (by name), each by when the state was entered. */
function stateDriver(store: Store, order: 'asc' | 'desc', filter: AssociationFilter | undefined): Driver {
  const states = order === 'asc' ? [...ACCESS_STATES].sort() : [...ACCESS_STATES].sort().reverse();
  return {
    key: `state:${order}`,
    async page(limit, cursor) {
      let [i, inner] = cursor === undefined ? [0, null] : (JSON.parse(cursor) as [number, string | null]);
      for (; i < states.length; i++, inner = null) {
        const p = await store.queryAssociations({
          index: 'state',
          state: states[i]!,
          order,
          limit,
          scanLimit: SCAN_BUDGET,
          ...(filter === undefined ? {} : { filter }),
          ...(inner === null ? {} : { cursor: inner }),
        });
        const next = p.nextCursor !== null ? JSON.stringify([i, p.nextCursor]) : i + 1 < states.length ? JSON.stringify([i + 1, null]) : null;
        if (p.items.length > 0 || next === null) return { items: p.items, nextCursor: next };
      }
      return { items: [], nextCursor: null };
    },
  };
}

const lower = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v.toLowerCase());

/** The sort key of a column (undefined: the association lacks it, and sorts after the others, before them descending). */
const COMPARE: { [K in Sort]: (a: Association) => string | number | undefined } = {
  user: (a) => a.user,
  deviceId: (a) => deviceKey(a.deviceId),
  deviceType: (a) => lower(a.deviceType),
  model: (a) => lower(a.model),
  friendlyName: (a) => lower(a.friendlyName),
  os: (a) => lower(a.os),
  lastSync: (a) => a.lastSyncAttemptAt ?? a.firstSyncAt,
  firstSync: (a) => a.firstSyncAt,
  accessState: (a) => `${a.accessState}\u0000${String(a.accessStateAt ?? a.firstSyncAt).padStart(16, '0')}`,
};

/** One user's devices (a few; at most 5,000 read), judged, filtered and sorted in memory by any column; the cursor is an offset. */
function userDriver(store: Store, user: string, sort: Sort, order: 'asc' | 'desc', filter: AssociationFilter, view: PolicyView, judged: JudgedFilter): Driver {
  return {
    key: `user:${sort}:${order}`,
    async page(limit, cursor) {
      const from = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isSafeInteger(from) || from < 0) throw new ApiError('EASGATE_ERR_API_BAD_CURSOR');
      const read: Association[] = [];
      let c: string | undefined;
      do {
        const p = await store.queryAssociations({ index: 'user', prefix: user, exact: true, limit: 1000, ...(c === undefined ? {} : { cursor: c }) });
        read.push(...p.items.filter((a) => associationMatches(filter, a)));
        c = p.nextCursor ?? undefined;
      } while (c !== undefined && read.length < 5000);
      const all = (await view.judge(read)).filter((a) => passesJudged(judged, a));
      const key = COMPARE[sort];
      const sign = order === 'asc' ? 1 : -1;
      all.sort((x, y) => {
        const [a, b] = [key(x), key(y)];
        if (a === undefined || b === undefined) {
          if (a !== b) return sign * (a === undefined ? 1 : -1);
        } else if (a !== b) return sign * (a < b ? -1 : 1);
        return sign * (deviceKey(x.deviceId) < deviceKey(y.deviceId) ? -1 : 1);
      });
      return { items: all.slice(from, from + limit), nextCursor: from + limit < all.length ? String(from + limit) : null };
    },
  };
}

/**
 * A sort by a column some associations lack (model, friendly name, OS, device type): the
 * column's index holds only those that have it, so the others follow it (precede it,
 * descending) from the first-sync index with the filter `missing`. Every association thus
 * comes once, and nothing is dropped. The second phase is skipped when none lack the field.
 */
function textSortDriver(store: Store, field: SearchField, order: 'asc' | 'desc', filter: AssociationFilter | undefined): Driver {
  const present = indexDriver(store, { index: field, order }, filter);
  const absent = indexDriver(store, { index: 'firstSync', order }, { ...filter, missing: field });
  const phases = order === 'asc' ? [present, absent] : [absent, present];
  const anyMissing = async (): Promise<boolean> => (await store.countIndexed(field)) < (await store.countAssociations());
  return {
    key: `sort:${field}:${order}`,
    async page(limit, cursor) {
      let [i, inner] = cursor === undefined ? [0, null] : (JSON.parse(cursor) as [number, string | null]);
      for (; i < phases.length; i++, inner = null) {
        if (phases[i] === absent && inner === null && !(await anyMissing())) continue;
        const p = await phases[i]!.page(limit, inner ?? undefined);
        const more = async (): Promise<boolean> => i + 1 < phases.length && (phases[i + 1] !== absent || (await anyMissing()));
        const next = p.nextCursor !== null ? JSON.stringify([i, p.nextCursor]) : (await more()) ? JSON.stringify([i + 1, null]) : null;
        if (p.items.length > 0 || next === null) return { items: p.items, nextCursor: next };
      }
      return { items: [], nextCursor: null };
    },
  };
}

/** Without a sort or a search: newest first. */
function orderOf(q: ListQuery): 'asc' | 'desc' {
  return q.order ?? (q.sort === undefined && q.q === undefined ? 'desc' : 'asc');
}

function chooseDriver(store: Store, q: ListQuery, filter: AssociationFilter): Driver {
  const order = orderOf(q);
  if (q.sort === undefined && q.q !== undefined) {
    const more = rest(filter, ['text']);
    return {
      key: `search:${order}`,
      page: (limit, cursor) =>
        searchAssociations(store, { prefix: q.q!, order, limit, scanLimit: SCAN_BUDGET, ...(more === undefined ? {} : { filter: more }), ...(cursor === undefined ? {} : { cursor }) }),
      cursorAt: (a) => searchCursorAfter({ prefix: q.q!, order }, a),
    };
  }
  // Without a sort: newest sync first.
  const sort = q.sort ?? 'lastSync';
  switch (sort) {
    case 'accessState':
      return stateDriver(store, order, rest(filter, []));
    case 'lastSync': {
      const { syncAfter: after, syncBefore: before } = filter;
      const window = { ...(after === undefined ? {} : { after }), ...(before === undefined ? {} : { before }) };
      return indexDriver(store, { index: 'lastSync', order, ...window }, rest(filter, ['syncAfter', 'syncBefore']));
    }
    case 'deviceType':
      if (q.deviceType === undefined) return textSortDriver(store, 'deviceType', order, rest(filter, []));
      return indexDriver(store, { index: 'deviceType', order, prefix: q.deviceType, exact: true }, rest(filter, ['deviceType']));
    case 'os':
      if (q.os === undefined) return textSortDriver(store, 'os', order, rest(filter, []));
      return indexDriver(store, { index: 'os', order, prefix: q.os }, rest(filter, ['os']));
    case 'model':
    case 'friendlyName':
      return textSortDriver(store, sort, order, rest(filter, []));
    case 'deviceId':
      return indexDriver(store, { index: 'deviceId', order, ...(q.deviceId === undefined ? {} : { prefix: q.deviceId, exact: true }) }, rest(filter, ['deviceId']));
    default:
      return indexDriver(store, { index: sort, order }, rest(filter, []));
  }
}

function wrap(driver: Driver, inner: string): string {
  return Buffer.from(JSON.stringify([driver.key, inner])).toString('base64url');
}

function unwrap(driver: Driver, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [key, inner] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (key === driver.key && typeof inner === 'string') return inner;
  } catch {
    // fall through
  }
  throw new ApiError('EASGATE_ERR_API_BAD_CURSOR', 'the cursor is malformed or belongs to another sort or search');
}

/**
 * A page of associations, each with the access state its next request would get (the
 * recorded verdict beside it); filters on that state are evaluated on what the driver reads
 * (judged-page.ts).
 */
export async function listAssociations(store: Store, q: ListQuery, normalizeUser: (raw: string) => string, now: number): Promise<Page<CurrentAssociation>> {
  const user = q.user === undefined ? undefined : normalizeUser(q.user);
  const view = new PolicyView(store, now);
  const judged: JudgedFilter = { state: q.state, reason: q.reason, ruleMatched: q.policyAssigned };
  const limit = q.limit ?? 50;
  let page: Page<CurrentAssociation>;
  let driver: Driver;
  if (user !== undefined) {
    // One user's devices are read whole: the current state is evaluated before they are filtered and sorted.
    driver = userDriver(store, user, q.sort ?? 'deviceId', orderOf(q), filterOf(q, user, now), view, judged);
    page = (await driver.page(limit, unwrap(driver, q.cursor))) as Page<CurrentAssociation>;
  } else {
    driver = chooseDriver(store, q, filterOf(q, user, now));
    const cursor = unwrap(driver, q.cursor);
    if (hasJudged(judged)) page = await judgedPage(driver, view, judged, limit, cursor);
    else {
      const p = await driver.page(limit, cursor);
      page = { items: await view.judge(p.items), nextCursor: p.nextCursor };
    }
  }
  return { items: page.items, nextCursor: page.nextCursor === null ? null : wrap(driver, page.nextCursor) };
}
