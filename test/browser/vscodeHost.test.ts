// The panel as it runs inside VS Code: the real bundle in Chromium, talking over its VS Code
// transport to the extension's real PanelSession (src/extension/panel) on a real store. Only
// the channel between them is a stand-in: no VS Code can run here, so `acquireVsCodeApi` is
// defined by the test, and its postMessage is carried by Playwright both ways. The HTML is
// the one webviewHtml() gives the VS Code panel, with its CSP.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PanelSession, type HostActions } from '../../src/extension/panel/panelSession';
import { Ready, type ParamsOf, type OpenSource, type WireMessage } from '../../src/shared/protocol';
import { createNonce, webviewHtml } from '../../src/shared/webviewHtml';
import { at, batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';
import { poll, row, startHarness, type Harness } from './harness';

const ORIGIN = 'http://webview.test';
const DIST = resolve(__dirname, '../../media/dist');
const TRACEBACK =
  'Traceback (most recent call last):\n  File "/work/app/main.py", line 7, in run\n    go()\nRuntimeError: nope';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.c.ingest(
    batch(
      traceStart('vt', { name: 'vscode_trace' }),
      spanEnd('located', 'vt', {
        name: 'located_span',
        start_time: at(1),
        code_location: { file: '/work/app/main.py', line: 7, function: 'run' },
        error_info: { exception_type: 'RuntimeError', message: 'nope', traceback: TRACEBACK },
      }),
      spanEnd('unlocated', 'vt', { name: 'from_opik', start_time: at(2) }),
      traceEnd('vt'),
    ),
  );
  // A trace taller than the panel: 60 steps, step_5 with a child.
  const steps = [
    traceStart('long', { name: 'long_trace' }),
    spanEnd('long-root', 'long', { name: 'long_root', start_time: at(1), end_time: at(1000) }),
  ];
  for (let i = 0; i < 60; i++)
    steps.push(
      spanEnd(`long-${i}`, 'long', {
        name: `step_${i}`,
        parent_span_id: 'long-root',
        start_time: at(2 + i * 10),
        end_time: at(8 + i * 10),
      }),
    );
  steps.push(
    spanEnd('long-5-kid', 'long', { name: 'detail_5', parent_span_id: 'long-5', start_time: at(53), end_time: at(54) }),
  );
  await h.c.ingest(batch(...steps, traceEnd('long')));
});
afterAll(() => h?.close());

interface Host {
  page: Page;
  session: PanelSession;
  opened: ParamsOf<typeof OpenSource>[];
  symbols: string[];
  consoleErrors: string[];
}

const open: Host[] = [];
afterEach(async () => {
  for (const host of open.splice(0)) {
    host.session.dispose();
    await host.page.context().close();
  }
});

/**
 * `slowReady`: the host answers the page's Ready this many ms late (a busy extension host after
 * a window reload); read at each Ready. `actions`: more host actions (datasets).
 */
