import { ACCESS_STATES, deviceKey, domainOf, type Association } from '../policy/index.js';
import { cursorAfter, searchAssociations, searchCursorAfter, type AssociationQuery, type Page, type Store } from '../store/index.js';
import { ApiError } from './errors.js';
import { s, type Infer } from './schema.js';
import { ASSOCIATION_SORTS, CURSOR, DEVICE_ID, DOMAIN, LIMIT, REASON, STATE, TIME, USER } from './schemas.js';

/**
 * GET /associations: one index drives the page (the sort column's, or the search's), and
 * every other condition filters what it yields. A page looks at no more than SCAN_BUDGET
 * associations: a rare filter answers fast with fewer items and a cursor rather than
 * scanning a million. A filter on one user reads that user's devices and sorts them in
 * memory (any column).
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
  linked: s.optional(s.bool('Linked to a management-backend device record')),
  policyAssigned: s.optional(s.bool('A device access rule decided it (matchedRuleId set)')),
  actionThisYear: s.optional(s.bool('An admin allowed or blocked it, or a wipe was requested, this calendar year (UTC)')),
  lastSyncAfter: s.optional(TIME),
  lastSyncBefore: s.optional(TIME),
});
export type ListQuery = Infer<typeof LIST_QUERY>;
type Sort = (typeof ASSOCIATION_SORTS)[number];

export const SCAN_BUDGET = 2000;
const BATCH = 250;

interface Driver {
  /** Binds a cursor to the driver that made it. */
  key: string;
  page(limit: number, cursor: string | undefined): Promise<Page<Association>>;
  cursorAfter(a: Association): string;
}

const syncOf = (a: Association): number => a.lastSyncAttemptAt ?? a.firstSyncAt;
const lower = (v: string | undefined): string => (v ?? '').toLowerCase();

function time(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Date.parse(v);
}

/** The conditions of the query as one predicate (undefined: none). */
function filterOf(q: ListQuery, user: string | undefined, now: number): ((a: Association) => boolean) | undefined {
  const checks: ((a: Association) => boolean)[] = [];
  const add = <T>(v: T | undefined, f: (v: T, a: Association) => boolean): void => {
    if (v !== undefined) checks.push((a) => f(v, a));
  };
  add(q.q?.toLowerCase(), (p, a) => [a.user, a.deviceId, a.deviceType, a.model, a.friendlyName].some((v) => lower(v).startsWith(p)));
  add(q.state, (v, a) => a.accessState === v);
  add(q.reason, (v, a) => a.accessReason === v);
  add(user, (v, a) => a.user === v);
  add(q.domain?.toLowerCase(), (v, a) => domainOf(a.user) === v);
  add(q.deviceType?.toLowerCase(), (v, a) => lower(a.deviceType) === v);
  add(q.os?.toLowerCase(), (v, a) => lower(a.os).startsWith(v));
  add(q.deviceId === undefined ? undefined : deviceKey(q.deviceId), (v, a) => deviceKey(a.deviceId) === v);
  add(q.linked, (v, a) => (a.backendDeviceId !== undefined) === v);
  add(q.policyAssigned, (v, a) => (a.matchedRuleId !== undefined) === v);
  const yearStart = Date.UTC(new Date(now).getUTCFullYear(), 0, 1);
  add(q.actionThisYear, (v, a) => ((a.accessReason === 'Individual' && (a.accessStateAt ?? 0) >= yearStart) || (a.wipeRequestedAt ?? 0) >= yearStart) === v);
  add(time(q.lastSyncAfter), (t, a) => syncOf(a) >= t);
  add(time(q.lastSyncBefore), (t, a) => syncOf(a) < t);
  return checks.length === 0 ? undefined : (a) => checks.every((c) => c(a));
}

function indexDriver(store: Store, query: AssociationQuery): Driver {
  return {
    key: JSON.stringify([query.index, query.order, query.state ?? '', query.prefix ?? '', query.exact === true]),
    page: (limit, cursor) => store.queryAssociations({ ...query, limit, ...(cursor === undefined ? {} : { cursor }) }),
    cursorAfter: (a) => cursorAfter(query, a),
  };
}

/** Sort by access state: the four state indexes one after the other (by name), each by when the state was entered. */
function stateDriver(store: Store, order: 'asc' | 'desc'): Driver {
  const states = order === 'asc' ? [...ACCESS_STATES].sort() : [...ACCESS_STATES].sort().reverse();
  const split = (cursor: string): [number, string | undefined] => {
    const [i, c] = JSON.parse(cursor) as [number, string | null];
    return [i, c ?? undefined];
  };
  return {
    key: `state:${order}`,
    async page(limit, cursor) {
      let [i, inner] = cursor === undefined ? [0, undefined] : split(cursor);
      for (; i < states.length; i++, inner = undefined) {
        const p = await store.queryAssociations({ index: 'state', state: states[i]!, order, limit, ...(inner === undefined ? {} : { cursor: inner }) });
        const next = p.nextCursor !== null ? JSON.stringify([i, p.nextCursor]) : i + 1 < states.length ? JSON.stringify([i + 1, null]) : null;
        if (p.items.length > 0 || next === null) return { items: p.items, nextCursor: next };
      }
      return { items: [], nextCursor: null };
    },
    cursorAfter: (a) => JSON.stringify([states.indexOf(a.accessState), cursorAfter({ index: 'state', state: a.accessState, order }, a)]),
  };
}

