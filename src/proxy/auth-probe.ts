import { createHmac, randomBytes } from 'node:crypto';
import type { Upstream } from './upstream.js';

/** What the upstream said of a credential: accepted, refused, or no answer worth keeping. */
export type ProbeVerdict = 'accepted' | 'refused' | 'unknown';

export interface AuthProbeOptions {
  /** How long a verdict is kept (ms). */
  ttlMs: number;
  /** Most verdicts kept; the oldest go first. */
  maxEntries: number;
  timeoutMs: number;
}

/**
 * The upstream decides authentication ([MS-ASHTTP] 2.2.1.1.2: Authorization goes to the
 * server). For a request the gateway refuses itself (it never reaches the upstream), it
 * learns whether the credentials are good with an OPTIONS request carrying the device's own
 * Authorization header. Verdicts are cached under an HMAC of the header with a key made at
 * start (so the header itself is never kept), concurrent probes for one credential share
 * one request, and the cache is bounded: a flood of bad credentials costs the upstream at
 * most one probe per distinct credential per TTL.
 */
export class AuthProbe {
  private readonly key = randomBytes(32);
  private readonly verdicts = new Map<string, { verdict: ProbeVerdict; until: number }>();
  private readonly pending = new Map<string, Promise<ProbeVerdict>>();
  /** Probes actually sent to the upstream (for tests and metrics). */
  sent = 0;
  /** The upstream's own WWW-Authenticate challenge, as its last 401 gave it. */
  challenge = 'Basic realm="ActiveSync"';

  constructor(
    private readonly upstream: Upstream,
    private readonly options: AuthProbeOptions,
  ) {}

  check(authorization: string | undefined): Promise<ProbeVerdict> {
    if (authorization === undefined || authorization === '') return Promise.resolve('refused');
    const id = createHmac('sha256', this.key).update(authorization).digest('base64');
    const now = Date.now();
    const hit = this.verdicts.get(id);
    if (hit !== undefined && hit.until > now) return Promise.resolve(hit.verdict);
    const inFlight = this.pending.get(id);
    if (inFlight !== undefined) return inFlight;
    const p = this.probe(authorization).then((verdict) => {
      this.pending.delete(id);
      if (verdict !== 'unknown') this.remember(id, verdict);
      return verdict;
    });
    this.pending.set(id, p);
    return p;
  }

  private remember(id: string, verdict: ProbeVerdict): void {
    this.verdicts.delete(id);
    this.verdicts.set(id, { verdict, until: Date.now() + this.options.ttlMs });
    // Map keeps insertion order: the first keys are the oldest.
    while (this.verdicts.size > this.options.maxEntries) {
      const oldest = this.verdicts.keys().next().value;
      if (oldest === undefined) break;
      this.verdicts.delete(oldest);
    }
  }

  private async probe(authorization: string): Promise<ProbeVerdict> {
    this.sent++;
    try {
      const res = await this.upstream.pool.request({
        path: this.upstream.path,
        method: 'OPTIONS',
        headers: { authorization },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await res.body.dump();
      const challenge = res.headers['www-authenticate'];
      if (res.statusCode === 401 && typeof challenge === 'string' && challenge.length < 512) this.challenge = challenge;
      if (res.statusCode >= 200 && res.statusCode < 300) return 'accepted';
      if (res.statusCode === 401 || res.statusCode === 403) return 'refused';
      return 'unknown';
    } catch {
      return 'unknown';
    }
  }
}
