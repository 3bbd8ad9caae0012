// The three things a Spanscope user does, in a real VS Code (code-server) with the extension
// installed from the .vsix that `npm run package` builds, driven by Chromium as a person
// would: watch a trace arrive live, jump from a span to its source, score spans from the
// sidebar. Each step saves a screenshot under test-results/e2e/flows/; a failing step says
// which one and what was on the screen.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVsix, pythonCommand, REPO_ROOT, startVsCode, type VsCode } from './harness';
import { defLines, lineOf, TracePanel, UI } from './spanscopeUi';
import { Steps } from './steps';
import { waitUntil, Workbench, type Terminal, type TreeRow } from './workbench';

const outputDir = join(REPO_ROOT, 'test-results/e2e/flows');
const CHILDREN = ['retrieve_context', 'generate_response', 'lookup_citation'];
const PROJECT = 'Default Project';

describe('Spanscope in a real VS Code', () => {
  let vs: VsCode;
  let wb: Workbench;
  let steps: Steps;
  let panel: TracePanel;
  let terminal: Terminal;
  let source: string;
  /** Set once flow 1 has produced the trace that flows 2 and 3 work on. */
  let traceReady = false;
  const needTrace = () => {
    if (!traceReady)
      throw new Error(
        'this flow needs the llm_chain trace from "watch traces", which did not complete (see its failure)',
      );
  };

  beforeAll(async () => {
    const started = Date.now();
    const vsix = await buildVsix();
    log(`.vsix built in ${seconds(started)} (${vsix})`);
    const launched = Date.now();
    vs = await startVsCode({
      workspace: join(REPO_ROOT, 'test/e2e/workspace'),
      vsix: [vsix],
      outputDir,
      settings: {
        // Tests never take a fixed port: the collector asks the OS for a free one.
        'spanscope.port': 0,
        // A numeric score with a range, so "Score…" asks for a value the test can type.
        'spanscope.scores': [{ name: 'relevance', min: 0, max: 1 }],
      },
    });
    log(`VS Code with the extension up in ${seconds(launched)} (${vs.url})`);
    wb = new Workbench(vs.page);
    steps = new Steps(vs.page, wb, outputDir, () => vs.serverLog().slice(-6000));
    source = readFileSync(join(vs.workspace, 'app.py'), 'utf8');
  });

  afterAll(async () => {
    await vs?.close();
  });

  it('watch traces: python app.py in the terminal shows a live, nested trace in the sidebar and the panel', async () => {
    await steps.run('the extension starts with the window', async () => {
      // Nothing touched yet: the collector must start on its own, so that a terminal opened
      // before the view is ever shown already has the environment pointing at it.
      await waitForCollector(vs);
    });

    await steps.run('open the Spanscope view', async () => {
      await wb.openViewContainer(UI.container);
    });

    await steps.run('open the trace panel', async () => {
      await wb.runCommand(UI.commands.openTraces);
      panel = await TracePanel.find(wb);
    });

    const python = await pythonCommand();
    await steps.run(`run "${python} app.py" in a new terminal`, async () => {
      terminal = await wb.openTerminal();
      await terminal.run(`${python} app.py`);
      // In a terminal the chain waits for Enter before it ends, so the trace stays running for
      // as long as the checks below take, however slow the machine.
      await terminal.waitForText(/press Enter to finish/, 60_000);
    });

    await steps.run('the trace appears in the sidebar while it runs', async () => {
      await revealSpans(wb);
      await waitUntil(
        'llm_chain shown as running in the sidebar',
        async () => (await wb.treeRows()).some((r) => r.label === 'llm_chain' && isRunningRow(r)),
        30_000,
      );
    });

    await steps.run('the trace appears in the panel while it runs, nested', async () => {
      await waitUntil(
        'llm_chain shown as running in the panel, with the three steps under it',
        async () => {
          const rows = await panel.rows();
          return (
            rows.some((r) => r.label === 'llm_chain' && r.running) &&
            CHILDREN.every((c) => parentOf(rows, c) === 'llm_chain')
          );
        },
        30_000,
      ).catch(async (e: Error) => {
        throw new Error(`${e.message}; the panel shows ${JSON.stringify(await panel.rows())}`);
      });
    });

    await steps.run('the script ends and the trace turns finished', async () => {
      await terminal.press('Enter');
      await terminal.waitForText(/'answer':/, 60_000);
      await waitUntil(
        'llm_chain to show as finished in the sidebar',
        async () => {
          const rows = await wb.treeRows();
          const chain = rows.filter((r) => r.label === 'llm_chain');
          return chain.length > 0 && chain.every((r) => !isRunningRow(r));
        },
        30_000,
      );
      await waitUntil(
        'llm_chain to show as finished in the panel',
        async () => {
          const rows = await panel.rows();
          return rows.some((r) => r.label === 'llm_chain') && rows.every((r) => !r.running);
        },
        30_000,
      );
      traceReady = true;
    });

    await steps.run('the sidebar shows the spans nested as the calls were', async () => {
      await revealSpans(wb);
      const rows = await wb.treeRows();
      for (const child of CHILDREN)
        expect(parentOf(rows, child), `parent of ${child} in the sidebar`).toBe('llm_chain');
      expect(parentOf(rows, 'llm_chain'), 'the trace is listed under its project').toMatch(
        new RegExp(`^(${PROJECT}|llm_chain)$`),
      );
      const llm = rows.find((r) => r.label === 'generate_response')!;
      expect(llm.description, 'the LLM span shows its tokens').toMatch(/\b59\b/);
      const failed = rows.find((r) => r.label === 'lookup_citation')!;
      expect(failed.icons, 'the failed span shows an error icon').toContain('codicon-error');
    });

    await steps.run('the panel shows the same nesting, the error and the LLM call', async () => {
      const rows = await panel.rows();
      for (const child of CHILDREN) expect(parentOf(rows, child), `parent of ${child} in the panel`).toBe('llm_chain');
      expect(rows.find((r) => r.label === 'lookup_citation')?.error, 'lookup_citation is marked as an error').toBe(
        true,
      );
      await panel.select('generate_response');
      const details = await panel.detailsText();
      expect(details).toContain('gpt-4o-mini');
      expect(details).toMatch(/\b59\b/);
    });
  });

  it('jump to source: from a panel span, the sidebar and a traceback frame', async () => {
    needTrace();
    const defs = defLines(source);

    await steps.run('click a span in the panel: the editor opens its def line', async () => {
      await panel.select('generate_response');
      await panel.openSourceLink(/app\.py/, 'app.py', defs.generate_response);
    });

    await steps.run('Go to Source from the sidebar opens the def line', async () => {
      await revealSpans(wb);
      await wb.contextMenu('retrieve_context', UI.actions.goToSource);
      await wb.waitForEditorAt('app.py', defs.retrieve_context);
    });

    await steps.run('a traceback frame of the error span opens the line that raised', async () => {
      const raised = lineOf(source, 'return DOCUMENTS[source]');
      await panel.select('lookup_citation');
      expect(await panel.detailsText()).toContain('KeyError');
      await panel.openSourceLink(new RegExp(`(:|line )${raised}\\b`), 'app.py', raised);
    });

    await steps.run('jumps again and again reuse the editor beside the panel: two groups, never more', async () => {
      for (const span of ['retrieve_context', 'generate_response', 'retrieve_context']) {
        await panel.select(span);
        await panel.openSourceLink(/app\.py/, 'app.py', defs[span]);
      }
      const groups = await wb.editorGroups();
      expect(groups, `editor groups: ${JSON.stringify(groups)}`).toHaveLength(2);
      expect(
        groups.filter((tabs) => tabs.includes('app.py')),
        'app.py is open in one group only',
      ).toHaveLength(1);
      expect(
        groups.some((tabs) => tabs.includes('Spanscope Traces')),
        'the panel keeps its own group',
      ).toBe(true);
    });
  });

  it('score from the sidebar: thumbs up and a numeric score with a reason, kept across a reload', async () => {
    needTrace();
    await steps.run('thumbs up a span with the inline action', async () => {
      await revealSpans(wb);
      await wb.clickInlineAction('retrieve_context', UI.actions.thumbsUp);
      await waitForDescription(wb, 'retrieve_context', UI.thumbsBadge);
    });

    await steps.run('score another span with a value and a reason', async () => {
      await wb.clickInlineAction('generate_response', UI.actions.score, {
        what: 'the Score… quick pick',
        done: () => wb.quickInputShowing(),
      });
      await wb.pickQuickItem('relevance');
      await wb.answerInputBox(/A number/, '0.8');
      await wb.answerInputBox(/Reason/, 'cites the right document');
      await wb.waitForQuickInputClosed();
      await waitForDescription(wb, 'generate_response', 'relevance 0.8');
    });

    await steps.run('the panel shows both scores', async () => {
      await expectPanelScores(panel);
    });

    await steps.run('reload the window', async () => {
      const reloaded = vs.page.waitForEvent('framenavigated', {
        predicate: (f) => f === vs.page.mainFrame(),
        timeout: 60_000,
      });
      await wb.runCommand('Developer: Reload Window');
      await reloaded;
      await vs.page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
      await waitForCollector(vs);
    });

    await steps.run('after the reload the sidebar still shows the scores', async () => {
      await wb.openViewContainer(UI.container);
      await revealSpans(wb, 60_000);
      await waitForDescription(wb, 'retrieve_context', UI.thumbsBadge);
      await waitForDescription(wb, 'generate_response', 'relevance 0.8');
    });

    await steps.run('after the reload the panel still shows the scores', async () => {
      // The panel comes back by itself (serializer); if it did not, the user reopens it.
      const cameBack = await panel.refind(20_000).then(
        () => (log('    (the panel came back by itself after the reload)'), true),
        async () => {
          log('    (the panel did not come back after the reload; reopened with the command)');
          await wb.runCommand(UI.commands.openTraces);
          await panel.refind();
          return false;
        },
      );
      if (cameBack) {
        // Restored by its serializer, it shows the span that was selected, not the trace's root.
        await waitUntil(
          'generate_response, selected before the reload, to be selected again',
          async () => (await panel.rows()).find((r) => r.selected)?.label === 'generate_response',
          15_000,
        ).catch(async (e: Error) => {
          const selected = (await panel.rows()).filter((r) => r.selected).map((r) => r.label);
          throw new Error(
            `${e.message}; selected: ${JSON.stringify(selected)}; VS Code restored the page with the state ${await panel.restoredState()}`,
          );
        });
      }
      await expectPanelScores(panel);
    });
  });

  it('a failing step names itself, saves a screenshot and says what was on the screen', async () => {
    needTrace();
    // A step of its own runner, so this deliberate failure does not fail the flows above.
    const probe = new Steps(vs.page, wb, outputDir);
    const error = await probe
      .run('deliberately look for a span that is not there', () => wb.waitForTreeItem('no_such_span', 1_000))
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    expect(error).toMatch(
      /^step "deliberately look for a span that is not there" failed: timed out after 1 s waiting for tree item "no_such_span"/,
    );
    expect(error).toMatch(/screenshot: .*deliberately-look-for-a-span-that-is-not-there-FAILED\.png/);
    expect(error).toMatch(/\[sidebar\]\n.*retrieve_context/s);
    expect(error).toMatch(/\[status bar\]\n.*Spanscope :\d+/s);
    expect(error).toMatch(/\[webview [^\]]+\]\n.*generate_response/s);
  });
});

