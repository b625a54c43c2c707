import type { Association } from '../policy/index.js';
import type { NewAssociation, Store, SyncRecord } from '../store/index.js';

export interface SyncRecorderOptions {
  store: Store;
  /** This gateway instance (recorded as the association's lastInstance). */
  instance: string;
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** Flush early when this many associations wait (default 50,000). */
  maxPending?: number;
  /**
   * An association's sync record is written at most once per this many ms (default 0:
   * at every flush). Later requests are coalesced into the next write, so the stored
   * last-sync times are at most this stale; stop() writes everything.
   */
  minWriteIntervalMs?: number;
  /** Told about associations this recorder created (PolicyRuntime.rememberAssociation). */
  cache?: { rememberAssociation(a: Association): void };
  /** A flush failed; its records are kept for the next one. */
  onError?: (err: unknown) => void;
}

/** One request's bookkeeping, after the upstream accepted its credentials. */
export interface SyncEvent {
  user: string;
  deviceId: string;
  at: number;
  command?: string;
  /** The upstream answered with success (not 401/5xx); sets lastSuccessSyncAt. */
  success: boolean;
  protocolVersion?: string;
  userAgent?: string;
}

export interface RecorderStats {
  events: number;
  written: number;
  flushes: number;
  failures: number;
  created: number;
}

const CHUNK = 5000;

/**
 * Last-sync bookkeeping written behind the request: events are coalesced per association
 * (N requests → 1 write) and flushed every second in one pipeline, and on stop(). A new
 * association is written at once (create-if-absent, first sync set exactly once).
 */
export class SyncRecorder {
  private pending = new Map<string, SyncRecord>();
  /** When each recently written association was written (pruned past minWriteIntervalMs). */
  private written = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;
  private readonly minWriteIntervalMs: number;
  readonly stats: RecorderStats = { events: 0, written: 0, flushes: 0, failures: 0, created: 0 };

  constructor(private readonly opts: SyncRecorderOptions) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.maxPending = opts.maxPending ?? 50_000;
    this.minWriteIntervalMs = opts.minWriteIntervalMs ?? 0;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and flushes what is pending (call it on graceful stop). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(true);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Notes a request of an existing association; costs no I/O. */
  record(e: SyncEvent): void {
    this.stats.events++;
    const key = `${e.user}\u0000${e.deviceId.toLowerCase()}`;
    const r = this.pending.get(key);
    if (r === undefined) {
      const fresh: SyncRecord = { user: e.user, deviceId: e.deviceId, lastSyncAttemptAt: e.at, lastInstance: this.opts.instance };
      merge(fresh, e);
      this.pending.set(key, fresh);
      if (this.pending.size >= this.maxPending) void this.flush();
      return;
    }
    merge(r, e);
  }

  /** Writes a new association at once (create-if-absent); the stored one wins a race. */
  async create(input: NewAssociation): Promise<{ association: Association; created: boolean }> {
    const r = await this.opts.store.createAssociation({ ...input, lastInstance: input.lastInstance ?? this.opts.instance });
    if (r.created) this.stats.created++;
    this.opts.cache?.rememberAssociation(r.association);
    return r;
  }

  /**
   * Writes what is due in one pipeline (chunked beyond 5,000 associations): every pending
   * record whose association was not written within minWriteIntervalMs, or all of them.
   */
  flush(all = false): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow(all));
    return this.flushing;
  }

  private due(all: boolean): Map<string, SyncRecord> {
    if (all || this.minWriteIntervalMs === 0) {
      const batch = this.pending;
      this.pending = new Map();
      return batch;
    }
    const now = Date.now();
    const cutoff = now - this.minWriteIntervalMs;
    for (const [key, at] of this.written) if (at <= cutoff) this.written.delete(key);
    const batch = new Map<string, SyncRecord>();
    for (const [key, r] of this.pending) {
      if (this.written.has(key)) continue;
      batch.set(key, r);
      this.pending.delete(key);
      this.written.set(key, now);
    }
    return batch;
  }

  private async flushNow(all: boolean): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.due(all);
    if (batch.size === 0) return;
    const records = [...batch.values()];
    try {
      for (let i = 0; i < records.length; i += CHUNK) await this.opts.store.recordSyncs(records.slice(i, i + CHUNK));
      this.stats.written += records.length;
      this.stats.flushes++;
    } catch (err) {
      this.stats.failures++;
      // Keep them for the next flush, under anything newer that arrived meanwhile.
      for (const [key, r] of batch) {
        const newer = this.pending.get(key);
        if (newer === undefined) this.pending.set(key, r);
        else if (newer.lastSuccessSyncAt === undefined && r.lastSuccessSyncAt !== undefined) newer.lastSuccessSyncAt = r.lastSuccessSyncAt;
      }
      this.opts.onError?.(err);
    }
  }
}

function merge(r: SyncRecord, e: SyncEvent): void {
  const newest = e.at >= r.lastSyncAttemptAt;
  if (newest) r.lastSyncAttemptAt = e.at;
  if (e.success && (r.lastSuccessSyncAt === undefined || e.at >= r.lastSuccessSyncAt)) r.lastSuccessSyncAt = e.at;
  if (!newest) return;
  if (e.command !== undefined) r.lastCommand = e.command;
  if (e.protocolVersion !== undefined) r.protocolVersion = e.protocolVersion;
  if (e.userAgent !== undefined) r.userAgent = e.userAgent;
}
