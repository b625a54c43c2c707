import { ApiError, get, qs } from '../api.js';
import { FormError, fmtTime, Page, useLoad } from '../ui.js';
import type { Association } from './associations.js';

type Counts = Record<string, number>;
interface Overview {
  byState: Counts;
  byOs: Counts;
  byModel: Counts;
  perDay: [string, number][];
  total: number;
  /** True: counted by the API over every association; false: the most recently synced page. */
  complete: boolean;
}

const SAMPLE = 500;

function tally(items: Association[], f: (a: Association) => string | undefined): Counts {
  const c: Counts = {};
  for (const a of items) {
    const k = f(a) ?? '(unknown)';
    c[k] = (c[k] ?? 0) + 1;
  }
  return c;
}

/** Counts from GET /associations/counts when the gateway has it, else from the most recently synced associations. */
async function load(signal: AbortSignal): Promise<Overview> {
  try {
    const c = await get<{ total: number; byState: Counts; byOs: Counts; byModel: Counts; seenPerDay?: Counts }>('/associations/counts', signal);
    return { ...c, perDay: Object.entries(c.seenPerDay ?? {}).sort(), complete: true };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const { items } = await get<{ items: Association[] }>(`/associations${qs({ sort: 'lastSync', order: 'desc', limit: SAMPLE })}`, signal);
  const day = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 10));
  const perDay = Object.entries(tally(items, (a) => day(a.lastSuccessSyncAt ?? a.lastSyncAttemptAt)))
    .filter(([d]) => d !== '(unknown)')
    .sort()
    .slice(-14);
  return { byState: tally(items, (a) => a.accessState), byOs: tally(items, (a) => a.os?.split(' ')[0]), byModel: tally(items, (a) => a.model ?? a.deviceType), perDay, total: items.length, complete: false };
}

/** A horizontal bar chart (SVG, no library): the biggest first, at most 8 bars. */
function Bars({ title, counts }: { title: string; counts: Counts }) {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 8);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return (
    <figure class="chart card" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 320 ${rows.length * 26 + 4}`} role="img" aria-label={title}>
        {rows.map(([k, n], i) => (
          <g transform={`translate(0 ${i * 26 + 2})`}>
            <text x="0" y="16" class="bar-label">
              {k.length > 18 ? `${k.slice(0, 17)}…` : k}
            </text>
            <rect x="120" y="3" height="18" width={Math.max(2, (n / max) * 160)} class={`bar bar-${i % 4}`} />
            <text x={126 + (n / max) * 160} y="16" class="bar-value">
              {n}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

function Columns({ title, days }: { title: string; days: [string, number][] }) {
  const max = Math.max(1, ...days.map(([, n]) => n));
  const w = 320 / Math.max(1, days.length);
  return (
    <figure class="chart card" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox="0 -16 320 166" role="img" aria-label={title}>
        {days.map(([d, n], i) => (
          <g>
            <rect x={i * w + 2} y={120 - (n / max) * 110} width={Math.max(2, w - 4)} height={(n / max) * 110} class="bar bar-0" />
            <text x={i * w + w / 2} y="136" class="col-label">
              {d.slice(5)}
            </text>
            <text x={i * w + w / 2} y={116 - (n / max) * 110} class="col-label">
              {n}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

interface SyncStatus {
  configured: boolean;
  lastSuccessAt?: number | null;
  lag?: { changes: number; ms: number | null };
  failures?: number;
  leader?: boolean;
  lastError?: string | null;
}

export function OverviewPage() {
  const counts = useLoad(load, []);
  const sync = useLoad((signal) => get<SyncStatus>('/sync/status', signal), []);
  const c = counts.data;
  const s = sync.data;
  return (
    <Page title="Overview">
      <FormError err={counts.err ?? sync.err} />
      {c !== undefined && !c.complete && <p class="hint">Counted over the {c.total} most recently synced associations.</p>}
      <div class="cards">
        <div class="card">
          <div class="card-label">Associations{c?.complete ? '' : ' (recent)'}</div>
          <div class="card-value">{c?.total ?? '…'}</div>
        </div>
        <div class="card">
          <div class="card-label">Store</div>
          <div class="card-value ok">{counts.err === undefined && c !== undefined ? 'answering' : '…'}</div>
        </div>
        <div class="card">
          <div class="card-label">Backend sync</div>
          <div class={`card-value ${s?.configured && (s.failures ?? 0) > 0 ? 'bad' : ''}`}>
            {s === undefined ? '…' : !s.configured ? 'not configured' : (s.failures ?? 0) > 0 ? `${s.failures} failures` : 'running'}
          </div>
          {s?.configured && (
            <div class="card-sub">
              last success {fmtTime(s.lastSuccessAt)}, lag {s.lag?.changes ?? 0} changes{s.lag?.ms === null || s.lag?.ms === undefined ? '' : `, ${Math.round(s.lag.ms / 1000)} s`}
            </div>
          )}
        </div>
      </div>
      {c !== undefined && (
        <div class="charts">
          <Bars title="By state" counts={c.byState} />
          <Bars title="By OS" counts={c.byOs} />
          <Bars title="By model" counts={c.byModel} />
          <Columns title="Devices seen per day" days={c.perDay} />
        </div>
      )}
    </Page>
  );
}
