// From a span back to running code, in a real VS Code (code-server) with the extension
// installed from the .vsix: Save as Test on a Python call writes a pytest file that then passes
// in the terminal; Debug This Call on a Node call stops the JavaScript debugger at the first
// line of the function's body; Replay LLM Call with an edited message goes through the AI proxy
// (to a fake provider on loopback) and shows the diff of the two answers. The Python debugger
// extension (ms-python.debugpy) can not be installed here (no marketplace), so Debug This Call
// is driven on the Node path, and on the Python call it must say that extension is missing
// before it launches anything. Add to Dataset… on the Logs tab's checked traces writes
// .spanscope/datasets/<name>.jsonl, and Open Dataset shows its rows (and its bad line) in the
// Logs tab, a row's source opening its trace. Screenshots under test-results/e2e/replay/.

import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, REPLY, startFakeOpenAI } from '../support/fakeOpenAI';
import { EditorUi } from './editorUi';
import { buildVsix, pythonCommand, REPO_ROOT, startVsCode, type VsCode } from './harness';
import { TracePanel, UI } from './spanscopeUi';
import { Steps } from './steps';
import { waitUntil, Workbench, type Terminal } from './workbench';

const outputDir = join(REPO_ROOT, 'test-results/e2e/replay');

describe('From a span back to running code', () => {
  let vs: VsCode;
  let wb: Workbench;
  let ed: EditorUi;
  let steps: Steps;
  let terminal: Terminal;
  let fake: FakeOpenAI;
  let port: number;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const vsix = await buildVsix();
    vs = await startVsCode({
      workspace: join(REPO_ROOT, 'test/e2e/replayWorkspace'),
      vsix: [vsix],
      outputDir,
      settings: {
        'spanscope.port': 0,
        'spanscope.proxy.upstream': fake.baseURL,
        'editor.codeLens': true,
        // The replay document is typed in whole: no closing brackets or quotes added.
        'editor.autoClosingBrackets': 'never',
        'editor.autoClosingQuotes': 'never',
        'editor.autoIndent': 'none',
        'editor.formatOnType': false,
        'editor.acceptSuggestionOnEnter': 'off',
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
      },
    });
    wb = new Workbench(vs.page);
    ed = new EditorUi(vs.page, wb);
    steps = new Steps(vs.page, wb, outputDir, () => vs.serverLog().slice(-6000));
  });

  afterAll(async () => {
    await vs?.close();
    await fake?.close();
  });

  /** Sends native ingest events to the window's collector, as an SDK would. */
  async function ingest(events: object[]): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${port}/api/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(res.status).toBe(200);
  }

  it('saves a call as a test that passes, debugs a call, replays an LLM call with an edit, and keeps traces as a dataset', async () => {
    await steps.run('the collector starts', async () => {
      const text = await waitUntil(
        'the Spanscope status bar item with the collector port',
        async () =>
          (await vs.page.locator('.statusbar-item[id*="spanscope" i]').allInnerTexts()).find((t) =>
            /:\d{2,5}\b/.test(t),
          ),
        60_000,
      );
      port = Number(/:(\d{2,5})\b/.exec(text)![1]);
    });

    const python = await pythonCommand();
    await steps.run(`run "${python} shop.py" in a new terminal`, async () => {
      terminal = await wb.openTerminal();
      await terminal.run(`${python} shop.py`);
      await terminal.waitForText(/'total': 18\.0/, 60_000);
    });

    await steps.run('Save as Test on the call writes tests/test_total_spanscope.py and opens it', async () => {
      await wb.openViewContainer(UI.container);
      await wb.waitForTreeItem('total');
      await wb.contextMenu('total', 'Save as Test');
      await waitUntil(
        'an editor tab for the saved test',
        async () => (await wb.editorCursors()).some((e) => e.title === 'test_total_spanscope.py'),
        30_000,
      );
    });

    await steps.run('the saved test passes under pytest in the terminal', async () => {
      await wb.runCommand('Terminal: Focus Terminal');
      await terminal.run(`${python} -m pytest -q -p no:cacheprovider tests/test_total_spanscope.py`);
      await terminal.waitForText(/1 passed/, 90_000);
    });

    await steps.run(
      'Debug This Call on the Python call says the Python Debugger extension is missing, and launches nothing',
      async () => {
        await wb.openViewContainer(UI.container);
        await wb.contextMenu('total', 'Debug This Call');
        const message = await waitUntil(
          'a message naming the missing debugger extension',
          async () =>
            (await wb.notifications()).find((n) => /Python Debugger extension \(ms-python\.debugpy\)/.test(n)),
          30_000,
        );
        expect(message).toMatch(
          /^Spanscope can not debug total: debugging Python needs the Python Debugger extension \(ms-python\.debugpy\), which is not installed/,
        );
        // Nothing was launched: no debug session, so no debug toolbar, a moment later either.
        await vs.page.waitForTimeout(1500);
        expect(await vs.page.locator('.debug-toolbar').isVisible()).toBe(false);
        await wb.runCommand('Notifications: Clear All Notifications');
      },
    );

    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await steps.run('Debug This Call on a Node call stops the debugger at the first line of its body', async () => {
      await ingest([
        {
          event: 'trace_end',
          trace: {
            id: 'e2e-node-trace',
            name: 'answer',
            start_time: iso(now - 2000),
            end_time: iso(now - 1000),
            output: '2 words',
          },
        },
        {
          event: 'span_end',
          span: {
            id: 'e2e-node-span',
            trace_id: 'e2e-node-trace',
            name: 'answer',
            type: 'general',
            start_time: iso(now - 2000),
            end_time: iso(now - 1000),
            input: { question: 'hello there' },
            output: '2 words',
            code_location: { file: join(vs.workspace, 'app.mjs'), line: 2, function: 'answer' },
            metadata: { 'spanscope.call': { qualname: 'answer', method: null, names: ['question'], rest: false } },
          },
        },
      ]);
      await wb.waitForTreeItem('answer');
      await wb.contextMenu('answer', 'Debug This Call');
      // Stopped: the editor shows app.mjs at line 3 (the body's first statement), the debug toolbar is up.
      await wb.waitForEditorAt('app.mjs', 3, 90_000);
      await waitUntil('the debug toolbar', async () => vs.page.locator('.debug-toolbar').isVisible(), 30_000);
      await waitUntil(
        'the paused frame in the call stack',
        async () =>
          /answer/.test(
            await vs.page
              .locator('.debug-call-stack, [id="workbench.debug.callStackView"]')
              .first()
              .innerText()
              .catch(() => ''),
          ),
        30_000,
      );
    });

    await steps.run('Continue runs the call to its end', async () => {
      await wb.runCommand('Debug: Continue');
      await waitUntil(
        'the debug session to end',
        async () => !(await vs.page.locator('.debug-toolbar').isVisible()),
        60_000,
      );
    });

    await steps.run(
      'Replay LLM Call opens the request as a document; Run with an edited message shows the diff',
      async () => {
        const messages = [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'How are you?' },
        ];
        await ingest([
          {
            event: 'trace_end',
            trace: { id: 'e2e-llm-trace', name: 'chat', start_time: iso(now - 1500), end_time: iso(now - 500) },
          },
          {
            event: 'span_end',
            span: {
              id: 'e2e-llm-span',
              trace_id: 'e2e-llm-trace',
              name: 'chat',
              type: 'llm',
              model: 'gpt-4o-mini',
              start_time: iso(now - 1500),
              end_time: iso(now - 500),
              input: { messages },
              output: { role: 'assistant', content: 'Je vais bien.' },
              metadata: { temperature: 0.7 },
            },
          },
        ]);
        await wb.openViewContainer(UI.container); // the debugger had the sidebar
        await wb.waitForTreeItem('chat');
        await wb.contextMenu('chat', 'Replay LLM Call');
        const editor = vs.page.locator('#workbench\\.parts\\.editor .monaco-editor').first();
        await waitUntil(
          'the replay document',
          async () => /spanscope_llm_replay/.test(await editor.innerText().catch(() => '')),
          30_000,
        );
        const edited = {
          spanscope_llm_replay: { replay_of: { trace_id: 'e2e-llm-trace', span_id: 'e2e-llm-span' }, cache: 'auto' },
          request: {
            model: 'gpt-4o-mini',
            messages: [messages[0], { role: 'user', content: 'And how is the weather?' }],
            temperature: 0.7,
          },
        };
        await wb.runCommand('Select All');
        await vs.page.keyboard.insertText(JSON.stringify(edited));
        // Whatever the editor closed on its own after the text (a quote, a brace) goes.
        await vs.page.keyboard.press('Control+Shift+End');
        await vs.page.keyboard.press('Delete');
        await waitUntil(
          'the edited document',
          async () => {
            const text = (await editor.innerText()).replace(/[\s\u00a0]+/g, ' ');
            return text.includes('And how is the weather?') && !text.includes('How are you?');
          },
          15_000,
        );
        const run = vs.page
          .locator('#workbench\\.parts\\.editor .codelens-decoration a', {
            hasText: 'Run through the Spanscope AI proxy',
          })
          .first();
        await run.waitFor({ state: 'visible', timeout: 30_000 });
        await run.click();
        await wb.answerInputBox(/API key/i, 'sk-e2e-replay-key');
        const sides = await waitUntil(
          'the diff editor with both answers',
          async () => {
            const s = await ed.diffSides();
            return s?.original.includes('Je vais bien.') && s.modified.includes(REPLY.join('')) ? s : undefined;
          },
          60_000,
        );
        expect(sides.modified).toContain('And how is the weather?');
        expect(sides.original).toContain('How are you?');
        // The edited request reached the provider through the proxy, with the key typed once.
        const sent = fake.requests.at(-1)!;
        expect(sent.body.messages[1].content).toBe('And how is the weather?');
        expect(fake.headers.at(-1)!.authorization).toBe('Bearer sk-e2e-replay-key');
      },
    );

    const datasetFile = () => join(vs.workspace, '.spanscope/datasets/golden.jsonl');
    let panel: TracePanel;
    await steps.run(
      'Add to Dataset… on two checked traces of the Logs tab writes .spanscope/datasets/golden.jsonl',
      async () => {
        await wb.runCommand(UI.commands.openTraces);
        panel = await TracePanel.find(wb);
        const f = panel.frame;
        // The mouse was left over an editor tab, whose title hover would take the click.
        await vs.page.mouse.move(700, 760);
        await vs.page
          .locator('.context-view .hover-contents')
          .waitFor({ state: 'hidden', timeout: 10_000 })
          .catch(() => undefined);
        await f.locator('#tab-logs').click();
        for (const id of ['e2e-node-trace', 'e2e-llm-trace']) {
          const check = f.locator(`.logs-row[data-trace-id="${id}"] .logs-check-cell`);
          await check.waitFor({ state: 'visible', timeout: 30_000 });
          await check.click();
        }
        await waitUntil(
          'two traces selected',
          async () => (await f.locator('.logs-selection-count').textContent()) === '2 selected',
          10_000,
        );
        await f.locator('.logs-add-dataset').click();
        // No dataset yet: the name is asked at once.
        await wb.answerInputBox(/Its rows go to \.spanscope\/datasets/, 'golden');
        await waitUntil(
          'the message saying the rows were added',
          async () =>
            (await wb.notifications()).some((n) => n.includes('Added 2 rows to .spanscope/datasets/golden.jsonl')),
          30_000,
        );
        const rows = readFileSync(datasetFile(), 'utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l));
        // In the order they were checked; a trace without its own input takes its root span's.
        expect(rows.map((r) => r.source_span.trace_id)).toEqual(['e2e-node-trace', 'e2e-llm-trace']);
        expect(rows[0]).toMatchObject({
          input: { question: 'hello there' },
          expected: '2 words',
          source_span: { span_id: 'e2e-node-span', name: 'answer' },
        });
        expect(rows[1].input).toEqual({
          messages: [
            { role: 'system', content: 'Answer in French.' },
            { role: 'user', content: 'How are you?' },
          ],
        });
        await wb.runCommand('Notifications: Clear All Notifications');
      },
    );

    await steps.run(
      'Spanscope: Open Dataset shows its rows in the Logs tab, the bad line reported; a source opens its trace',
      async () => {
        appendFileSync(datasetFile(), '{"input": "a line cut short\n');
        await wb.runCommand('Spanscope: Open Dataset');
        await wb.pickQuickItem('golden');
        const f = panel.frame;
        const firstInput = f.locator('.dataset-row[data-index="0"] [data-column="input"]');
        await waitUntil(
          'the dataset rows in the Logs tab',
          async () => (await firstInput.textContent().catch(() => '')) === '{"question":"hello there"}',
          30_000,
        );
        expect(await f.locator('.dataset-title').textContent()).toBe('golden');
        expect(await f.locator('.dataset-count').textContent()).toBe('2 rows');
        expect(await f.locator('.dataset-row[data-index="0"] [data-column="expected"]').textContent()).toBe('2 words');
        expect(await f.locator('.dataset-problem').allTextContents()).toEqual([
          expect.stringMatching(/^Line 3: not JSON/),
        ]);
        await f.locator('.dataset-row[data-index="0"] .dataset-source').click();
        await waitUntil(
          'the source trace in the Trace tab',
          async () => (await f.locator('#tab-traces').getAttribute('aria-selected')) === 'true',
          15_000,
        );
        await waitUntil('its span selected', async () => (await panel.detailsTitle()) === 'answer', 15_000);
      },
    );
  }, 480_000); // more steps than the suite's 4-minute default allows on 2 shared cores
});
