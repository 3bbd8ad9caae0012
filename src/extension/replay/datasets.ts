// Add to Dataset: spans appended as rows to `.spanscope/datasets/<name>.jsonl` in the
// workspace (core/replay/datasetRow.ts says the row's form), the dataset picked from the
// existing files or named anew.

import * as vscode from 'vscode';
import { datasetFileName, datasetLines } from '../../core/replay/datasetRow';
import { readText } from './saveAsTest';
import type { SpanPick } from './spanTarget';

export const DATASETS_DIR = '.spanscope/datasets';

export async function addToDataset(picks: SpanPick[]): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return void vscode.window.showWarningMessage('Add to Dataset needs an open workspace folder: datasets are kept in its .spanscope/datasets.');
  if (!picks.length) return void vscode.window.showInformationMessage('Select one or more spans in the Spanscope Traces view first.');
  const dir = vscode.Uri.joinPath(folder.uri, DATASETS_DIR);
  const name = await pickDataset(dir);
  if (!name) return undefined;
  const file = vscode.Uri.joinPath(dir, name);
  await vscode.workspace.fs.createDirectory(dir);
  const before = (await readText(file)) ?? '';
  const joined = before && !before.endsWith('\n') ? `${before}\n` : before;
  await vscode.workspace.fs.writeFile(file, Buffer.from(joined + datasetLines(picks.map((p) => p.span)), 'utf8'));
  const choice = await vscode.window.showInformationMessage(`Added ${picks.length === 1 ? 'one row' : `${picks.length} rows`} to ${DATASETS_DIR}/${name}.`, 'Open');
  if (choice === 'Open') await vscode.window.showTextDocument(file, { preview: false });
  return file;
}

async function pickDataset(dir: vscode.Uri): Promise<string | undefined> {
  let existing: string[] = [];
  try {
    existing = (await vscode.workspace.fs.readDirectory(dir)).filter(([n, t]) => t === vscode.FileType.File && n.endsWith('.jsonl')).map(([n]) => n);
  } catch {
    // No datasets yet.
  }
  const NEW = '$(add) New dataset…';
  const picked = existing.length
    ? await vscode.window.showQuickPick([NEW, ...existing.sort()], { title: 'Add to which dataset?' })
    : NEW;
  if (!picked) return undefined;
  if (picked !== NEW) return picked;
  const name = await vscode.window.showInputBox({
    title: 'New dataset',
    prompt: `Its rows go to ${DATASETS_DIR}/<name>.jsonl`,
    validateInput: (v) => (datasetFileName(v) ? undefined : 'Letters, digits, spaces, dots, dashes and underscores; up to 100 characters.'),
  });
  return name ? datasetFileName(name) : undefined;
}
