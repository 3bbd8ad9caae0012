// Datasets in the workspace: Add to Dataset appends spans or whole traces as rows to
// `.spanscope/datasets/<name>.jsonl` (core/replay/datasetRow.ts says the row's form), the
// dataset picked from the existing files or named anew; Open Dataset shows such a file in the
// panel's Logs tab, and reads it for the page (only files of that folder: the page asks by
// URI, and span data it shows is untrusted, so it must not be able to read any other file).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { isDatasetPath } from '../../core/replay/datasetFile';
import { datasetFileName, datasetLines, type DatasetRow } from '../../core/replay/datasetRow';
import { Commands } from '../constants';
import { readText } from './saveAsTest';

export const DATASETS_DIR = '.spanscope/datasets';
/** A bigger file is refused rather than read whole into the extension host and the page. */
const MAX_DATASET_BYTES = 64 * 1024 * 1024;

export async function addToDataset(rows: DatasetRow[]): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder)
    return void vscode.window.showWarningMessage(
      'Add to Dataset needs an open workspace folder: datasets are kept in its .spanscope/datasets.',
    );
  if (!rows.length)
    return void vscode.window.showInformationMessage(
      'Select one or more spans in the Spanscope Traces view, or traces in the panel’s Logs tab, first.',
    );
  const dir = vscode.Uri.joinPath(folder.uri, DATASETS_DIR);
  const name = await pickDataset(dir);
  if (!name) return undefined;
  const file = vscode.Uri.joinPath(dir, name);
  await vscode.workspace.fs.createDirectory(dir);
  const before = (await readText(file)) ?? '';
  const joined = before && !before.endsWith('\n') ? `${before}\n` : before;
  await vscode.workspace.fs.writeFile(file, Buffer.from(joined + datasetLines(rows), 'utf8'));
  const choice = await vscode.window.showInformationMessage(
    `Added ${rows.length === 1 ? 'one row' : `${rows.length} rows`} to ${DATASETS_DIR}/${name}.`,
    'Open',
  );
  if (choice === 'Open') await vscode.commands.executeCommand(Commands.openDataset, file);
  return file;
}

async function pickDataset(dir: vscode.Uri): Promise<string | undefined> {
  const NEW = '$(add) New dataset…';
  const existing = (await datasetFiles(dir)).map((uri) => path.basename(uri.fsPath));
  const picked = existing.length
    ? await vscode.window.showQuickPick([NEW, ...existing.sort()], { title: 'Add to which dataset?' })
    : NEW;
  if (!picked) return undefined;
  if (picked !== NEW) return picked;
  const name = await vscode.window.showInputBox({
    title: 'New dataset',
    prompt: `Its rows go to ${DATASETS_DIR}/<name>.jsonl`,
    validateInput: (v) =>
      datasetFileName(v) ? undefined : 'Letters, digits, spaces, dots, dashes and underscores; up to 100 characters.',
  });
  return name ? datasetFileName(name) : undefined;
}

async function datasetFiles(dir: vscode.Uri): Promise<vscode.Uri[]> {
  try {
    return (await vscode.workspace.fs.readDirectory(dir))
      .filter(([n, t]) => t === vscode.FileType.File && n.endsWith('.jsonl'))
      .map(([n]) => vscode.Uri.joinPath(dir, n));
  } catch {
    return []; // no datasets yet
  }
}

/** The file Open Dataset shows: the one it was given (explorer menu), else one picked from every workspace folder's datasets. */
export async function chooseDataset(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) {
    if (isDatasetPath(arg.path)) return arg;
    return void vscode.window.showWarningMessage(
      `${path.basename(arg.path)} is not a Spanscope dataset: datasets are the .jsonl files in ${DATASETS_DIR}.`,
    );
  }
  const files: { label: string; description: string; uri: vscode.Uri }[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const uri of await datasetFiles(vscode.Uri.joinPath(folder.uri, DATASETS_DIR)))
      files.push({ label: path.basename(uri.fsPath, '.jsonl'), description: folder.name, uri });
  }
  if (!files.length)
    return void vscode.window.showInformationMessage(
      `No datasets yet: Add to Dataset… on spans or traces writes them to ${DATASETS_DIR}.`,
    );
  const picked = await vscode.window.showQuickPick(
    files.sort((a, b) => a.label.localeCompare(b.label)),
    { title: 'Open which dataset?' },
  );
  return picked?.uri;
}

/** The page's ReadDataset: the file's name and text, for a dataset file of a workspace folder only. */
export async function readDatasetFile(uriText: string): Promise<{ name: string; text: string }> {
  const uri = vscode.Uri.parse(uriText, true);
  if (!isDatasetPath(uri.path) || !vscode.workspace.getWorkspaceFolder(uri))
    throw new Error(`not a dataset of this workspace: ${uriText}`);
  const stat = await vscode.workspace.fs.stat(uri).then(undefined, () => undefined);
  if (!stat) throw new Error(`${path.basename(uri.path)} is not there any more`);
  if (stat.size > MAX_DATASET_BYTES)
    throw new Error(
      `${path.basename(uri.path)} is ${Math.round(stat.size / 1048576)} MB: the logs table shows datasets up to ${MAX_DATASET_BYTES / 1048576} MB`,
    );
  return {
    name: path.basename(uri.path, '.jsonl'),
    text: Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'),
  };
}
