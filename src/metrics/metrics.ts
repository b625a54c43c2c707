import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreCalls } from '../store/index.js';
import type { SyncObserver } from '../sync/backend-sync.js';
import { registerSyncMetrics, type BackendSyncReading } from './sync-metrics.js';

/** What the device path reports per request (cheap: a labelled counter and a histogram). */
export interface RequestMetrics {
  /** A request ended: its command (or method), HTTP status, and the access decision ('' when none was made). */
  request(command: string, status: number, decision: string): void;
  /** The upstream answered (headers) after `seconds`. */
  upstream(command: string, seconds: number): void;
}

/** Sources read when Prometheus scrapes (nothing of this runs per request). */
export interface MetricSources {
  longPollsHeld(): number;
  policyCache(): { mailboxHits: number; mailboxMisses: number; associationHits: number; associationMisses: number };
  syncRecordsPending(): number;
  /** The store's operations since start (each one Redis round trip or one pipeline). */
  storeCalls?: () => StoreCalls;
  mailPending?: () => Promise<number>;
  backendSync?: () => Promise<BackendSyncReading>;
  upstreamReachable(): boolean;
  /** When the served TLS certificate expires (Unix seconds); only with TLS. */
  tlsCertificateExpiry?: () => number;
}

export interface Metrics extends RequestMetrics {
  /** A failed admin API authentication, by why it failed. */
  adminAuthFailure(reason: string): void;
  readonly registry: Registry;
  /** With sources.backendSync: the observer to give the sync engine (BackendSync.observe). */
  readonly backendSync: SyncObserver | undefined;
}

/**
 * The gateway's Prometheus metrics (prom-client): requests by command, status and
 * decision; upstream latency; long polls held; policy cache hits and misses (a miss is a
 * store round trip); write-behind and mail queue depths; the backend sync (runs, batches,
 * retries, failures in a row, last success, leader; sync-metrics.ts); and the process
 * metrics of prom-client's defaults.
 */
export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'easgate_' });
  const requests = new Counter({
    name: 'easgate_requests_total',
    help: 'Device requests by command, HTTP status and access decision',
    labelNames: ['command', 'status', 'decision'] as const,
    registers: [registry],
  });
  const upstream = new Histogram({
    name: 'easgate_upstream_response_seconds',
    help: 'Time until the upstream answered (response headers), by command',
    labelNames: ['command'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600],
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'easgate_admin_auth_failures_total',
    help: 'Failed admin API authentications by reason (missing, malformed, unknown-token: a wrong, unknown or revoked token)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  gauge(registry, 'easgate_long_polls_held', 'Long polls (Ping, Sync) held right now', () => sources.longPollsHeld());
  new Gauge({
    name: 'easgate_policy_cache_lookups',
    help: 'Policy cache look-ups since start by kind and result (a miss costs one store round trip)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
    collect() {
      const s = sources.policyCache();
      this.set({ kind: 'mailbox', result: 'hit' }, s.mailboxHits);
      this.set({ kind: 'mailbox', result: 'miss' }, s.mailboxMisses);
      this.set({ kind: 'association', result: 'hit' }, s.associationHits);
      this.set({ kind: 'association', result: 'miss' }, s.associationMisses);
    },
  });
  const storeCalls = sources.storeCalls;
  if (storeCalls !== undefined) {
    new Gauge({
      name: 'easgate_store_calls',
      help: 'Store operations since start by operation and result (each one Redis round trip or one pipeline; the device path makes them only on a cache miss)',
      labelNames: ['op', 'result'] as const,
      registers: [registry],
      collect() {
        for (const [op, c] of storeCalls()) {
          this.set({ op, result: 'ok' }, c.ok);
          this.set({ op, result: 'failed' }, c.failed);
        }
      },
    });
    new Gauge({
      name: 'easgate_store_call_seconds',
      help: 'Time spent waiting for store operations since start, by operation (divide by easgate_store_calls for the mean)',
      labelNames: ['op'] as const,
      registers: [registry],
      collect() {
        for (const [op, c] of storeCalls()) this.set({ op }, c.seconds);
      },
    });
  }
  gauge(registry, 'easgate_sync_records_pending', 'Last-sync records waiting to be written behind', () => sources.syncRecordsPending());
  gauge(registry, 'easgate_upstream_reachable', '1 when the upstream has answered within the readiness window (EASGATE_READY_UPSTREAM_WINDOW_MS)', () => (sources.upstreamReachable() ? 1 : 0));
  if (sources.tlsCertificateExpiry !== undefined) {
    // A timestamp, not a countdown, as Prometheus' own exporters do: alert on `easgate_tls_certificate_expiry_seconds - time() < 14 * 86400`.
    gauge(registry, 'easgate_tls_certificate_expiry_seconds', 'When the TLS certificate served to devices expires (notAfter, Unix seconds); follows reloads', sources.tlsCertificateExpiry);
  }
  if (sources.mailPending !== undefined) {
    const read = sources.mailPending;
    asyncGauge(registry, 'easgate_mail_queue_pending', 'Notification mails waiting to be sent', read);
  }
  const backendSync = sources.backendSync === undefined ? undefined : registerSyncMetrics(registry, sources.backendSync);
  return {
    registry,
    backendSync,
    request(command, status, decision) {
      requests.inc({ command, status: String(status), decision });
    },
    upstream(command, seconds) {
      upstream.observe({ command }, seconds);
    },
    adminAuthFailure(reason) {
      authFailures.inc({ reason });
    },
  };
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

function asyncGauge(registry: Registry, name: string, help: string, read: () => Promise<number>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}
