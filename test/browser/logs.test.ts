// The Logs tab in a real browser on the standalone page of a real collector: the table fills
// live and keeps the reader's row in place, sorts, filters by score, text and clicked cells,
// shows a bad filter's error inline, scores, deletes and exports the checked rows.

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceEvents, type TraceSpec } from '../support/logsEvents';
import { startHarness, type Harness, type WatchedPage } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const MINUTE = 60_000;
const T0 = Date.now() - 3 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function seed(specs: TraceSpec[]): Promise<void> {
  const r = await h.c.ingest({ events: specs.flatMap(traceEvents) });
  if (r.status !== 200) throw new Error(r.text);
}

const watched = new Map<Page, WatchedPage>();

async function openLogs(): Promise<Page> {
  const w = await h.open();
  watched.set(w.page, w);
  await w.page.click('#tab-logs');
  await w.page.locator('.logs-row[data-trace-id]').first().waitFor();
  return w.page;
}

/** Closes the page after checking that nothing went wrong in it (a CSP violation is a console error). */
async function done(page: Page): Promise<void> {
  const w = watched.get(page)!;
  expect(w.consoleErrors).toEqual([]);
  expect(w.pageErrors).toEqual([]);
  expect(w.dialogs).toEqual([]);
  await page.context().close();
}

/** Names in the rendered rows, top to bottom (the rows in the DOM: those in view and a few more). */
async function names(page: Page, limit = 1000): Promise<string[]> {
  return page.$$eval(
    '.logs-row[data-trace-id]',
    (rows, n) =>
      rows
        .map((r) => ({
          i: Number(r.getAttribute('data-index')),
          name: r.querySelector('[data-column="name"]')?.textContent ?? '',
        }))
        .sort((a, b) => a.i - b.i)
        .slice(0, n)
        .map((r) => r.name),
    limit,
  );
}

async function filter(page: Page, text: string): Promise<void> {
  await page.locator('.logs-filter-field input').fill(text);
  await page.locator('.logs-filter-field input').press('Enter');
}

const countText = (page: Page) => page.locator('.logs-count').textContent();

