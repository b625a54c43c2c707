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

for (const [name, make] of [
  ['redis', () => redisReplicas('notify-lease')],
  ['memory', () => memoryReplicas()],
] as const) {
  describe(`a worker that dies holding a lease (${name} queue)`, () => {
    it('blocks the mail only until the lease ends; then another replica delivers it once', async () => {
      smtp = await startSmtp();
      shared = make();
      const leaseMs = 600;
      const dead = shared.make({ leaseMs });
      const alive = shared.make({ leaseMs });
      // Replica A queues the event, claims the job and dies before sending or answering.
      const mailer = new SmtpMailer({ url: smtp.url, from: 'easgate@example.com' });
      const a = new Notifier({ queue: dead, mailer });
      stops.push(() => mailer.close());
      await a.notifyQuarantine(quarantined(), org({ adminMailRecipients: [] }), PUBLIC_URL);
      const claim = await dead.claim();
      expect(claim).toBeDefined();
      const claimedAt = Date.now();
      // Replica B runs its worker all along and queues the same event itself.
      const b = new Notifier({ queue: alive, mailer, pollMs: 20 });
      stops.push(() => b.stop());
      b.start();
      expect(await b.notifyQuarantine(quarantined(), org({ adminMailRecipients: [] }), PUBLIC_URL)).toBe(0);
      await new Promise((r) => setTimeout(r, leaseMs / 2));
      expect(smtp.received).toHaveLength(0);
      await smtp.waitFor(1);
      expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(leaseMs - 20);
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.received).toHaveLength(1);
      expect((await alive.get(claim!.job.id))).toMatchObject({ state: 'sent', attempts: 2 });
      // The dead worker, come back, can no longer touch the job.
      expect(await dead.complete(claim!)).toBe(false);
    });
  });
}
