import { afterEach, describe, expect, it } from 'vitest';
import { MemoryMailQueue } from '../../src/notify/memory-mail-queue.js';
import { SmtpMailer, describeSmtpUrl } from '../../src/notify/mailer.js';
import { Notifier } from '../../src/notify/notifier.js';
import { until } from '../helpers/until.js';
import { PUBLIC_URL, org, quarantined } from './sample.js';
import { startSmtp, type SmtpFixture } from './smtp-fixture.js';

const FROM = 'easgate@example.com';
let smtp: SmtpFixture | undefined;
let notifier: Notifier | undefined;
let mailer: SmtpMailer | undefined;

afterEach(async () => {
  await notifier?.stop();
  mailer?.close();
  await smtp?.close();
  notifier = undefined;
  mailer = undefined;
  smtp = undefined;
});

describe('the notifier delivers through a real SMTP server', () => {
  it('sends the quarantine mails to the user and each admin, once each, as soon as they are queued', async () => {
    smtp = await startSmtp();
    mailer = new SmtpMailer({ url: smtp.url, from: FROM });
    notifier = new Notifier({ queue: new MemoryMailQueue(), mailer, pollMs: 60_000 });
    notifier.start();
    expect(await notifier.notifyQuarantine(quarantined(), org(), PUBLIC_URL)).toBe(3);
    const got = await smtp.waitFor(3);
    expect(got.map((m) => m.to[0]).sort()).toEqual(['Admin2@example.com', 'admin1@example.com', 'alice@example.com']);
    expect(got.every((m) => m.from === FROM)).toBe(true);
    const user = got.find((m) => m.to[0] === 'alice@example.com')!;
    expect(user.subject).toBe("Your device Alice's iPhone is waiting for approval");
    expect(user.text).toContain('Questions? Call the help desk on 1234.');
    const admin = got.find((m) => m.to[0] === 'admin1@example.com')!;
    expect(admin.text).toContain('IMEI:              356938035643809');
    expect(admin.text).toContain('https://easgate.example.com/console/associations/alice%40example.com/ABC123Def');
    // The same event again (a second request of the device, another replica): nothing new.
    expect(await notifier.notifyQuarantine(quarantined(), org(), PUBLIC_URL)).toBe(0);
    // A later quarantine of the same device is a new event.
    expect(await notifier.notifyQuarantine(quarantined({ accessStateAt: Date.now() }), org({ adminMailRecipients: [] }), PUBLIC_URL)).toBe(1);
    await smtp.waitFor(4);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received).toHaveLength(4);
  });

  it('sends the new-device and wipe-acknowledged mails', async () => {
    smtp = await startSmtp();
    mailer = new SmtpMailer({ url: smtp.url, from: FROM });
    const queue = new MemoryMailQueue();
    notifier = new Notifier({ queue, mailer });
    notifier.start();
    await notifier.notifyNewDevice(quarantined({ accessState: 'Allowed' }));
    const wiped = quarantined({ wipeStatus: 'WipeSucceeded', wipeRequestedBy: 'helpdesk@example.com', wipeAckAt: Date.now() });
    expect(await notifier.notifyWipeAcknowledged(wiped, org(), PUBLIC_URL)).toBe(3);
    const got = await smtp.waitFor(4);
    expect(got.filter((m) => m.subject.startsWith('A new device joined')).map((m) => m.to)).toEqual([['alice@example.com']]);
    expect(got.filter((m) => m.subject.startsWith('Wipe acknowledged')).map((m) => m.to[0]).sort()).toEqual(['Admin2@example.com', 'admin1@example.com', 'helpdesk@example.com']);
    // The SMTP server has the last mail a moment before the worker hears its answer and takes it off the queue.
    await until(async () => (await queue.pendingCount()) === 0, 5_000);
  });

  it('logs in with the credentials of the SMTP URL, and the URL is described without them', async () => {
    smtp = await startSmtp({ auth: { user: 'mailer', pass: 's3cr:et@pw' } });
    expect(smtp.url).toContain('s3cr');
    expect(describeSmtpUrl(smtp.url)).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    mailer = new SmtpMailer({ url: smtp.url, from: FROM });
    await mailer.send({ to: 'a@example.com', subject: 'hello', text: 'body' });
    expect(smtp.received.map((m) => [m.to, m.subject, m.text.trim()])).toEqual([[['a@example.com'], 'hello', 'body']]);
    const wrong = new SmtpMailer({ url: smtp.url.replace('s3cr', 'nope'), from: FROM });
    await expect(wrong.send({ to: 'a@example.com', subject: 'x', text: 'y' })).rejects.toThrow();
    wrong.close();
  });

  it('stop() waits for the send under way and the worker sends nothing afterwards', async () => {
    smtp = await startSmtp();
    mailer = new SmtpMailer({ url: smtp.url, from: FROM });
    const queue = new MemoryMailQueue();
    notifier = new Notifier({ queue, mailer, pollMs: 10 });
    notifier.start();
    await notifier.notifyQuarantine(quarantined(), org({ adminMailRecipients: [] }), PUBLIC_URL);
    await new Promise((r) => setTimeout(r, 5));
    await notifier.stop();
    const after = smtp.received.length;
    const job = (await queue.get(`quarantine:alice@example.com/abc123def:${quarantined().accessStateAt}:alice@example.com`))!;
    // Whatever was claimed was finished and recorded: nothing is left leased.
    expect(job.state === 'sent' ? 1 : 0).toBe(after);
    expect(job.state).not.toBe('sending');
    await notifier.notifyNewDevice(quarantined());
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received.length).toBe(after);
  });

  it('started again after a stop, it sends what was queued meanwhile, once', async () => {
    smtp = await startSmtp();
    mailer = new SmtpMailer({ url: smtp.url, from: FROM });
    notifier = new Notifier({ queue: new MemoryMailQueue(), mailer, pollMs: 10 });
    notifier.start();
    await notifier.stop();
    await notifier.notifyNewDevice(quarantined());
    notifier.start();
    notifier.start();
    await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received).toHaveLength(1);
  });
});
