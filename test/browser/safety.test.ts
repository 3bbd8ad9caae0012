// Span data is untrusted: HTML in any field must show as the text it is, and links are only
// made from checked file paths.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { poll, row, startHarness, type Harness } from './harness';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(1)</script>';
const PY_TRACEBACK = `Traceback (most recent call last):
  File "/home/me/app/agent.py", line 42, in answer
    check(out)
  File "/home/me/my app/guard.py", line 12, in check
    raise ValueError("${IMG}")
  File "<frozen importlib._bootstrap>", line 241, in _call
ValueError: ${SCRIPT}`;
const JS_STACK = `TypeError: boom
    at handler (/srv/app/src/handler.js:17:5)
    at javascript:alert(1):1:1
    at node:internal/main:28:49`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.c.ingest(
    batch(
      traceStart('xss', { name: SCRIPT, input: IMG, tags: [IMG] }),
      spanEnd('x1', 'xss', {
        name: IMG,
        start_time: at(1),
        input: {
          messages: [
            { role: 'user', content: IMG },
            { role: `<b onmouseover=alert(1)>`, content: SCRIPT },
          ],
        },
        output: IMG,
        metadata: { [IMG]: SCRIPT },
        model: SCRIPT,
        error_info: { exception_type: IMG, message: SCRIPT, traceback: PY_TRACEBACK },
      }),
      spanEnd('x2', 'xss', {
        name: 'js_error',
        start_time: at(2),
        error_info: { exception_type: 'TypeError', message: 'boom', traceback: JS_STACK },
        code_location: { file: '/srv/app/src/handler.js', line: 17, function: 'handler' },
      }),
      traceEnd('xss', { output: SCRIPT }),
    ),
  );
});
afterAll(() => h?.close());

describe('untrusted span data', () => {
  it('shows HTML in names, inputs, outputs, metadata, tags and errors as text, and runs none of it', async () => {
    const w = await h.open('trace=xss');
    const { page } = w;
    await row(page, IMG).click();
    await page.locator('.section-error').waitFor();
    // Open every section and node there is.
    for (const branch of await page.locator('.details-pane .json-branch').all()) await branch.click();
    await page.locator('.tree-row.is-trace').click();
    await page.locator('.details-pane .tag').first().waitFor();
    expect(await page.locator('.details-pane .tag').first().textContent()).toBe(IMG);
    await row(page, IMG).click();
    await page.waitForTimeout(300);

    expect(await page.locator('.tree-row.is-trace .row-label').textContent()).toBe(SCRIPT);
    expect(await row(page, IMG).locator('.row-label').textContent()).toBe(IMG);
    expect(await page.locator('.section-output .text-block').textContent()).toBe(IMG);
    expect(await page.locator('.section-input .chat-text').allTextContents()).toEqual([IMG, SCRIPT]);
    expect(await page.locator('.section-input .role-name').nth(1).textContent()).toBe('<b onmouseover=alert(1)>');
    expect(await page.locator('.section-metadata .json-key').first().textContent()).toBe(IMG);
    expect(await page.locator('.section-error .error-type').textContent()).toBe(IMG);
    expect(await page.locator('.section-error .traceback').textContent()).toBe(PY_TRACEBACK);
    expect(await page.locator('.section-usage').textContent()).toContain(SCRIPT);
    await poll(() => page.getByText(IMG, { exact: true }).first().isVisible()).toBe(true);

    // Nothing the data spelled became an element.
    expect(await page.locator('.app img, .app b, .app script').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(1);
    expect(w.dialogs).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('links Python traceback frames to their file and line, and only absolute paths', async () => {
    const { page } = await h.open('trace=xss');
    await row(page, IMG).click();
    const links = page.locator('.section-error .traceback a');
    await links.first().waitFor();
    expect(await links.evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).toEqual([
      ['vscode://file/home/me/app/agent.py:42', '"/home/me/app/agent.py", line 42'],
      ['vscode://file/home/me/my%20app/guard.py:12', '"/home/me/my app/guard.py", line 12'],
    ]);
    await page.context().close();
  });

  it('links JS stack frames with line and column, never a javascript: location, and the span’s own location', async () => {
    const { page } = await h.open('trace=xss');
    await row(page, 'js_error').click();
    const links = page.locator('.section-error .traceback a');
    await links.first().waitFor();
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
      'vscode://file/srv/app/src/handler.js:17:5',
    ]);
    expect(await page.locator('.details-source a').getAttribute('href')).toBe(
      'vscode://file/srv/app/src/handler.js:17',
    );
    expect(await page.locator('.details-source a').textContent()).toBe('handler.js:17');
    const hrefs = await page.evaluate(() =>
      [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
    );
    expect(hrefs.every((href) => href.startsWith('vscode://file/'))).toBe(true);
    await page.context().close();
  });
});