async function openPanel(
  show?: { traceId: string; spanId?: string },
  o: { slowReady?: number; actions?: Partial<HostActions> } = {},
): Promise<Host> {
  const context = await h.browser.newContext({ viewport: { width: 1400, height: 800 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const opened: ParamsOf<typeof OpenSource>[] = [];
  const symbols: string[] = [];
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const actions: HostActions = {
    openSource: async (loc) => void opened.push(loc),
    findSymbol: async (name) => (symbols.push(name), false),
    copyText: async () => undefined,
    ...o.actions,
  };
  // Host → page in order, one postMessage each, as VS Code delivers them.
  let chain = Promise.resolve();
  const post = (m: WireMessage) => {
    chain = chain.then(() => page.evaluate((msg) => window.postMessage(msg, '*'), m as never)).catch(() => undefined);
  };
  const session = new PanelSession({
    store: h.c.store,
    post,
    actions,
    info: () => ({
      host: 'vscode',
      version: 'test',
      scoreDefinitions: [
        { name: 'quality', min: 0, max: 1 },
        { name: 'tone', categories: { good: 1, bad: 0 } },
      ],
    }),
  });
  if (show) session.showTrace(show.traceId, show.spanId);
  await page.exposeFunction('__toHost', (m: unknown) => {
    const ready = (m as { method?: string }).method === Ready.method;
    if (ready && o.slowReady) setTimeout(() => void session.receive(m), o.slowReady);
    else void session.receive(m);
  });
  await page.addInitScript(() => {
    (window as any).acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => (window as any).__toHost(m),
      getState: () => JSON.parse(sessionStorage.getItem('vscode-state') ?? 'null'),
      setState: (s: unknown) => sessionStorage.setItem('vscode-state', JSON.stringify(s)),
    });
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') {
      const nonce = createNonce();
      const body = webviewHtml({
        host: 'vscode',
        scriptUri: `${ORIGIN}/dist/webview.js`,
        styleUri: `${ORIGIN}/dist/webview.css`,
        cspSource: ORIGIN,
        nonce,
      });
      return route.fulfill({ status: 200, contentType: 'text/html', body });
    }
    const name = path.replace(/^\/dist\//, '');
    const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'font/ttf';
    return route.fulfill({ status: 200, contentType: type, body: readFileSync(join(DIST, name)) });
  });
  await page.goto(`${ORIGIN}/`);
  const host = { page, session, opened, symbols, consoleErrors };
  open.push(host);
  return host;
}

describe('the panel inside VS Code (real PanelSession, stand-in postMessage)', () => {
  it('opens the trace the host names in its Ready reply, and takes live changes', async () => {
    const { page, session, consoleErrors } = await openPanel({ traceId: 'vt', spanId: 'unlocated' });
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('from_opik');
    await h.c.ingest(batch(spanEnd('late', 'vt', { name: 'late_span', start_time: at(3), end_time: at(4) })));
    await row(page, 'late_span').waitFor();
    // The sidebar asks for another span of it.
    session.showTrace('vt', 'located');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('located_span');
    await poll(() => page.locator('.details-title h2').textContent()).toBe('located_span');
    expect(consoleErrors).toEqual([]);
  });

  it('opens sources through the host: the span’s location, a traceback frame, and a symbol search', async () => {
    const host = await openPanel({ traceId: 'vt' });
    const { page } = host;
    await row(page, 'located_span').dblclick();
    await poll(() => host.opened).toEqual([{ file: '/work/app/main.py', line: 7, function: 'run' }]);
    await row(page, 'located_span').click();
    const frame = page.locator('.section-error .traceback .source-link');
    expect(await frame.getAttribute('href')).toBeNull();
    await frame.click();
    await poll(() => host.opened.length).toBe(2);
    expect(host.opened[1]).toMatchObject({ file: '/work/app/main.py', line: 7 });
    await row(page, 'from_opik').click();
    await page.locator('.details-source vscode-button').click();
    await poll(() => host.symbols).toEqual(['from_opik']);
    await page.getByText('No function named “from_opik” in the workspace.').waitFor();
  });

  it('scores with the configured names and categories, stored with source ui', async () => {
    const { page, consoleErrors } = await openPanel({ traceId: 'vt', spanId: 'located' });
    await page.locator('.section-scores vscode-button.add-score').click();
    const name = page.locator('.score-name-choice');
    await name.click();
    await page.locator('.score-name-choice vscode-option', { hasText: 'tone' }).click();
    await page.locator('.value-slot vscode-dropdown').click();
    await page.locator('.value-slot vscode-option', { hasText: 'bad' }).click();
    await page.locator('vscode-button.save-score').click();
    await poll(
      async () => (await h.c.store.getTrace('vt'))!.spans.find((s) => s.id === 'located')!.feedback_scores ?? [],
    ).toContainEqual(expect.objectContaining({ name: 'tone', value: 0, category_name: 'bad', source: 'ui' }));
    // A number outside the configured range is refused in the form.
    await page.locator('.section-scores vscode-button.add-score').click();
    await page.locator('.score-value-field input').fill('3');
    await page.locator('vscode-button.save-score').click();
    expect(await page.locator('.form-error').textContent()).toBe('quality goes from 0 to 1.');
    expect(consoleErrors).toEqual([]);
  });

  it('comes back after a reload on the span that was selected, with collapsed rows and scroll as they were', async () => {
    const { page, session } = await openPanel({ traceId: 'long' });
    await row(page, 'step_5').locator('.twistie').click();
    await page.locator('.tree-viewport').evaluate((vp) => (vp.scrollTop = 600));
    await row(page, 'step_40').click();
    // VS Code keeps a webview's state as the page last set it, and saves it before the page
    // unloads on a window reload: so the selection must be set at once, not a moment later.
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('vscode-state')!).selectedKey)).toBe('long-40');
    await page.waitForTimeout(300); // the scroll is saved a moment after it stops
    const scrollTop = await page.locator('.tree-viewport').evaluate((vp) => vp.scrollTop);
    session.pageGone();
    await page.reload();
    await poll(() => page.locator('.details-title h2').textContent()).toBe('step_40');
    expect(await page.locator('.tree-row.selected .row-label').textContent()).toBe('step_40');
    expect(await page.locator('.tree-viewport').evaluate((vp) => vp.scrollTop)).toBe(scrollTop);
    await page.locator('.tree-viewport').evaluate((vp) => (vp.scrollTop = 0));
    expect(await row(page, 'step_5').getAttribute('aria-expanded')).toBe('false');
    expect(await row(page, 'detail_5').count()).toBe(0);
  });

  it('comes back on the selected span and its scroll when the host is slow to answer after the reload', async () => {
    const host = { slowReady: 0 };
    const { page, session } = await openPanel({ traceId: 'long' }, host);
    await page.locator('.tree-viewport').evaluate((vp) => (vp.scrollTop = 600));
    await row(page, 'step_40').click();
    await page.waitForTimeout(300); // the scroll is saved a moment after it stops
    const scrollTop = await page.locator('.tree-viewport').evaluate((vp) => vp.scrollTop);
    host.slowReady = 600;
    session.pageGone();
    await page.reload();
    // The page saves its state on its own while it waits for Ready (the name column's width,
    // set from the state, counts as a change): that save must not replace the selection and
    // scroll it is about to restore with those of an empty tree.
    await poll(() => page.locator('.details-title h2').textContent()).toBe('step_40');
    expect(await page.locator('.tree-row.selected .row-label').textContent()).toBe('step_40');
    expect(await page.locator('.tree-viewport').evaluate((vp) => vp.scrollTop)).toBe(scrollTop);
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('vscode-state')!).selectedKey)).toBe('long-40');
  });

  it('keeps the open trace, selection and collapsed rows across a reload of the webview', async () => {
    const { page, session } = await openPanel({ traceId: 'vt' });
    await row(page, 'from_opik').click();
    await page.locator('.tree-row.is-trace .twistie').click();
    await page.waitForTimeout(300); // the state is saved a moment after the last change
    session.pageGone();
    await page.reload();
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('vscode_trace');
    // The twistie click selected the trace row and collapsed it: so it is after the reload.
    expect(await page.locator('.tree-row').count()).toBe(1);
  });
});

