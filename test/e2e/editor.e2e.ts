// The trace reaches the code, in a real VS Code (code-server) with the extension installed from
// the .vsix: after `python app.py` runs in the terminal, CodeLens above the tracked defs with
// their call and error counts, a lens click that opens a call in the panel, the inline result,
// the hover, the caught error in Problems at the line that raised with its code action, and
// Compare with Previous Call in the diff editor. Screenshots under test-results/e2e/editor/.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditorUi } from './editorUi';
import { buildVsix, pythonCommand, REPO_ROOT, startVsCode, type VsCode } from './harness';
import { lineOf, TracePanel } from './spanscopeUi';
import { Steps } from './steps';
import { waitUntil, Workbench, type Terminal } from './workbench';

const outputDir = join(REPO_ROOT, 'test-results/e2e/editor');

describe('Spanscope in the editor', () => {
  let vs: VsCode;
  let wb: Workbench;
  let ed: EditorUi;
  let steps: Steps;
  let terminal: Terminal;
  let source: string;
  let python: string;

  beforeAll(async () => {
    const vsix = await buildVsix();
    vs = await startVsCode({
      workspace: join(REPO_ROOT, 'test/e2e/workspace'),
      vsix: [vsix],
      outputDir,
      settings: {
        'spanscope.port': 0,
        // Every call kept: the counts do not depend on how long the two runs are apart.
        'spanscope.codeLens.window': 'all',
        'editor.codeLens': true,
      },
    });
    wb = new Workbench(vs.page);
    ed = new EditorUi(vs.page, wb);
    steps = new Steps(vs.page, wb, outputDir, () => vs.serverLog().slice(-6000));
    source = readFileSync(join(vs.workspace, 'app.py'), 'utf8');
    python = await pythonCommand();
  });

  afterAll(async () => {
    await vs?.close();
  });

  /** Runs the sample app in the terminal, through its wait for Enter, to its printed answer. */
  async function runApp(args = ''): Promise<void> {
    // Problems may have taken the panel area: bring the terminal back first.
    if (!(await vs.page.locator('.terminal-wrapper.active .xterm').isVisible()))
      await wb.runCommand('Terminal: Focus Terminal');
    const before = ((await terminal.text()).match(/'answer':/g) ?? []).length;
    await terminal.run(`${python} app.py${args}`);
    await terminal.waitForText(/press Enter to finish/, 60_000);
    await terminal.press('Enter');
    await waitUntil(
      'the app to print its answer',
      async () => ((await terminal.text()).match(/'answer':/g) ?? []).length > before,
      60_000,
    );
  }

  it('shows what each tracked function did where it is written', async () => {
    await steps.run('the collector starts and app.py opens in the editor', async () => {
      await waitUntil(
        'the Spanscope status bar item with the collector port',
        async () =>
          (await vs.page.locator('.statusbar-item[id*="spanscope" i]').allInnerTexts()).some((t) =>
            /:\d{2,5}\b/.test(t),
          ),
        60_000,
      );
      await ed.openFile('app.py');
    });

    await steps.run(`run "${python} app.py" in a new terminal`, async () => {
      terminal = await wb.openTerminal();
      await runApp();
    });

    const citationDef = 'def lookup_citation(source):';
    await steps.run('CodeLens above the tracked defs: one call each, the caught error counted', async () => {
      const expected: [string, RegExp][] = [
        ['def generate_response(question, documents):', /^1 call · \d+ ms · 59 tok · \$0\.0000\d+$/],
        [citationDef, /^1 call · \d+ ms · 1 error$/],
        ['def llm_chain(question):', /^1 call · [\d.]+ m?s$/],
      ];
      for (const [def, lens] of expected) {
        await ed.goToLine(lineOf(source, def));
        await ed.waitForLens(def, lens);
      }
    });

    await steps.run('the inline result of the last run ends the def lines', async () => {
      await ed.goToLine(lineOf(source, 'def generate_response'));
      await waitUntil(
        'the result after def generate_response',
        async () => /^→ \d+ ms · 59 tok · "Spanscope shows traces/.test(await ed.inlineResult('def generate_response')),
        30_000,
      ).catch(async (e: Error) => {
        throw new Error(`${e.message}; it shows "${await ed.inlineResult('def generate_response')}"`);
      });
      await ed.goToLine(lineOf(source, citationDef));
      expect(await ed.inlineResult('def lookup_citation')).toBe("→ KeyError: 'wikipedia'");
    });

    await steps.run('hovering a tracked function shows its last output', async () => {
      await ed.goToLine(lineOf(source, 'def generate_response'));
      const text = await ed.hover('def generate_response', 'generate_response');
      expect(text).toContain('Output');
      expect(text).toContain('Spanscope shows traces of LLM apps');
      expect(text).toContain('Open in Spanscope');
      await vs.page.keyboard.press('Escape');
    });

    await steps.run('clicking a lens lists the calls; the one picked is selected in the panel', async () => {
      await ed.goToLine(lineOf(source, 'def generate_response'));
      await ed.clickLens('def generate_response(question, documents):');
      const row = vs.page.locator('.quick-input-widget .monaco-list-row:visible').first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await row.innerText()).toContain('Spanscope shows traces');
      await row.click();
      const panel = await TracePanel.find(wb);
      await waitUntil(
        'generate_response selected in the panel',
        async () => (await panel.rows()).find((r) => r.selected)?.label === 'generate_response',
        30_000,
      );
      expect(await panel.detailsText()).toContain('gpt-4o-mini');
    });

    const raised = lineOf(source, 'return DOCUMENTS[source]');
    await steps.run('Problems lists the caught KeyError at the line that raised', async () => {
      await waitUntil(
        `the KeyError at line ${raised} in Problems`,
        async () =>
          (await ed.problems()).find(
            (p) =>
              p.includes("KeyError: 'wikipedia' — in lookup_citation (trace llm_chain") &&
              new RegExp(`\\b${raised}\\b`).test(p),
          ),
        30_000,
      ).catch(async (e: Error) => {
        throw new Error(`${e.message}; Problems shows ${JSON.stringify(await ed.problems())}`);
      });
      // The app catches it: a warning, not an error.
      expect(
        await ed.problemRow("KeyError: 'wikipedia'").locator('[class*="codicon-warning"], .warning').count(),
      ).toBeGreaterThan(0);
    });

    await steps.run('its code action opens the span in the panel', async () => {
      await ed.problemRow("KeyError: 'wikipedia'").click();
      await wb.waitForEditorAt('app.py', raised);
      await wb.runCommand('Quick Fix...');
      const action = vs.page.locator('.action-widget .monaco-list-row', { hasText: 'Open span in Spanscope' }).first();
      await action.waitFor({ state: 'visible', timeout: 15_000 });
      // The action list takes the keyboard (a pointer block covers it while it settles): move
      // the focus to the entry and press Enter, as a keyboard user does.
      await waitUntil(
        '"Open span in Spanscope" focused in the Quick Fix list',
        async () => {
          if ((await action.getAttribute('class'))?.includes('focused')) return true;
          await vs.page.keyboard.press('ArrowDown');
          return false;
        },
        10_000,
      );
      await vs.page.keyboard.press('Enter');
      const panel = await TracePanel.find(wb);
      await waitUntil(
        'lookup_citation selected in the panel',
        async () => (await panel.rows()).find((r) => r.selected)?.label === 'lookup_citation',
        30_000,
      );
    });

    await steps.run('a second run with another question: the lens counts two calls', async () => {
      await runApp(' "What are scores?"');
      await wb.runCommand('View: Close All Editors');
      await ed.openFile('app.py');
      await ed.goToLine(lineOf(source, 'def generate_response'));
      await ed.waitForLens('def generate_response(question, documents):', /^2 calls · .*118 tok · \$0\.0000\d+$/);
    });

    await steps.run('Compare with Previous Call opens a diff whose sides differ in the output', async () => {
      await wb.runCommand(`Spanscope: Compare with Previous Call`);
      const sides = await waitUntil(
        'the diff editor with both calls',
        async () => {
          const s = await ed.diffSides();
          return s?.original.includes('## Output') && s.modified.includes('## Output') ? s : undefined;
        },
        30_000,
      );
      expect(sides.original).toContain('(answering: What does spanscope do?)');
      expect(sides.modified).toContain('(answering: What are scores?)');
      expect(sides.original).not.toEqual(sides.modified);
    });
  });
});
