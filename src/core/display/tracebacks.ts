// Finds the source frames in a traceback, so the panel can make them links and the editor can
// put an error on the line that raised it (Problems). Two shapes:
//   Python:  File "/abs/path.py", line 12, in fn
//   JS:      at fn (/abs/file.js:12:5)   ·   at /abs/file.js:12:5   ·   at fn (file:///abs/file.mjs:12:5)
// Only absolute paths become links (a frame in "<frozen importlib>" or "node:internal/…" has
// no file to open), and a path is checked before any link is built from it.

export interface StackFrame {
  file: string;
  line: number;
  column?: number;
  function?: string;
}

/** A traceback cut into plain text and frame references, in order; joined, the texts are the input. */
export type TracebackPart = { text: string; frame?: StackFrame };

const PYTHON_FRAME = /File "([^"\n]+)", line (\d+)(?:, in ([^\n]+))?/g;
// One frame per line: "at [async ]fn (location)" or "at [async ]location", location = path:line[:column].
const JS_CALL = /^\s*at (?:async )?(.+?) \((.+?):(\d+)(?::(\d+))?\)\s*$/;
const JS_BARE = /^\s*at (?:async )?((?:file:\/\/|\/|[A-Za-z]:[\\/]).+?):(\d+)(?::(\d+))?\s*$/;

export function splitTraceback(text: string): TracebackPart[] {
  const found: Array<{ start: number; end: number; frame: StackFrame }> = [];
  for (const m of text.matchAll(PYTHON_FRAME)) {
    const file = m[1];
    if (!isSafeAbsolutePath(file)) continue;
    // The link covers `"path", line N`, the part a reader clicks on.
    const start = m.index! + 'File '.length;
    const end = start + m[0].length - 'File '.length - (m[3] !== undefined ? `, in ${m[3]}`.length : 0);
    found.push({ start, end, frame: { file, line: Number(m[2]), function: m[3]?.trim() || undefined } });
  }
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const frame = jsFrame(line);
    if (frame) found.push({ start: lineStart + frame.start, end: lineStart + frame.end, frame: frame.frame });
    lineStart += line.length + 1;
  }
  found.sort((a, b) => a.start - b.start);

  const parts: TracebackPart[] = [];
  let at = 0;
  for (const f of found) {
    if (f.start < at || f.frame.line < 1) continue;
    if (f.start > at) parts.push({ text: text.slice(at, f.start) });
    parts.push({ text: text.slice(f.start, f.end), frame: f.frame });
    at = f.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

export function parseFrames(text: string): StackFrame[] {
  return splitTraceback(text).flatMap((p) => (p.frame ? [p.frame] : []));
}

function jsFrame(line: string): { start: number; end: number; frame: StackFrame } | undefined {
  const call = JS_CALL.exec(line);
  const m = call ?? JS_BARE.exec(line);
  if (!m) return undefined;
  const [fn, location, lineNo, column] = call ? [m[1], m[2], m[3], m[4]] : [undefined, m[1], m[2], m[3]];
  const file = fileFromUrl(location);
  if (!file || !isSafeAbsolutePath(file)) return undefined;
  const linkText = `${location}:${lineNo}${column ? `:${column}` : ''}`;
  const start = line.lastIndexOf(linkText);
  return {
    start,
    end: start + linkText.length,
    frame: { file, line: Number(lineNo), column: column ? Number(column) : undefined, function: fn },
  };
}

function fileFromUrl(location: string): string | undefined {
  if (!location.startsWith('file://')) return location;
  try {
    const path = decodeURIComponent(new URL(location).pathname);
    // file:///C:/x → /C:/x: drop the slash before a drive letter.
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
  } catch {
    return undefined;
  }
}

/** An absolute POSIX or Windows path with no control characters: safe to put in a link. */
export function isSafeAbsolutePath(path: string): boolean {
  if (path.length === 0 || path.length > 4096) return false;
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

/**
 * The frames of a traceback, innermost (the line that raised) first. Python prints the
 * innermost frame last ("most recent call last"), JavaScript first. For Python's chained
 * exceptions ("During handling of the above exception…") the last traceback is the one raised.
 */
export function framesInnermostFirst(text: string): StackFrame[] {
  const parts = splitTraceback(text);
  const frames = parts.flatMap((p) => (p.frame ? [p] : []));
  if (!frames.length) return [];
  const python = parts.some((p) => p.frame && p.text.startsWith('"'));
  if (!python) return frames.map((p) => p.frame!);
  // The last "Traceback (most recent call last):" block; its frames, reversed.
  const lastBlock = text.lastIndexOf('Traceback (most recent call last)');
  let offset = 0;
  const inLast: StackFrame[] = [];
  for (const p of parts) {
    if (p.frame && offset >= lastBlock) inLast.push(p.frame);
    offset += p.text.length;
  }
  return (inLast.length ? inLast : frames.map((p) => p.frame!)).reverse();
}

/** The first of `frames` (innermost first) whose file `inWorkspace` accepts: the user's own code nearest the raise. */
export function innermostOwnFrame(
  frames: readonly StackFrame[],
  inWorkspace: (file: string) => boolean,
): StackFrame | undefined {
  return frames.find(
    (f) => inWorkspace(f.file) && !/[\\/](site-packages|node_modules|dist-packages|\.venv|venv)[\\/]/.test(f.file),
  );
}
