import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../../src/peers/index.js';
import { until } from '../helpers/until.js';
import { launchChromium, openConsole, screenshot, signIn, type ConsolePage } from './browser.js';
import { startConsoleGateway, type ConsoleGateway } from './console-gateway.js';

/**
 * The quarantine queue and the licence and domain pages in Chromium against a real gateway:
 * a quarantined phone released in one click syncs its real mailbox; the licence changed to
 * the users in use brings up the limit banner; a domain disabled counts zero; a domain's
 * users are enabled first, and disabled together.
 */
describe('the quarantine queue, the licence and the domains in Chromium', () => {
  let c: ConsoleGateway;
  let browser: Browser;
  let ui: ConsolePage;

  beforeAll(async () => {
    browser = await launchChromium();
    c = await startConsoleGateway();
    for (const user of ['alice@example.test', 'bob@example.test', 'erin@example.test']) await c.store.putMailbox({ user, activeSyncEnabled: user !== 'erin@example.test', allowedDeviceIds: [], blockedDeviceIds: [] });
    await c.store.putMailbox({ user: 'frank@corp.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
    ui = await openConsole(browser, c.admin);
    await signIn(ui.page, c.tokens.admin, '/admin/quarantine');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  it('lists a quarantined phone newest first and releases it in one click: the phone then syncs its real mailbox', async () => {
    await c.store.putOrganization({ defaultAccessLevel: 'Quarantine', adminMailRecipients: [], userMailInsert: '' });
    await until(() => c.gw.gateway.data.runtime.snapshot.defaultAccessLevel === 'Quarantine');
    const phones = ['QOLD1', 'QNEW2'].map((id) => new DeviceSimulator({ url: c.gw.url, user: 'bob@example.test', password: 'bob123', deviceId: id, protocolVersion: '14.1' }));
    for (const p of phones) {
      await p.provision();
      const f = await p.folderSync();
      expect(f.added.map((x) => x.displayName)).toEqual(['Inbox']);
      await until(async () => (await c.store.getAssociation('bob@example.test', p.deviceId.toLowerCase()))?.accessState === 'Quarantined');
      await new Promise((r) => setTimeout(r, 20));
    }
    await ui.page.reload();
    await until(async () => (await ui.page.locator('table.list tbody tr').evaluateAll((t) => t.map((r) => r.getAttribute('data-device')))).join() === 'QNEW2,QOLD1', 10_000);
    await screenshot(ui.page, 'quarantine');
    await ui.page.locator('tr[data-device="QNEW2"]').getByRole('button', { name: 'Allow' }).click();
    await ui.page.getByText('QNEW2 of bob@example.test: allowed.').waitFor();
    await until(async () => (await ui.page.locator('tr[data-device="QNEW2"]').count()) === 0, 5000);
    await phones[1]!.close();
    const released = new DeviceSimulator({ url: c.gw.url, user: 'bob@example.test', password: 'bob123', deviceId: 'QNEW2', protocolVersion: '14.1' });
    await until(async () => {
      await released.provision().catch(() => undefined);
      const f = await released.folderSync().catch(() => undefined);
      return f?.added.some((x) => x.displayName === 'Sent Items') === true;
    }, 8000);
    await released.close();
    await ui.page.locator('tr[data-device="QOLD1"]').getByRole('button', { name: 'Block' }).click();
    await ui.page.getByText('QOLD1 of bob@example.test: blocked.').waitFor();
    await until(async () => (await phones[0]!.raw('FolderSync')).easStatus === 129, 5000);
    await phones[0]!.close();
  });

  it('shows total, in use and days remaining, and the limit banner once the licence is full', async () => {
    await ui.page.getByRole('link', { name: 'Licence and domains' }).click();
    await until(async () => (await ui.page.getByTestId('licence-in-use').innerText()) === '3', 5000);
    expect(await ui.page.getByTestId('licence-total').innerText()).toBe('no limit');
    expect(await ui.page.getByText('You have reached your ActiveSync licensed user limit').count()).toBe(0);
    await ui.page.getByRole('button', { name: 'Change licence' }).click();
    await ui.page.getByLabel('Total (empty: no limit)').fill('-4');
    await ui.page.getByRole('button', { name: 'Save licence' }).click();
    await ui.page.locator('.field-error[data-field="license.total"]').waitFor();
    await ui.page.getByLabel('Total (empty: no limit)').fill('3');
    await ui.page.getByLabel('Expires').fill('2099-12-31');
    await ui.page.getByRole('button', { name: 'Save licence' }).click();
    await ui.page.getByText('You have reached your ActiveSync licensed user limit').waitFor();
    expect(await ui.page.getByTestId('licence-total').innerText()).toBe('3');
    expect((await c.store.getSystem()).license).toEqual({ total: 3, expiresAt: '2099-12-31' });
    await screenshot(ui.page, 'licence');
  });

  it('disables a domain: its users count zero, and enabling it counts them again', async () => {
    const row = ui.page.locator('tr[data-domain="example.test"]');
    expect(await row.locator('td').nth(2).innerText()).toBe('2');
    await row.getByRole('button', { name: 'Disable' }).click();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await until(async () => (await row.locator('td').nth(1).innerText()) === 'Disabled', 5000);
    expect(await row.locator('td').nth(2).innerText()).toBe('0');
    expect((await c.store.listDomains()).find((d) => d.name === 'example.test')?.activeSyncEnabled).toBe(false);
    await row.getByRole('button', { name: 'Enable' }).click();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click();
    await until(async () => (await row.locator('td').nth(2).innerText()) === '2', 5000);
  });

  it("lists a domain's users enabled first, then disabled, and disables several at once", async () => {
    await ui.page.getByRole('link', { name: 'example.test' }).click();
    await ui.page.getByRole('heading', { name: 'Users of example.test' }).waitFor();
    await until(async () => (await ui.page.locator('tr[data-user]').count()) === 3, 5000);
    const order = await ui.page.locator('tr[data-user]').evaluateAll((t) => t.map((r) => r.getAttribute('data-user')));
    expect(order).toEqual(['alice@example.test', 'bob@example.test', 'erin@example.test']);
    await screenshot(ui.page, 'domain-users');
    await ui.page.getByLabel('Select alice@example.test').check();
    await ui.page.getByLabel('Select bob@example.test').check();
    await ui.page.getByRole('button', { name: 'Disable' }).click();
    await ui.page.getByRole('dialog').getByText('This touches 2 users of example.test.').waitFor();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await ui.page.getByText('2 disabled').waitFor();
    expect((await c.store.getMailbox('alice@example.test'))?.activeSyncEnabled).toBe(false);
    expect((await c.store.getMailbox('bob@example.test'))?.activeSyncEnabled).toBe(false);
  });
});
