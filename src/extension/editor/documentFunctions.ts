// The tracked functions of one document, placed at their definitions as the text is now:
// shared by the CodeLens, inline results and hover providers. The definitions of a document
// version are scanned once (a lens request, a hover and a decoration pass on the same text
// reuse them); a name the scan does not find is looked up in the document symbols.

import type * as vscode from 'vscode';
import type { StatsWindow } from '../../core/functions/callStats';
import type { FunctionSource } from './functionSource';
import {
  definedNames,
  placeFunctions,
  scanDefinitions,
  type Definition,
  type PlacedFunction,
} from './functionPlacement';

export const TRACKED_LANGUAGES = ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'];
export const TRACKED_SELECTOR: vscode.DocumentSelector = TRACKED_LANGUAGES.map((language) => ({
  language,
  scheme: 'file',
}));

export class DocumentFunctions {
  /** Definitions by document, for its latest version; the last few documents asked about. */
  private readonly cache = new Map<string, { version: number; defs: Definition[] }>();

  constructor(private readonly source: FunctionSource) {}

  /** The document's tracked functions with statistics over `window`, at their definition lines. */
  placed(doc: vscode.TextDocument, window: StatsWindow, recent?: number): PlacedFunction[] {
    if (!this.source.ready || doc.uri.scheme !== 'file') return [];
    const defs = this.definitions(doc);
    const summaries = this.source.query({ file: doc.uri.fsPath, names: definedNames(defs), window, recent });
    if (!summaries.length) return [];
    return placeFunctions(summaries, defs, doc.lineCount);
  }

  /** Is any of the document's functions among `files`' (a change event's)? */
  concerns(doc: vscode.TextDocument, keys: readonly { file: string | null; function: string }[]): boolean {
    const names = new Set(this.definitions(doc).map((d) => d.name));
    return keys.some((k) =>
      k.file !== null ? k.file === doc.uri.fsPath : names.has(k.function.split(/[.:#/]+/).pop() ?? k.function),
    );
  }

  private definitions(doc: vscode.TextDocument): Definition[] {
    const uri = doc.uri.toString();
    const hit = this.cache.get(uri);
    if (hit?.version === doc.version) return hit.defs;
    const defs = scanDefinitions(doc.getText());
    this.cache.delete(uri);
    this.cache.set(uri, { version: doc.version, defs });
    if (this.cache.size > 20) this.cache.delete(this.cache.keys().next().value!);
    return defs;
  }
}
