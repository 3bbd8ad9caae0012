// Hover on a tracked function's name: its last call's input and output (shortened, in code
// blocks: span text is never Markdown or HTML to the editor), its scores, and two links to our
// own commands — the only thing the Markdown is trusted for.

import * as vscode from 'vscode';
import { valueText } from '../../core/compare/spanText';
import { Commands } from '../constants';
import type { SettingsWatcher } from '../settingsWatcher';
import type { TraceStoreApi } from '../../store/types';
import { TRACKED_SELECTOR, type DocumentFunctions } from './documentFunctions';
import { hoverMarkdown } from './functionText';

export function registerFunctionHover(
  docs: DocumentFunctions,
  settings: SettingsWatcher,
  store: () => Promise<TraceStoreApi>,
): vscode.Disposable {
  return vscode.languages.registerHoverProvider(TRACKED_SELECTOR, {
    async provideHover(doc, position) {
      if (!settings.current.editor.hover) return undefined;
      const placed = docs
        .placed(doc, 'all', 2)
        .find(
          (p) =>
            p.line === position.line &&
            p.nameLength > 0 &&
            position.character >= p.column &&
            position.character <= p.column + p.nameLength,
        );
      const call = placed?.summary.recent[0];
      if (!placed || !call) return undefined;
      const span = (await (await store()).getTrace(call.trace_id))?.spans.find((s) => s.id === call.span_id);
      const links = [
        { label: 'Open in Spanscope', command: commandLink(Commands.openSpan, [call.trace_id, call.span_id]) },
      ];
      if (placed.summary.recent.length > 1)
        links.push({
          label: 'Compare with previous call',
          command: commandLink(Commands.compareWithPrevious, [placed.summary.file, placed.summary.function]),
        });
      const md = new vscode.MarkdownString(
        hoverMarkdown({
          fn: placed.summary.function,
          call,
          input: span?.input === undefined ? call.input_preview : valueText(span.input),
          output: span?.output === undefined ? (call.output_preview ?? undefined) : valueText(span.output),
          scores: (span?.feedback_scores ?? []).map((s) => ({ name: s.name, value: s.value, reason: s.reason })),
          links,
        }),
      );
      md.isTrusted = { enabledCommands: [Commands.openSpan, Commands.compareWithPrevious] };
      md.supportHtml = false;
      return new vscode.Hover(
        md,
        new vscode.Range(placed.line, placed.column, placed.line, placed.column + placed.nameLength),
      );
    },
  });
}

function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}
