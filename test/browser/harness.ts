// A real collector (in process, port 0, temp store) and a real headless Chromium pointed at
// its standalone page. Every page records console errors (a CSP violation is one), uncaught
// errors and dialogs, so a test can assert that nothing of the sort happened.

import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureBuilt } from '../support/build';
import { startTestCollector, type TestCollector } from '../support/collector';

/** Debian's Chromium by default; `SPANSCOPE_CHROMIUM` points the browser tests at another build. */
export const CHROMIUM = process.env.SPANSCOPE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WatchedPage {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

export interface Harness {
  c: TestCollector;
  browser: Browser;
  /** Opens the page through `/?token=…` (as a user would), plus any query. */
  open(query?: string, viewport?: { width: number; height: number }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  ensureBuilt();
  const c = await startTestCollector();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    c,
    browser,
    async open(query = '', viewport = { width: 1400, height: 800 }) {
      const context = await browser.newContext({ viewport });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      const watched: WatchedPage = { page, consoleErrors: [], pageErrors: [], dialogs: [] };
      page.on('console', (m) => {
        if (m.type() === 'error') watched.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => watched.pageErrors.push(e.message));
      page.on('dialog', (d) => {
        watched.dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`http://127.0.0.1:${c.port}/?token=${c.token}${query ? `&${query}` : ''}`);
      await page.waitForSelector('.app:not([aria-busy])');
      return watched;
    },
    async close() {
      await browser.close();
      await c.close();
    },
  };
}

/** Labels of the tree rows in the DOM, top to bottom. */
export async function rowLabels(page: Page): Promise<string[]> {
  return page.$$eval('.tree-row', (rows) =>
    rows
      .map((r) => ({
        top: Number(r.getAttribute('data-index')),
        label: r.querySelector('.row-label')?.textContent ?? '',
      }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.label),
  );
}

export function row(page: Page, label: string) {
  return page.locator('.tree-row', {
    has: page.locator('.row-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** expect.poll with room for a loaded machine (its default gives up after one second). */
export function poll<T>(fn: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(fn, { timeout, interval: 50 });
}
