// Opens the code behind a span: a file at a line (from `code_location` or a traceback frame),
// or a function looked up by name. Files open beside the trace panel, never on top of it, and
// in the same group jump after jump (see sourceGroup.ts).

import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE } from '../constants';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import type { SourceLocation } from '../../shared/protocol';
import { RecentGroups, sourceTarget } from './sourceGroup';
import {
  candidatePaths,
  definitionLines,
  exactSymbols,
  SOURCE_EXCLUDE,
  SOURCE_GLOB,
  symbolNames,
} from './sourceLookup';

/** Files scanned, and time spent, when no language server knows the function. */
const SCAN_MAX_FILES = 3000;
const SCAN_BUDGET_MS = 3000;

export class SourceNavigator extends Disposable {
  private readonly recentGroups = new RecentGroups<vscode.TabGroup>();

  constructor(
    /** The trace panel's column while it is open, so sources open in another one. */
    private readonly panelColumn: () => vscode.ViewColumn | undefined,
    private readonly log: Logger,
  ) {
    super();
    const groups = vscode.window.tabGroups;
    this.recentGroups.noteActive(groups.activeTabGroup);
    // Fires when the active group changes too (its `isActive` changed).
    this._register(groups.onDidChangeTabGroups(() => this.recentGroups.noteActive(groups.activeTabGroup)));
  }

  /** Opens `file` at `line` (1-based) and selects the line; throws with a readable message when the file is not there. */
  async openLocation(loc: SourceLocation): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath);
    for (const candidate of candidatePaths(String(loc.file ?? ''), folders)) {
      const uri = vscode.Uri.file(candidate);
      if (await isFile(uri)) return this.show(uri, Number(loc.line) || 1, Number(loc.column) || undefined);
    }
    throw new Error(
      `Spanscope can not open ${loc.file}: no such file${folders.length ? ' (relative paths are looked up in the workspace folders)' : ''}.`,
    );
  }

  /**
   * Looks a function up by a span's name: the workspace symbol provider first, exact names
   * only; without a match (no language server for that language), a bounded scan of the
   * workspace's source files. One match opens; several are offered in a quick pick.
   */
  async findSymbol(spanName: string): Promise<boolean> {
    const names = symbolNames(spanName);
    if (!names.length) return false;
    const matches = await this.symbolMatches(spanName, names);
    if (!matches.length) return false;
    const pick =
      matches.length === 1
        ? matches[0]
        : await vscode.window
            .showQuickPick(
              matches.map((m) => ({ label: m.label, description: m.description, match: m })),
              {
                title: `Where is "${spanName}" defined?`,
                placeHolder: 'Several definitions match this span’s name',
                matchOnDescription: true,
              },
            )
            .then((p) => p?.match);
    if (pick) await this.show(pick.uri, pick.line + 1, undefined);
    return true;
  }

  private async symbolMatches(spanName: string, names: string[]): Promise<Match[]> {
    const seen = new Set<string>();
    const out: Match[] = [];
    const add = (m: Match) => {
      const key = `${m.uri.toString()}#${m.line}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(m);
    };
    for (const name of names) {
      const symbols =
        (await vscode.commands
          .executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', name)
          .then(undefined, () => [])) ?? [];
      for (const s of exactSymbols(symbols, spanName)) {
        add({
          uri: s.location.uri,
          line: s.location.range.start.line,
          label: s.containerName ? `${s.containerName}.${s.name}` : s.name,
          description: vscode.workspace.asRelativePath(s.location.uri),
        });
      }
      if (out.length) return out;
    }
    const bare = names[names.length - 1];
    for (const m of await this.scanFiles(bare)) add(m);
    return out;
  }

  private async scanFiles(name: string): Promise<Match[]> {
    const started = Date.now();
    const files = await vscode.workspace.findFiles(SOURCE_GLOB, SOURCE_EXCLUDE, SCAN_MAX_FILES);
    const out: Match[] = [];
    const decoder = new TextDecoder();
    for (const uri of files) {
      if (Date.now() - started > SCAN_BUDGET_MS) {
        this.log.warn(`looking up "${name}" stopped after ${SCAN_BUDGET_MS} ms; the result may be incomplete`);
        break;
      }
      let text: string;
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        if (bytes.byteLength > 2_000_000) continue;
        text = decoder.decode(bytes);
      } catch {
        continue;
      }
      for (const line of definitionLines(text, name)) {
        out.push({ uri, line: line - 1, label: name, description: `${vscode.workspace.asRelativePath(uri)}:${line}` });
      }
    }
    return out;
  }

  private async show(uri: vscode.Uri, line: number, column: number | undefined): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const l = Math.min(Math.max(1, line), doc.lineCount) - 1;
    const text = doc.lineAt(l);
    const start = column ? Math.min(column - 1, text.range.end.character) : text.firstNonWhitespaceCharacterIndex;
    const selection = new vscode.Range(l, start, l, text.range.end.character);
    const viewColumn = this.columnFor(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn, selection, preview: true });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The column of the group `uri` should open in, or undefined for the active group. */
  private columnFor(uri: vscode.Uri): vscode.ViewColumn | undefined {
    const panelColumn = this.panelColumn();
    const all = vscode.window.tabGroups.all;
    const target = sourceTarget(
      all.map((group) => ({
        group,
        hasPanel: (panelColumn !== undefined && group.viewColumn === panelColumn) || group.tabs.some(isPanelTab),
        showsFile: group.tabs.some(
          (t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString(),
        ),
      })),
      this.recentGroups.list(all),
    );
    if (target === 'active') return undefined;
    if (target === 'split') return vscode.ViewColumn.Beside;
    return target.group.viewColumn;
  }
}

function isPanelTab(tab: vscode.Tab): boolean {
  // Webview tabs name their view type with a prefix of the workbench's ("mainThreadWebview-…").
  return tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(PANEL_VIEW_TYPE);
}

interface Match {
  uri: vscode.Uri;
  /** 0-based. */
  line: number;
  label: string;
  description: string;
}

async function isFile(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}
