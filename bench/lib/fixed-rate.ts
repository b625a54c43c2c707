import { Pool } from 'undici';

export interface RateResult {
  sent: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Sends `rate` requests per second for `seconds` over keep-alive connections and measures
 * each one's latency with a monotonic clock at microsecond resolution (autocannon's
 * histogram counts whole milliseconds, too coarse for "added p99 ≤ 1 ms"). Requests are
 * scheduled by the clock, not by completions, so a slow server cannot slow the load down
 * (no coordinated omission).
 */
export async function fixedRate(origin: string, path: string, body: Buffer, headers: Record<string, string>, rate: number, seconds: number): Promise<RateResult> {
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const inflight = new Set<Promise<void>>();
  const start = process.hrtime.bigint();
  const total = rate * seconds;
  let sent = 0;
  const one = (): void => {
    const t0 = process.hrtime.bigint();
    const p = pool
      .request({ path, method: 'POST', body, headers })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode !== 200) errors++;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      })
      .catch(() => {
        errors++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  while (sent < total) {
    const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * rate));
    while (sent < due) {
      one();
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { sent, errors, p50Ms: q(0.5), p99Ms: q(0.99) };
}
