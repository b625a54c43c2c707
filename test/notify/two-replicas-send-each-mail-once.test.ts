import { afterEach, describe, expect, it } from 'vitest';
import { SmtpMailer } from '../../src/notify/mailer.js';
import { Notifier } from '../../src/notify/notifier.js';
import { redisReplicas, type SharedQueues } from './redis-replicas.js';
import { PUBLIC_URL, org, quarantined } from './sample.js';
import { startSmtp, type SmtpFixture } from './smtp-fixture.js';

let smtp: SmtpFixture | undefined;
let replicas: SharedQueues | undefined;
const stops: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await replicas?.close();
  await smtp?.close();
});

function replica(shared: SharedQueues, url: string): Notifier {
  const mailer = new SmtpMailer({ url, from: 'easgate@example.com' });
  const n = new Notifier({ queue: shared.make(), mailer, pollMs: 20 });
  stops.push(() => mailer.close());
  stops.push(() => n.stop());
  n.start();
  return n;
}

describe('two replicas on one Redis', () => {
  it('enqueuing the same events and both running workers, send every mail exactly once', async () => {
    smtp = await startSmtp();
    replicas = redisReplicas('notify-2rep');
    const a = replica(replicas, smtp.url);
    const b = replica(replicas, smtp.url);
    const devices = Array.from({ length: 10 }, (_, i) => quarantined({ deviceId: `DEV${i}`, accessStateAt: 1_700_000_000_000 + i }));
    const counts = await Promise.all(
      devices.flatMap((d) => [a.notifyQuarantine(d, org(), PUBLIC_URL), b.notifyQuarantine(d, org(), PUBLIC_URL)]),
    );
    expect(counts.reduce((x, y) => x + y, 0)).toBe(30);
    await smtp.waitFor(30);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received).toHaveLength(30);
    const keys = smtp.received.map((m) => `${m.to[0]} ${m.text}`);
    expect(new Set(keys).size).toBe(30);
  });
});
