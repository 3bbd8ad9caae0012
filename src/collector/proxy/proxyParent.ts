// Where a proxied call's span goes, from the request's headers. `x-spanscope-parent` names a
// span: by its id alone (the collector finds its trace), or as a Spanscope export
// (`ss1.…`, what `span.export()` returns: trace, span and project in one string).
// Braintrust's `x-bt-parent` is `project_name:NAME`, `project_id:ID` or an exported Braintrust
// span, read as the Braintrust wire reads them (core/normalise/braintrust/spanComponents.ts); `x-spanscope-project` names
// the project of a call's own trace. Without any, a call is a trace of its own.

import type { IncomingHttpHeaders } from 'node:http';
import { parseBraintrustParent } from '../../core/normalise/braintrust/spanComponents';
import { idProblem } from '../../core/normalise/validate';
import { HttpError } from '../httpError';

export interface ParentRef {
  /** The span the call's span goes under. */
  spanId?: string;
  /** Its trace, when the header said (else the store is asked). */
  traceId?: string;
  /** The project of a trace the call makes for itself. */
  projectName?: string;
}

/** Throws HttpError(400) for a header that names nothing it can use. */
export function parentFromHeaders(headers: IncomingHttpHeaders): ParentRef {
  const project = single(headers['x-spanscope-project'])?.trim() || undefined;
  const ours = single(headers['x-spanscope-parent'])?.trim();
  if (ours) {
    const exported = decodeSpanscopeExport(ours);
    if (exported) return { ...exported, projectName: exported.projectName ?? project };
    const problem = idProblem(ours);
    if (problem)
      throw new HttpError(400, `x-spanscope-parent must be a span id or an exported span (ss1.…): the id ${problem}`);
    return { spanId: ours, projectName: project };
  }
  const braintrust = single(headers['x-bt-parent'])?.trim();
  if (braintrust) {
    const parent = parseBraintrustParent(braintrust);
    // An experiment is not something Spanscope keeps (its routes answer 501): such a parent names nothing here.
    if (parent && (parent.spanId || parent.projectName))
      return { spanId: parent.spanId, traceId: parent.traceId, projectName: parent.projectName ?? project };
    throw new HttpError(
      400,
      'x-bt-parent must be project_name:NAME, project_id:ID or an exported span (span.export())',
    );
  }
  return { projectName: project };
}

/** `ss1.` + base64url of `{"t": trace id, "s": span id, "p"?: project}` (docs/protocol.md, "Exported spans"). */
function decodeSpanscopeExport(text: string): ParentRef | undefined {
  if (!text.startsWith('ss1.')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text.slice(4), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { t, s, p } = body as Record<string, unknown>;
  if (idProblem(t) || idProblem(s)) return undefined;
  return { traceId: t as string, spanId: s as string, projectName: typeof p === 'string' ? p : undefined };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
