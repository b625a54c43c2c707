import { useEffect, useRef, useState } from 'preact/hooks';
import { call, enc, fillPage, may, qs, type Session } from '../api.js';
import { navigate } from '../router.js';
import { FormError, fmtTime, Page, useConfirm, useLoad } from '../ui.js';
import { DetailsPane } from './details.js';

/** An association as the list answers it (the fields the console shows). */
export interface Association {
  user: string;
  deviceId: string;
  deviceType?: string;
  model?: string;
  os?: string;
  phoneNumber?: string;
  friendlyName?: string;
  accessState: string;
  accessReason: string;
  matchedRuleId?: string;
  backendDeviceId?: string;
  wipeStatus?: string;
  firstSyncAt?: number;
  lastSyncAttemptAt?: number;
  lastSuccessSyncAt?: number;
  displayName?: string;
  lastInstance?: string;
  protocolVersion?: string;
}

type Sort = 'user' | 'deviceId' | 'model' | 'os' | 'lastSync' | 'firstSync' | 'accessState';
interface Column {
  title: string;
  sort?: Sort;
  cell(a: Association): string;
}

export const registered = (a: Association): string => (a.backendDeviceId === undefined ? 'Unregistered' : 'Registered');
export const syncStatus = (a: Association): string => `${a.accessState} (${a.accessReason}${a.matchedRuleId === undefined ? '' : ` ${a.matchedRuleId}`})`;

const COLUMNS: Column[] = [
  { title: 'DeviceID', sort: 'deviceId', cell: (a) => a.deviceId },
  { title: 'User', sort: 'user', cell: (a) => a.user },
  { title: 'Number', cell: (a) => a.phoneNumber ?? '' },
  { title: 'Phone', sort: 'model', cell: (a) => a.model ?? a.deviceType ?? '' },
  { title: 'OS', sort: 'os', cell: (a) => a.os ?? '' },
  { title: 'Status', cell: registered },
  { title: 'Sync Status', sort: 'accessState', cell: syncStatus },
  { title: 'Wipe', cell: (a) => a.wipeStatus ?? '' },
  { title: 'First Sync', sort: 'firstSync', cell: (a) => fmtTime(a.firstSyncAt) },
  { title: 'Last Sync', sort: 'lastSync', cell: (a) => fmtTime(a.lastSuccessSyncAt ?? a.lastSyncAttemptAt) },
  { title: 'Mailbox', cell: (a) => a.displayName ?? '' },
  { title: 'Gateway', cell: (a) => a.lastInstance ?? '' },
];

/** Ivanti's "Show" filter. */
const SHOW: Record<string, Record<string, string>> = {
  all: {},
  registered: { linked: 'true' },
  unregistered: { linked: 'false' },
  policy: { policyAssigned: 'true' },
  actionThisYear: { actionThisYear: 'true' },
};

export interface Filters {
  q: string;
  show: string;
  state: string;
  os: string;
  domain: string;
  lastSyncBefore: string;
}

const PAGE = 50;
const key = (a: { user: string; deviceId: string }): string => `${a.user}\n${a.deviceId}`;

/** The query of the list: the search starts at two characters (a prefix: an implied trailing wildcard). */
export function listQuery(f: Filters, sort: { by: Sort; order: 'asc' | 'desc' } | undefined): Record<string, string | undefined> {
  const q = f.q.trim();
  return {
    ...(q.length >= 2 ? { q } : {}),
    ...SHOW[f.show],
    state: f.state || undefined,
    os: f.os.trim() || undefined,
    domain: f.domain.trim() || undefined,
    lastSyncBefore: f.lastSyncBefore || undefined,
    ...(sort === undefined ? {} : { sort: sort.by, order: sort.order }),
  };
}

