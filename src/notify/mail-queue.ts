/**
 * The durable mail queue: one interface, two implementations (Redis for replicas sharing a
 * store, memory for one process). Semantics (docs/notifications.md):
 * - `enqueue` is idempotent by the event id: the same event enqueued twice (by two
 *   replicas, or twice by one) is one job and one mail.
 * - `claim` hands one due job to one worker with a lease; until the lease ends no other
 *   worker gets it. A worker that dies lets the lease run out and the job is claimed again.
 * - `complete` marks the job sent; `fail` schedules a retry with exponential backoff, or
 *   after `maxAttempts` attempts moves it to the failed list (kept, visible, retryable).
 * Both answers need the claim's token: a worker whose lease ran out cannot touch the job.
 */

export interface OutgoingMail {
  /** One address per mail. */
  to: string;
  subject: string;
  text: string;
}

export interface MailToQueue extends OutgoingMail {
  /** Deterministic per event, e.g. `quarantine:{user}/{deviceKey}:{accessStateAt}`. */
  id: string;
}

export const MAIL_JOB_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type MailJobState = (typeof MAIL_JOB_STATES)[number];

export interface MailJob extends MailToQueue {
  state: MailJobState;
  /** Claims so far (a claim whose worker died counts). */
  attempts: number;
  createdAt: number;
  /** When a pending job is due, or when a sending job's lease ends. */
  nextAt?: number;
  lastError?: string;
  sentAt?: number;
  failedAt?: number;
}

export interface MailClaim {
  job: MailJob;
  /** Proves the lease to `complete` and `fail`. */
  token: string;
}

export type FailOutcome = 'retry' | 'failed' | 'lost';

export interface MailQueue {
  /** True when the job is new; false when the event id is already known (any state). */
  enqueue(mail: MailToQueue): Promise<boolean>;
  /** The oldest due job, leased to the caller; undefined when none is due. */
  claim(): Promise<MailClaim | undefined>;
  /** False when the lease was lost (expired and claimed by another worker). */
  complete(claim: MailClaim): Promise<boolean>;
  /** 'retry' (rescheduled with backoff), 'failed' (attempts used up) or 'lost' (lease gone). */
  fail(claim: MailClaim, error: string): Promise<FailOutcome>;
  get(id: string): Promise<MailJob | undefined>;
  /** Jobs that used up their attempts, newest first. */
  failed(): Promise<MailJob[]>;
  /** Puts a failed job back in the queue with its attempts reset; false when it is not failed. */
  retry(id: string): Promise<boolean>;
  /** Jobs due now or later, still to be sent (pending or leased). */
  pendingCount(): Promise<number>;
}

export interface MailQueueOptions {
  /** How long a claim holds a job; longer than the worst SMTP send. Default 120 s. */
  leaseMs?: number;
  /** Attempts before a job is failed. Default 8. */
  maxAttempts?: number;
  /** First retry delay; doubled each attempt. Default 30 s. */
  backoffBaseMs?: number;
  /** Longest retry delay. Default 1 h. */
  backoffMaxMs?: number;
  /** How long sent jobs (and so their event ids) are remembered. Default 30 days. */
  sentRetentionMs?: number;
  now?: () => number;
}

export interface QueuePolicy {
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  sentRetentionMs: number;
  now: () => number;
}

export function queuePolicy(options: MailQueueOptions = {}): QueuePolicy {
  return {
    leaseMs: options.leaseMs ?? 120_000,
    maxAttempts: options.maxAttempts ?? 8,
    backoffBaseMs: options.backoffBaseMs ?? 30_000,
    backoffMaxMs: options.backoffMaxMs ?? 3_600_000,
    sentRetentionMs: options.sentRetentionMs ?? 30 * 24 * 3_600_000,
    now: options.now ?? Date.now,
  };
}

/** The delay before the next attempt after `attempts` failed ones (1 → base, 2 → 2·base, …). */
export function backoffDelay(policy: QueuePolicy, attempts: number): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(policy.backoffBaseMs * 2 ** exp, policy.backoffMaxMs);
}

/** Error texts kept on a job are bounded. */
export function shortError(error: string): string {
  return error.length > 500 ? `${error.slice(0, 500)}…` : error;
}
