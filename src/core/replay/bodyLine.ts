// The first line of a function's body, where Debug This Call stops: a breakpoint on the `def`
// line itself would stop when the module defines the function, not when it is called.

/**
 * `defLine` is 1-based (the span's code location); the result too. Python: the first
 * statement after the signature's closing `:` (a docstring skipped); JavaScript/TypeScript:
 * the first statement after the body's `{`. Undefined when none is found nearby.
 */
export function firstBodyLine(text: string, defLine: number, language: 'python' | 'node'): number | undefined {
  const lines = text.split(/\r?\n/);
  const start = defLine - 1;
  if (start < 0 || start >= lines.length) return undefined;
  const end = Math.min(lines.length, start + 200);
  let depth = 0;
  let seen = ''; // the code before this character, from the definition line on
  for (let i = start; i < end; i++) {
    const line = stripStrings(lines[i]).replace(language === 'python' ? /#.*$/ : /\/\/.*$/, '');
    for (let c = 0; c < line.length; c++) {
      const ch = line[c];
      if (ch === '(' || ch === '[') depth++;
      else if (ch === ')' || ch === ']') depth--;
      // Python: the signature's `:` outside brackets. JS: the `{` right after a parameter
      // list's `)` or an arrow (the function may sit inside a call such as `track(…)`).
      const opens =
        language === 'python'
          ? ch === ':' && depth === 0 && /\bdef\b/.test(seen)
          : ch === '{' && /(?:\)(?:\s*:[^{}=;]*)?|=>)\s*$/.test(seen);
      seen += ch;
      if (!opens) continue;
      const rest = line.slice(c + 1).trim();
      // `def f(): return 1` / `function f() { return 1; }` on one line: stop on that line.
      if (rest && rest !== '}' && !(language === 'python' && rest.startsWith('#'))) return i + 1;
      return nextStatement(lines, i + 1, end, language);
    }
    seen += '\n';
  }
  return undefined;
}

function nextStatement(lines: string[], from: number, end: number, language: 'python' | 'node'): number | undefined {
  for (let i = from; i < end; i++) {
    const t = lines[i].trim();
    if (!t || (language === 'python' ? t.startsWith('#') : t.startsWith('//'))) continue;
    if (language === 'python' && /^[rRbBuU]?("""|''')/.test(t)) {
      const quote = /("""|''')/.exec(t)![1];
      const after = t.slice(t.indexOf(quote) + 3);
      let close = after.includes(quote) ? i : -1;
      for (let j = i + 1; close === -1 && j < end; j++) if (lines[j].includes(quote)) close = j;
      if (close === -1) return undefined;
      return nextStatement(lines, close + 1, end, language);
    }
    return i + 1;
  }
  return undefined;
}

/** The line with its string literals blanked, so brackets in them do not count. */
function stripStrings(line: string): string {
  return line.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`/g, '""');
}
