// The code version a trace ran (issue 16, item 6), in a real browser against a real
// collector: the trace's details show its commit, branch and dirty flag, the logs table has a
// Commit column, and `commit:` filters the table by a commit's start. A branch name is
// untrusted text like any span field.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { poll, row, startHarness, type Harness } from './harness';

const COMMIT = '9eec1edb2c0e4c7ef5033a686450cbdb506ba0e4';
const OTHER = 'abcdef1234567890abcdef1234567890abcdef12';
const now = Date.now();
const iso = (ms: number) => new Date(now - 60_000 + ms).toISOString();

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const res = await h.c.ingest(
    batch(
      traceStart('v1', {
        name: 'on_main',
        start_time: iso(0),
        code_version: { commit: COMMIT, branch: '<b>main</b>', dirty: true },
      }),
      spanEnd('v1-s', 'v1', { name: 'step', start_time: iso(1), end_time: iso(5) }),
      traceEnd('v1', { end_time: iso(10) }),
      traceStart('v2', { name: 'detached', start_time: iso(20), code_version: { commit: OTHER, dirty: false } }),
      traceEnd('v2', { end_time: iso(30) }),
      traceStart('v3', { name: 'no_repo', start_time: iso(40) }),
      traceEnd('v3', { end_time: iso(50) }),
    ),
  );
  expect(res.status).toBe(200);
});
afterAll(() => h?.close());

describe('code version', () => {
  it("shows in the trace's details: full commit, dirty, branch as text", async () => {
    const { page, consoleErrors, pageErrors } = await h.open('trace=v1');
    await row(page, 'on_main').click();
    const details = page.locator('.details-pane');
    await poll(() => details.textContent()).toContain(`${COMMIT} (dirty)`);
    expect(await details.textContent()).toContain('<b>main</b>');
    expect(await details.locator('b').count()).toBe(0);
    // A span's details do not repeat it.
    await row(page, 'step').click();
    await poll(() => page.locator('.details-title h2').textContent()).toBe('step');
    expect(await details.textContent()).not.toContain(COMMIT);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('is a logs column, and commit: filters the table by its start', async () => {
    const { page, consoleErrors } = await h.open();
    await page.click('#tab-logs');
    await page.locator('.logs-row[data-trace-id]').first().waitFor();
    const cell = (id: string) => page.locator(`.logs-row[data-trace-id="${id}"] [data-column="commit"]`);
    await poll(() => cell('v1').textContent()).toBe('9eec1ed <b>main</b> (dirty)');
    expect(await cell('v2').textContent()).toBe('abcdef1');
    expect(await cell('v3').textContent()).toBe('');
    await page.locator('.logs-filter-field input').fill('commit:ABCDEF12');
    await page.locator('.logs-filter-field input').press('Enter');
    await poll(() =>
      page.$$eval('.logs-row[data-trace-id]', (rows) => rows.map((r) => r.getAttribute('data-trace-id'))),
    ).toEqual(['v2']);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});
