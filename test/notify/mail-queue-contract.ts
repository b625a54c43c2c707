import { describe, expect, it } from 'vitest';
import type { MailQueue, MailQueueOptions } from '../../src/notify/mail-queue.js';

/** A clock the test moves by hand. */
export class Clock {
  t = 1_700_000_000_000;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export type MakeQueue = (options: MailQueueOptions) => Promise<MailQueue>;

const mail = (id: string) => ({ id, to: 'alice@example.com', subject: `s ${id}`, text: `t ${id}` });

/** The semantics both queues must share (docs/notifications.md). */
export function mailQueueContract(name: string, make: MakeQueue): void {
  describe(`${name} mail queue contract`, () => {
    const opts = (clock: Clock): MailQueueOptions => ({ now: clock.now, leaseMs: 1000, maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 250 });

    it('enqueuing the same event id twice keeps one job', async () => {
      const q = await make(opts(new Clock()));
      expect(await q.enqueue(mail('e1'))).toBe(true);
      expect(await q.enqueue({ ...mail('e1'), subject: 'other' })).toBe(false);
      expect(await q.pendingCount()).toBe(1);
      expect((await q.get('e1'))?.subject).toBe('s e1');
    });

    it('a claimed job is leased: no second claim until the lease ends, then it is claimed again', async () => {
      const clock = new Clock();
      const q = await make(opts(clock));
      await q.enqueue(mail('e1'));
      const first = await q.claim();
      expect(first?.job).toMatchObject({ id: 'e1', to: 'alice@example.com', subject: 's e1', text: 't e1', attempts: 1, state: 'sending' });
      expect(await q.claim()).toBeUndefined();
      clock.advance(999);
      expect(await q.claim()).toBeUndefined();
      clock.advance(1);
      const second = await q.claim();
      expect(second?.job.attempts).toBe(2);
      expect(second?.token).not.toBe(first?.token);
      // The dead worker's lease is gone: it can neither complete nor fail the job.
      expect(await q.complete(first!)).toBe(false);
      expect(await q.fail(first!, 'late')).toBe('lost');
      expect(await q.complete(second!)).toBe(true);
      expect((await q.get('e1'))?.state).toBe('sent');
    });

    it('a sent job is never claimed again and its event id stays known', async () => {
      const clock = new Clock();
      const q = await make(opts(clock));
      await q.enqueue(mail('e1'));
      const c = await q.claim();
      expect(await q.complete(c!)).toBe(true);
      clock.advance(10_000);
      expect(await q.claim()).toBeUndefined();
      expect(await q.enqueue(mail('e1'))).toBe(false);
      expect(await q.pendingCount()).toBe(0);
      const sent = await q.get('e1');
      expect(sent?.sentAt).toBe(clock.t - 10_000);
    });

    it('failures are retried with exponential backoff, then the job is kept as failed and can be retried', async () => {
      const clock = new Clock();
      const q = await make(opts(clock));
      await q.enqueue(mail('e1'));
      let c = await q.claim();
      expect(await q.fail(c!, 'smtp 451')).toBe('retry');
      expect((await q.get('e1'))?.lastError).toBe('smtp 451');
      clock.advance(99);
      expect(await q.claim()).toBeUndefined();
      clock.advance(1);
      c = await q.claim();
      expect(c?.job.attempts).toBe(2);
      expect(await q.fail(c!, 'smtp 451')).toBe('retry');
      clock.advance(199);
      expect(await q.claim()).toBeUndefined();
      clock.advance(1);
      c = await q.claim();
      expect(c?.job.attempts).toBe(3);
      expect(await q.fail(c!, 'smtp 554')).toBe('failed');
      clock.advance(100_000);
      expect(await q.claim()).toBeUndefined();
      const failed = await q.failed();
      expect(failed.map((j) => [j.id, j.state, j.lastError, j.attempts])).toEqual([['e1', 'failed', 'smtp 554', 3]]);
      expect(await q.enqueue(mail('e1'))).toBe(false);
      expect(await q.retry('e1')).toBe(true);
      expect(await q.retry('e1')).toBe(false);
      c = await q.claim();
      expect(c?.job.attempts).toBe(1);
      expect(await q.complete(c!)).toBe(true);
      expect(await q.failed()).toEqual([]);
    });

    it('a job whose workers keep dying is failed once its attempts are used up', async () => {
      const clock = new Clock();
      const q = await make(opts(clock));
      await q.enqueue(mail('e1'));
      for (let i = 0; i < 3; i += 1) {
        expect(await q.claim()).toBeDefined();
        clock.advance(1000);
      }
      expect(await q.claim()).toBeUndefined();
      expect((await q.get('e1'))?.state).toBe('failed');
    });

    it('due jobs are claimed oldest first, each by one claimer', async () => {
      const clock = new Clock();
      const q = await make(opts(clock));
      await q.enqueue(mail('a'));
      clock.advance(1);
      await q.enqueue(mail('b'));
      const claims = await Promise.all([q.claim(), q.claim(), q.claim()]);
      const ids = claims.map((c) => c?.job.id);
      expect(ids.filter((x) => x !== undefined).sort()).toEqual(['a', 'b']);
      expect((await q.claim())).toBeUndefined();
    });
  });
}