const COMPARE: { [K in Sort]: (a: Association) => string | number } = {
  user: (a) => a.user,
  deviceId: (a) => deviceKey(a.deviceId),
  deviceType: (a) => lower(a.deviceType),
  model: (a) => lower(a.model),
  friendlyName: (a) => lower(a.friendlyName),
  os: (a) => lower(a.os),
  lastSync: syncOf,
  firstSync: (a) => a.firstSyncAt,
  accessState: (a) => `${a.accessState}\u0000${String(a.accessStateAt ?? a.firstSyncAt).padStart(16, '0')}`,
};

/** One user's devices (a few; at most 5,000 read), sorted in memory by any column; the cursor is an offset. */
function userDriver(store: Store, user: string, sort: Sort, order: 'asc' | 'desc'): Driver {
  let sorted: Association[] | undefined;
  const load = async (): Promise<Association[]> => {
    if (sorted !== undefined) return sorted;
    const all: Association[] = [];
    let cursor: string | undefined;
    do {
      const p = await store.queryAssociations({ index: 'user', prefix: user, exact: true, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      all.push(...p.items);
      cursor = p.nextCursor ?? undefined;
    } while (cursor !== undefined && all.length < 5000);
    const key = COMPARE[sort];
    const sign = order === 'asc' ? 1 : -1;
    sorted = all.sort((x, y) => {
      const [a, b] = [key(x), key(y)];
      return sign * (a < b ? -1 : a > b ? 1 : deviceKey(x.deviceId) < deviceKey(y.deviceId) ? -1 : 1);
    });
    return sorted;
  };
  return {
    key: `user:${sort}:${order}`,
    async page(limit, cursor) {
      const all = await load();
      const from = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isSafeInteger(from) || from < 0) throw new ApiError('EASGATE_ERR_API_BAD_CURSOR');
      return { items: all.slice(from, from + limit), nextCursor: from + limit < all.length ? String(from + limit) : null };
    },
    cursorAfter: (a) => String((sorted ?? []).indexOf(a) + 1),
  };
}

function chooseDriver(store: Store, q: ListQuery, user: string | undefined): Driver {
  const order = q.order ?? (q.sort === undefined && q.q === undefined ? 'desc' : 'asc');
  if (user !== undefined) return userDriver(store, user, q.sort ?? 'deviceId', order);
  if (q.sort === undefined && q.q !== undefined) {
    const search = { prefix: q.q, order };
    return {
      key: `search:${order}`,
      page: (limit, cursor) => searchAssociations(store, { ...search, limit, ...(cursor === undefined ? {} : { cursor }) }),
      cursorAfter: (a) => searchCursorAfter(search, a),
    };
  }
  // Without a sort: a state filter lists that state by when it was entered, else newest sync first.
  const sort = q.sort ?? (q.state !== undefined ? 'accessState' : 'lastSync');
  switch (sort) {
    case 'accessState':
      return q.state !== undefined ? indexDriver(store, { index: 'state', state: q.state, order }) : stateDriver(store, order);
    case 'lastSync': {
      const [after, before] = [time(q.lastSyncAfter), time(q.lastSyncBefore)];
      return indexDriver(store, { index: 'lastSync', order, ...(after === undefined ? {} : { after }), ...(before === undefined ? {} : { before }) });
    }
    case 'firstSync':
      return indexDriver(store, { index: 'firstSync', order });
    case 'deviceType':
      return indexDriver(store, { index: 'deviceType', order, ...(q.deviceType === undefined ? {} : { prefix: q.deviceType, exact: true }) });
    case 'os':
      return indexDriver(store, { index: 'os', order, ...(q.os === undefined ? {} : { prefix: q.os }) });
    case 'deviceId':
      return indexDriver(store, { index: 'deviceId', order, ...(q.deviceId === undefined ? {} : { prefix: q.deviceId, exact: true }) });
    default:
      return indexDriver(store, { index: sort, order });
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

export async function listAssociations(store: Store, q: ListQuery, normalizeUser: (raw: string) => string, now: number): Promise<Page<Association>> {
  const user = q.user === undefined ? undefined : normalizeUser(q.user);
  const limit = q.limit ?? 50;
  const filter = filterOf(q, user, now);
  const driver = chooseDriver(store, q, user);
  let inner = unwrap(driver, q.cursor);
  const items: Association[] = [];
  let scanned = 0;
  let last: Association | undefined;
  for (;;) {
    const n = filter === undefined ? limit - items.length + 1 : Math.min(BATCH, SCAN_BUDGET - scanned + 1);
    const page = await driver.page(n, inner);
    for (const a of page.items) {
      // One more exists: the page is full (the last one looked at is its last item), or the budget is spent.
      if (last !== undefined && (items.length === limit || scanned === SCAN_BUDGET)) return { items, nextCursor: wrap(driver, driver.cursorAfter(last)) };
      scanned++;
      last = a;
      if (filter === undefined || filter(a)) items.push(a);
    }
    if (page.nextCursor === null) return { items, nextCursor: null };
    inner = page.nextCursor;
  }
}
