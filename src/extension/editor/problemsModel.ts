// Which failed calls become entries in Problems, and where. For each function, the failed
// calls since its last successful one (a success clears them), from the last day: each at the
// line that raised — the innermost traceback frame in the workspace — else at the function's
// own location. An error the code caught (its trace ended with no error of its own and no
// failed root span: RecentCall.caught) is a warning; any other an error. Pure.

import type { FunctionSummary, RecentCall } from '../../core/functions/functionIndex';
import { framesInnermostFirst, innermostOwnFrame, type StackFrame } from '../../core/display/tracebacks';
import { problemMessage } from './functionText';

/** Failed calls per function shown at most (the newest). */
export const MAX_PROBLEMS_PER_FUNCTION = 5;

export interface SpanProblem {
  file: string;
  /** 1-based. */
  line: number;
  severity: 'error' | 'warning';
  message: string;
  /** Innermost first. */
  frames: StackFrame[];
  traceId: string;
  spanId: string;
}

/** `functions`: over the last day, their recent calls newest first (FunctionIndex.list('day')). */
export function problemsOf(
  functions: readonly FunctionSummary[],
  inWorkspace: (file: string) => boolean,
  now: number,
): SpanProblem[] {
  const out: SpanProblem[] = [];
  const seen = new Set<string>();
  for (const f of functions) {
    let shown = 0;
    for (const call of f.recent) {
      if (call.status === 'ok') break; // newest first: everything older was cleared by this success
      if (call.status !== 'error' || shown >= MAX_PROBLEMS_PER_FUNCTION) continue;
      const p = problemOf(f, call, inWorkspace, now);
      if (!p) continue;
      // The same error at the same line, again: one entry, the newest.
      const key = `${p.file}\u0000${p.line}\u0000${call.error}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
      shown++;
    }
  }
  return out;
}

function problemOf(
  f: FunctionSummary,
  call: RecentCall,
  inWorkspace: (file: string) => boolean,
  now: number,
): SpanProblem | undefined {
  const frames = call.traceback ? framesInnermostFirst(call.traceback) : [];
  const own = innermostOwnFrame(frames, inWorkspace);
  const line = call.line ?? f.line;
  const at = own ? { file: own.file, line: own.line } : f.file !== null && line ? { file: f.file, line } : undefined;
  if (!at) return undefined;
  return {
    ...at,
    severity: call.caught ? 'warning' : 'error',
    message: problemMessage(call, f.function, now),
    frames,
    traceId: call.trace_id,
    spanId: call.span_id,
  };
}