describe('datasets in the Logs tab (real PanelSession, stand-in postMessage)', () => {
  const HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">';

  it("adds the Logs tab's checked traces to a dataset through the host", async () => {
    const asked: string[][] = [];
    const { page, consoleErrors } = await openPanel(undefined, {
      actions: { addTracesToDataset: async (ids) => void asked.push(ids) },
    });
    await page.locator('#tab-logs').click();
    await page.locator('.logs-row[data-trace-id="vt"] .logs-check-cell').click();
    await page.locator('.logs-row[data-trace-id="long"] .logs-check-cell').click();
    await poll(() => page.locator('.logs-selection-count').textContent()).toBe('2 selected');
    await page.locator('.logs-add-dataset').click();
    await poll(() => asked).toEqual([['vt', 'long']]);
    expect(consoleErrors).toEqual([]);
  });

  it('shows a dataset file: rows as text, bad lines by number, a source link that opens the stored trace', async () => {
    const dir = join(tempDir(), '.spanscope', 'datasets');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'golden.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          input: { question: HOSTILE },
          expected: 'an answer',
          metadata: { model: 'm1' },
          source_span: { trace_id: 'vt', span_id: 'located', name: 'vscode_trace' },
        }),
        '{"input": broken',
        JSON.stringify({
          input: 'from a deleted trace',
          expected: null,
          metadata: {},
          source_span: { trace_id: 'deleted', span_id: 'x', name: 'old_run' },
        }),
        '',
      ].join('\n'),
    );
    const read: string[] = [];
    const actions: Partial<HostActions> = {
      readDataset: async (uri) => (read.push(uri), { name: 'golden', text: readFileSync(uri, 'utf8') }),
    };
    const { page, session, consoleErrors } = await openPanel({ traceId: 'long' }, { actions });
    session.showDataset(file);
    await poll(() => page.locator('#tab-logs').getAttribute('aria-selected')).toBe('true');
    await poll(() => page.locator('.dataset-row[data-index="1"] [data-column="input"]').textContent()).toBe(
      'from a deleted trace',
    );
    expect(await page.locator('.dataset-title').textContent()).toBe('golden');
    expect(await page.locator('.dataset-count').textContent()).toBe('2 rows');
    expect(await page.locator('.dataset-problem').allTextContents()).toEqual([
      expect.stringMatching(/^Line 2: not JSON \(/),
    ]);
    const first = page.locator('.dataset-row[data-index="0"]');
    expect(await first.locator('[data-column="line"]').textContent()).toBe('1');
    expect(await first.locator('[data-column="input"]').textContent()).toBe(JSON.stringify({ question: HOSTILE }));
    expect(await first.locator('[data-column="expected"]').textContent()).toBe('an answer');
    expect(await first.locator('[data-column="metadata"]').textContent()).toBe('{"model":"m1"}');
    // The deleted trace's source is named, not linked.
    expect(await page.locator('.dataset-row[data-index="1"] [data-column="source"]').textContent()).toBe(
      'old_run (not stored)',
    );
    expect(await page.locator('.dataset-row[data-index="1"] .dataset-source').count()).toBe(0);
    // The whole row below the table, still as text.
    await first.locator('[data-column="expected"]').click();
    await poll(() => page.locator('.dataset-detail-value').first().textContent()).toBe(
      JSON.stringify({ question: HOSTILE }, null, 2),
    );
    // The keyboard moves the picked row.
    await page.keyboard.press('ArrowDown');
    await poll(() => page.locator('.dataset-detail-value').first().textContent()).toBe('from a deleted trace');
    expect(await page.locator('.dataset-row.selected [data-column="line"]').textContent()).toBe('3');
    expect(await page.locator('.dataset-detail-title').textContent()).toBe('Line 3');
    await page.keyboard.press('Home');
    await poll(() => page.locator('.dataset-detail-title').textContent()).toBe('Line 1');
    expect(await page.locator('.dataset-view img').count()).toBe(0);
    expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();

    // After a reload of the webview the dataset is still what the Logs tab shows.
    session.pageGone();
    await page.reload();
    await poll(() => page.locator('.dataset-row[data-index="0"] [data-column="expected"]').textContent()).toBe(
      'an answer',
    );
    expect(read.length).toBeGreaterThanOrEqual(2);
    expect(new Set(read)).toEqual(new Set([file]));

    await page.locator('.dataset-row[data-index="0"] .dataset-source').click();
    await poll(() => page.locator('#tab-traces').getAttribute('aria-selected')).toBe('true');
    await poll(() => page.locator('.tree-row.selected .row-label').textContent()).toBe('located_span');

    // Back to the traces: the Logs tab shows the table again, and keeps doing so after a reload.
    await page.locator('#tab-logs').click();
    await page.locator('.dataset-close').click();
    await page.locator('.logs-row[data-trace-id="vt"]').waitFor();
    expect(await page.locator('.dataset-view').isHidden()).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
