// function_stats: the numbers the editor's CodeLens shows over a function (calls, errors,
// latency, tokens, cost, scores, recent calls), read from the collector's function index
// (`GET /api/functions?file=`). A source without that index says so as a tool error.

import { clipValue, fitJson } from './clip';
import { type Args, int, str } from './toolArgs';
import { NOTICE } from './traceTools';
import { ToolError, type TraceReader } from './traceReader';
import { compact } from './traceViews';

/** Recent calls listed per function: enough to pick one to open with get_trace. */
const RECENT = 5;
const RECENT_CHARS = 600;

export async function functionStats(args: Args, reader: TraceReader): Promise<string> {
  const file = str(args.file);
  const name = str(args.function);
  if (file === undefined && name === undefined)
    throw new ToolError('give file (an absolute path), function (a name), or both');
  if (file !== undefined && !isAbsolute(file)) throw new ToolError(`file must be an absolute path, not "${file}"`);
  const all = await reader.functions(file);
  if (all === undefined)
    throw new ToolError('this collector has no function index (it is older than the one that adds GET /api/functions)');
  const wanted = name?.toLowerCase();
  const found =
    wanted === undefined
      ? all
      : all.filter((f) => f.function.toLowerCase() === wanted || f.function.toLowerCase().includes(wanted));
  // Exact names first, then the busiest.
  found.sort(
    (a, b) =>
      Number(b.function.toLowerCase() === wanted) - Number(a.function.toLowerCase() === wanted) || b.calls - a.calls,
  );
  const limit = int(args.limit, 50);
  const functions = found.slice(0, limit).map((f) =>
    compact({
      function: f.function,
      file: f.file,
      line: f.line,
      calls: f.calls,
      errors: f.errors,
      p50_ms: f.p50_ms,
      p95_ms: f.p95_ms,
      tokens: f.tokens,
      cost: f.cost,
      scores: f.scores,
      recent: Array.isArray(f.recent)
        ? f.recent.slice(0, RECENT).map((r) => clipValue(r, RECENT_CHARS).value)
        : undefined,
    }),
  );
  const head: Args = { notice: NOTICE, total: found.length };
  if (found.length > limit) head.note = `${found.length - limit} more function(s); raise limit or name one`;
  if (found.length === 0)
    head.note = file
      ? 'no traced function recorded in this file' + (name ? ` named like "${name}"` : '')
      : `no traced function named like "${name}"`;
  return fitJson(head, 'functions', functions).text;
}

/** POSIX or Windows absolute path (the collector may index files from either). */
function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}
