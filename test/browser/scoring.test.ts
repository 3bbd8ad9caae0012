// Scoring in the page: thumbs, the score form, delete; what the page stores reaches the read
// API with source "ui" and is there again after a reload. Averages roll up to parents.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, score, spanEnd, traceEnd, traceStart } from '../support/builders';
import { poll, row, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.c.ingest(
    batch(
      traceStart('sc', { name: 'scored_trace' }),
      spanEnd('parent', 'sc', { name: 'parent_span', start_time: at(1) }),
      spanEnd('kid1', 'sc', { name: 'kid_one', parent_span_id: 'parent', start_time: at(2) }),
      spanEnd('kid2', 'sc', { name: 'kid_two', parent_span_id: 'parent', start_time: at(3) }),
      score('span', 'kid1', 'relevance', 0.9, { reason: 'on topic' }),
      score('span', 'kid2', 'relevance', 0.5),
      traceEnd('sc'),
    ),
  );
});
afterAll(() => h?.close());

async function spanScores(spanId: string) {
  const res = await h.c.get('/api/traces/sc');
  return res.json.spans.find((s: { id: string }) => s.id === spanId).feedback_scores ?? [];
}

describe('scoring in the panel', () => {
  it('shows SDK scores with their source, and their average on the parent and the trace', async () => {
    const { page } = await h.open('trace=sc');
    await row(page, 'kid_one').click();
    const own = page.locator('.section-scores .score-row[data-score="relevance"]');
    await own.waitFor();
    expect(await own.locator('.score-value').textContent()).toBe('0.9');
    expect(await own.locator('.score-source').textContent()).toBe('sdk');
    expect(await own.locator('.score-reason').textContent()).toBe('on topic');
    await row(page, 'parent_span').click();
    await poll(() => page.locator('.section-scores .score-averages').textContent()).toContain('relevance0.72 scores');
    await page.locator('.tree-row.is-trace').click();
    await poll(() => page.locator('.section-scores .score-averages').textContent()).toContain('relevance0.72 scores');
    await page.context().close();
  });

  it('gives a thumbs up that is stored with source ui and is still there after a reload', async () => {
    const { page } = await h.open('trace=sc');
    await row(page, 'kid_two').click();
    await page.locator('.section-scores vscode-button.thumb-up').click();
    await poll(() => spanScores('kid2')).toContainEqual(
      expect.objectContaining({ name: 'user_feedback', value: 1, source: 'ui' }),
    );
    await poll(() => page.locator('.section-scores vscode-button.thumb-up').getAttribute('aria-pressed')).toBe('true');

    await page.reload();
    await page.locator('.tree-row.selected .row-label', { hasText: 'kid_two' }).waitFor();
    await poll(() => page.locator('.section-scores vscode-button.thumb-up').getAttribute('aria-pressed')).toBe('true');
    const mine = page.locator('.section-scores .score-row[data-score="user_feedback"]');
    expect(await mine.locator('.score-source').textContent()).toBe('ui');

    // A second click on the pressed thumb takes it back.
    await page.locator('.section-scores vscode-button.thumb-up').click();
    await poll(() => spanScores('kid2')).not.toContainEqual(expect.objectContaining({ name: 'user_feedback' }));
    await page.context().close();
  });

  it('adds a named score with a reason, changes it, and deletes it', async () => {
    const { page, consoleErrors } = await h.open('trace=sc');
    await row(page, 'kid_one').click();
    await page.locator('.section-scores vscode-button.add-score').click();
    await page.locator('.score-name-field input').fill('helpfulness');
    await page.locator('.score-value-field input').fill('abc');
    await page.locator('vscode-button.save-score').click();
    expect(await page.locator('.form-error').textContent()).toBe('The value must be a number.');
    await page.locator('.score-value-field input').fill('0.75');
    await page.locator('.score-reason-field input').fill('clear answer');
    await page.locator('.score-reason-field input').press('Enter');
    await poll(() => spanScores('kid1')).toContainEqual(
      expect.objectContaining({ name: 'helpfulness', value: 0.75, reason: 'clear answer', source: 'ui' }),
    );
    const added = page.locator('.section-scores .score-row[data-score="helpfulness"]');
    await poll(() => added.locator('.score-value').textContent()).toBe('0.75');
    expect(await page.locator('.score-form').count()).toBe(0);

    await added.hover();
    await added.locator('vscode-button[aria-label="Change helpfulness"]').click();
    expect(await page.locator('.score-value-field input').inputValue()).toBe('0.75');
    await page.locator('.score-value-field input').fill('1');
    await page.locator('vscode-button.save-score').click();
    await poll(() => spanScores('kid1')).toContainEqual(
      expect.objectContaining({ name: 'helpfulness', value: 1, source: 'ui' }),
    );

    await added.hover();
    await added.locator('vscode-button[aria-label="Delete helpfulness"]').click();
    await poll(() => spanScores('kid1')).not.toContainEqual(expect.objectContaining({ name: 'helpfulness' }));
    await poll(() => added.count()).toBe(0);
    // The SDK's score is untouched.
    expect(await spanScores('kid1')).toContainEqual(
      expect.objectContaining({ name: 'relevance', value: 0.9, source: 'sdk' }),
    );
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('scores the trace itself from its row', async () => {
    const { page } = await h.open('trace=sc');
    await page.locator('.tree-row.is-trace').click();
    await page.locator('.section-scores vscode-button.thumb-down').click();
    await poll(async () => (await h.c.get('/api/traces/sc')).json.trace.feedback_scores ?? []).toContainEqual(
      expect.objectContaining({ name: 'user_feedback', value: 0, source: 'ui' }),
    );
    await poll(() => page.locator('.section-scores vscode-button.thumb-down').getAttribute('aria-pressed')).toBe(
      'true',
    );
    await page.context().close();
  });
});
