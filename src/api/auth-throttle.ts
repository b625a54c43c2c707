/**
 * Failed admin authentications per client address, as a token bucket: each failure takes a
 * token, tokens come back at `perSecond`, and while an address has none left its requests are
 * refused before any token is checked (429 with Retry-After). Guessing tokens is thus slow
 * (a few guesses per second per address at most) and visible (the log and a metric).
 */
export interface ThrottleOptions {
  /** Failures an address may make at once. */
  burst?: number;
  /** Failures per second it may make after that. */
  perSecond?: number;
  /** Addresses remembered at most (the oldest are forgotten first). */
  maxAddresses?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class FailureThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perSecond: number;
  private readonly maxAddresses: number;

  constructor(o: ThrottleOptions = {}) {
    this.burst = o.burst ?? 10;
    this.perSecond = o.perSecond ?? 3;
    this.maxAddresses = o.maxAddresses ?? 10_000;
  }

  private refill(address: string, now: number): Bucket | undefined {
    const b = this.buckets.get(address);
    if (b === undefined) return undefined;
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens >= this.burst) this.buckets.delete(address);
    return b;
  }

  /** Milliseconds until this address may try again (0: now). */
  waitMs(address: string, now: number): number {
    const b = this.refill(address, now);
    return b === undefined || b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / this.perSecond) * 1000);
  }

  failed(address: string, now: number): void {
    const b = this.refill(address, now) ?? { tokens: this.burst, at: now };
    b.tokens = Math.max(0, b.tokens - 1);
    this.buckets.delete(address);
    this.buckets.set(address, b);
    if (this.buckets.size > this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
