import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { device } from '../store/fixture.js';
import { launchChromium, openConsole, screenshot, signIn, type ConsolePage } from './browser.js';
import { startConsoleGateway, type ConsoleGateway } from './console-gateway.js';

/**
 * Settings (system switch, organisation, rules in evaluation order, device IDs, tokens),
 * the audit log with before and after, and the overview's charts, in Chromium against a
 * real gateway and Redis.
 */
describe('settings, audit and overview in Chromium', () => {
  let c: ConsoleGateway;
  let browser: Browser;
  let ui: ConsolePage;

  beforeAll(async () => {
    browser = await launchChromium();
    c = await startConsoleGateway();
    const now = Date.now();
    const models: [string, string, string][] = [
      ['iPhone15,2', 'iOS 17.1', 'iPhone'],
      ['iPhone15,2', 'iOS 17.1', 'iPhone'],
      ['Pixel 8', 'Android 14', 'Android'],
      ['SM-S911B', 'Android 13', 'SamsungDevice'],
    ];
    for (const [i, [model, os, deviceType]] of models.entries()) {
      await c.store.createAssociation(device(`user${i}@example.test`, `OV${i}`, { model, os, deviceType, firstSyncAt: now - i * 86_400_000 }));
      await c.store.recordSyncs([{ user: `user${i}@example.test`, deviceId: `OV${i}`, lastSyncAttemptAt: now - i * 86_400_000, lastSuccessSyncAt: now - i * 86_400_000 }]);
    }
    ui = await openConsole(browser, c.admin);
    await signIn(ui.page, c.tokens.admin, '/admin/settings');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  it('turns the system switch off and on, with the warning that it overrides domains and users', async () => {
    await ui.page.getByText('This switch overrides every domain and user setting').waitFor();
    await ui.page.getByRole('button', { name: 'Disable for everyone' }).click();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Disable for everyone' }).click();
    await until(async () => (await ui.page.getByTestId('system-state').innerText()) === 'disabled', 5000);
    expect((await c.store.getSystem()).activeSyncEnabled).toBe(false);
    await ui.page.getByRole('button', { name: 'Enable for everyone' }).click();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click();
    await until(async () => (await ui.page.getByTestId('system-state').innerText()) === 'enabled', 5000);
  });

  it("saves the organisation settings and shows the API's message next to a bad recipient", async () => {
    const org = ui.page.getByRole('form', { name: 'Organisation' });
    await org.getByLabel('Admin mail recipients').fill('not-an-address');
    await org.getByRole('button', { name: 'Save organisation settings' }).click();
    await org.locator('.field-error[data-field="adminMailRecipients"]').waitFor();
    await org.getByLabel('Admin mail recipients').fill('helpdesk@example.test, it@example.test');
    await org.getByLabel('Default access level').selectOption('Quarantine');
    await org.getByRole('button', { name: 'Save organisation settings' }).click();
    await org.getByText('Saved.').waitFor();
    expect(await c.store.getOrganization()).toMatchObject({ defaultAccessLevel: 'Quarantine', adminMailRecipients: ['helpdesk@example.test', 'it@example.test'] });
  });

  it('adds, edits and removes device access rules, listed in the order they are evaluated', async () => {
    const rules = ui.page.getByRole('region', { name: 'Device access rules' });
    const add = async (characteristic: string, query: string, level: string): Promise<void> => {
      const form = rules.getByRole('form', { name: 'Rule' });
      await form.locator('select[name=characteristic]').selectOption(characteristic);
      await form.getByLabel('Query string').fill(query);
      await form.locator('select[name=accessLevel]').selectOption(level);
      await form.getByRole('button', { name: 'Add rule' }).click();
      await rules.locator('tbody tr', { hasText: query }).waitFor();
    };
    await add('DeviceType', 'WindowsPhone', 'Block');
    await add('UserAgent', 'Outlook-iOS/2.0', 'Allow');
    await add('DeviceModel', 'SM-S911B', 'Quarantine');
    const order = await rules.locator('tbody tr td:first-child').allInnerTexts();
    expect(order).toEqual(['UserAgent', 'DeviceModel', 'DeviceType']);
    await rules.locator('tbody tr', { hasText: 'SM-S911B' }).getByRole('button', { name: 'Edit' }).click();
    await rules.getByRole('form', { name: 'Rule' }).locator('select[name=accessLevel]').selectOption('Allow');
    await rules.getByRole('button', { name: 'Save rule' }).click();
    await until(async () => (await c.store.listRules()).find((r) => r.queryString === 'SM-S911B')?.accessLevel === 'Allow', 5000);
    await rules.locator('tbody tr', { hasText: 'WindowsPhone' }).getByRole('button', { name: 'Remove' }).click();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await until(async () => (await c.store.listRules()).length === 2, 5000);
  });

  it('adds a device ID to the global list', async () => {
    const list = ui.page.getByRole('region', { name: 'Device-ID list' });
    await list.getByPlaceholder('Device ID').fill('LOANER42');
    await list.locator('select[name=deviceIdLevel]').selectOption('Block');
    await list.getByRole('button', { name: 'Add' }).click();
    await list.getByText('LOANER42').waitFor();
    expect(await c.store.getDeviceId('LOANER42')).toMatchObject({ accessLevel: 'Block' });
  });

  it('creates an API token whose secret is shown once, and revokes it', async () => {
    const tokens = ui.page.getByRole('region', { name: 'API tokens' });
    await tokens.getByLabel('Name').fill('anna');
    await tokens.locator('select[name=tokenRole]').selectOption('helpdesk');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const secret = await tokens.getByTestId('new-token').innerText();
    expect(secret).toMatch(/^anna\.[A-Za-z0-9_-]{43}$/);
    await screenshot(ui.page, 'settings');
    await tokens.getByRole('button', { name: 'I have kept it' }).click();
    expect(await tokens.getByTestId('new-token').count()).toBe(0);
    expect(await ui.page.content()).not.toContain(secret.split('.')[1]!);
    await tokens.locator('tr[data-token="anna"]').getByRole('button', { name: 'Revoke' }).click();
    await until(async () => (await c.store.getToken('anna')) === undefined, 5000);
  });

  it('offers a viewer no change in the settings and no token list', async () => {
    const viewer = await openConsole(browser, c.admin);
    await signIn(viewer.page, c.tokens.viewer, '/admin/settings');
    await viewer.page.getByText('This switch overrides every domain and user setting').waitFor();
    await viewer.page.getByRole('region', { name: 'Device access rules' }).locator('tbody tr').first().waitFor();
    expect(await viewer.page.locator('main button').count()).toBe(0);
    expect(await viewer.page.getByRole('region', { name: 'API tokens' }).count()).toBe(0);
    await viewer.context.close();
  });

  it('filters the audit log by actor, object and action, with every entry before and after', async () => {
    await ui.page.getByRole('link', { name: 'Audit' }).click();
    await ui.page.locator('tr[data-action="rule.delete"]').waitFor();
    await ui.page.getByLabel('Action').fill('organization');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await until(async () => (await ui.page.locator('table.audit tbody tr').evaluateAll((t) => t.map((r) => r.getAttribute('data-action')))).every((a) => a === 'settings.organization'), 5000);
    const entry = await ui.page.locator('table.audit tbody tr').first().innerText();
    expect(entry).toContain('admin-console');
    expect(entry).toContain('Quarantine');
    await ui.page.getByLabel('Action').fill('');
    await ui.page.getByLabel('Object (rule:r1, or a type: rule)').fill('rule');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await until(async () => {
      const actions = await ui.page.locator('table.audit tbody tr').evaluateAll((t) => t.map((r) => r.getAttribute('data-action')));
      return actions.length === 5 && actions.every((a) => a?.startsWith('rule.'));
    }, 5000);
    await screenshot(ui.page, 'audit');
    await ui.page.getByLabel('Actor').fill('bad actor!');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await ui.page.locator('.field-error[data-field="actor"]').waitFor();
  });

  it('draws the overview: counts by state, OS and model, devices seen per day, the backend sync', async () => {
    await ui.page.getByRole('link', { name: 'Overview' }).click();
    const byModel = ui.page.getByRole('figure', { name: 'By model' });
    await byModel.locator('rect').first().waitFor();
    expect(await byModel.locator('text.bar-label').allTextContents()).toEqual(['iPhone15,2', 'Pixel 8', 'SM-S911B']);
    expect(await ui.page.getByRole('figure', { name: 'By OS' }).locator('text.bar-label').allTextContents()).toEqual(['Android', 'iOS']);
    expect(await ui.page.getByRole('figure', { name: 'Devices seen per day' }).locator('rect').count()).toBe(4);
    await ui.page.getByText('not configured').waitFor();
    await screenshot(ui.page, 'overview');
    expect(ui.problems.filter((p) => !p.includes('status of 401') && !p.includes('status of 400') && !p.includes('status of 404'))).toEqual([]);
  });
});
