// Save as Test: the span's call written as a test in the workspace (pytest for Python; vitest
// when the workspace uses it, else node:test, for JavaScript/TypeScript), then opened. A later
// save of another call of the same Python function is appended to the same file.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { planCall } from '../../core/replay/callPlan';
import { exportsName, nodeTestFile, nodeTestFileName, type NodeTestRunner } from '../../core/replay/nodeSource';
import { pytestCase, pytestFile, pytestFileName, pythonModule } from '../../core/replay/pythonSource';
import type { SpanPick } from './spanTarget';

export async function saveAsTest({ detail, span }: SpanPick, collectorUrl: string): Promise<vscode.Uri | undefined> {
  const plan = planCall(span, detail.trace.name);
  if (!plan.ok) return void vscode.window.showWarningMessage(plan.reason);
  const call = plan.call;
  const folder = workspaceFolderOf(call.file);
  if (!folder)
    return void vscode.window.showWarningMessage(
      `Save as Test needs a workspace folder to write the test into (${call.file} is in none).`,
    );
  const root = folder.uri.fsPath;
  let target: vscode.Uri;
  let text: string;
  if (call.language === 'python') {
    target = vscode.Uri.file(path.join(root, 'tests', pytestFileName(call)));
    const existing = await readText(target);
    if (existing !== undefined) {
      const mod = pythonModule(call.file, root);
      const testCase = pytestCase(call, mod.path === root ? 'WORKSPACE' : JSON.stringify(mod.path), mod.module);
      const name = /def (test_\w+)\(/.exec(testCase)![1];
      if (existing.includes(`def ${name}(`)) return open(target, `This call is already saved as ${name}.`);
      text = `${existing.replace(/\s*$/, '\n')}\n${testCase}`;
    } else {
      text = pytestFile(call, { workspaceRoot: root, defaultCollector: collectorUrl });
    }
  } else {
    const source = (await readText(vscode.Uri.file(call.file))) ?? '';
    if (!exportsName(source, call.qualname))
      return void vscode.window.showWarningMessage(
        `Spanscope can not save a test of ${call.qualname}: ${path.basename(call.file)} does not export it, so a test can not import it.`,
      );
    const dir = (await exists(vscode.Uri.file(path.join(root, 'test')))) ? 'test' : 'tests';
    target = vscode.Uri.file(
      path.join(root, dir, nodeTestFileName(call).replace(/\.spanscope\./, `.${span.id.slice(-8)}.spanscope.`)),
    );
    let importPath = path.relative(path.dirname(target.fsPath), call.file).split(path.sep).join('/');
    if (!importPath.startsWith('.')) importPath = `./${importPath}`;
    text = nodeTestFile(call, { runner: await testRunner(root), importPath, defaultCollector: collectorUrl });
  }
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  return open(target, `Saved ${call.qualname}'s call as a test in ${path.relative(root, target.fsPath)}.`);
}

async function open(target: vscode.Uri, message: string): Promise<vscode.Uri> {
  await vscode.window.showTextDocument(target, { preview: false });
  vscode.window.setStatusBarMessage(`$(beaker) ${message}`, 5000);
  return target;
}

/** vitest when package.json lists it, else node:test. */
async function testRunner(root: string): Promise<NodeTestRunner> {
  const pkg = await readText(vscode.Uri.file(path.join(root, 'package.json')));
  try {
    const json = pkg ? (JSON.parse(pkg) as Record<string, Record<string, string> | undefined>) : {};
    return json.devDependencies?.vitest || json.dependencies?.vitest ? 'vitest' : 'node:test';
  } catch {
    return 'node:test';
  }
}

export function workspaceFolderOf(file: string): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) ?? vscode.workspace.workspaceFolders?.[0];
}

export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return undefined;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
