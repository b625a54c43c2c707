import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (the `chromium` package); EASGATE_CHROMIUM names another binary. */
export const CHROMIUM = process.env.EASGATE_CHROMIUM ?? '/usr/bin/chromium';
/** Where the browser tests write their screenshots (git-ignored; docs/console/ holds the chosen ones). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

/**
 * Starts Chromium through playwright-core with the system binary: no browser is ever
 * downloaded. Without the binary the test fails (it is never skipped) and says what to install.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`the console's browser tests need Chromium at ${CHROMIUM}: install Debian's chromium package (npm test and .ci/run do), or set EASGATE_CHROMIUM to a Chromium binary`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Console messages and page errors (a CSP violation shows here). */
  problems: string[];
  /** Every /api/v1 URL the page asked for. */
  apiCalls: string[];
}

export async function openConsole(browser: Browser, admin: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: admin });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  const apiCalls: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/')) apiCalls.push(r.url().slice(admin.length));
  });
  return { context, page, problems, apiCalls };
}

export async function signIn(page: Page, token: string, path = '/admin/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.shell').waitFor();
}

/** A screenshot at 1280×800 into the git-ignored folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}
