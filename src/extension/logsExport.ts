// Saving a logs export inside VS Code: a save dialog (in the workspace folder by default),
// the file written as the export produces it, progress while it runs, and a message with
// "Open" at the end. Failures are shown, not thrown: the page's request was answered when
// the export started.

import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as vscode from 'vscode';
import { errorMessage, type Logger } from './log';
import type { ExportJob } from './logsHandlers';

const FILTERS: Record<ExportJob['format'], Record<string, string[]>> = {
  jsonl: { 'JSON Lines': ['jsonl'] },
  csv: { CSV: ['csv'] },
};

export async function saveExportWithDialog(job: ExportJob, log: Logger): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, job.suggestedName) : undefined,
    filters: FILTERS[job.format],
    saveLabel: 'Export',
    title: `Export ${job.count} ${job.count === 1 ? 'trace' : 'traces'}`,
  });
  if (!uri) return;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${job.count} traces…` },
      () => write(uri, job.content),
    );
  } catch (err) {
    log.error(`exporting traces to ${uri.toString()} failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`Could not export the traces: ${errorMessage(err)}`);
    return;
  }
  const choice = await vscode.window.showInformationMessage(
    `Exported ${job.count} ${job.count === 1 ? 'trace' : 'traces'} to ${basename(uri.path)}.`,
    'Open',
  );
  if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', uri);
}

async function write(uri: vscode.Uri, content: AsyncIterable<string>): Promise<void> {
  if (uri.scheme === 'file') {
    await pipeline(Readable.from(content), createWriteStream(uri.fsPath));
    return;
  }
  // A remote or virtual file system takes whole files only.
  let text = '';
  for await (const piece of content) text += piece;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
}
