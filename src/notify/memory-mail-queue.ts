import { randomUUID } from 'node:crypto';
import {
  backoffDelay,
  queuePolicy,
  shortError,
  type FailOutcome,
  type MailClaim,
  type MailJob,
  type MailQueue,
  type MailQueueOptions,
  type MailToQueue,
  type QueuePolicy,
} from './mail-queue.js';

/** The mail queue of one process (tests, the demo, a single replica without Redis). */
export class MemoryMailQueue implements MailQueue {
  private readonly policy: QueuePolicy;
  private readonly jobs = new Map<string, MailJob>();
  private readonly tokens = new Map<string, string>();

  constructor(options: MailQueueOptions = {}) {
    this.policy = queuePolicy(options);
  }

  async enqueue(mail: MailToQueue): Promise<boolean> {
    this.forgetOldSent();
    if (this.jobs.has(mail.id)) return false;
    const now = this.policy.now();
    this.jobs.set(mail.id, { id: mail.id, to: mail.to, subject: mail.subject, text: mail.text, state: 'pending', attempts: 0, createdAt: now, nextAt: now });
    return true;
  }

  async claim(): Promise<MailClaim | undefined> {
    const now = this.policy.now();
    for (;;) {
      let best: MailJob | undefined;
      for (const j of this.jobs.values()) {
        if ((j.state === 'pending' || j.state === 'sending') && (j.nextAt ?? 0) <= now && (best === undefined || (j.nextAt ?? 0) < (best.nextAt ?? 0))) best = j;
      }
      if (best === undefined) return undefined;
      if (best.attempts >= this.policy.maxAttempts) {
        // Its last worker died with the lease: no attempt is left.
        this.toFailed(best, best.lastError ?? 'lease expired', now);
        continue;
      }
      const token = randomUUID();
      best.attempts += 1;
      best.state = 'sending';
      best.nextAt = now + this.policy.leaseMs;
      this.tokens.set(best.id, token);
      return { job: { ...best }, token };
    }
  }

  async complete(claim: MailClaim): Promise<boolean> {
    const j = this.owned(claim);
    if (j === undefined) return false;
    j.state = 'sent';
    j.sentAt = this.policy.now();
    delete j.nextAt;
    this.tokens.delete(j.id);
    return true;
  }

  async fail(claim: MailClaim, error: string): Promise<FailOutcome> {
    const j = this.owned(claim);
    if (j === undefined) return 'lost';
    const now = this.policy.now();
    this.tokens.delete(j.id);
    if (j.attempts >= this.policy.maxAttempts) {
      this.toFailed(j, error, now);
      return 'failed';
    }
    j.state = 'pending';
    j.lastError = shortError(error);
    j.nextAt = now + backoffDelay(this.policy, j.attempts);
    return 'retry';
  }

  async get(id: string): Promise<MailJob | undefined> {
    const j = this.jobs.get(id);
    return j === undefined ? undefined : { ...j };
  }

  async failed(): Promise<MailJob[]> {
    return [...this.jobs.values()].filter((j) => j.state === 'failed').sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0)).map((j) => ({ ...j }));
  }

  async retry(id: string): Promise<boolean> {
    const j = this.jobs.get(id);
    if (j === undefined || j.state !== 'failed') return false;
    j.state = 'pending';
    j.attempts = 0;
    j.nextAt = this.policy.now();
    delete j.failedAt;
    return true;
  }

  async pendingCount(): Promise<number> {
    let n = 0;
    for (const j of this.jobs.values()) if (j.state === 'pending' || j.state === 'sending') n += 1;
    return n;
  }

  private owned(claim: MailClaim): MailJob | undefined {
    const j = this.jobs.get(claim.job.id);
    return j !== undefined && j.state === 'sending' && this.tokens.get(j.id) === claim.token ? j : undefined;
  }

  private toFailed(j: MailJob, error: string, now: number): void {
    j.state = 'failed';
    j.lastError = shortError(error);
    j.failedAt = now;
    delete j.nextAt;
    this.tokens.delete(j.id);
  }

  private forgetOldSent(): void {
    const limit = this.policy.now() - this.policy.sentRetentionMs;
    for (const [id, j] of this.jobs) if (j.state === 'sent' && (j.sentAt ?? 0) < limit) this.jobs.delete(id);
  }
}
