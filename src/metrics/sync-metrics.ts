import { Counter, Gauge, type Registry } from 'prom-client';
import type { SyncObserver } from '../sync/backend-sync.js';

/** What the scrape reads of the backend sync (its status: the stored state shared by the replicas, and this replica's lease). */
export interface BackendSyncReading {
  lagChanges: number;
  lagSeconds: number | null;
  /** Runs that failed in a row. */
  failures: number;
  /** ms since the epoch; null before the first success. */
  lastSuccessAt: number | null;
  /** This replica holds the sync lease. */
  leader: boolean;
}

/**
 * The backend sync's metrics (docs/backend-sync.md, "Metrics"): counters moved by the
 * engine's reports (the returned observer), gauges read from its status when Prometheus
 * scrapes. One status read per scrape, shared by every gauge.
 */
export function registerSyncMetrics(registry: Registry, read: () => Promise<BackendSyncReading>): SyncObserver {
  const registers = [registry];
  let reading: Promise<BackendSyncReading> | undefined;
  // prom-client collects every metric of a scrape at once: they share the read in flight.
  const once = (): Promise<BackendSyncReading> => {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  new Gauge({
    name: 'easgate_backend_sync_lag',
    help: 'Management-backend sync lag: changes not pushed yet, seconds since the last success, failures in a row',
    labelNames: ['measure'] as const,
    registers,
    async collect() {
      const s = await once();
      this.set({ measure: 'changes' }, s.lagChanges);
      this.set({ measure: 'seconds' }, s.lagSeconds ?? -1);
      this.set({ measure: 'failures' }, s.failures);
    },
  });
  const readGauge = (name: string, help: string, value: (s: BackendSyncReading) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.set(value(await once()));
      },
    });
  };
  readGauge('easgate_backend_sync_consecutive_failures', 'Backend sync runs that failed in a row (0 after a success)', (s) => s.failures);
  readGauge('easgate_backend_sync_last_success_timestamp_seconds', 'When the last backend sync run succeeded (Unix time; 0: never)', (s) => (s.lastSuccessAt ?? 0) / 1000);
  readGauge('easgate_backend_sync_leader', '1 when this replica holds the backend sync lease', (s) => (s.leader ? 1 : 0));

  const runs = new Counter({ name: 'easgate_backend_sync_runs_total', help: 'Backend sync runs by kind (diff, full) and outcome (ok, failed)', labelNames: ['kind', 'outcome'] as const, registers });
  const batches = new Counter({ name: 'easgate_backend_sync_batches_total', help: 'Batches the backend accepted, by kind (diff, full)', labelNames: ['kind'] as const, registers });
  const pushed = new Counter({ name: 'easgate_backend_sync_associations_pushed_total', help: 'Associations in batches the backend accepted, by kind', labelNames: ['kind'] as const, registers });
  const retries = new Counter({ name: 'easgate_backend_sync_retries_total', help: 'Backend calls that failed and were tried again, by call (batch, devices, actions)', labelNames: ['call'] as const, registers });
  const links = new Counter({ name: 'easgate_backend_sync_links_total', help: 'Backend device records applied, by outcome (linked, unlinked, unchanged, unmatched)', labelNames: ['outcome'] as const, registers });
  const actions = new Counter({ name: 'easgate_backend_sync_actions_total', help: 'Backend actions by action and outcome (applied, unknown-device, refused)', labelNames: ['action', 'outcome'] as const, registers });
  // Zero series from the start, so that rate() and alerts see the first failure.
  for (const kind of ['diff', 'full']) {
    for (const outcome of ['ok', 'failed']) runs.inc({ kind, outcome }, 0);
    batches.inc({ kind }, 0);
    pushed.inc({ kind }, 0);
  }
  return {
    runEnded: (r) => runs.inc({ kind: r.kind, outcome: r.error === undefined ? 'ok' : 'failed' }),
    batchPushed(full, associations) {
      const kind = full ? 'full' : 'diff';
      batches.inc({ kind });
      pushed.inc({ kind }, associations);
    },
    retried: (call) => retries.inc({ call }),
    linked: (outcome) => links.inc({ outcome }),
    actionApplied: (action, outcome) => actions.inc({ action, outcome }),
  };
}
