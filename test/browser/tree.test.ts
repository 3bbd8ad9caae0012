// The span tree and details in a real browser against a real collector.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { poll, rowLabels, row, startHarness, type Harness } from './harness';

let h: Harness;

// trace "chain": root ─ retrieve ─ embed
//                     └ llm_call (chat input, assistant output)
const CHAT_INPUT = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Where is Paris?' },
  ],
};
const CHAT_OUTPUT = {
  choices: [
    {
      message: {
        role: 'assistant',
        content: 'In France.',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup_city', arguments: '{"city":"Paris"}' } }],
      },
    },
  ],
};

beforeAll(async () => {
  h = await startHarness();
  const res = await h.c.ingest(
    batch(
      traceStart('chain', { name: 'chain_trace', input: { question: 'Where is Paris?' } }),
      spanEnd('root', 'chain', {
        name: 'root',
        type: 'general',
        start_time: at(1),
        input: { q: 'Where is Paris?' },
        output: 'In France.',
      }),
      spanEnd('retrieve', 'chain', {
        name: 'retrieve',
        type: 'tool',
        parent_span_id: 'root',
        start_time: at(2),
        end_time: at(100),
        input: { query: 'Paris' },
        output: ['doc one', 'doc two'],
      }),
      spanEnd('embed', 'chain', {
        name: 'embed',
        type: 'general',
        parent_span_id: 'retrieve',
        start_time: at(3),
        end_time: at(50),
      }),
      spanEnd('llm_call', 'chain', {
        name: 'llm_call',
        type: 'llm',
        model: 'gpt-4o',
        parent_span_id: 'root',
        start_time: at(110),
        end_time: at(800),
        input: CHAT_INPUT,
        output: CHAT_OUTPUT,
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
        time_to_first_token_ms: 345,
      }),
      traceEnd('chain'),
    ),
  );
  expect(res.status).toBe(200);
});
afterAll(() => h?.close());

