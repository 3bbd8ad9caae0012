// Reading the parameters of the logs and monitor routes, from a query string or a JSON body,
// into the core's types; anything wrong becomes a 400 that names the parameter.

import type { TraceQueryParams } from '../core/queries/traceQuery';
import type { FilterSyntaxError } from '../core/queries/filterParser';
import { parseSortKey, SORT_COLUMNS, type SortOrder } from '../core/queries/traceSort';
import { parseDurationText, parseInstantText } from '../core/queries/timeText';
import { HttpError } from './httpError';

/** Longer filters are refused before parsing: nobody types 10k characters into one line. */
export const MAX_FILTER_LENGTH = 10_000;
export const MAX_QUERY_LIMIT = 50_000;

/** A parameter source: URL search params, or the fields of a JSON body. */
export type Params = (name: string) => unknown;

export function urlParams(url: URL): Params {
  return (name) => url.searchParams.get(name) ?? undefined;
}

export function bodyParams(body: Record<string, unknown>): Params {
  return (name) => body[name];
}

export function optionalString(get: Params, name: string): string | undefined {
  const v = get(name);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${name} must be a string`);
  return v;
}

export function filterParam(get: Params): string {
  const filter = optionalString(get, 'filter') ?? '';
  if (filter.length > MAX_FILTER_LENGTH)
    throw new HttpError(400, `filter must be at most ${MAX_FILTER_LENGTH} characters`);
  return filter;
}

export function sortParams(get: Params): Pick<TraceQueryParams, 'sort' | 'order'> {
  const sortText = optionalString(get, 'sort');
  const sort = sortText === undefined ? undefined : parseSortKey(sortText);
  if (sortText !== undefined && sort === undefined) {
    throw new HttpError(400, `sort must be one of ${SORT_COLUMNS.join(', ')} or score:NAME`);
  }
  const order = optionalString(get, 'order');
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw new HttpError(400, 'order must be asc or desc');
  return { sort, order: order as SortOrder | undefined };
}

export function integerParam(get: Params, name: string, min: number, max: number): number | undefined {
  const v = get(name);
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** `trace_ids`: a JSON array of strings, or (in a URL) a comma-separated list. */
export function traceIdsParam(get: Params, max = MAX_QUERY_LIMIT): string[] | undefined {
  const v = get('trace_ids');
  if (v === undefined || v === null || v === '') return undefined;
  const ids = typeof v === 'string' ? v.split(',').filter((s) => s !== '') : v;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new HttpError(400, 'trace_ids must be a list of trace ids');
  }
  if (ids.length > max) throw new HttpError(400, `trace_ids holds ${ids.length} ids; at most ${max}`);
  return ids;
}

/** The reply to a filter that does not parse: the message, and where in the text (for underlining). */
export function filterError(err: FilterSyntaxError): HttpError {
  return new HttpError(400, `invalid filter: ${err.message}`, [
    { path: 'filter', start: err.start, end: err.end, message: err.message },
  ]);
}

const RELATIVE_RE = /^now(?:-(.+))?$/i;

/**
 * A monitor bound: `now`, `now-24h`, an ISO time (UTC unless it has an offset) or epoch
 * milliseconds. Returns epoch milliseconds.
 */
export function timeParam(get: Params, name: string, now: number): number | undefined {
  const v = get(name);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const text = v.trim();
    if (/^\d+$/.test(text)) return Number(text);
    const rel = RELATIVE_RE.exec(text);
    if (rel) {
      const back = rel[1] === undefined ? 0 : parseDurationText(rel[1], null);
      if (back !== undefined) return now - back;
    }
    const micros = parseInstantText(text);
    if (micros !== undefined) return micros / 1000;
  }
  throw new HttpError(400, `${name} must be an ISO time, epoch milliseconds, now, or now-DURATION (e.g. now-24h)`);
}

/** `5m`, `1h`, or milliseconds. */
export function bucketParam(get: Params): number | undefined {
  const v = get('bucket');
  if (v === undefined || v === null || v === '') return undefined;
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseDurationText(v) : undefined;
  if (ms === undefined || !Number.isInteger(ms) || ms < 1)
    throw new HttpError(400, 'bucket must be a duration such as 1m, 15m or 1h (or whole milliseconds)');
  return ms;
}