/** The column sort lasts for the browser session (sessionStorage), as the console's users expect of a column title. */
function loadSort(): { by: Sort; order: 'asc' | 'desc' } | undefined {
  try {
    return JSON.parse(sessionStorage.getItem('easgate.sort') ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

export function AssociationsPage({ session, open }: { session: Session; open: { user: string; deviceId: string } | undefined }) {
  const [filters, setFilters] = useState<Filters>({ q: '', show: 'all', state: '', os: '', domain: '', lastSyncBefore: '' });
  const [sort, setSort] = useState(loadSort);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, confirm] = useConfirm();
  const [bulkNote, setBulkNote] = useState<string>();
  const debounce = useRef<number | undefined>(undefined);
  const [query, setQuery] = useState(() => listQuery(filters, sort));

  // Typing narrows the list as one types; a stale answer is dropped (AbortController).
  useEffect(() => {
    clearTimeout(debounce.current);
    debounce.current = window.setTimeout(() => {
      const next = listQuery(filters, sort);
      setQuery((held) => {
        if (JSON.stringify(held) === JSON.stringify(next)) return held;
        setCursors([undefined]);
        return next;
      });
    }, 200);
    return () => clearTimeout(debounce.current);
  }, [filters, sort]);

  const cursor = cursors[cursors.length - 1];
  const { data: page, err, loading, reload } = useLoad((signal) => fillPage<Association>((next, room) => `/associations${qs({ ...query, limit: room, cursor: next })}`, cursor, PAGE, signal), [query, cursor]);

  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.currentTarget as HTMLInputElement).value });
  const sortBy = (by: Sort): void => {
    const next = sort?.by === by ? { by, order: sort.order === 'asc' ? ('desc' as const) : ('asc' as const) } : { by, order: 'asc' as const };
    sessionStorage.setItem('easgate.sort', JSON.stringify(next));
    setSort(next);
  };
  const items = page?.items ?? [];
  const toggle = (a: Association): void => {
    const s = new Set(selected);
    if (s.has(key(a))) s.delete(key(a));
    else s.add(key(a));
    setSelected(s);
  };
  const bulk = (verb: 'allow' | 'block' | 'remove'): void => {
    const targets = [...selected].map((k) => {
      const [user, deviceId] = k.split('\n') as [string, string];
      return { user, deviceId };
    });
    const word = verb === 'allow' ? 'Allow' : verb === 'block' ? 'Block' : 'Remove';
    confirm({
      title: `${word} ${targets.length} device${targets.length === 1 ? '' : 's'}?`,
      detail: `This touches ${targets.length} device${targets.length === 1 ? '' : 's'}.`,
      confirm: `${word} ${targets.length}`,
      danger: verb !== 'allow',
      run: async (reason) => {
        let failed = 0;
        const queue = [...targets];
        const worker = async (): Promise<void> => {
          for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
            const path = `/associations/${enc(t.user)}/${enc(t.deviceId)}`;
            const r = reason === '' ? undefined : reason;
            try {
              if (verb === 'remove') await call('DELETE', `${path}${qs({ reason: r })}`);
              else await call('POST', `${path}/${verb}`, r === undefined ? undefined : { reason: r });
            } catch {
              failed++;
            }
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        setBulkNote(`${word}: ${targets.length - failed} done${failed > 0 ? `, ${failed} failed` : ''}.`);
        setSelected(new Set());
        reload();
      },
    });
  };

  const short = filters.q.trim().length === 1;
  return (
    <Page
      title="Associations"
      actions={
        selected.size > 0 && (
          <div class="bulk" aria-label="Bulk actions">
            <span>{selected.size} selected</span>
            {may(session, 'act') && (
              <>
                <button type="button" onClick={() => bulk('allow')}>
                  Allow
                </button>
                <button type="button" onClick={() => bulk('block')}>
                  Block
                </button>
              </>
            )}
            {may(session, 'admin') && (
              <button type="button" class="danger" onClick={() => bulk('remove')}>
                Remove
              </button>
            )}
          </div>
        )
      }
    >
      <div class="filters">
        <label class="search">
          Search
          <input type="search" name="q" placeholder="user, device ID, model… (2 characters or more)" value={filters.q} onInput={set('q')} />
        </label>
        <label>
          Show
          <select name="show" value={filters.show} onChange={set('show')}>
            <option value="all">All</option>
            <option value="registered">Registered</option>
            <option value="unregistered">Unregistered</option>
            <option value="policy">ActiveSync policy assigned</option>
            <option value="actionThisYear">Action applied this year</option>
          </select>
        </label>
        <label>
          State
          <select name="state" value={filters.state} onChange={set('state')}>
            <option value="">Any</option>
            {['Allowed', 'Blocked', 'Quarantined', 'DeviceDiscovery'].map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          OS
          <input name="os" value={filters.os} onInput={set('os')} size={10} />
        </label>
        <label>
          Domain
          <input name="domain" value={filters.domain} onInput={set('domain')} size={14} />
        </label>
        <label>
          Last sync before
          <input name="lastSyncBefore" type="date" value={filters.lastSyncBefore} onInput={set('lastSyncBefore')} />
        </label>
      </div>
      {short && <p class="hint">Type at least 2 characters to search.</p>}
      {bulkNote && <p class="note" role="status">{bulkNote}</p>}
      <FormError err={err} />
      {dialog}
      <div class={`table-wrap ${open === undefined ? '' : 'with-pane'}`}>
        <table class="list" aria-busy={loading}>
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select the page"
                  checked={items.length > 0 && items.every((a) => selected.has(key(a)))}
                  onChange={(e) => setSelected(e.currentTarget.checked ? new Set([...selected, ...items.map(key)]) : new Set())}
                />
              </th>
              {COLUMNS.map((c) => (
                <th aria-sort={c.sort !== undefined && sort?.by === c.sort ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}>
                  {c.sort === undefined ? (
                    c.title
                  ) : (
                    <button type="button" class="sort" onClick={() => sortBy(c.sort!)}>
                      {c.title}
                      {sort?.by === c.sort ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr
                class={open !== undefined && key(open).toLowerCase() === key(a).toLowerCase() ? 'current' : ''}
                data-device={a.deviceId}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('input') === null) navigate(`associations/${enc(a.user)}/${enc(a.deviceId)}`);
                }}
              >
                <td>
                  <input type="checkbox" aria-label={`Select ${a.deviceId}`} checked={selected.has(key(a))} onChange={() => toggle(a)} />
                </td>
                {COLUMNS.map((c) => (
                  <td>{c.cell(a)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {page !== undefined && items.length === 0 && !loading && <p class="empty">No association matches.</p>}
        <div class="pager">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous
          </button>
          <span>Page {cursors.length}</span>
          <button type="button" disabled={page?.nextCursor === null || page === undefined} onClick={() => setCursors([...cursors, page!.nextCursor!])}>
            Next
          </button>
          {loading && <span class="spinner">Loading…</span>}
        </div>
      </div>
      {open !== undefined && <DetailsPane session={session} id={open} onClose={() => navigate('associations')} onChanged={() => reload()} />}
    </Page>
  );
}