describe('the span tree', () => {
  it("marks the first token on a streamed span's bar and shows its TTFT and the collector's cost estimate in the details", async () => {
    const { page } = await h.open('trace=chain');
    await row(page, 'llm_call').click();
    expect(await row(page, 'llm_call').locator('.first-token').isVisible()).toBe(true);
    // 345 ms into a 690 ms span: half-way along its bar.
    expect(
      await row(page, 'llm_call')
        .locator('.first-token')
        .evaluate((e) => (e as HTMLElement).style.left),
    ).toBe('50%');
    expect(await row(page, 'retrieve').locator('.first-token').isVisible()).toBe(false);
    const facts = await page.locator('dl.facts').allInnerTexts();
    expect(facts.join('\n')).toMatch(/time to first token\s+345 ms/);
    expect(facts.join('\n')).toMatch(/estimated cost/);
    await page.context().close();
  });

  it('opens the trace from ?trace= with the trace row on top and every span expanded', async () => {
    const { page, consoleErrors, pageErrors } = await h.open('trace=chain');
    await row(page, 'embed').waitFor();
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'retrieve', 'embed', 'llm_call']);
    // The page preloads the trace while its script loads, and fetches it only that once.
    const fetched = await page.evaluate(
      () => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('/api/traces/chain')).length,
    );
    expect(fetched).toBe(1);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('comes back on the selected span, not the trace, when the page is reloaded', async () => {
    const { page } = await h.open('trace=chain');
    await row(page, 'retrieve').locator('.twistie').click();
    await row(page, 'llm_call').click();
    await poll(() => page.locator('.details-title h2').textContent()).toBe('llm_call');
    await page.reload();
    await poll(() => page.locator('.details-title h2').textContent()).toBe('llm_call');
    expect(await page.locator('.tree-row.selected .row-label').textContent()).toBe('llm_call');
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'retrieve', 'llm_call']);
    expect(new URL(page.url()).searchParams.get('span')).toBe('llm_call');
    await page.context().close();
  });

  it('keeps every selection at once but rewrites its address at most every 200 ms during key repeat', async () => {
    const { page } = await h.open('trace=chain');
    await row(page, 'embed').waitFor();
    await row(page, 'chain_trace').click();
    await page.evaluate(() => {
      const w = window as unknown as { rewrites: number };
      w.rewrites = 0;
      const replace = history.replaceState.bind(history);
      history.replaceState = (...args: Parameters<History['replaceState']>) => (w.rewrites++, replace(...args));
    });
    // 20 selections in one task, as fast as key repeat can go: down to llm_call, then up and down.
    await page.evaluate(() => {
      const press = (key: string) =>
        document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      for (let i = 0; i < 4; i++) press('ArrowDown');
      for (let i = 0; i < 8; i++) press('ArrowUp'), press('ArrowDown');
    });
    // Saved in the same task as the key: a reload now comes back on it.
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('spanscope.ui')!).selectedKey)).toBe('llm_call');
    await poll(() => new URL(page.url()).searchParams.get('span')).toBe('llm_call');
    await page.waitForTimeout(400);
    // At most one rewrite at once and one when the throttle's time is up, not one per key.
    expect(await page.evaluate(() => (window as unknown as { rewrites: number }).rewrites)).toBeLessThanOrEqual(2);
    await page.context().close();
  });

  it('collapses and expands a span with its twistie and with the arrow keys', async () => {
    const { page } = await h.open('trace=chain');
    await row(page, 'embed').waitFor();
    await row(page, 'retrieve').locator('.twistie').click();
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'retrieve', 'llm_call']);
    expect(await row(page, 'retrieve').getAttribute('aria-expanded')).toBe('false');
    await row(page, 'retrieve').locator('.twistie').click();
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'retrieve', 'embed', 'llm_call']);

    // Keyboard: the selected row is "retrieve" (the twistie click selected it).
    await page.keyboard.press('ArrowLeft');
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'retrieve', 'llm_call']);
    await page.keyboard.press('ArrowLeft');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('root');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'retrieve', 'embed', 'llm_call']);
    await page.keyboard.press('ArrowRight');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('embed');
    await page.keyboard.press('End');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('llm_call');
    await page.keyboard.press('Home');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('chain_trace');
    await page.context().close();
  });

  it('shows a selected span’s input and output, chat messages by role and tool calls by name', async () => {
    const { page } = await h.open('trace=chain');
    await row(page, 'retrieve').click();
    const input = page.locator('.section-input .section-body');
    const output = page.locator('.section-output .section-body');
    await poll(() => input.textContent()).toContain('"Paris"');
    expect(await output.textContent()).toContain('"doc one"');
    expect(await output.textContent()).toContain('"doc two"');

    await row(page, 'llm_call').click();
    await poll(() => page.locator('.section-input .chat-message').count()).toBe(2);
    expect(await page.locator('.section-input .role-name').allTextContents()).toEqual(['system', 'user']);
    expect(await page.locator('.section-input .chat-text').allTextContents()).toEqual(['Be brief.', 'Where is Paris?']);
    expect(await page.locator('.section-output .role-name').allTextContents()).toEqual(['assistant']);
    expect(await page.locator('.section-output .chat-text').textContent()).toBe('In France.');
    expect(await page.locator('.section-output .tool-name').textContent()).toBe('lookup_city');
    expect(await page.locator('.section-output .tool-call').textContent()).toContain('"Paris"');
    expect(await page.locator('.details-title h2').textContent()).toBe('llm_call');
    expect(await page.locator('.section-usage').textContent()).toContain('15');
    await page.context().close();
  });

  it('finds spans by name, steps through matches and filters the tree to them', async () => {
    const { page } = await h.open('trace=chain');
    await row(page, 'embed').waitFor();
    await page.locator('.search-field input').fill('e');
    await poll(() => page.locator('.search-count').textContent()).toMatch(/of \d+/);
    await page.locator('.search-field input').fill('retr');
    await poll(() => page.locator('.search-count').textContent()).toBe('1 of 1');
    expect(await page.locator('.tree-row.selected .row-label').textContent()).toBe('retrieve');
    expect(await page.locator('.tree-row.selected mark').textContent()).toBe('retr');
    await page.locator('.search-field input').fill('call');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('llm_call');
    await page.locator('vscode-button[aria-label="Show only matching spans"]').click();
    expect(await rowLabels(page)).toEqual(['chain_trace', 'root', 'llm_call']);
    await page.locator('vscode-button[aria-label="Show only matching spans"]').click();
    expect(await rowLabels(page)).toHaveLength(5);
    await page.context().close();
  });

  it('switches traces from the list, newest first', async () => {
    await h.c.ingest(
      batch(
        traceStart('later', { name: 'later_trace', start_time: at(5000) }),
        spanEnd('only', 'later', { name: 'only_span', start_time: at(5001) }),
        traceEnd('later', { end_time: at(6000) }),
      ),
    );
    const { page } = await h.open('trace=chain');
    await row(page, 'embed').waitFor();
    expect(await page.locator('.trace-row .trace-name').allTextContents()).toEqual(['later_trace', 'chain_trace']);
    await page.locator('.trace-row', { hasText: 'later_trace' }).click();
    await row(page, 'only_span').waitFor();
    await poll(() => new URL(page.url()).searchParams.get('trace')).toBe('later');
    await page.context().close();
  });
});