describe('the logs table', () => {
  beforeAll(async () => {
    await seed([
      {
        id: 'L-a',
        name: 'alpha_chain',
        project: 'Shop',
        start: iso(T0),
        end: iso(T0 + 1500),
        scores: { user_feedback: 0 },
        usage: { total_tokens: 900 },
        tags: ['beta'],
        input: 'where is my parcel?',
      },
      {
        id: 'L-b',
        name: 'beta_chain',
        project: 'Shop',
        start: iso(T0 + MINUTE),
        end: iso(T0 + MINUTE + 300),
        scores: { user_feedback: 1 },
        usage: { total_tokens: 100 },
        output: { answer: `${'Thanks for waiting. '.repeat(20)}Your warranty covers it.` },
      },
      {
        id: 'L-c',
        name: 'gamma_chain',
        project: 'Shop',
        start: iso(T0 + 2 * MINUTE),
        end: iso(T0 + 2 * MINUTE + 5000),
        error: true,
        usage: { total_tokens: 50 },
      },
      {
        id: 'L-d',
        name: 'delta <img src=x onerror=alert(1)>',
        project: 'Other',
        start: iso(T0 + 3 * MINUTE),
        end: iso(T0 + 3 * MINUTE + 10),
        scores: { user_feedback: 0.25 },
      },
    ]);
  });

  it('lists traces newest first, sorts by a clicked header, and reverses on a second click', async () => {
    const page = await openLogs();
    expect(await names(page)).toEqual([
      'delta <img src=x onerror=alert(1)>',
      'gamma_chain',
      'beta_chain',
      'alpha_chain',
    ]);
    // Span data stays text: the tag-like name made no element.
    expect(await page.locator('.logs-row img').count()).toBe(0);
    await page.locator('.logs-hcell[data-column="duration"]').click();
    await expect
      .poll(() => names(page))
      .toEqual(['gamma_chain', 'alpha_chain', 'beta_chain', 'delta <img src=x onerror=alert(1)>']);
    expect(await page.locator('.logs-hcell[data-column="duration"]').getAttribute('aria-sort')).toBe('descending');
    await page.locator('.logs-hcell[data-column="duration"]').click();
    await expect
      .poll(() => names(page))
      .toEqual(['delta <img src=x onerror=alert(1)>', 'beta_chain', 'alpha_chain', 'gamma_chain']);
    await page.locator('.logs-hcell[data-column="score:user_feedback"]').click();
    await expect
      .poll(() => names(page))
      .toEqual(['beta_chain', 'delta <img src=x onerror=alert(1)>', 'alpha_chain', 'gamma_chain']);
    await done(page);
  });

  it('filters by score and by free text over whole inputs and outputs, in the collector', async () => {
    const page = await openLogs();
    await filter(page, 'user_feedback < 0.5');
    await expect.poll(() => names(page)).toEqual(['delta <img src=x onerror=alert(1)>', 'alpha_chain']);
    expect(await countText(page)).toBe('2 traces');
    await filter(page, 'parcel');
    await expect.poll(() => names(page)).toEqual(['alpha_chain']);
    await filter(page, 'warranty'); // past the 300-character preview of beta_chain's output
    await expect.poll(() => names(page)).toEqual(['beta_chain']);
    await filter(page, 'project:Shop tokens >= 100');
    await expect.poll(() => names(page)).toEqual(['beta_chain', 'alpha_chain']);
    await done(page);
  });

  it('shows a bad filter’s error under the field, with the offending text, and keeps the rows', async () => {
    const page = await openLogs();
    await page.locator('.logs-filter-field input').fill('status:done');
    await expect.poll(() => page.locator('.logs-filter-error').isVisible()).toBe(true);
    expect(await page.locator('.logs-filter-error-text').textContent()).toMatch(/unknown status "done".*column 8/);
    expect(await page.locator('.logs-filter-error-mark').textContent()).toBe('done');
    expect(await names(page)).toHaveLength(4);
    await page.locator('.logs-filter-field input').fill('status:error');
    await expect.poll(() => page.locator('.logs-filter-error').isVisible()).toBe(false);
    await expect.poll(() => names(page)).toEqual(['gamma_chain']);
    await done(page);
  });

  it('adds a filter term when a cell is clicked', async () => {
    const page = await openLogs();
    await page.locator('.logs-row[data-trace-id="L-c"] .cell-filter.status-chip').click();
    await expect.poll(() => page.locator('.logs-filter-field input').inputValue()).toBe('status:error');
    await expect.poll(() => names(page)).toEqual(['gamma_chain']);
    await filter(page, '');
    await page.locator('.logs-row[data-trace-id="L-d"] [data-column="project"] .cell-filter').click();
    await expect.poll(() => names(page)).toEqual(['delta <img src=x onerror=alert(1)>']);
    await filter(page, '');
    await page.locator('.logs-row[data-trace-id="L-a"] [data-column="score:user_feedback"] .cell-filter').click();
    await expect.poll(() => page.locator('.logs-filter-field input').inputValue()).toBe('user_feedback = 0');
    await expect.poll(() => names(page)).toEqual(['alpha_chain']);
    await done(page);
  });

  it('opens a trace in the trace view when its row is clicked', async () => {
    const page = await openLogs();
    await page.locator('.logs-row[data-trace-id="L-b"] [data-column="name"]').click();
    await expect.poll(() => page.locator('#tab-traces').getAttribute('aria-selected')).toBe('true');
    await page.locator('.tree-row.is-trace .row-label', { hasText: 'beta_chain' }).waitFor();
    await done(page);
  });

  it('exports the checked rows as JSON Lines and the table as shown as CSV', async () => {
    const page = await openLogs();
    await page.locator('.logs-row[data-trace-id="L-a"] .logs-check-cell').click();
    await page.locator('.logs-row[data-trace-id="L-c"] [data-column="spans"]').click({ modifiers: ['Control'] });
    await expect.poll(() => page.locator('.logs-selection-count').textContent()).toBe('2 selected');
    const [jsonl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('vscode-button', { hasText: 'JSONL' }).click(),
    ]);
    expect(jsonl.suggestedFilename()).toMatch(/^spanscope-traces-\d{8}-\d{6}\.jsonl$/);
    const lines = readFileSync((await jsonl.path())!, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.trace.id)).toEqual(['L-c', 'L-a']);
    expect(lines[1].trace.input).toBe('where is my parcel?');
    expect(lines[1].spans).toHaveLength(1);

    await page.locator('vscode-button[aria-label="Clear the selection"]').click();
    await filter(page, 'project:Shop');
    await expect.poll(() => names(page)).toHaveLength(3);
    await page.locator('.logs-hcell[data-column="name"]').click();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('vscode-button', { hasText: 'CSV' }).click(),
    ]);
    const rows = readFileSync((await csv.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]).toBe(
      'name,project,start_time,duration_ms,status,span_count,total_tokens,total_estimated_cost,time_to_first_token_ms,user_feedback,tags,thread_id,code_version,id',
    );
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['alpha_chain', 'beta_chain', 'gamma_chain']);
    expect(rows[1]).toBe(`alpha_chain,Shop,${iso(T0).replace('Z', '000Z')},1500,ok,1,900,,,0,beta,,,L-a`);
    await done(page);
  });

  it('scores and deletes the checked rows', async () => {
    await seed([
      { id: 'S-1', name: 'to_score_1', project: 'Bulk', start: iso(T0 - 10 * MINUTE), end: iso(T0 - 10 * MINUTE + 5) },
      { id: 'S-2', name: 'to_score_2', project: 'Bulk', start: iso(T0 - 11 * MINUTE), end: iso(T0 - 11 * MINUTE + 5) },
    ]);
    const page = await openLogs();
    await filter(page, 'project:Bulk');
    await expect.poll(() => names(page)).toEqual(['to_score_1', 'to_score_2']);
    await page.locator('.logs-row[data-trace-id="S-1"] .logs-check-cell').click();
    await page.locator('.logs-row[data-trace-id="S-2"] .logs-check-cell').click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('.logs-selection-count').textContent()).toBe('2 selected');
    // Datasets are files of a VS Code workspace: the standalone page offers no Add to Dataset….
    expect(await page.locator('.logs-selection-bar vscode-button').allInnerTexts()).not.toContain('Add to Dataset…');
    expect(await page.locator('.logs-add-dataset').count()).toBe(0);
    await page.locator('.logs-score-name input').fill('reviewed');
    // A value that is not a number is refused with a message in the tabs' status line.
    await page.locator('.logs-score-value input').fill('abc');
    await page.locator('vscode-button', { hasText: 'Set score' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The score value must be a number.');
    await page.locator('.logs-score-value input').fill('0.5');
    await page.locator('vscode-button', { hasText: 'Set score' }).click();
    await expect.poll(async () => (await h.c.get('/api/query?filter=reviewed%3D0.5')).json.total).toBe(2);
    const detail = (await h.c.get('/api/traces/S-2')).json;
    expect(detail.trace.feedback_scores).toEqual([
      expect.objectContaining({ name: 'reviewed', value: 0.5, source: 'ui' }),
    ]);

    await page.locator('.logs-selection-bar vscode-button', { hasText: 'Delete' }).click();
    await page.locator('.logs-selection-bar vscode-button', { hasText: 'Click again to delete 2' }).click();
    await expect.poll(() => countText(page)).toBe('0 traces');
    expect((await h.c.get('/api/traces/S-1')).status).toBe(404);
    await done(page);
  });
});

