import {
  buildSnapshot,
  compileMailbox,
  defaultMailbox,
  deviceKey,
  internDevice,
  withLicenseInUse,
  type Association,
  type Decision,
  type MailboxPolicy,
  type PolicySnapshot,
} from '../policy/index.js';
import { UserCache } from './user-cache.js';
import type { Change, Store } from './types.js';

export interface PolicyRuntimeOptions {
  /** Users whose mailbox and devices are cached (default 100,000). */
  mailboxCacheSize?: number;
  /** Cached devices per user (default 16). */
  devicesPerUser?: number;
  /** Longest a cached mailbox or association lives without an invalidation (default 5 min). */
  maxAgeMs?: number;
  /** Backstop: how often the policy version and license count are polled (default 30 s). */
  reloadIntervalMs?: number;
  /** Bursts of policy changes within this window cause one reload (default 20 ms). */
  debounceMs?: number;
  /** A background reload failed; the previous snapshot stays in force. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

export interface RuntimeStats {
  mailboxHits: number;
  mailboxMisses: number;
  associationHits: number;
  associationMisses: number;
  reloads: number;
  invalidations: number;
}

/**
 * The hot path's view of the store: the policy snapshot in process, mailboxes and
 * associations in bounded LRU caches (absences cached too), kept current by the store's
 * change notifications (every replica within a second) with a periodic version poll as
 * the backstop. A cached device costs no store round trip: use the `peek*` methods first
 * and fall back to `get*` (one round trip) on a miss.
 */
export class PolicyRuntime {
  private current: PolicySnapshot | undefined;
  private readonly cache: UserCache;
  /** A clock read by the cache, advanced by a timer: no Date.now() per request. */
  private clock: number;
  private ticker: NodeJS.Timeout | undefined;
  /** Bumped by every invalidation; a fetch started before one does not fill the cache. */
  private generation = 0;
  private seenVersion = -1;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;
  /** A resync waiting for the store to answer (see resync). */
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly stats: RuntimeStats = { mailboxHits: 0, mailboxMisses: 0, associationHits: 0, associationMisses: 0, reloads: 0, invalidations: 0 };
  private readonly opts: Required<Omit<PolicyRuntimeOptions, 'onError'>> & Pick<PolicyRuntimeOptions, 'onError'>;

  constructor(
    readonly store: Store,
    options: PolicyRuntimeOptions = {},
  ) {
    this.opts = {
      mailboxCacheSize: 100_000,
      devicesPerUser: 16,
      maxAgeMs: 300_000,
      reloadIntervalMs: 30_000,
      debounceMs: 20,
      now: Date.now,
      ...options,
    };
    this.clock = this.opts.now();
    this.cache = new UserCache(this.opts.mailboxCacheSize, this.opts.devicesPerUser, this.opts.maxAgeMs, () => this.clock);
  }

  /** Subscribes, loads the snapshot and starts the backstop poll. */
  async start(): Promise<void> {
    this.unsubscribe = await this.store.onChange((c) => this.onChange(c));
    await this.reload();
    this.timer = setInterval(() => void this.poll(), this.opts.reloadIntervalMs);
    this.timer.unref();
    this.ticker = setInterval(() => (this.clock = this.opts.now()), 250);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.ticker);
    this.scheduleReload.cancel();
    this.scheduleLicense.cancel();
    clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
    this.unsubscribe?.();
    await this.reloading;
  }

  get snapshot(): PolicySnapshot {
    if (this.current === undefined) throw new Error('PolicyRuntime.start() has not completed');
    return this.current;
  }

  /** Reloads the snapshot now; a call during a reload makes that reload run once more. */
  reload(): Promise<void> {
    if (this.reloading !== undefined) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          const version = await this.store.policyVersion();
          this.current = buildSnapshot(await this.store.loadPolicy());
          this.seenVersion = version;
          this.stats.reloads++;
        } while (this.again);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private report(err: unknown): void {
    this.opts.onError?.(err);
  }

  /** Runs `task` once, `debounceMs` after the first of a burst of calls. */
  private debounced(task: () => Promise<void>): { (): void; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    const run = (): void => {
      timer ??= setTimeout(() => {
        timer = undefined;
        task().catch((e: unknown) => this.report(e));
      }, this.opts.debounceMs);
    };
    return Object.assign(run, { cancel: () => clearTimeout(timer) });
  }

  private readonly scheduleReload = this.debounced(() => this.reload());
  private readonly scheduleLicense = this.debounced(() => this.refreshLicense());

  private async refreshLicense(): Promise<void> {
    const inUse = await this.store.countEnabledMailboxes();
    if (this.current !== undefined) this.current = withLicenseInUse(this.current, inUse);
  }

  private async poll(): Promise<void> {
    try {
      if ((await this.store.policyVersion()) !== this.seenVersion) await this.reload();
      else await this.refreshLicense();
    } catch (err) {
      this.report(err);
    }
  }

