// Spanscope's language-model tools in a real VS Code (code-server) with the extension installed
// from its .vsix: the sample app runs in the terminal, then a small test-only extension
// (test/e2e/agentProbe, installed beside ours) does what a chat agent does: lists the tools in
// `vscode.lm.tools` and invokes them; the trace it reads back must be the app's run. With
// `spanscope.agentTools.enabled` off the tools no longer answer.

import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVsix, pythonCommand, REPO_ROOT, startVsCode, type VsCode } from './harness';
import { Steps } from './steps';
import { waitUntil, Workbench } from './workbench';

const outputDir = join(REPO_ROOT, 'test-results/e2e/agentTools');
const TOOLS = [
  'spanscope_list_traces',
  'spanscope_get_trace',
  'spanscope_get_span',
  'spanscope_search_spans',
  'spanscope_function_stats',
  'spanscope_compare_traces',
];
const PROBE = 'Spanscope Test: Probe Agent Tools';

interface ProbeResult {
  enabled?: boolean;
  /** How list_traces answered: `answered`, or `refused: …`. */
  listed?: string;
  tools: { name: string; inputSchema: { required?: string[] } }[];
  list?: { traces: { id: string; name: string; status: string }[] };
  trace?: {
    trace: { id: string; name: string };
    spans: {
      name: string;
      depth: number;
      type: string;
      model?: string;
      usage?: Record<string, number>;
      status: string;
      code?: string;
    }[];
  };
  missing?: string;
  missingError?: string;
  error?: string;
}

describe('Spanscope agent tools in a real VS Code', () => {
  let vs: VsCode;
  let wb: Workbench;
  let steps: Steps;

  beforeAll(async () => {
    const vsix = await buildVsix();
    vs = await startVsCode({
      workspace: join(REPO_ROOT, 'test/e2e/workspace'),
      vsix: [vsix],
      prepareExtensions: (dir) =>
        cpSync(join(REPO_ROOT, 'test/e2e/agentProbe'), join(dir, 'spanscope-test.agent-probe-0.0.1'), {
          recursive: true,
        }),
      outputDir,
      settings: { 'spanscope.port': 0 },
    });
    wb = new Workbench(vs.page);
    steps = new Steps(vs.page, wb, outputDir, () => vs.serverLog().slice(-6000));
  });

  afterAll(async () => {
    await vs?.close();
  });

  /** Runs the probe command and reads what it wrote. */
  async function probe(): Promise<ProbeResult> {
    const file = join(vs.workspace, 'agent-probe.json');
    rmSync(file, { force: true });
    await wb.runCommand(PROBE);
    await waitUntil('the probe extension to write agent-probe.json', async () => existsSync(file), 60_000);
    return JSON.parse(readFileSync(file, 'utf8')) as ProbeResult;
  }

  it("lists the tools and get_trace returns the sample app's trace", async () => {
    await steps.run('the collector starts with the window', async () => {
      await waitUntil(
        'the Spanscope status bar item with the collector port',
        async () => {
          const items = await vs.page.locator('.statusbar-item[id*="spanscope" i]').allInnerTexts();
          return items.some((t) => /:\d{2,5}\b/.test(t));
        },
        60_000,
      );
    });

    const python = await pythonCommand();
    await steps.run(`run "${python} app.py" in a terminal to its end`, async () => {
      const terminal = await wb.openTerminal();
      await terminal.run(`${python} app.py`);
      await terminal.waitForText(/press Enter to finish/, 60_000);
      await terminal.press('Enter');
      await terminal.waitForText(/'answer':/, 60_000);
    });

    const result = await steps.run('an extension lists the Spanscope tools and invokes them', async () => {
      // The trace lands in the store within a moment of the script's end: probe until it is listed.
      return waitUntil(
        'get_trace to return the finished llm_chain trace',
        async () => {
          const r = await probe();
          if (r.error) throw new Error(`the probe failed: ${r.error}`);
          return r.trace?.spans.length === 4 && r.trace.spans.every((s) => s.status !== 'running') && r;
        },
        60_000,
      );
    });

    expect(result.tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    expect(result.tools.find((t) => t.name === 'spanscope_get_trace')!.inputSchema.required).toEqual(['trace_id']);
    expect(result.list!.traces.map((t) => t.name)).toEqual(['llm_chain']);
    expect(result.trace!.trace.id).toBe(result.list!.traces[0].id);
    expect(result.trace!.spans.map((s) => [s.name, s.depth])).toEqual([
      ['llm_chain', 0],
      ['retrieve_context', 1],
      ['generate_response', 1],
      ['lookup_citation', 1],
    ]);
    const llm = result.trace!.spans.find((s) => s.name === 'generate_response')!;
    expect(llm).toMatchObject({ type: 'llm', model: 'gpt-4o-mini', usage: { total_tokens: 59 } });
    expect(result.trace!.spans.find((s) => s.name === 'lookup_citation')!.status).toBe('error');
    expect(result.trace!.spans[0].code).toMatch(/app\.py:\d+ \(llm_chain\)$/);
    // A tool error reaches the caller as the tool's failure, with the message a model can act on.
    expect(result.missing).toBeUndefined();
    expect(result.missingError).toMatch(/no trace with id no-such-trace/);
  });

  it('stops answering when spanscope.agentTools.enabled is off', async () => {
    await steps.run('turn spanscope.agentTools.enabled off', async () => {
      await wb.runCommand('Spanscope Test: Disable Agent Tools');
    });
    await steps.run('the tools no longer answer', async () => {
      let last: ProbeResult | undefined;
      // The setting reaches the window before this extension host: both are waited for.
      await waitUntil(
        'the setting off and the Spanscope tools refusing',
        async () => {
          last = await probe();
          return last.enabled === false && last.listed?.startsWith('refused');
        },
        60_000,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}; the probe saw ${JSON.stringify({ enabled: last?.enabled, listed: last?.listed })}`,
        );
      });
      process.stdout.write(`    list_traces with the tools off: ${last!.listed}\n`);
    });
  });
});