describe('the logs table, live', () => {
  it('fills as traces arrive, new ones sliding in at the top', async () => {
    const page = await openLogs();
    await filter(page, 'project:Live');
    await expect.poll(() => countText(page)).toBe('0 traces');
    await seed([
      { id: 'live-1', name: 'first_live', project: 'Live', start: iso(Date.now() - 1000), end: iso(Date.now()) },
    ]);
    await expect.poll(() => names(page), { timeout: 5000 }).toEqual(['first_live']);
    await seed([{ id: 'live-2', name: 'second_live', project: 'Live', start: iso(Date.now()) }]);
    await expect.poll(() => names(page), { timeout: 5000 }).toEqual(['second_live', 'first_live']);
    await done(page);
  });

  it('keeps the row being read in place when traces arrive above it', async () => {
    const base = Date.now() - 86_400_000;
    await seed(
      Array.from({ length: 400 }, (_, i) => ({
        id: `A-${i}`,
        name: `anchored_${i}`,
        project: 'Anchor',
        start: iso(base + i * 1000),
        end: iso(base + i * 1000 + 10),
      })),
    );
    const page = await openLogs();
    await filter(page, 'project:Anchor');
    await expect.poll(() => countText(page)).toBe('400 traces');
    // Scroll so that row 150 is the first one in view.
    await page.locator('.logs-viewport').evaluate((vp) => (vp.scrollTop = 150 * 28));
    const firstInView = () =>
      page
        .locator('.logs-viewport')
        .evaluate(
          (vp) =>
            document.querySelector(`.logs-row[data-index="${Math.floor(vp.scrollTop / 28)}"] [data-column="name"]`)
              ?.textContent ?? '',
        );
    await expect.poll(firstInView).toBe('anchored_249');
    await seed(
      Array.from({ length: 7 }, (_, i) => ({
        id: `A-new-${i}`,
        name: `newer_${i}`,
        project: 'Anchor',
        start: iso(Date.now() + i),
        end: iso(Date.now() + i + 5),
      })),
    );
    await expect.poll(() => countText(page), { timeout: 5000 }).toBe('407 traces');
    expect(await firstInView()).toBe('anchored_249');
    expect(await page.locator('.logs-viewport').evaluate((vp) => Math.round(vp.scrollTop / 28))).toBe(157);
    await done(page);
  });

  it('scrolls thousands of rows, loading pages as they come into view', async () => {
    const base = Date.now() - 2 * 86_400_000;
    await seed(
      Array.from({ length: 3000 }, (_, i) => ({
        id: `M-${i}`,
        name: `many_${i}`,
        project: 'Many',
        start: iso(base + i * 1000),
        end: iso(base + i * 1000 + 10),
      })),
    );
    const page = await openLogs();
    await filter(page, 'project:Many');
    await expect.poll(() => countText(page)).toBe('3,000 traces');
    // Few rows are in the DOM however many there are.
    expect(await page.locator('.logs-row').count()).toBeLessThan(80);
    await page.locator('.logs-viewport').evaluate((vp) => (vp.scrollTop = 2500 * 28));
    await expect
      .poll(() => page.locator('.logs-row[data-index="2500"] [data-column="name"]').textContent())
      .toBe('many_499');
    await done(page);
  });
});
