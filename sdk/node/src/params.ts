// A tracked call's input is its arguments by parameter name, like the Python SDK's bound
// arguments. JavaScript keeps no parameter names at run time, so they are read once per
// wrapped function from its source text. Anything that is not a plain name (a destructuring
// pattern, or a function whose source is not available) is called `arg0`, `arg1`, ….

export interface Parameters {
  /** One entry per declared parameter: its name, or undefined where it has none. */
  names: (string | undefined)[];
  /** The last parameter is `...rest` and collects the remaining arguments. */
  rest: boolean;
  /** Tracked as a class method (a decorator): called on an object the span does not record. */
  method?: boolean;
}

export function parameterNames(fn: Function): Parameters {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return { names: [], rest: false };
  }
  const list = parameterList(source);
  if (list === undefined) return { names: [], rest: false };
  const parts = splitTopLevel(list);
  const rest = parts.length > 0 && parts[parts.length - 1].trim().startsWith('...');
  return { names: parts.map(nameOf), rest };
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

function parameterList(source: string): string | undefined {
  if (source.endsWith('{ [native code] }')) return undefined;
  const open = source.indexOf('(');
  const arrow = source.indexOf('=>');
  // `x => …` and `async x => …`: a single bare parameter before the arrow.
  if (arrow !== -1 && (open === -1 || arrow < open)) {
    const head = source
      .slice(0, arrow)
      .trim()
      .replace(/^async\s+/, '');
    return IDENT.test(head) ? head : undefined;
  }
  if (open === -1) return undefined;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(source, i);
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return undefined;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '"' || c === "'" || c === '`') i = skipString(list, i);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  const last = list.slice(start);
  if (last.trim() !== '') parts.push(last);
  return parts;
}

function nameOf(part: string): string | undefined {
  let text = part
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .trim();
  if (text.startsWith('...')) text = text.slice(3).trim();
  const eq = text.indexOf('=');
  if (eq !== -1) text = text.slice(0, eq).trim();
  return IDENT.test(text) ? text : undefined;
}

function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}
