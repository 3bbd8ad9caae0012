// Finding the code behind a span. A span from our SDKs carries `code_location`; one from the
// Opik SDK or OpenTelemetry has only a name, which we look up among workspace symbols (and,
// where no language server answers, in the files themselves). Pure parts only: which paths to
// try, which symbols count as the function, where a definition is in a file.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute paths to try for a location's file: itself if absolute, else under each workspace folder. */
export function candidatePaths(file: string, workspaceFolders: readonly string[]): string[] {
  let f = file.trim();
  if (!f) return [];
  if (f.startsWith('file://')) {
    try {
      f = fileURLToPath(f);
    } catch {
      return [];
    }
  }
  if (path.isAbsolute(f)) return [path.normalize(f)];
  return workspaceFolders.map((folder) => path.join(folder, f));
}

/**
 * Names to look a span's function up by: `Agent.run` → `Agent.run`, `run`; `chat()` → `chat`;
 * `pkg.mod:fn` → `pkg.mod:fn`, `fn`. An empty list when nothing looks like an identifier.
 */
export function symbolNames(spanName: string): string[] {
  const full = spanName.trim().replace(/\(\s*\)$/, '');
  // "OpenAI chat completion" names an operation, not a function: looking up its last word
  // would open something unrelated.
  if (!full || /\s/.test(full)) return [];
  const last =
    full
      .split(/[.:#/]+/)
      .filter(Boolean)
      .pop() ?? '';
  const identifier = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
  const names = identifier.test(last) ? [full, last] : [];
  return [...new Set(names)];
}

export interface SymbolLike {
  name: string;
  containerName?: string;
  /** `vscode.SymbolKind` number; 11 Function, 5 Method, 4 Class, 8 Constructor. */
  kind: number;
}

const CALLABLE_KINDS = new Set([11, 5, 4, 8]);

/**
 * The workspace symbol provider answers fuzzily; keep the symbols whose name is exactly the
 * function's (or `Container.name` equals a dotted span name), callables first.
 */
export function exactSymbols<S extends SymbolLike>(symbols: readonly S[], spanName: string): S[] {
  const names = symbolNames(spanName);
  if (!names.length) return [];
  const full = names[0];
  const wanted = new Set(names);
  const hits = symbols.filter((s) => {
    const bare = s.name.replace(/\(.*\)$/, '');
    return wanted.has(bare) || (s.containerName && `${s.containerName}.${bare}` === full);
  });
  const qualified = hits.filter(
    (s) => s.containerName && `${s.containerName}.${s.name.replace(/\(.*\)$/, '')}` === full,
  );
  const pool = qualified.length ? qualified : hits;
  return [...pool].sort((a, b) => Number(CALLABLE_KINDS.has(b.kind)) - Number(CALLABLE_KINDS.has(a.kind)));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * 1-based lines that define `name` in Python or JavaScript/TypeScript source, found without a
 * language server: `def name(`, `class name`, `function name(`, `name = (…) =>`, and a method
 * `name(…) {`. A line that merely calls `name(` does not count.
 */
export function definitionLines(text: string, name: string): number[] {
  const n = escapeRe(name);
  const patterns = [
    new RegExp(`^\\s*(?:async\\s+)?def\\s+${n}\\s*\\(`),
    new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+${n}\\b`),
    new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${n}\\s*[(<]`),
    new RegExp(
      `^\\s*(?:export\\s+)?(?:const|let|var)\\s+${n}\\s*(?::[^=]+)?=\\s*(?:async\\s+)?(?:function\\b|\\(|[\\p{L}_$][\\p{L}\\p{N}_$]*\\s*=>)`,
      'u',
    ),
    new RegExp(
      `^\\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\\s+)*\\*?${n}\\s*(?:<[^>]*>)?\\s*\\([^;]*\\)\\s*(?::[^;{]+)?\\{\\s*$`,
    ),
  ];
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > 2000 || !line.includes(name)) continue;
    if (patterns.some((p) => p.test(line)) && !/^\s*(?:if|for|while|switch|catch|return)\b/.test(line)) out.push(i + 1);
  }
  return out;
}

/** Files worth scanning for a definition when no language server answered. */
export const SOURCE_GLOB = '**/*.{py,ts,tsx,js,jsx,mjs,cjs,mts,cts}';
export const SOURCE_EXCLUDE = '**/{node_modules,.git,.venv,venv,env,__pycache__,dist,build,out,.tox,site-packages}/**';
