// The Monitor tab in a real browser on the standalone page of a real collector: it draws the
// charts for a seeded project, hovering a bucket shows its values, and a click on a bucket
// shows that bucket's traces in the Logs tab.

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
const iso = (ms: number) => new Date(ms).toISOString();

/** The start of the minute bucket `minutesAgo` minutes back, plus `offsetMs`. */
function inBucket(minutesAgo: number, offsetMs: number): number {
  return Math.floor((Date.now() - minutesAgo * MINUTE) / MINUTE) * MINUTE + offsetMs;
}

const watched = new Map<Page, WatchedPage>();

/** Closes the page after checking that nothing went wrong in it (a CSP violation is a console error). */
async function done(page: Page): Promise<void> {
  const w = watched.get(page)!;
  expect(w.consoleErrors).toEqual([]);
  expect(w.pageErrors).toEqual([]);
  await page.context().close();
}

async function openMonitor(): Promise<Page> {
  const w = await h.open();
  watched.set(w.page, w);
  const page = w.page;
  await page.click('#tab-monitor');
  await page.locator('.monitor-range').click();
  await page.locator('vscode-option', { hasText: 'Last hour' }).click();
  await expect.poll(() => page.locator('.monitor-summary').textContent()).toMatch(/buckets of 1 min/);
  return page;
}

describe('the monitor', () => {
  beforeAll(async () => {
    const specs: TraceSpec[] = [];
    // 30 minutes ago: 5 traces, 2 failed, one still running; scored.
    for (let i = 0; i < 5; i++) {
      const start = inBucket(30, 1000 + i * 5000);
      specs.push({
        id: `m30-${i}`,
        name: `busy_${i}`,
        project: 'Seeded',
        start: iso(start),
        end: i === 4 ? undefined : iso(start + 100 * (i + 1)),
        error: i < 2,
        usage: { prompt_tokens: 100, completion_tokens: 20 },
        cost: 0.01,
        scores: { user_feedback: i % 2 },
      });
    }
    // 10 minutes ago: 2 quick ones.
    for (let i = 0; i < 2; i++) {
      const start = inBucket(10, 2000 + i * 1000);
      specs.push({ id: `m10-${i}`, name: `quiet_${i}`, project: 'Seeded', start: iso(start), end: iso(start + 50) });
    }
    // Another project in the same bucket, to be left out when Seeded is chosen.
    specs.push({
      id: 'other-1',
      name: 'elsewhere',
      project: 'Elsewhere',
      start: iso(inBucket(30, 3000)),
      end: iso(inBucket(30, 3100)),
    });
    const r = await h.c.ingest({ events: specs.flatMap(traceEvents) });
    if (r.status !== 200) throw new Error(r.text);
  });

  it('draws a chart per measure and per feedback score, in the theme’s colours, redrawn when the theme changes', async () => {
    const page = await openMonitor();
    await page.locator('.monitor-chart canvas').first().waitFor();
    const charts = await page.$$eval('.monitor-chart', (els) =>
      els.map((e) => [e.getAttribute('data-chart'), e.querySelector('.u-title')?.textContent]),
    );
    expect(charts).toEqual([
      ['traces', 'Traces and error rate'],
      ['latency', 'Latency'],
      ['ttft', 'Time to first token'],
      ['tokens', 'Tokens and cost'],
      ['score:user_feedback', 'Average user_feedback'],
    ]);
    expect(await page.locator('.monitor-summary').textContent()).toMatch(/^8 traces · 2 errors/);
    // The bars are drawn: the traces chart's canvas is not blank.
    const painted = await page
      .locator('.monitor-chart[data-chart="traces"] canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      });
    expect(painted).toBeGreaterThan(500);
    // Colours are the theme's, read when drawing: a theme change redraws in the new colours.
    const greenPixels = () =>
      page.locator('.monitor-chart[data-chart="traces"] canvas').evaluate((c: HTMLCanvasElement) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 1] > 200 && data[i] < 60 && data[i + 2] < 60) n++;
        return n;
      });
    expect(await greenPixels()).toBe(0);
    await page.evaluate(() => {
      document.body.style.setProperty('--vscode-charts-blue', '#00ff00');
      document.body.classList.add('vscode-high-contrast'); // what VS Code does on a theme change
    });
    await expect.poll(greenPixels).toBeGreaterThan(50);
    await done(page);
  });

  it('shows a bucket’s values on hover, and filters the logs to it on click', async () => {
    const page = await openMonitor();
    // Choose the seeded project.
    await page.locator('.monitor-project vscode-dropdown').click();
    await page.locator('vscode-option', { hasText: 'Seeded' }).click();
    await expect.poll(() => page.locator('.monitor-summary').textContent()).toMatch(/^7 traces · 2 errors/);
    const over = page.locator('.monitor-chart[data-chart="traces"] .u-over');
    const box = (await over.boundingBox())!;
    const legend = (n: number) =>
      page.locator('.monitor-chart[data-chart="traces"] .u-legend .u-series').nth(n).locator('.u-value');
    // Move across the chart until the legend shows the busy bucket (5 traces).
    let found = false;
    for (let x = 2; x < box.width && !found; x += 3) {
      await page.mouse.move(box.x + x, box.y + box.height / 2);
      found = (await legend(1).textContent()) === '5';
    }
    expect(found).toBe(true);
    expect(await legend(2).textContent()).toBe('40%');
    const latencyP50 = await page
      .locator('.monitor-chart[data-chart="latency"] .u-legend .u-series')
      .nth(1)
      .locator('.u-value')
      .textContent();
    expect(latencyP50).toBe('200 ms'); // 100, 200, 300, 400 ms finished; the running one is not timed
    await page.mouse.down();
    await page.mouse.up();
    await expect.poll(() => page.locator('#tab-logs').getAttribute('aria-selected')).toBe('true');
    // The toolkit's field shows a value set from code on its next update.
    await expect
      .poll(() => page.locator('.logs-filter-field input').inputValue())
      .toMatch(/^project:Seeded after:\S+ before:\S+$/);
    await expect.poll(() => page.locator('.logs-count').textContent()).toBe('5 traces');
    const names = await page.$$eval('.logs-row[data-trace-id] [data-column="name"]', (cells) =>
      cells.map((c) => c.textContent).sort(),
    );
    expect(names).toEqual(['busy_0', 'busy_1', 'busy_2', 'busy_3', 'busy_4']);
    await done(page);
  });

  it('shows empty charts and says so for a range without traces', async () => {
    const w = await h.open();
    watched.set(w.page, w);
    const page = w.page;
    await page.click('#tab-monitor');
    await page.locator('.monitor-range').click();
    await page.locator('vscode-option', { hasText: 'Custom range' }).click();
    await page.locator('.monitor-from input').fill('2020-01-01T00:00');
    await page.locator('.monitor-to input').fill('2020-01-01T06:00');
    await page.locator('.monitor-custom vscode-button', { hasText: 'Apply' }).click();
    await expect
      .poll(() => page.locator('.monitor-summary').textContent())
      .toMatch(/^0 traces · 0 errors · buckets of 5 min/);
    expect(await page.locator('.monitor-message').textContent()).toBe('No traces in this range.');
    expect(await page.locator('.monitor-chart').count()).toBe(4);
    await done(page);
  });
});
