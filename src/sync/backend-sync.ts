import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { applyAction, type ActionOutcome } from './backend-actions.js';
import { linkDevice, type LinkOutcome } from './backend-link.js';
import { finishFull, nextDeletionBatch, nextDiffBatch, nextFullBatch, type PlannedBatch } from './backend-push.js';
import type { BackendAction, BackendConnector, BackendPage } from './backend/index.js';
import type { SyncCoordinator } from './coordinator.js';
import { backoffMs, DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { parseState, type SyncState } from './sync-state.js';
import { statusOf, type SyncKind, type SyncReport, type SyncStatus } from './sync-status.js';

export interface BackendSyncOptions {
  store: Store;
  connector: BackendConnector;
  coordinator: SyncCoordinator;
  /** This replica's name (the lease holder). */
  instance: string;
  log: Logger;
  normalizeUser: (raw: string) => string;
  /** EASGATE_SYNC_DIFF_INTERVAL (default 4 h). */
  diffIntervalMs?: number;
  /** EASGATE_SYNC_PULL_INTERVAL (default 5 min): device records and actions between pushes. */
  pullIntervalMs?: number;
  /** EASGATE_SYNC_FULL_INTERVAL (default one week). */
  fullIntervalMs?: number;
  /** Associations per batch (default 500). */
  batchSize?: number;
  /** Lease time (default 60 s): a dead leader's successor takes over within it. */
  leaseMs?: number;
  /**
   * After each batch the backend accepted, the run pauses for the batch's time multiplied
   * by this and by the devices' load: how busy the event loop was during the pauses, when
   * the sync did nothing (default 3). A gateway saturated by devices runs the sync at most
   * a quarter of the time; an idle one pauses 1 ms a batch (bench/RESULTS.md, "Devices
   * during a full sync"). 0: no pause.
   */
  pacing?: number;
  retry?: RetryPolicy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What the engine tells whoever watches it (the Prometheus metrics): counts only, called
 * as things happen; an observer must be cheap and must not throw.
 */
export interface SyncObserver {
  /** A run ended (not called when it did not run because another replica leads). */
  runEnded(report: SyncReport): void;
  /** The backend accepted a batch. */
  batchPushed(full: boolean, associations: number): void;
  /** A call to the backend failed and is tried again. */
  retried(call: 'batch' | 'devices' | 'actions'): void;
  linked(outcome: LinkOutcome): void;
  actionApplied(action: BackendAction['action'], outcome: ActionOutcome): void;
}

/** The run stopped because this replica no longer holds the lease. */
class LostLease extends Error {}

/**
 * The management-backend sync (docs/backend-sync.md): differential and full pushes of
 * associations, linking from the backend's device records, and its actions applied.
 * One replica at a time (the coordinator's lease); the state survives the leader.
 */
export class BackendSync {
  private readonly o: Required<Omit<BackendSyncOptions, 'sleep'>> & Pick<BackendSyncOptions, 'sleep'>;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<SyncReport> | undefined;
  private running: SyncKind | undefined;
  private token: number | undefined;
  private stopped = false;
  /** How busy the event loop was during the last pauses (0–1, a moving average; options.pacing). */
  private deviceLoad = 1;
  private readonly observers: SyncObserver[] = [];

  constructor(options: BackendSyncOptions) {
    this.o = {
      diffIntervalMs: 4 * 3_600_000,
      fullIntervalMs: 7 * 86_400_000,
      pullIntervalMs: 300_000,
      batchSize: 500,
      leaseMs: 60_000,
      pacing: 3,
      retry: DEFAULT_RETRY,
      now: Date.now,
      ...options,
    };
  }

  /** Adds an observer of what the runs do (metrics). */
  observe(observer: SyncObserver): void {
    this.observers.push(observer);
  }

  /** Checks every third of the lease whether this replica leads and a run is due. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, Math.max(100, this.o.leaseMs / 3)).unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
    if (this.token !== undefined) await this.o.coordinator.release(this.o.instance).catch(() => undefined);
  }

  /** A run now (full: a full sync, or the one in progress resumed), after the run under way if any. */
  run(options: { full?: boolean; pullOnly?: boolean } = {}): Promise<SyncReport> {
    const under = this.current;
    if (under !== undefined) return under.then(() => this.run(options));
    const kind: SyncKind = options.full === true ? 'full' : options.pullOnly === true ? 'pull' : 'diff';
    const run = this.runOnce(kind).finally(() => {
      if (this.current === run) this.current = undefined;
    });
    this.current = run;
    return run;
  }

  async status(): Promise<SyncStatus> {
    const state = parseState(await this.o.coordinator.load());
    return statusOf(state, {
      now: this.o.now(),
      changeNumber: await this.o.store.changeNumber(),
      leader: this.token !== undefined,
      running: this.running ?? null,
      diffIntervalMs: this.o.diffIntervalMs,
      fullIntervalMs: this.o.fullIntervalMs,
      pullIntervalMs: this.o.pullIntervalMs,
    });
  }

  private async tick(): Promise<void> {
    try {
      if (!(await this.lead())) return;
      const state = parseState(await this.o.coordinator.load());
      const now = this.o.now();
      const fullDue = state.full !== undefined || now >= (state.lastFullAt ?? 0) + this.o.fullIntervalMs;
      const diffDue = now >= (state.lastDiffAt ?? state.lastFullAt ?? 0) + this.o.diffIntervalMs;
      // After a failed run the next one comes after a backoff that grows with the failures in a row.
      const retryDue = state.failures > 0 && now >= (state.lastError?.at ?? 0) + backoffMs(this.o.retry, state.failures);
      const asked = await this.o.coordinator.takeRequest();
      // Between pushes, device records and actions are pulled more often: a wipe or a
      // registration from the backend should not wait for the next differential.
      const pullDue = now >= (state.lastPullAt ?? state.lastSuccessAt ?? 0) + this.o.pullIntervalMs;
      if (fullDue || diffDue || retryDue || asked !== undefined) await this.run({ full: fullDue || asked?.full === true });
      else if (pullDue) await this.run({ pullOnly: true });
    } catch (err) {
      this.o.log.error({ err }, 'backend sync tick failed');
    }
  }

  /** Takes or renews the lease; false while another replica holds it. */
  private async lead(): Promise<boolean> {
    const token = await this.o.coordinator.acquire(this.o.instance, this.o.leaseMs);
    if (token === undefined || (this.token !== undefined && token !== this.token && this.running !== undefined)) {
      this.token = undefined;
      return false;
    }
    this.token = token;
    return true;
  }

  private async runOnce(kind: SyncKind): Promise<SyncReport> {
    const full = kind === 'full';
    const report: SyncReport = { ran: false, kind, batches: 0, pushed: 0, links: {}, actions: {} };
    if (!(await this.lead())) {
      await this.o.coordinator.request(full);
      return { ...report, reason: 'another replica holds the sync lease; it runs this at its next check' };
    }
    let state = parseState(await this.o.coordinator.load());
    const save = async (next: SyncState): Promise<void> => {
      if (!(await this.lead()) || !(await this.o.coordinator.save(JSON.stringify(next), this.token!))) throw new LostLease('the sync lease moved to another replica');
      state = next;
    };
    this.running = report.kind;
    report.ran = true;
    try {
      if (full && state.full === undefined) {
        const now = this.o.now();
        await save({ ...state, full: { runId: `${now.toString(36)}${Math.random().toString(36).slice(2, 8)}`, batches: 0, snapshot: await this.o.store.changeNumber(), startedAt: now } });
      }
      if (state.full !== undefined) report.kind = 'full';
      const pushes = report.kind !== 'pull';
      if (pushes) await this.push(() => (state.full !== undefined ? nextFullBatch(this.o.store, state, this.o.batchSize, this.o.now()) : Promise.resolve(undefined)), save, report);
      if (pushes && state.full !== undefined) await save(finishFull(state, this.o.now()));
      if (pushes) await this.push(() => nextDiffBatch(this.o.store, state, this.o.batchSize), save, report);
      if (pushes) await this.push(() => nextDeletionBatch(this.o.store, state, this.o.batchSize), save, report);
      // Deletions the backend has are dropped from the store's list (a later run resends none).
      if (pushes && state.deletedCursor !== undefined) await this.o.store.forgetDeletions(state.deletedCursor);
      await this.pull('devices', () => state.devicesCursor, (c) => ({ ...state, devicesCursor: c }), this.o.connector.devices.bind(this.o.connector), async (d) => {
        const r: LinkOutcome = await linkDevice(this.o.store, d, this.o.now(), this.o.normalizeUser);
        report.links[r] = (report.links[r] ?? 0) + 1;
        for (const o of this.observers) o.linked(r);
      }, save);
      await this.pull('actions', () => state.actionsCursor, (c) => ({ ...state, actionsCursor: c }), this.o.connector.actions.bind(this.o.connector), async (act) => {
        const r: ActionOutcome = await applyAction(this.o.store, act, this.o.now(), this.o.normalizeUser);
        if (r !== 'applied') this.o.log.warn({ action: act, outcome: r }, 'backend action not applied');
        report.actions[r] = (report.actions[r] ?? 0) + 1;
        for (const o of this.observers) o.actionApplied(act.action, r);
      }, save);
      const now = this.o.now();
      await save(pushes ? { ...state, lastSuccessAt: now, lastDiffAt: now, lastPullAt: now, failures: 0 } : { ...state, lastPullAt: now, failures: 0 });
      this.o.log.info({ report }, 'backend sync done');
    } catch (err) {
      const e = err as Error & { code?: string };
      report.error = { code: e.code ?? (err instanceof LostLease ? 'lost-lease' : 'internal'), message: e.message };
      this.o.log.error({ err, report }, 'backend sync failed; the next run resumes where this one stopped');
      if (!(err instanceof LostLease)) {
        const failed = { ...state, failures: state.failures + 1, lastError: { at: this.o.now(), code: report.error.code, message: e.message } };
        await save(failed).catch(() => undefined);
      }
    } finally {
      this.running = undefined;
      for (const o of this.observers) o.runEnded(report);
    }
    return report;
  }

  /** Pushes planned batches until there are none; the state moves only after the backend accepted each. */
  private async push(plan: () => Promise<PlannedBatch | undefined>, save: (s: SyncState) => Promise<void>, report: SyncReport): Promise<void> {
    for (;;) {
      const started = performance.now();
      const batch = await plan();
      if (batch === undefined) return;
      const { next, ...body } = batch;
      await withRetry(() => this.o.connector.pushBatch(body), this.o.retry, {
        ...(this.o.sleep !== undefined ? { sleep: this.o.sleep } : {}),
        onRetry: (err, attempt) => {
          this.o.log.warn({ err, batchId: body.batchId, attempt }, 'backend batch failed; retrying');
          for (const o of this.observers) o.retried('batch');
        },
      });
      report.batches++;
      report.pushed += body.associations.length;
      if (body.deleted !== undefined) report.deleted = (report.deleted ?? 0) + body.deleted.length;
      for (const o of this.observers) o.batchPushed(body.full, body.associations.length);
      await save(next);
      await this.pace(performance.now() - started);
    }
  }

  /**
   * The pause after a batch (options.pacing). The loop's busy share is measured while the
   * sync pauses, so that it is the devices' load and not the sync's own work. At most a
   * quarter of the lease: the lease is renewed before each write, and a slow backend
   * already takes its share of it.
   */
  private async pace(batchMs: number): Promise<void> {
    if (this.o.pacing <= 0) return;
    const from = performance.eventLoopUtilization();
    const ms = Math.min(this.o.leaseMs / 4, Math.max(1, batchMs * this.deviceLoad * this.o.pacing));
    await (this.o.sleep ?? ((t: number) => new Promise<void>((r) => setTimeout(r, t))))(ms);
    const busy = performance.eventLoopUtilization(from).utilization;
    if (Number.isFinite(busy)) this.deviceLoad = (this.deviceLoad + busy) / 2;
  }

  /** Pulls pages from the cursor until one is empty; the cursor moves after each page is applied. */
  private async pull<T>(
    what: 'devices' | 'actions',
    cursor: () => string | undefined,
    withCursor: (c: string) => SyncState,
    fetch: (cursor?: string) => Promise<BackendPage<T>>,
    apply: (item: T) => Promise<void>,
    save: (s: SyncState) => Promise<void>,
  ): Promise<void> {
    for (let pages = 0; pages < 10_000; pages++) {
      const from = cursor();
      const page = await withRetry(() => fetch(from), this.o.retry, {
        ...(this.o.sleep !== undefined ? { sleep: this.o.sleep } : {}),
        onRetry: (err, attempt) => {
          this.o.log.warn({ err, what, attempt }, 'backend pull failed; retrying');
          for (const o of this.observers) o.retried(what);
        },
      });
      for (const item of page.items) await apply(item);
      if (page.nextCursor !== null && page.nextCursor !== from) await save(withCursor(page.nextCursor));
      if (page.items.length === 0 || page.nextCursor === null || page.nextCursor === from) return;
    }
  }
}
