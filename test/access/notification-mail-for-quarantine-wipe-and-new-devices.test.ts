import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DeviceSimulator, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startSmtp, type SmtpFixture } from '../notify/smtp-fixture.js';

const TOKEN = 'notify-test-admin-token-0123456789';

/** Through the gateway, with a real SMTP server: the mails of issue 7, each exactly once. */
describe('notification mail', () => {
  let upstream: SampleUpstream;
  let smtp: SmtpFixture;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startSampleUpstream();
    smtp = await startSmtp(); // retries after SMTP failures: test/notify/failing-smtp-is-retried-with-backoff.test.ts
    gw = await startGateway(upstream.url, {
      EASGATE_SMTP_URL: smtp.url,
      EASGATE_MAIL_FROM: 'easgate <easgate@example.test>',
      EASGATE_NOTIFY_NEW_DEVICES: 'true',
      EASGATE_ADMIN_TOKEN: TOKEN,
      EASGATE_PUBLIC_URL: 'https://eas.example.test/Microsoft-Server-ActiveSync',
      EASGATE_ADMIN_PUBLIC_URL: 'https://easgate-admin.example.test/',
    });
  });
  afterAll(async () => {
    await gw.stop();
    await smtp.close();
    await upstream.close();
  });

  it('tells the user and each admin recipient once when a device is quarantined, and the user of a new device', async () => {
    await gw.gateway.data.store.putOrganization({ defaultAccessLevel: 'Quarantine', adminMailRecipients: ['admin1@example.test', 'admin2@example.test'], userMailInsert: 'Call 1234.' });
    await gw.gateway.data.runtime.reload();
    const sim = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'MAILQ1', protocolVersion: '14.1', deviceInformation: { model: 'SM-S918B' } });
    await sim.provision();
    await sim.folderSync();
    await sim.syncUntilDone();
    await sim.close();
    // user + 2 admins for the quarantine, + the user's new-device mail.
    const mails = await smtp.waitFor(4, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.received).toHaveLength(4);
    const to = (addr: string) => smtp.received.filter((m) => m.to.includes(addr));
    expect(to('admin1@example.test')).toHaveLength(1);
    expect(to('admin2@example.test')).toHaveLength(1);
    expect(to('alice@example.test')).toHaveLength(2);
    const admin = to('admin1@example.test')[0]!;
    expect(admin.text).toContain('SM-S918B');
    expect(admin.text).toContain('MAILQ1');
    // The console's page of the association on the admin listener's public URL, not a bearer-token JSON URL on the device port.
    expect(admin.text).toContain('https://easgate-admin.example.test/admin/associations/alice%40example.test/MAILQ1');
    expect(admin.text).not.toContain('/api/v1/');
    expect(to('alice@example.test').some((m) => m.text.includes('Call 1234.'))).toBe(true);
    expect(mails.every((m) => m.from.includes('easgate@example.test'))).toBe(true);
  }, 90_000);

  it('tells the admin recipients when a wipe is acknowledged', async () => {
    await gw.gateway.data.store.putOrganization({ defaultAccessLevel: 'Allow', adminMailRecipients: ['admin1@example.test'], userMailInsert: '' });
    await gw.gateway.data.runtime.reload();
    const before = smtp.received.length;
    const sim = new DeviceSimulator({ url: gw.url, user: 'bob@example.test', password: 'bob123', deviceId: 'MAILWIPE1', protocolVersion: '16.1' });
    await sim.provision();
    await sim.folderSync();
    const res = await request(`${gw.origin}/api/v1/associations/bob%40example.test/MAILWIPE1/wipe`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await sim.folderSync();
    await sim.close();
    expect(sim.wiped).toBe('RemoteWipe');
    const mails = await smtp.waitFor(before + 2, 60_000); // bob's new-device mail, then the wipe acknowledgement
    const wipeMail = mails.slice(before).find((m) => m.to.includes('admin1@example.test'));
    expect(wipeMail?.subject.toLowerCase()).toContain('wipe');
    expect(wipeMail?.text).toContain('MAILWIPE1');
  }, 90_000);
});

/** Two replicas on one Redis and an SMTP server that refuses the first attempts: each mail arrives once. */
describe('notification mail with two replicas and a failing SMTP server', () => {
  it('delivers every quarantine mail exactly once', async () => {
    const { dropPrefix, REDIS_URL, uniquePrefix } = await import('../store/redis-fixture.js');
    const prefix = uniquePrefix('mail-replicas');
    const upstream = await startSampleUpstream();
    const smtp = await startSmtp({ failFirst: 2 });
    const env = { EASGATE_SMTP_URL: smtp.url, EASGATE_REDIS_URL: REDIS_URL, EASGATE_REDIS_PREFIX: prefix, EASGATE_MAIL_RETRY_MS: '200' };
    const [a, b] = [await startGateway(upstream.url, env), await startGateway(upstream.url, env)];
    try {
      await a.gateway.data.store.putOrganization({ defaultAccessLevel: 'Quarantine', adminMailRecipients: ['admin@example.test'], userMailInsert: '' });
      await Promise.all([a.gateway.data.runtime.reload(), b.gateway.data.runtime.reload()]);
      // The same device talks to both replicas, repeatedly: one quarantine event.
      for (const gw of [a, b, a, b]) {
        const sim = new DeviceSimulator({ url: gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'MAILREPL1', protocolVersion: '16.1' });
        await sim.raw('FolderSync');
        await sim.close();
      }
      await smtp.waitFor(2, 20_000);
      await new Promise((r) => setTimeout(r, 2500)); // past more retries and polls of both workers
      expect(smtp.received.map((m) => m.to.join(',')).sort()).toEqual(['admin@example.test', 'alice@example.test']);
      expect(smtp.attempts).toBe(4); // 2 refused + 2 delivered
    } finally {
      await a.stop();
      await b.stop();
      await smtp.close();
      await upstream.close();
      await dropPrefix(prefix);
    }
  }, 60_000);
});
