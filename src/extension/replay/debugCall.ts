// Debug This Call: the span's function run again with its recorded arguments under VS Code's
// debugger (debugpy for Python, the built-in JavaScript debugger for Node), stopped at the
// first line of its body. A small generated harness (core/replay) imports the function and
// calls it; the launch gets SPANSCOPE_URL (terminal variables do not reach debug sessions)
// and SPANSCOPE_REPLAY_OF, so the re-run's trace is marked `replay_of` the original span.
// When the session ends, the original call and the replay open side by side in a diff.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { firstBodyLine } from '../../core/replay/bodyLine';
import { planCall, type ReplayCall } from '../../core/replay/callPlan';
import { exportsName, nodeHarness } from '../../core/replay/nodeSource';
import { pythonHarness, REPLAY_ENV } from '../../core/replay/pythonSource';
import type { TraceStoreApi } from '../../store/types';
import { openDiff } from '../editor/spanDiff';
import { readText, workspaceFolderOf } from './saveAsTest';
import { checkLaunch, PYTHON_DEBUGGERS } from './debugCallModel';
import type { SpanPick } from './spanTarget';
const REPLAY_MARK = '__spanscopeReplay';

export interface DebugDeps {
  store(): Promise<TraceStoreApi>;
  collectorUrl(): string | undefined;
  /** Where harness files go (the extension's storage, not the workspace). */
  harnessDir: vscode.Uri;
}

export async function debugCall({ detail, span }: SpanPick, d: DebugDeps): Promise<void> {
  const plan = planCall(span, detail.trace.name);
  if (!plan.ok) return void vscode.window.showWarningMessage(plan.reason);
  const call = plan.call;
  const check = checkLaunch(call, {
    collectorUrl: d.collectorUrl(),
    source: await readText(vscode.Uri.file(call.file)),
    installedDebuggers: PYTHON_DEBUGGERS.filter((id) => vscode.extensions.getExtension(id)),
    exported: exportsName,
  });
  if (!check.ok) return void vscode.window.showWarningMessage(check.reason);
  const { collectorUrl: url, source } = check;
  const folder = workspaceFolderOf(call.file);
  const harness = await writeHarness(call, d.harnessDir, folder?.uri.fsPath);
  const line = firstBodyLine(source, call.origin.line, call.language) ?? call.origin.line;
  const breakpoint = new vscode.SourceBreakpoint(
    new vscode.Location(vscode.Uri.file(call.file), new vscode.Position(line - 1, 0)),
  );
  const hadOne = vscode.debug.breakpoints.some(
    (b) =>
      b instanceof vscode.SourceBreakpoint &&
      b.location.uri.fsPath === call.file &&
      b.location.range.start.line === line - 1,
  );
  if (!hadOne) vscode.debug.addBreakpoints([breakpoint]);

  const id = `${span.id}-${Date.now()}`;
  const launchedAt = new Date(Date.now() - 1000).toISOString();
  const env = { SPANSCOPE_URL: url, [REPLAY_ENV]: `${span.trace_id}/${span.id}` };
  const cwd = folder?.uri.fsPath ?? path.dirname(call.file);
  const name = `Spanscope: ${call.qualname} (replay)`;
  const config: vscode.DebugConfiguration =
    call.language === 'python'
      ? {
          type: 'debugpy',
          request: 'launch',
          name,
          program: harness.fsPath,
          cwd,
          env,
          console: 'internalConsole',
          justMyCode: true,
          [REPLAY_MARK]: id,
        }
      : {
          type: 'node',
          request: 'launch',
          name,
          program: harness.fsPath,
          cwd,
          env,
          runtimeArgs: /\.[cm]?tsx?$/i.test(call.file) ? ['--import', 'tsx'] : [],
          skipFiles: ['<node_internals>/**'],
          console: 'internalConsole',
          [REPLAY_MARK]: id,
        };

  const ended = new Promise<void>((resolve) => {
    const sub = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.configuration[REPLAY_MARK] !== id) return;
      sub.dispose();
      resolve();
    });
  });
  const started = await vscode.debug.startDebugging(folder, config);
  if (!started) {
    if (!hadOne) vscode.debug.removeBreakpoints([breakpoint]);
    return void vscode.window.showWarningMessage(
      `Spanscope could not start the ${call.language === 'python' ? 'Python' : 'JavaScript'} debugger for ${call.qualname}.`,
    );
  }
  await ended;
  if (!hadOne) vscode.debug.removeBreakpoints([breakpoint]);
  const replay = await findReplay(await d.store(), span.trace_id, span.id, span.name, launchedAt);
  if (!replay)
    return void vscode.window.showInformationMessage(
      `The re-run of ${call.qualname} sent no trace to Spanscope (did it finish?).`,
    );
  await openDiff(
    { traceId: span.trace_id, spanId: span.id, label: `${call.qualname} (recorded)` },
    { traceId: replay.traceId, spanId: replay.spanId, label: `${call.qualname} (replay)` },
    `${call.qualname}: recorded call ↔ replay`,
  );
}

async function writeHarness(call: ReplayCall, dir: vscode.Uri, root: string | undefined): Promise<vscode.Uri> {
  await vscode.workspace.fs.createDirectory(dir);
  const file = vscode.Uri.joinPath(
    dir,
    call.language === 'python'
      ? `replay_${call.origin.spanId.replace(/\W/g, '')}.py`
      : `replay_${call.origin.spanId.replace(/\W/g, '')}.mjs`,
  );
  await vscode.workspace.fs.writeFile(
    file,
    Buffer.from(call.language === 'python' ? pythonHarness(call, root) : nodeHarness(call), 'utf8'),
  );
  return file;
}

/** The re-run's span: in the newest trace marked replay_of the original, polled briefly (the SDK sends within ~50 ms of the end). */
export async function findReplay(
  store: TraceStoreApi,
  traceId: string,
  spanId: string,
  name: string,
  since: string,
): Promise<{ traceId: string; spanId: string } | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const summary of store.listTraces({ limit: 50 })) {
      if (summary.start_time < since || summary.id === traceId) continue;
      const detail = await store.getTrace(summary.id);
      const mark = detail?.trace.metadata?.replay_of as { trace_id?: string; span_id?: string } | undefined;
      if (!detail || mark?.trace_id !== traceId || mark.span_id !== spanId) continue;
      const same = detail.spans.find((s) => s.name === name) ?? detail.spans.find((s) => !s.parent_span_id);
      if (same) return { traceId: detail.trace.id, spanId: same.id };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
