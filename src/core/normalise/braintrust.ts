// Braintrust's `POST /logs3` body → patches: `{"rows": [row…], "api_version": 2}`, as the
// Braintrust SDKs send it (docs/interop.md). Every row is checked first and the body is
// refused whole when any is wrong, before the row book (braintrust/rowBook.ts), which turns
// rows into patches across requests, sees any of it.
//
// Rows reach the book with their nesting cut at the limit (limits.ts), so its deep merge
// never recurses past it, and the patches it makes are bounded field by field with the
// native fields' rules, as every other route's are: names and text cut, nothing deeper than
// the limit stored (docs/protocol.md, "Limits").

import { DEPTH_MAX, NAME_MAX, TEXT_MAX, cutDepth, cutText } from './limits';
import type { Patch } from '../model/model';
import { isInTimeRange } from '../model/time';
import type { Row } from './braintrust/deepMerge';
import { isRow } from './braintrust/deepMerge';
import type { RowBook } from './braintrust/rowBook';
import { type FieldSpec, type Problem, Problems, idProblem, readFields } from './validate';
import { SPAN_FIELDS, TRACE_FIELDS } from './native';

export interface Logs3Result {
  patches: Patch[];
  /** When not empty the body was refused as a whole: nothing of it reached the book. */
  problems: Problem[];
}

/** Row fields that, when present (and not null), must have this shape. */
const SHAPES: [string, (v: unknown) => boolean, string][] = [
  ['span_id', (v) => idProblem(v) === undefined, 'must be an id (a string of 1–128 characters)'],
  ['root_span_id', (v) => idProblem(v) === undefined, 'must be an id (a string of 1–128 characters)'],
  [
    'span_parents',
    (v) => Array.isArray(v) && v.every((p) => idProblem(p) === undefined),
    'must be an array of span ids',
  ],
  ['project_id', (v) => typeof v === 'string', 'must be a string'],
  ['span_attributes', isRow, 'must be an object'],
  [
    'metrics',
    (v) => isRow(v) && Object.values(v).every((n) => n === null || typeof n === 'number'),
    'must be an object of numbers',
  ],
  [
    'scores',
    (v) => isRow(v) && Object.values(v).every((n) => n === null || (typeof n === 'number' && Number.isFinite(n))),
    'must be an object of numbers (or null)',
  ],
  ['tags', (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'), 'must be an array of strings'],
  ['context', isRow, 'must be an object'],
  ['origin', (v) => isRow(v) && idProblem(v.id) === undefined, 'must be an object with the id of the row it is about'],
  ['comment', (v) => isRow(v) && typeof v.text === 'string', 'must be an object with text'],
];

export function normaliseLogs3(body: unknown, book: RowBook): Logs3Result {
  if (!isRow(body) || !Array.isArray(body.rows)) {
    const overflow = isRow(body) && isRow(body.rows) && body.rows.type === 'logs3_overflow';
    const message = overflow
      ? 'overflow uploads are not supported: Spanscope announces no payload limit (GET /version), so the SDK sends rows inline'
      : 'the body must be an object with a "rows" array';
    return { patches: [], problems: [{ index: 0, path: 'rows', message }] };
  }
  const problems = new Problems();
  const rows: Row[] = [];
  body.rows.forEach((row: unknown, index: number) => {
    const path = `rows[${index}]`;
    if (!isRow(row)) return problems.add(index, path, 'must be an object');
    const idIssue = idProblem(row.id);
    if (idIssue) problems.add(index, `${path}.id`, idIssue);
    for (const [key, ok, message] of SHAPES) {
      if (row[key] !== undefined && row[key] !== null && !ok(row[key])) problems.add(index, `${path}.${key}`, message);
    }
    for (const key of ['start', 'end']) {
      const value = isRow(row.metrics) ? row.metrics[key] : undefined;
      if (typeof value === 'number' && !isInTimeRange(value * 1e6))
        problems.add(index, `${path}.metrics.${key}`, 'must be a time in epoch seconds within the years 0001–9999');
    }
    if ((typeof row.span_id === 'string') !== (typeof row.root_span_id === 'string'))
      problems.add(index, path, 'span_id and root_span_id come together');
    // A deleted row: patches only add, so there is nothing to apply (see docs/interop.md).
    if (row._object_delete === true) return;
    rows.push(cutDepth(row, DEPTH_MAX) as Row);
  });
  if (!problems.ok) return { patches: [], problems: problems.list };
  return { patches: book.take(rows).map(bounded), problems: [] };
}

/** A patch with every field within the limits. The rows were checked: bounding only cuts. */
function bounded(patch: Patch): Patch {
  switch (patch.kind) {
    case 'span':
      return { kind: 'span', span: boundFields(patch.span, SPAN_FIELDS) };
    case 'trace':
      return { kind: 'trace', trace: boundFields(patch.trace, TRACE_FIELDS) };
    case 'score': {
      const { name, reason, category_name } = patch.score;
      const score = { ...patch.score, name: cutText(name, NAME_MAX) };
      if (reason !== undefined) score.reason = cutText(reason, TEXT_MAX);
      if (category_name !== undefined) score.category_name = cutText(category_name, NAME_MAX);
      return { kind: 'score', score };
    }
  }
}

function boundFields<T extends { id: string }>(record: T, spec: FieldSpec): T {
  return readFields(record as Record<string, unknown>, spec, {
    problems: new Problems(0),
    index: 0,
    prefix: 'row',
  }) as T;
}
