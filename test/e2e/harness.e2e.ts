// TEMPORARY, with probeExtension.ts: proves the harness against a real VS Code before the
// Spanscope extension exists. Delete both once flows.e2e.ts runs on the real extension.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { REPO_ROOT, startVsCode, type VsCode } from './harness';
import { PROBE, writeProbeExtension } from './probeExtension';
import { Steps } from './steps';
import { Workbench } from './workbench';

const outputDir = join(REPO_ROOT, 'test-results/e2e/harness');

describe('the e2e harness drives a real VS Code', () => {
  let vs: VsCode;
  let wb: Workbench;
  let steps: Steps;

  beforeAll(async () => {
    vs = await startVsCode({ workspace: join(REPO_ROOT, 'test/e2e/workspace'), prepareExtensions: writeProbeExtension, outputDir });
    wb = new Workbench(vs.page);
    steps = new Steps(vs.page, wb, outputDir, () => vs.serverLog().slice(-3000));
  });
  afterAll(async () => { await vs?.close(); });

  it('opens a view, clicks inline and context actions, reads a webview and a terminal', async () => {
    await steps.run('open the probe view', async () => {
      await wb.openViewContainer(PROBE.container);
      await wb.waitForTreeItem('inner_item');
      const rows = await wb.treeRows();
      expect(rows.map((r) => [r.label, r.level])).toEqual([['outer_item', 1], ['inner_item', 2]]);
    });
    await steps.run('thumbs up from the inline action', async () => {
      await wb.clickInlineAction('inner_item', 'Thumbs Up');
      await wb.waitForTreeItem('inner_item');
      await expect.poll(async () => (await wb.treeRowInfo('inner_item'))?.description, { timeout: 10_000 }).toBe('👍 1');
    });
    await steps.run('go to source from the context menu', async () => {
      await wb.contextMenu('outer_item', 'Go to Source');
      await wb.waitForEditorAt('app.py', 1);
    });
    await steps.run('open the webview and click in it', async () => {
      await wb.runCommand(PROBE.openCommand);
      const frame = await wb.webviewFrame('#probe-jump');
      expect(await frame.locator('#probe-title').innerText()).toBe('Probe panel');
      await frame.locator('#probe-jump').click();
      await wb.waitForEditorAt('app.py', 5);
    });
    await steps.run('the terminal has the environment the extension set', async () => {
      const terminal = await wb.openTerminal();
      await terminal.run(`echo "probe=$${PROBE.envVar}"`);
      await terminal.waitForText(new RegExp(`probe=${PROBE.envValue}`));
    });
    await steps.run('a failed step says what is on screen', async () => {
      const failing = new Steps(vs.page, wb, outputDir);
      const error = await failing.run('look for what is not there', () => wb.waitForTreeItem('no_such_item', 1_000)).catch((e: Error) => e);
      expect(String(error)).toMatch(/step "look for what is not there" failed: timed out after 1 s waiting for tree item "no_such_item"/);
      expect(String(error)).toMatch(/screenshot: .*look-for-what-is-not-there-FAILED\.png/);
      expect(String(error)).toMatch(/\[sidebar\]\n[^]*outer_item/);
      expect(String(error)).toMatch(/\[terminal\]\n[^]*probe=probe-env-ok/);
    });
  });
});
