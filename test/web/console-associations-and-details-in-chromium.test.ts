import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../../src/peers/index.js';
import { until } from '../helpers/until.js';
import { device } from '../store/fixture.js';
import { launchChromium, openConsole, screenshot, signIn, type ConsolePage } from './browser.js';
import { startConsoleGateway, type ConsoleGateway } from './console-gateway.js';

/**
 * The Associations page and the details pane in Debian's Chromium, against a real gateway,
 * a real Redis and the sample upstream: search, filter, sort, details, block and wipe a
 * simulated phone, bulk actions with their count, a viewer without actions, CSP and CSRF,
 * and a lost session that keeps what was typed.
 */
describe('the Associations page in Chromium', () => {
  let c: ConsoleGateway;
  let browser: Browser;
  let admin: ConsolePage;
  let phone: DeviceSimulator;

  beforeAll(async () => {
    browser = await launchChromium();
    c = await startConsoleGateway();
    const seed: [string, string, Record<string, string>][] = [
      ['bob@example.test', 'BOBIPAD01', { deviceType: 'iPad', model: 'iPad13,1', os: 'iOS 17.2', phoneNumber: '+15550111' }],
      ['bob@example.test', 'BOBDROID1', { deviceType: 'Android', model: 'Pixel 8', os: 'Android 14' }],
      ['carol@corp.test', 'CAROLS23', { deviceType: 'SamsungDevice', model: 'SM-S911B', os: 'Android 13' }],
      ['dave@example.test', 'DAVENOKIA', { deviceType: 'WindowsPhone', model: 'Lumia 950', os: 'Windows 10' }],
    ];
    for (const [user, id, f] of seed) await c.store.createAssociation(device(user, id, f));
    await c.store.putMailbox({ user: 'carol@corp.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: ['CAROLS23'] });
    phone = new DeviceSimulator({ url: c.gw.url, user: 'alice@example.test', password: 'alice123', deviceId: 'ALICEPHONE1', protocolVersion: '16.1' });
    await phone.provision();
    expect((await phone.folderSync()).response.easStatus).toBe(1);
    await until(async () => (await c.store.getAssociation('alice@example.test', 'alicephone1'))?.imei !== undefined);
    admin = await openConsole(browser, c.admin);
    await admin.page.goto('/admin/');
    await admin.page.getByLabel('API token').waitFor();
    await screenshot(admin.page, 'sign-in');
    await signIn(admin.page, c.tokens.admin, '/admin/associations');
  }, 60_000);
  afterAll(async () => {
    await phone?.close();
    await browser?.close();
    await c?.close();
  });

  const rows = () => admin.page.locator('table.list tbody tr');
  const deviceIds = async (): Promise<string[]> => admin.page.locator('table.list tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device') ?? ''));

  it('lists every association with the columns of the associations view', async () => {
    await until(async () => (await rows().count()) === 5, 10_000);
    const head = await admin.page.locator('table.list thead th').allInnerTexts();
    expect(head.map((h) => h.replace(/[▲▼]/g, '').trim()).slice(1)).toEqual(['DeviceID', 'User', 'Number', 'Phone', 'OS', 'Status', 'Sync Status', 'Wipe', 'First Sync', 'Last Sync', 'Mailbox', 'Gateway']);
    const alice = await admin.page.locator('tr[data-device="ALICEPHONE1"] td').allInnerTexts();
    expect(alice).toEqual(expect.arrayContaining(['ALICEPHONE1', 'alice@example.test', '+15550100', 'iPhone9C1', 'Unregistered', 'Allowed (Global)', 'gw-test-1']));
    // The one 401 is the console asking for a session before the sign-in.
    expect(admin.problems.filter((p) => !p.includes('status of 401'))).toEqual([]);
    await screenshot(admin.page, 'associations');
  });

  it('does not search on one character, and narrows from two with an implied trailing wildcard', async () => {
    const search = admin.page.getByRole('searchbox');
    const before = admin.apiCalls.length;
    await search.fill('b');
    await admin.page.getByText('Type at least 2 characters').waitFor();
    await admin.page.waitForTimeout(400);
    expect(admin.apiCalls.slice(before).filter((u) => u.includes('q='))).toEqual([]);
    expect(await rows().count()).toBe(5);
    await search.fill('bo');
    await until(async () => (await deviceIds()).sort().join() === 'BOBDROID1,BOBIPAD01', 5000);
    await search.fill('bobi');
    await until(async () => (await deviceIds()).join() === 'BOBIPAD01', 5000);
    await search.fill('');
    await until(async () => (await rows().count()) === 5, 5000);
  });

  it('filters by state and OS, and by the Show filter', async () => {
    await admin.page.getByLabel('State').selectOption('Blocked');
    await until(async () => (await deviceIds()).join() === 'CAROLS23', 5000);
    await admin.page.getByLabel('State').selectOption('');
    await admin.page.getByLabel('OS').fill('Android');
    await until(async () => (await deviceIds()).sort().join() === 'BOBDROID1,CAROLS23', 5000);
    await admin.page.getByLabel('OS').fill('');
    await admin.page.getByLabel('Show').selectOption('registered');
    await until(async () => (await rows().count()) === 0, 5000);
    await admin.page.getByText('No association matches.').waitFor();
    await admin.page.getByLabel('Show').selectOption('all');
    await until(async () => (await rows().count()) === 5, 5000);
  });

  it('sorts by a column title, ascending then descending, and keeps the sort for the session', async () => {
    await admin.page.getByRole('button', { name: 'DeviceID' }).click();
    const asc = ['ALICEPHONE1', 'BOBDROID1', 'BOBIPAD01', 'CAROLS23', 'DAVENOKIA'];
    await until(async () => (await deviceIds()).join() === asc.join(), 5000);
    await admin.page.getByRole('button', { name: /DeviceID/ }).click();
    await until(async () => (await deviceIds()).join() === [...asc].reverse().join(), 5000);
    await admin.page.reload();
    await until(async () => (await deviceIds()).join() === [...asc].reverse().join(), 5000);
    expect(admin.apiCalls.some((u) => u.includes('sort=deviceId') && u.includes('order=desc'))).toBe(true);
  });

  it('opens the details pane from the row and from the quarantine mail link, with every device detail', async () => {
    await admin.page.locator('tr[data-device="ALICEPHONE1"]').click();
    await admin.page.waitForURL('**/admin/associations/alice%40example.test/ALICEPHONE1');
    await admin.page.goto('/admin/associations/alice@example.test/ALICEPHONE1');
    const pane = admin.page.getByRole('complementary', { name: 'Details' });
    await pane.getByText('356938035643809').waitFor();
    const text = await pane.innerText();
    for (const v of ['iPhone9C1', 'iOS 15.8 19H370', 'Sample Mobile', 'Simulated iPhone', 'Apple-iPhone9C1/1402.100', '+15550100', '16.1']) expect(text).toContain(v);
    expect(await pane.getByRole('button', { name: 'Account-only wipe' }).count()).toBe(1);
    await screenshot(admin.page, 'details');
  });

  it('saves the comment, and shows the API\'s message next to the field for bad input', async () => {
    const pane = admin.page.getByRole('complementary', { name: 'Details' });
    await pane.locator('textarea[name=comment]').fill('Loaner from IT, ticket 4711');
    await pane.getByRole('button', { name: 'Save comment' }).click();
    await pane.getByText('Comment saved.').waitFor();
    expect((await c.store.getAssociation('alice@example.test', 'alicephone1'))?.comment).toBe('Loaner from IT, ticket 4711');
    await pane.locator('input[name=backendDeviceId]').fill('x'.repeat(300));
    await pane.getByRole('button', { name: 'Link To' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Link' }).click();
    await admin.page.getByRole('dialog').getByRole('alert').filter({ hasText: 'backendDeviceId' }).waitFor();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('blocks the phone with a reason: the simulated phone is refused and the history says who and why', async () => {
    const pane = admin.page.getByRole('complementary', { name: 'Details' });
    await pane.getByRole('button', { name: 'Block' }).click();
    const dialog = admin.page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('lost phone, ticket 99');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await pane.getByText('Block: done.').waitFor();
    await until(async () => (await phone.raw('FolderSync')).easStatus === 129, 5000);
    const history = await pane.locator('table.history tbody tr').first().innerText();
    expect(history).toContain('Blocked');
    expect(history).toContain('admin-console');
    expect(history).toContain('lost phone, ticket 99');
    await pane.getByRole('button', { name: 'Allow' }).click();
    await dialog.getByRole('button', { name: 'Allow' }).click();
    await pane.getByText('Allow: done.').waitFor();
    await until(async () => (await phone.raw('FolderSync')).easStatus !== 129, 5000);
  });

  it('wipes the phone: the wipe is pending, can be cancelled, and once ordered again the phone is told to wipe', async () => {
    const pane = admin.page.getByRole('complementary', { name: 'Details' });
    const dialog = admin.page.getByRole('dialog');
    await pane.getByRole('button', { name: 'Wipe', exact: true }).click();
    await dialog.getByRole('button', { name: 'Wipe' }).click();
    await pane.getByText('WipePending').first().waitFor();
    await pane.getByRole('button', { name: 'Cancel wipe' }).click();
    await dialog.getByRole('button', { name: 'Cancel wipe' }).click();
    await pane.getByText('Cancel wipe: done.').waitFor();
    expect((await c.store.getAssociation('alice@example.test', 'alicephone1'))?.wipeStatus).not.toBe('WipePending');
    await pane.getByRole('button', { name: 'Account-only wipe' }).click();
    await dialog.getByRole('button', { name: 'Account-only wipe' }).click();
    await pane.getByText('(account only)').waitFor();
    await phone.raw('FolderSync');
    await phone.provision().catch(() => undefined);
    await until(async () => phone.wiped === 'AccountOnlyRemoteWipe' || (await c.store.getAssociation('alice@example.test', 'alicephone1'))?.wipeStatus === 'WipeSent', 5000);
  });

  it('asks before a bulk action how many devices it touches, and applies it to each', async () => {
    await admin.page.goto('/admin/associations');
    await admin.page.getByLabel('Select BOBIPAD01').check();
    await admin.page.getByLabel('Select BOBDROID1').check();
    await admin.page.getByLabel('Bulk actions').getByRole('button', { name: 'Block' }).click();
    const dialog = admin.page.getByRole('dialog');
    await dialog.getByText('This touches 2 devices.').waitFor();
    expect(await dialog.getByRole('heading').innerText()).toBe('Block 2 devices?');
    await dialog.getByRole('button', { name: 'Block 2' }).click();
    await admin.page.getByText('Block: 2 done.').waitFor();
    const mb = await c.store.getMailbox('bob@example.test');
    expect(mb?.blockedDeviceIds.map((d) => d.toUpperCase()).sort()).toEqual(['BOBDROID1', 'BOBIPAD01']);
  });

  it('offers a viewer no action at all, and the API still refuses a viewer\'s change', async () => {
    const viewer = await openConsole(browser, c.admin);
    await signIn(viewer.page, c.tokens.viewer, '/admin/associations/bob@example.test/BOBIPAD01');
    const pane = viewer.page.getByRole('complementary', { name: 'Details' });
    await pane.getByText('iPad13,1').first().waitFor();
    expect(await pane.getByRole('button').allInnerTexts()).toEqual(['Close']);
    await viewer.page.getByLabel('Select BOBIPAD01').check();
    expect(await viewer.page.getByLabel('Bulk actions').getByRole('button').count()).toBe(0);
    const refused = await viewer.page.evaluate(async () => {
      const s = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/associations/bob@example.test/BOBIPAD01/allow', { method: 'POST', headers: { 'x-easgate-csrf': s.csrfToken } });
      return [r.status, ((await r.json()) as { code: string }).code];
    });
    expect(refused).toEqual([403, 'EASGATE_ERR_API_FORBIDDEN']);
    await viewer.context.close();
  });

  it('runs under a CSP that refuses inline script, and a change without the CSRF token is refused', async () => {
    const inline = await admin.page.evaluate(() => {
      // Runs in the page: its DOM, not Node's globals (the test's tsconfig has no DOM lib).
      const { document, window } = globalThis as unknown as { document: { createElement(t: string): { textContent: string }; head: { appendChild(n: unknown): void } }; window: unknown };
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.appendChild(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(inline).toBe(false);
    expect(admin.problems.some((p) => p.includes('Content Security Policy'))).toBe(true);
    const csrf = await admin.page.evaluate(async () => {
      const r = await fetch('/api/v1/associations/bob@example.test/BOBIPAD01/allow', { method: 'POST' });
      return [r.status, ((await r.json()) as { code: string }).code];
    });
    expect(csrf).toEqual([403, 'EASGATE_ERR_API_CSRF']);
    expect((await c.store.getMailbox('bob@example.test'))?.allowedDeviceIds ?? []).not.toContain('BOBIPAD01');
  });

  it('returns to sign-in when the session is lost, keeps what was typed, and carries on after sign-in', async () => {
    await admin.page.goto('/admin/associations');
    await admin.page.getByRole('searchbox').fill('da');
    await until(async () => (await deviceIds()).join() === 'DAVENOKIA', 5000);
    await admin.page.evaluate(async () => {
      const s = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      await fetch('/api/v1/session', { method: 'DELETE', headers: { 'x-easgate-csrf': s.csrfToken } });
    });
    await admin.page.getByRole('searchbox').fill('dave');
    await admin.page.getByText('Your session has ended').waitFor();
    expect(await admin.page.getByRole('searchbox').inputValue()).toBe('dave');
    await admin.page.getByLabel('API token').fill(c.tokens.admin);
    await admin.page.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByText('Your session has ended').waitFor({ state: 'detached' });
    await until(async () => (await deviceIds()).join() === 'DAVENOKIA', 5000);
    expect(await admin.page.getByRole('searchbox').inputValue()).toBe('dave');
  });
});
