import { afterEach, describe, expect, it } from 'vitest';
import { SmtpMailer } from '../../src/notify/mailer.js';
import { Notifier } from '../../src/notify/notifier.js';
import { memoryReplicas, redisReplicas, type SharedQueues } from './redis-replicas.js';
import { PUBLIC_URL, org, quarantined } from './sample.js';
import { startSmtp, type SmtpFixture } from './smtp-fixture.js';

let smtp: SmtpFixture | undefined;
let shared: SharedQueues | undefined;
const stops: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await shared?.close();
  await smtp?.close();
});

const ONE = org({ adminMailRecipients: [] });
const ID = `quarantine:alice@example.com/abc123def:${quarantined().accessStateAt}:alice@example.com`;

for (const [name, make] of [
  ['redis', () => redisReplicas('notify-retry')],
  ['memory', () => memoryReplicas()],
] as const) {
  describe(`an SMTP server that fails the first attempts (${name} queue)`, () => {
    it('gets the mail retried with growing delays and delivered once', async () => {
      smtp = await startSmtp({ failFirst: 3 });
      shared = make();
      const queue = shared.make({ backoffBaseMs: 100, maxAttempts: 6 });
      const mailer = new SmtpMailer({ url: smtp.url, from: 'easgate@example.com' });
      const n = new Notifier({ queue, mailer, pollMs: 10 });
      stops.push(() => mailer.close(), () => n.stop());
      const times: number[] = [];
      const started = Date.now();
      const timer = setInterval(() => {
        if (times.length < smtp!.attempts) times.push(Date.now() - started);
      }, 5);
      stops.push(() => clearInterval(timer));
      n.start();
      await n.notifyQuarantine(quarantined(), ONE, PUBLIC_URL);
      await smtp.waitFor(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.received).toHaveLength(1);
      expect(smtp.attempts).toBe(4);
      const job = await queue.get(ID);
      expect(job).toMatchObject({ state: 'sent', attempts: 4 });
      expect(job?.lastError).toContain('Temporary failure');
      // Backoff 100, 200, 400 ms: the gaps between attempts grow.
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      expect(gaps).toHaveLength(3);
      expect(gaps[0]).toBeGreaterThanOrEqual(80);
      expect(gaps[1]).toBeGreaterThanOrEqual(180);
      expect(gaps[2]).toBeGreaterThanOrEqual(380);
    });

    it('keeps a mail that never gets through visible as failed, and sends it once retried', async () => {
      smtp = await startSmtp({ failFirst: 2 });
      shared = make();
      const queue = shared.make({ backoffBaseMs: 20, maxAttempts: 2 });
      const mailer = new SmtpMailer({ url: smtp.url, from: 'easgate@example.com' });
      const n = new Notifier({ queue, mailer, pollMs: 10 });
      stops.push(() => mailer.close(), () => n.stop());
      n.start();
      await n.notifyQuarantine(quarantined(), ONE, PUBLIC_URL);
      const until = Date.now() + 5000;
      while ((await queue.failed()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const failed = await queue.failed();
      expect(failed.map((j) => [j.id, j.state, j.attempts])).toEqual([[ID, 'failed', 2]]);
      expect(failed[0]?.lastError).toContain('Temporary failure');
      expect(smtp.received).toHaveLength(0);
      await n.stop();
      expect(await queue.retry(ID)).toBe(true);
      expect(await n.drain()).toBe(1);
      expect(smtp.received).toHaveLength(1);
      expect((await queue.get(ID))?.state).toBe('sent');
    });
  });
}
