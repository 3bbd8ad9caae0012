// Where a tracked function is in a document *now*: lenses, inline results and hovers follow
// the function by name as the user edits, not the line its last span recorded. Definitions
// come from the document's text (Python `def`/`class`, JS/TS `function`, `const f = …`,
// methods), which needs no language server, or from the document symbols the caller passes.
// Pure.

import type { FunctionSummary } from '../../core/functions/functionIndex';

export interface Definition {
  name: string;
  /** 0-based. */
  line: number;
  /** Column of the name on its line. */
  column: number;
  /** Enclosing class (Python: by indentation; JS/TS: the nearest `class` above at a lower indent). */
  container?: string;
}

export interface PlacedFunction {
  summary: FunctionSummary;
  /** 0-based line of its definition in the document. */
  line: number;
  /** Where the name is on that line (hover range); the line start when only the recorded line is known. */
  column: number;
  nameLength: number;
}

const PATTERNS: RegExp[] = [
  /^(\s*)(?:async\s+)?def\s+([\p{L}_][\p{L}\p{N}_]*)\s*\(/u,
  /^(\s*)(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([\p{L}_$][\p{L}\p{N}_$]*)/u,
  /^(\s*)(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([\p{L}_$][\p{L}\p{N}_$]*)\s*[(<]/u,
  /^(\s*)(?:export\s+)?(?:const|let|var)\s+([\p{L}_$][\p{L}\p{N}_$]*)\s*(?::[^=]+)?=(?!=)/u,
  /^(\s*)(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*\*?([\p{L}_$][\p{L}\p{N}_$]*)\s*(?:<[^>]*>)?\s*\([^;]*\)\s*(?::[^;{]+)?\{\s*$/u,
];
const NOT_A_NAME = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'return',
  'function',
  'constructor',
  'with',
  'elif',
  'else',
]);

/** The definitions in a Python or JavaScript/TypeScript source text, in order. */
export function scanDefinitions(text: string): Definition[] {
  const out: Definition[] = [];
  /** Classes still open, by indentation. */
  const classes: { name: string; indent: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > 2000 || !/\S/.test(line)) continue;
    const indent = /^\s*/.exec(line)![0].length;
    while (classes.length && classes[classes.length - 1].indent >= indent && !/^\s*[)}\]]/.test(line)) classes.pop();
    for (const p of PATTERNS) {
      const m = p.exec(line);
      if (!m || NOT_A_NAME.has(m[2])) continue;
      const column = line.indexOf(m[2], m[1].length);
      const container = classes.length ? classes[classes.length - 1].name : undefined;
      out.push({ name: m[2], line: i, column, ...(container ? { container } : {}) });
      if (/\bclass\s/.test(line)) classes.push({ name: m[2], indent });
      break;
    }
  }
  return out;
}

/**
 * The last part of a function's name as written in code: Python's `Agent.run` and
 * `outer.<locals>.inner`, `pkg.mod:fn`, `chat()` → `run`, `inner`, `fn`, `chat`.
 */
export function bareName(fn: string): { name: string; container?: string } {
  const parts = fn
    .replace(/\(\s*\)$/, '')
    .split(/[.:#/]+/)
    .filter((p) => p && p !== '<locals>');
  const name = parts.pop() ?? fn;
  const container = parts.pop();
  return container ? { name, container } : { name };
}

/**
 * Places each function at its definition: same name (and class, when both say one), the one
 * nearest the line its spans recorded; a function located in this file with no definition
 * found stays at its recorded line; a function known only by name with none is left out.
 */
export function placeFunctions(
  summaries: readonly FunctionSummary[],
  defs: readonly Definition[],
  lineCount: number,
): PlacedFunction[] {
  const byName = new Map<string, Definition[]>();
  for (const d of defs) {
    const list = byName.get(d.name);
    if (list) list.push(d);
    else byName.set(d.name, [d]);
  }
  const out: PlacedFunction[] = [];
  for (const summary of summaries) {
    const { name, container } = bareName(summary.function);
    let candidates = byName.get(name) ?? [];
    if (container) {
      const inClass = candidates.filter((d) => d.container === container);
      if (inClass.length) candidates = inClass;
    }
    const recorded = summary.line === null ? undefined : summary.line - 1;
    const best = nearest(candidates, recorded);
    if (best) out.push({ summary, line: best.line, column: best.column, nameLength: best.name.length });
    else if (summary.file !== null && recorded !== undefined && recorded < lineCount)
      out.push({ summary, line: recorded, column: 0, nameLength: 0 });
  }
  return out.sort((a, b) => a.line - b.line);
}

function nearest(defs: readonly Definition[], line: number | undefined): Definition | undefined {
  if (defs.length <= 1 || line === undefined) return defs[0];
  return defs.reduce((best, d) => (Math.abs(d.line - line) < Math.abs(best.line - line) ? d : best));
}

/** The names a document defines, for the functions known only by name (`GET /api/functions?name=`). */
export function definedNames(defs: readonly Definition[]): string[] {
  return [...new Set(defs.map((d) => d.name))];
}
