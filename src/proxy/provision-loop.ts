/**
 * Loop protection: a device that provisions more than `limit` times within `windowMs` is
 * looping (the most reported ActiveSync failure: 449 / Status 142 again and again). Counted
 * per replica in memory, for a bounded number of devices (the oldest forgotten first), so
 * that it costs no store round trip; a looping device is told to come back later.
 */
export interface LoopVerdict {
  readonly looping: boolean;
  /** Provisions within the window, this one included. */
  readonly count: number;
  /** Seconds until the oldest counted Provision leaves the window (for Retry-After). */
  readonly retryAfterSeconds: number;
}

export class ProvisionLoopGuard {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxDevices = 100_000,
  ) {}

  /** Counts one Provision of `device` at `now`. */
  note(device: string, now: number): LoopVerdict {
    const times = (this.seen.get(device) ?? []).filter((t) => now - t < this.windowMs);
    times.push(now);
    this.seen.delete(device); // re-inserted last: the map's order is the age order
    this.seen.set(device, times.slice(-(this.limit + 1)));
    if (this.seen.size > this.maxDevices) this.seen.delete(this.seen.keys().next().value as string);
    const looping = times.length > this.limit;
    return { looping, count: times.length, retryAfterSeconds: looping ? Math.max(1, Math.ceil((times[0]! + this.windowMs - now) / 1000)) : 0 };
  }
}
