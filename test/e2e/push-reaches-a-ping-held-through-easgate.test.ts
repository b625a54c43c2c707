import { describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../../src/peers/index.js';
import { delay, deliver, deviceId, gatewayInFrontOfSogo, requireSogo, SOGO_POLL_INTERVAL_MS, SOGO_USERS, until } from './sogo.js';

/**
 * Push through the gateway: a device holds a Ping through easgate, a mail is delivered
 * to its mailbox, and the Ping answers Status 2 within SOGo's own polling interval plus a
 * second; the next Sync brings the new mail.
 */
const dave = SOGO_USERS.dave;

describe('push through easgate in front of SOGo', () => {
  const ctx = gatewayInFrontOfSogo();

  it('answers a held Ping with Status 2 within the polling interval plus 1 s of a delivery, and the next Sync has the mail', async () => {
    await requireSogo(); // fails, never skips, when SOGo is not there
    const sim = new DeviceSimulator({ url: ctx.gw.url, ...dave, deviceId: deviceId('E2EPUSH'), protocolVersion: '14.1' });
    try {
      expect((await sim.folderSync()).status).toBe(1);
      const inbox = sim.inboxId!;
      // Sync until SOGo has nothing more: a Ping compares against the last key it gave.
      const settled = await sim.syncUntilDone(inbox);
      expect(settled.last.response.status).toBe(200);

      const held = sim.ping(120, [{ id: inbox, class: 'Email' }]);
      await until(() => ctx.gw.gateway.longPolls.size === 1, 5_000);
      await delay(1_000); // SOGo's worker has the Ping and has looked once
      const subject = `e2e push ${Date.now()}`;
      await deliver(dave.user, subject);
      const deliveredAt = performance.now();
      const ping = await held;
      const waited = performance.now() - deliveredAt;

      if (process.env.EASGATE_TEST_VERBOSE) process.stdout.write(`Ping answered ${Math.round(waited)} ms after the delivery\n`);
      expect(ping.response.status).toBe(200);
      expect(ping.status).toBe(2);
      expect(ping.folders).toEqual([inbox]);
      expect(waited).toBeLessThan(SOGO_POLL_INTERVAL_MS + 1_000);

      const next = await sim.syncUntilDone(inbox);
      expect(next.items.map((i) => i.subject)).toContain(subject);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
