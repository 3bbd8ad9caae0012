// The panel in a narrow column beside the code, in a real browser: the details stack under
// the tree at full width, toolbar buttons never sit on each other, and a JSON key reads whole.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { poll, row, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.c.ingest(
    batch(
      traceStart('nar', { name: 'narrow_trace' }),
      spanEnd('nar-1', 'nar', {
        name: 'answer_question',
        start_time: at(1),
        input: {
          question: 'How does the payment service retry failed requests when the bank times out?',
          summary: 'x',
        },
      }),
      traceEnd('nar'),
    ),
  );
});
afterAll(() => h?.close());

type Box = { x: number; y: number; width: number; height: number };
const box = (page: Page, selector: string) => page.locator(selector).first().boundingBox() as Promise<Box>;
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;

describe('a narrow panel', () => {
  it('stacks the details under the tree, both the panel’s width', async () => {
    const { page } = await h.open('trace=nar', { width: 420, height: 800 });
    await row(page, 'answer_question').click();
    await poll(() => page.locator('.details-title h2').textContent()).toBe('answer_question');
    const tree = await box(page, '.tree-pane');
    const details = await box(page, '.details-pane');
    expect(details.y).toBeGreaterThanOrEqual(tree.y + tree.height - 1);
    expect(tree.width).toBeGreaterThan(400);
    expect(details.width).toBeGreaterThan(400);
    await page.context().close();
  });

  it('shows the trace’s name whole in the top bar, the facts beside it giving way', async () => {
    const { page } = await h.open('trace=nar', { width: 300, height: 600 });
    await row(page, 'answer_question').waitFor();
    const title = page.locator('.topbar-title');
    expect(await title.locator('span:last-child').textContent()).toBe('narrow_trace');
    // Neither the title nor its text is cut.
    expect(await title.evaluate((el) => [el, el.lastElementChild!].every((e) => e.scrollWidth <= e.clientWidth))).toBe(
      true,
    );
    expect(await page.locator('.topbar-facts').evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.context().close();
  });

  it('never draws the tree toolbar’s buttons over each other or over the search field', async () => {
    for (const width of [420, 300, 900]) {
      const { page } = await h.open('trace=nar', { width, height: 700 });
      await row(page, 'answer_question').waitFor();
      const boxes = await page.locator('.tree-toolbar vscode-button, .tree-toolbar .search-field').evaluateAll((els) =>
        els
          .map((e) => e.getBoundingClientRect())
          .filter((r) => r.width > 0)
          .map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
      );
      expect(boxes.length).toBeGreaterThanOrEqual(6);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          expect(overlap(boxes[i], boxes[j]), `width ${width}: controls ${i} and ${j}`).toBe(false);
      await page.context().close();
    }
  });

  it('keeps the Logs toolbar’s buttons inside the panel', async () => {
    const { page } = await h.open('trace=nar', { width: 340, height: 700 });
    await page.click('#tab-logs');
    await page.locator('.logs-row[data-trace-id]').first().waitFor();
    const right = await page
      .locator('.logs-toolbar vscode-button')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    expect(right.length).toBeGreaterThanOrEqual(3);
    for (const r of right) expect(r).toBeLessThanOrEqual(340);
    await page.context().close();
  });

  it('keeps a JSON key on one line and wraps its value instead', async () => {
    const { page } = await h.open('trace=nar', { width: 420, height: 800 });
    await row(page, 'answer_question').click();
    const key = page.locator('.section-input .json-key', { hasText: 'question' });
    await key.waitFor();
    const k = (await key.boundingBox())!;
    const value = (await page
      .locator('.section-input .json-line', { has: page.locator('.json-key', { hasText: 'question' }) })
      .locator('.json-string')
      .boundingBox())!;
    expect(k.height).toBeLessThanOrEqual(20);
    expect(value.height).toBeGreaterThan(20); // the long question wraps
    await page.context().close();
  });
});