// ---- Flow helpers ----------------------------------------------------------------------------

/** The status bar item shows the collector's port once the extension is active and listening. */
async function waitForCollector(vs: VsCode): Promise<void> {
  await waitUntil(
    'the Spanscope status bar item with the collector port',
    async () => {
      const items = await vs.page.locator('.statusbar-item[id*="spanscope" i]').allInnerTexts();
      return items.some((t) => /:\d{2,5}\b/.test(t));
    },
    60_000,
  );
}

function isRunningRow(r: TreeRow): boolean {
  return (
    UI.running.test(r.description) || r.icons.includes('codicon-loading') || r.icons.includes('codicon-modifier-spin')
  );
}

/** Expands the project, the trace and its root span in the sidebar until the child spans show. */
async function revealSpans(wb: Workbench, timeoutMs = 30_000): Promise<void> {
  await waitUntil(
    'the spans of llm_chain in the sidebar',
    async () => {
      const rows = await wb.treeRows();
      if (CHILDREN.every((c) => rows.some((r) => r.label === c))) return true;
      const i = rows.findIndex((r) => (r.label === PROJECT || r.label === 'llm_chain') && r.expanded === false);
      if (i >= 0) {
        const nth = rows.slice(0, i).filter((r) => r.label === rows[i].label).length;
        await wb.expandTreeItem(rows[i].label, nth).catch(() => undefined);
      }
      return false;
    },
    timeoutMs,
    250,
  );
}

