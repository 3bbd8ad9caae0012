// `span.export()` (Braintrust's idiom) gives a string that identifies a span across
// processes: pass it as `parent` to `startSpan` in a feedback handler, a worker or another
// service, and the new span joins the same trace under it. The string is versioned
// ("ss1.") and carries the trace id, the span id and the project, base64url-encoded JSON so
// any language can read it (the Python SDK uses the same form).

export interface ExportedSpan {
  traceId: string;
  spanId: string;
  projectName?: string;
}

import { isValidId } from './ids.js';

const PREFIX = 'ss1.';

export function encodeExported(span: ExportedSpan): string {
  const body: Record<string, string> = { t: span.traceId, s: span.spanId };
  if (span.projectName) body.p = span.projectName;
  return PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The span an exported string names, or undefined when the text is not one. */
export function decodeExported(text: string): ExportedSpan | undefined {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return undefined;
  try {
    const body = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (!isValidId(body.t) || !isValidId(body.s)) return undefined;
    const out: ExportedSpan = { traceId: body.t, spanId: body.s };
    if (typeof body.p === 'string') out.projectName = body.p;
    return out;
  } catch {
    return undefined;
  }
}
