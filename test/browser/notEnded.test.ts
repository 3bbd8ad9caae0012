// Spans that never end (issue 13, item 12), in a real browser against a real collector: once
// their trace has ended, a span still without an end is shown "not ended" — no spinner, no
// duration ticking, no bar running to now — while under a running trace it still spins; a
// span our SDK closed at its trace's end says so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { poll, row, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const res = await h.c.ingest(
    batch(
      // An Opik-style manual trace: two spans never ended, then the trace ended.
      traceStart('ended', { name: 'ended_trace' }),
      spanStart('open-a', 'ended', { name: 'never_ended', start_time: at(10) }),
      spanStart('open-b', 'ended', { name: 'never_ended_child', parent_span_id: 'open-a', start_time: at(20) }),
      spanEnd('closed', 'ended', {
        name: 'closed_by_sdk',
        start_time: at(30),
        end_time: at(1000),
        metadata: { 'spanscope.ended_by': 'trace_end' },
      }),
      traceEnd('ended', { end_time: at(1000) }),
      // The same open span under a trace that is still running.
      traceStart('live', { name: 'live_trace', start_time: new Date().toISOString() }),
      spanStart('live-a', 'live', { name: 'still_running', start_time: new Date().toISOString() }),
    ),
  );
  expect(res.status).toBe(200);
});
afterAll(() => h?.close());

describe('a span that never ended', () => {
  it('shows "not ended" under an ended trace: no spinner, no growing duration, no bar to the end', async () => {
    const { page, consoleErrors, pageErrors } = await h.open('trace=ended');
    const open = row(page, 'never_ended');
    await open.waitFor();
    expect(await open.getAttribute('class')).toContain('is-not-ended');
    expect(await open.getAttribute('class')).not.toContain('is-running');
    expect(await page.locator('.tree-row .codicon-modifier-spin').count()).toBe(0);
    expect(await page.locator('.bar.running').count()).toBe(0);
    expect(await open.locator('.row-icon').getAttribute('class')).toContain('codicon-circle-slash');
    expect(await open.locator('.cell-duration').textContent()).toBe('not ended');
    expect(await row(page, 'never_ended_child').locator('.cell-duration').textContent()).toBe('not ended');
    // The bar is a mark at the start, not a bar that runs to the trace's end (or to now).
    const widths = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.tree-row')].map((r) => [
        r.querySelector('.row-label')!.textContent,
        r.querySelector<HTMLElement>('.bar')!.getBoundingClientRect().width,
        r.querySelector<HTMLElement>('.cell-timeline')!.getBoundingClientRect().width,
      ]),
    );
    const byName = Object.fromEntries(widths.map(([n, w, total]) => [n, (w as number) / (total as number)]));
    expect(byName.never_ended).toBeLessThan(0.05);
    expect(byName.closed_by_sdk).toBeGreaterThan(0.9);
    // It stays that way: nothing ticks.
    await page.waitForTimeout(1200);
    expect(await open.locator('.cell-duration').textContent()).toBe('not ended');

    await open.click();
    await poll(() => page.locator('.details-title .status-badge').textContent()).toBe('not ended');
    expect(await page.locator('.details-title .codicon-modifier-spin').count()).toBe(0);
    await poll(() => page.locator('.details-pane').textContent()).toContain('not ended: its trace ended first');

    await row(page, 'closed_by_sdk').click();
    await poll(() => page.locator('.details-pane').textContent()).toContain('(ended with its trace)');
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('still spins while its trace runs', async () => {
    const { page } = await h.open('trace=live');
    const running = row(page, 'still_running');
    await running.waitFor();
    expect(await running.getAttribute('class')).toContain('is-running');
    expect(await running.locator('.row-icon').getAttribute('class')).toContain('codicon-modifier-spin');
    await page.context().close();
  });
});
