import { BackendError } from './backend/index.js';

export interface RetryPolicy {
  /** Tries in all (default 5). */
  attempts: number;
  /** First backoff (default 1 s); doubles each time, up to maxMs. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 1_000, maxMs: 60_000 };

/** Backoff before try n+1 (n from 1): exponential, with jitter between half and all of it. */
export function backoffMs(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

/**
 * Calls `fn` until it succeeds, the error is not retryable (only a retryable BackendError
 * is tried again) or the tries are spent; `onRetry` hears each failure that is retried.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  options: { sleep?: (ms: number) => Promise<void>; onRetry?: (err: BackendError, attempt: number) => void } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BackendError) || !err.retryable || attempt >= policy.attempts) throw err;
      options.onRetry?.(err, attempt);
      await sleep(backoffMs(policy, attempt));
    }
  }
}
