// Where a span's code lives, for "jump to source". For `track(fn)` it is found once, when
// the function is wrapped: `track` is called where the function is defined, so the frame
// that called `track` is the definition site. Manual spans use the frame that started them.
//
// The stack is read as text, as whatever formats it made it: with `--enable-source-maps`
// (or `process.setSourceMapsEnabled(true)`) Node writes original positions there, and so
// do source-map-support and test runners that install their own `prepareStackTrace`. So
// source maps are respected whenever the process has them on, with no work of ours.

import { fileURLToPath } from 'node:url';
import { isAbsolute } from 'node:path';

export interface CodeLocation {
  file: string;
  line: number;
  function?: string;
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

// The helpers that apply decorators (esbuild, TypeScript, Babel). A decorated method's
// definition is the frame that called them: the class being evaluated.
const DECORATOR_HELPERS = /^(__decorateElement|__decorate|__esDecorate|__runInitializers|_?applyDecs\w*|_decorate\w*)$/;

/**
 * The first user frame above `below` (a function of ours, excluded with everything it
 * called). Frames inside this SDK's own files and Node's internals are skipped, and, for
 * a decorator, the helper that applied it.
 */
export function callerLocation(below: Function, decorator = false): CodeLocation | undefined {
  const holder: { stack?: unknown } = {};
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 12;
    Error.captureStackTrace(holder, below);
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = limit;
  }
  const stack = holder.stack;
  if (typeof stack !== 'string') return undefined;
  for (const line of stack.split('\n')) {
    const frame = parseFrame(line);
    if (!frame || isOwnFile(frame.file)) continue;
    if (decorator && frame.function !== undefined && DECORATOR_HELPERS.test(frame.function)) continue;
    return frame;
  }
  return undefined;
}

export function parseFrame(line: string): CodeLocation | undefined {
  const m = FRAME.exec(line);
  if (!m) return undefined;
  let file = m[2];
  if (file.startsWith('async ')) file = file.slice(6);
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  if (!isAbsolute(file)) return undefined; // node:internal, <anonymous>, eval code
  const location: CodeLocation = { file, line: Number(m[3]) };
  const fn = m[1]?.replace(/^async /, '').replace(/^new /, '');
  if (fn && fn !== '<anonymous>') location.function = fn;
  return location;
}

// Callers pass the exact public entry point as `below`, so SDK frames are normally gone
// already; this is the safety net. It only ever matches the SDK's own files: its src folder
// when run from source, or its published bundle, never a user's bundle that happens to
// include it.
const ownFile = thisFile();
const ownSrcDir =
  ownFile && /\/src\/[^/]+\.ts$/.test(ownFile) ? ownFile.slice(0, ownFile.lastIndexOf('/src/') + 5) : undefined;
const ownBundle = ownFile && /\/(spanscope|sdk\/node)\/dist\/index\.(c|m)?js$/.test(ownFile) ? ownFile : undefined;

/**
 * `stack` without this SDK's frames: a tracked call adds its wrapper (and the
 * AsyncLocalStorage.run it goes through) between each user frame, which tells the user
 * nothing. Node's internal frames between two of ours are ours too; the message lines and
 * everything else stay as written.
 */
export function withoutOwnFrames(stack: string): string {
  const lines = stack.split('\n');
  const kind = lines.map((line): 'own' | 'user' | 'internal' | 'text' => {
    if (!FRAME.test(line)) return 'text';
    const frame = parseFrame(line);
    if (!frame) return 'internal';
    return isOwnFile(frame.file) ? 'own' : 'user';
  });
  if (!kind.includes('own')) return stack;
  const nearestFrame = (from: number, step: 1 | -1) => {
    for (let i = from + step; i >= 0 && i < kind.length; i += step)
      if (kind[i] === 'own' || kind[i] === 'user') return kind[i];
    return undefined;
  };
  return lines
    .filter(
      (_, i) =>
        kind[i] !== 'own' && !(kind[i] === 'internal' && nearestFrame(i, -1) === 'own' && nearestFrame(i, 1) === 'own'),
    )
    .join('\n');
}

function isOwnFile(file: string): boolean {
  return ownSrcDir ? file.startsWith(ownSrcDir) : file === ownBundle;
}

function thisFile(): string | undefined {
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder);
  const first = typeof holder.stack === 'string' ? holder.stack.split('\n')[1] : undefined;
  return first ? parseFrame(first)?.file : undefined;
}
