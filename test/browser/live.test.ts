// Live updates in a real browser: spans and traces sent to a real collector while the page is
// open reach it over /api/live, without a reload and without disturbing the user.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, spanEnd, spanStart, traceStart } from '../support/builders';
import { startTestCollector } from '../support/collector';
import { poll, row, rowLabels, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function firstVisibleLabel(page: Page): Promise<string> {
  return page.evaluate(() => {
    const vp = document.querySelector('.tree-viewport')!;
    const index = Math.floor(vp.scrollTop / 22);
    return document.querySelector(`.tree-row[data-index="${index}"] .row-label`)?.textContent ?? '';
  });
}

describe('live updates', () => {
  it('shows a trace sent while the page is open, without a reload', async () => {
    const { page, consoleErrors } = await h.open();
    await page.getByText('No traces yet').waitFor();
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await h.c.ingest(
      batch(
        traceStart('fresh', { name: 'fresh_trace' }),
        spanEnd('fresh-s1', 'fresh', { name: 'first_step', start_time: at(1) }),
      ),
    );
    await page.locator('.trace-row', { hasText: 'fresh_trace' }).waitFor({ timeout: 5000 });
    // Nothing was open, so the new trace opens by itself.
    await row(page, 'first_step').waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('shows a span running when it starts and finished when its end arrives', async () => {
    await h.c.ingest(batch(traceStart('run', { name: 'run_trace' })));
    const { page } = await h.open('trace=run');
    await page.locator('.tree-row.is-trace').waitFor();
    await h.c.ingest(batch(spanStart('run-s1', 'run', { name: 'slow_call', start_time: new Date().toISOString() })));
    const slow = row(page, 'slow_call');
    await slow.waitFor({ timeout: 5000 });
    await poll(() => slow.getAttribute('class')).toContain('is-running');
    // Its duration grows while it runs.
    const first = await slow.locator('.cell-duration').textContent();
    await poll(() => slow.locator('.cell-duration').textContent()).not.toBe(first);
    await h.c.ingest(
      batch(spanEnd('run-s1', 'run', { end_time: new Date(Date.now() + 10).toISOString(), output: 'done' })),
    );
    await poll(() => slow.getAttribute('class')).not.toContain('is-running');
    await page.context().close();
  });

  it('keeps the selection, the scroll position and collapsed spans while spans arrive', async () => {
    const events = [
      traceStart('big', { name: 'big_trace' }),
      spanEnd('big-root', 'big', { name: 'root', start_time: at(1), end_time: at(10_000) }),
    ];
    for (let i = 0; i < 300; i++)
      events.push(
        spanEnd(`big-${i}`, 'big', {
          name: `child_${i}`,
          parent_span_id: 'big-root',
          start_time: at(10 + i * 10),
          end_time: at(15 + i * 10),
        }),
      );
    events.push(
      spanEnd('big-10-kid', 'big', {
        name: 'grandchild',
        parent_span_id: 'big-10',
        start_time: at(111),
        end_time: at(112),
      }),
    );
    await h.c.ingest(batch(...events));
    const { page } = await h.open('trace=big');
    await row(page, 'root').waitFor();
    await row(page, 'child_10').locator('.twistie').click();
    await page.locator('.tree-viewport').evaluate((vp) => (vp.scrollTop = 22 * 150));
    await poll(() => firstVisibleLabel(page)).toBe('child_148');
    await row(page, 'child_152').click();
    const scrollBefore = await page.locator('.tree-viewport').evaluate((vp) => vp.scrollTop);

    // One span starts before everything in view (inserted above it), fifty after (appended).
    const more = [
      spanEnd('big-early', 'big', {
        name: 'early_arrival',
        parent_span_id: 'big-root',
        start_time: at(5),
        end_time: at(6),
      }),
    ];
    for (let i = 300; i < 350; i++)
      more.push(
        spanEnd(`big-${i}`, 'big', {
          name: `child_${i}`,
          parent_span_id: 'big-root',
          start_time: at(10 + i * 10),
          end_time: at(15 + i * 10),
        }),
      );
    await h.c.ingest(batch(...more));
    await poll(() => page.locator('.topbar-facts').textContent()).toContain('353 spans');

    expect(await page.locator('.tree-row.selected .row-label').textContent()).toBe('child_152');
    expect(await page.locator('.details-title h2').textContent()).toBe('child_152');
    expect(await firstVisibleLabel(page)).toBe('child_148');
    // The row inserted above moved the content one row down; the view followed it.
    expect(await page.locator('.tree-viewport').evaluate((vp) => vp.scrollTop)).toBe(scrollBefore + 22);
    await page.locator('.tree-viewport').evaluate((vp) => (vp.scrollTop = 0));
    expect(await row(page, 'child_10').getAttribute('aria-expanded')).toBe('false');
    expect(await rowLabels(page)).not.toContain('grandchild');
    await page.context().close();
  });

  it('keeps the details pane as the user left it while the selected span changes', async () => {
    await h.c.ingest(
      batch(
        traceStart('det', { name: 'det_trace' }),
        spanStart('det-s', 'det', {
          name: 'working',
          start_time: at(1),
          input: { a: { b: { c: 'deep value' } } },
          metadata: { step: 1 },
        }),
      ),
    );
    const { page } = await h.open('trace=det');
    await row(page, 'working').click();
    // Open a nested JSON node (depth 2 is closed by default) and collapse the metadata section.
    const input = page.locator('.section-input');
    await input.getByText('{1 key}').nth(2).click();
    await input.getByText('"deep value"').waitFor();
    await page.locator('.section-metadata .section-header').click();
    await h.c.ingest(
      batch(spanEnd('det-s', 'det', { end_time: at(500), output: 'finished output', metadata: { step: 2 } })),
    );
    await poll(() => page.locator('.section-output').textContent()).toContain('finished output');
    expect(await input.getByText('"deep value"').isVisible()).toBe(true);
    expect(await page.locator('.section-metadata').getAttribute('class')).toContain('collapsed');
    await page.context().close();
  });

  it('reconnects after the collector restarts and catches up on what it missed', async () => {
    const first = await startTestCollector();
    const { dir, port } = first;
    await first.ingest(
      batch(
        traceStart('rc', { name: 'restart_trace' }),
        spanStart('rc-1', 'rc', { name: 'before_restart', start_time: at(1) }),
      ),
    );
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/?token=${first.token}&trace=rc`);
    await row(page, 'before_restart').waitFor();
    await first.stop();
    await page.locator('.connection-status').waitFor({ state: 'visible' });
    const second = await startTestCollector({ dir, collector: { port } });
    try {
      // Sent before the page is back on the socket: only the catch-up can bring it.
      await second.ingest(
        batch(
          spanEnd('rc-1', 'rc', { end_time: at(50) }),
          spanEnd('rc-2', 'rc', { name: 'while_away', start_time: at(2), end_time: at(3) }),
        ),
      );
      await row(page, 'while_away').waitFor();
      await poll(() => row(page, 'before_restart').getAttribute('class')).not.toContain('is-running');
      await page.locator('.connection-status').waitFor({ state: 'hidden' });
      // And the live feed works again.
      await second.ingest(batch(spanEnd('rc-3', 'rc', { name: 'after_restart', start_time: at(4), end_time: at(5) })));
      await row(page, 'after_restart').waitFor();
    } finally {
      await context.close();
      await second.close();
    }
  });
});
