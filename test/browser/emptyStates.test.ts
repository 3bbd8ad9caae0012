// What the panel says when there is nothing to show, in a real browser on the standalone page
// of a real collector: how to get traces here (with this collector's address), in the tree, the
// trace list and the Logs tab; and that nothing of a deleted trace stays on screen.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { poll, row, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('with no traces', () => {
  it('says how to send traces here, with this collector’s address, in the tree, the list and Logs', async () => {
    const { page, consoleErrors } = await h.open();
    const hint = `SPANSCOPE_URL=http://127.0.0.1:${h.c.port}`;
    await poll(() => page.locator('.tree-pane .empty-message').textContent()).toContain(hint);
    expect(await page.locator('.tree-pane .empty-message').textContent()).toMatch(/^No traces yet\./);
    expect(await page.locator('.trace-list .list-empty').isVisible()).toBe(true);
    await page.click('#tab-logs');
    await poll(() => page.locator('.logs-empty').textContent()).toContain(hint);
    await page.locator('.logs-filter-field input').fill('name:nothing_like_this');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('.logs-empty').textContent()).toBe('No traces match this filter.');
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('clears the title of a trace deleted while open, and says how to get more when none is left', async () => {
    await h.c.ingest(
      batch(
        traceStart('gone', { name: 'short_lived' }),
        spanEnd('gone-s', 'gone', { name: 'only_step', start_time: at(1) }),
        traceEnd('gone'),
      ),
    );
    const { page } = await h.open('trace=gone');
    await row(page, 'only_step').waitFor();
    expect(await page.locator('.topbar-title').textContent()).toContain('short_lived');
    expect(await page.locator('.trace-list .list-empty').isVisible()).toBe(false);
    h.c.store.deleteTraces(['gone']);
    await poll(() => page.locator('.tree-pane .empty-message').textContent()).toContain('No traces yet.');
    expect(await page.locator('.topbar-title').textContent()).toBe('');
    expect(await page.locator('.topbar-facts').textContent()).toBe('');
    expect(await page.locator('.details-pane').textContent()).not.toContain('only_step');
    expect(await page.locator('.trace-list .list-empty').isVisible()).toBe(true);
    await page.context().close();
  });
});
