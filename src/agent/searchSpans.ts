// search_spans: which spans, across traces, hold a text. The store indexes traces, not spans,
// so this reads the traces the filter picks, newest first, up to a budget, and looks through
// each span's fields; the result says how many traces were read and whether any were left,
// so an agent never takes "no match" for "not there" when the search stopped early.

import type { Span } from '../core/model/model';
import { fitJson, jsonText, snippetAround } from './clip';
import { type Args, int, str } from './toolArgs';
import { NOTICE, traceFilter } from './traceTools';
import type { TraceReader } from './traceReader';
import { compact } from './traceViews';

/** Traces fetched at once: a reader over HTTP answers them in parallel. */
const READ_AHEAD = 8;

export async function searchSpans(args: Args, reader: TraceReader): Promise<string> {
  const needle = str(args.text)!.toLowerCase();
  const limit = int(args.limit, 20);
  const maxTraces = int(args.max_traces, 200);
  const snippetChars = int(args.snippet_chars, 160);
  const page = await reader.queryTraces({
    filter: traceFilter(args),
    project: str(args.project),
    sort: 'start_time',
    order: 'desc',
    offset: 0,
    limit: maxTraces,
  });
  const matches: Args[] = [];
  let read = 0;
  let stoppedAt: number | undefined;
  for (let i = 0; i < page.traces.length && stoppedAt === undefined; i += READ_AHEAD) {
    const batch = page.traces.slice(i, i + READ_AHEAD);
    const details = await Promise.all(batch.map((t) => reader.getTrace(t.id)));
    for (let j = 0; j < details.length; j++) {
      read++;
      const detail = details[j];
      if (!detail) continue; // deleted since the list was made
      for (const span of detail.spans) {
        const found = findIn(span, needle, snippetChars);
        if (!found) continue;
        matches.push(
          compact({
            trace_id: detail.trace.id,
            trace_name: detail.trace.name,
            span_id: span.id,
            name: span.name,
            type: span.type,
            status: span.status,
            start_time: span.start_time,
            duration_ms: span.duration_ms,
            found_in: found.fields,
            snippet: found.snippet,
          }),
        );
        if (matches.length >= limit) break;
      }
      if (matches.length >= limit) {
        stoppedAt = i + j + 1;
        break;
      }
    }
  }
  const left = page.total - read;
  const head: Args = { notice: NOTICE, traces_read: read, traces_matching_filter: page.total };
  if (matches.length >= limit && stoppedAt !== undefined && left > 0)
    head.note = `stopped at ${limit} matches; ${left} older trace(s) not searched (raise limit, or narrow filter)`;
  else if (left > 0)
    head.note = `only the newest ${read} of ${page.total} traces were searched (raise max_traces, up to 1000, or narrow filter with last:, after:, name:)`;
  return fitJson(head, 'matches', matches).text;
}

const SEARCHED: readonly (keyof Span)[] = [
  'name',
  'model',
  'provider',
  'input',
  'output',
  'metadata',
  'tags',
  'error_info',
];

/** The fields of a span holding the text (lowercased needle), and a snippet around the first hit. */
function findIn(span: Span, needle: string, snippetChars: number): { fields: string[]; snippet?: string } | undefined {
  const fields: string[] = [];
  let snippet: string | undefined;
  for (const key of SEARCHED) {
    const value = span[key];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : jsonText(value);
    const at = text.toLowerCase().indexOf(needle);
    if (at < 0) continue;
    fields.push(key === 'error_info' ? 'error' : key);
    snippet ??= snippetChars > 0 ? snippetAround(text, at, needle.length, snippetChars) : undefined;
  }
  return fields.length ? { fields, snippet } : undefined;
}