/** The label of the nearest row above `label` with a smaller level: its parent in the tree. */
function parentOf(rows: { label: string; level: number }[], label: string): string | undefined {
  const i = rows.findIndex((r) => r.label === label);
  if (i < 0) return undefined;
  for (let j = i - 1; j >= 0; j--) if (rows[j].level < rows[i].level) return rows[j].label;
  return undefined;
}

async function waitForDescription(wb: Workbench, label: string, expected: string): Promise<void> {
  await waitUntil(
    `"${expected}" in the description of ${label} in the sidebar`,
    async () => (await wb.treeRowInfo(label))?.description.includes(expected),
    30_000,
  ).catch(async (e: Error) => {
    throw new Error(`${e.message}; it shows "${(await wb.treeRowInfo(label))?.description ?? '(no such item)'}"`);
  });
}

async function expectPanelScores(panel: TracePanel): Promise<void> {
  await panel.select('retrieve_context');
  await waitUntil(
    'the thumbs-up score (user_feedback 1) in the panel details of retrieve_context',
    async () => /user_feedback\s+1\b/.test(await panel.detailsText()),
    15_000,
  );
  await panel.select('generate_response');
  await waitUntil(
    'relevance 0.8 with its reason in the panel details of generate_response',
    async () => {
      const text = await panel.detailsText();
      return /relevance\s+0\.80?\b/.test(text) && text.includes('cites the right document');
    },
    15_000,
  );
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