  /**
   * The change feed was interrupted (its connection came back): a change may have been
   * missed, so the policy is reloaded and the cached mailboxes and associations dropped,
   * but only once the store answers again. Until then the cache keeps serving known
   * devices, as it did while the store was away: after a Redis failover the subscriber is
   * often back before the store connection, and an empty cache would answer every device
   * 503 meanwhile. Tries every second until the store answers.
   */
  private resync(delayMs = this.opts.debounceMs): void {
    if (this.resyncTimer !== undefined) return;
    this.resyncTimer = setTimeout(() => {
      this.reload().then(
        () => {
          this.resyncTimer = undefined;
          this.generation++;
          this.cache.clear();
        },
        () => {
          this.resyncTimer = undefined;
          if (!this.stopped) this.resync(1_000);
        },
      );
    }, delayMs);
    this.resyncTimer.unref();
  }

  private onChange(c: Change): void {
    this.generation++;
    this.stats.invalidations++;
    switch (c.kind) {
      case 'mailbox':
        if (c.key !== undefined) this.cache.dropMailbox(c.key);
        this.scheduleLicense();
        return;
      case 'association':
        if (c.key !== undefined) {
          const [user, key] = c.key.split('/');
          if (user !== undefined && key !== undefined) this.cache.dropAssociation(decodeURIComponent(user), decodeURIComponent(key));
        }
        return;
      case 'resync':
        this.resync();
        return;
      default:
        this.scheduleReload();
    }
  }

  /** The cached mailbox: null when known to be absent, undefined when not cached. */
  peekMailbox(user: string): MailboxPolicy | null | undefined {
    const v = this.cache.getMailbox(user);
    if (v !== undefined) this.stats.mailboxHits++;
    return v;
  }

  async getMailbox(user: string): Promise<MailboxPolicy | null> {
    const hit = this.peekMailbox(user);
    if (hit !== undefined) return hit;
    this.stats.mailboxMisses++;
    const gen = this.generation;
    const m = await this.store.getMailbox(user);
    const v = m === undefined ? null : compileMailbox(m);
    if (gen === this.generation) this.cache.setMailbox(user, v);
    return v;
  }

  /**
   * The user's mailbox, created if absent with the license applied: over the limit a new
   * user's mailbox is created with ActiveSync disabled (reason License). Call it only for
   * a request whose credentials the upstream accepted.
   */
  async ensureMailbox(user: string): Promise<MailboxPolicy> {
    const total = this.snapshot.licenseTotal;
    const r = await this.store.putMailbox(defaultMailbox(user), {
      createOnly: true,
      ...(Number.isFinite(total) ? { licenseLimit: total } : {}),
    });
    const v = compileMailbox(r.mailbox ?? defaultMailbox(user));
    this.cache.setMailbox(user, v);
    return v;
  }

  /**
   * The cached association: null when known to be absent, undefined when not cached.
   * `key` is the lower-cased device ID (deviceKey), as EvalRequest carries it.
   */
  peekAssociation(user: string, key: string): Association | null | undefined {
    const v = this.cache.getAssociation(user, key);
    if (v !== undefined) this.stats.associationHits++;
    return v;
  }

  /** The association, from the cache or (on a miss) the store; `key` as for peekAssociation. */
  async getAssociation(user: string, key: string): Promise<Association | null> {
    const hit = this.peekAssociation(user, key);
    if (hit !== undefined) return hit;
    this.stats.associationMisses++;
    const gen = this.generation;
    const a = (await this.store.getAssociation(user, key)) ?? null;
    if (gen === this.generation) this.cache.setAssociation(user, key, a && internDevice(a));
    return a;
  }

  /** Caches an association this process created or changed (the recorder calls it). */
  rememberAssociation(a: Association): void {
    this.cache.setAssociation(a.user, deviceKey(a.deviceId), internDevice(a));
  }

  /**
   * Applies a write this process made to the cached copy, if one is still cached. The
   * write's own notification usually dropped it, and then the next request reads the
   * store: a copy built from an earlier read is never cached again, so two writes to one
   * association in flight at once (a state change and a wipe or quarantine mark) cannot
   * undo each other in the cache.
   */
  amendAssociation(a: Pick<Association, 'user' | 'deviceId'>, change: (cached: Association) => Association): void {
    const key = deviceKey(a.deviceId);
    const cached = this.cache.getAssociation(a.user, key);
    if (cached) this.cache.setAssociation(a.user, key, internDevice(change(cached)));
  }

  /**
   * Records a decision that differs from the association's state (see stateDiffers), with
   * a history entry (the cached copy amended, see amendAssociation). One store round trip.
   */
  async recordDecision(a: Association, d: Decision, at: number, actor?: string): Promise<Association> {
    const update = { state: d.state, reason: d.reason, at, ...(d.ruleId === undefined ? {} : { ruleId: d.ruleId }), ...(actor === undefined ? {} : { actor }) };
    await this.store.setAccessState(a.user, a.deviceId, update);
    const decided = (x: Association): Association => {
      const next: Association = { ...x, accessState: d.state, accessReason: d.reason, accessStateAt: at };
      if (d.ruleId === undefined) delete next.matchedRuleId;
      else next.matchedRuleId = d.ruleId;
      return next;
    };
    this.amendAssociation(a, decided);
    return decided(a);
  }
}
