/**
 * Where the backend sync keeps what must outlive a replica (its cursors and the batch in
 * flight) and how replicas agree on one leader. Redis: a lease with expiry and a fencing
 * token (redis-coordinator.ts); memory: one process, always the leader.
 */
export interface SyncCoordinator {
  /**
   * Takes or renews the lease for `holder`: its fencing token while it holds it, undefined
   * while another replica does. A token grows each time the lease changes hands.
   */
  acquire(holder: string, ttlMs: number): Promise<number | undefined>;
  /** Gives the lease up (only when `holder` holds it). */
  release(holder: string): Promise<void>;
  /** The stored sync state (JSON), if any. */
  load(): Promise<string | undefined>;
  /** Writes the state while `token` is still the lease's token; false when the lease moved on. */
  save(state: string, token: number): Promise<boolean>;
  /** Asks the leader for a run (an on-demand run on a replica that does not lead); full wins over diff. */
  request(full: boolean): Promise<void>;
  /** The run asked for, if any, removed (the leader's next check). */
  takeRequest(): Promise<{ full: boolean } | undefined>;
  close(): Promise<void>;
}

/** One process: always the leader; the state lives as long as the process. */
export class MemoryCoordinator implements SyncCoordinator {
  private state: string | undefined;
  private holder: string | undefined;
  private until = 0;
  private token = 0;
  private asked: { full: boolean } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(holder: string, ttlMs: number): Promise<number | undefined> {
    const t = this.now();
    if (this.holder !== holder && this.holder !== undefined && this.until > t) return undefined;
    if (this.holder !== holder) this.token++;
    this.holder = holder;
    this.until = t + ttlMs;
    return this.token;
  }

  async release(holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined;
  }

  async load(): Promise<string | undefined> {
    return this.state;
  }

  async save(state: string, token: number): Promise<boolean> {
    if (token !== this.token) return false;
    this.state = state;
    return true;
  }

  async request(full: boolean): Promise<void> {
    this.asked = { full: full || this.asked?.full === true };
  }

  async takeRequest(): Promise<{ full: boolean } | undefined> {
    const r = this.asked;
    this.asked = undefined;
    return r;
  }

  async close(): Promise<void> {}
}
