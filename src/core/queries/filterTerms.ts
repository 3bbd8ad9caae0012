// Builds filter text from what a person clicked (a status cell, a tag, a score), so the
// table's clicks and the typed language can never disagree: every term written here parses
// back to the test it was made from (the tests check that round trip).

import { parseFilter, type CompareOp } from './filterParser';
import { isFilterFieldName } from './traceFilter';

const BARE_RE = /^[^\s()":<>=!\\-][^\s()":<>=!\\]*$/;
const KEYWORDS = new Set(['OR', 'AND', 'NOT']);

/** The value as it can stand in a filter: bare when that parses back to itself, quoted otherwise. */
export function quoteFilterValue(value: string): string {
  if (BARE_RE.test(value) && !KEYWORDS.has(value)) return value;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** `status:error`, `project:"My Project"`, `tag:beta`. */
export function fieldTerm(field: string, value: string): string {
  return `${field}:${quoteFilterValue(value)}`;
}

/** `user_feedback >= 0.5`; a score named like a field, or needing quotes, is written `score:"…">=0.5`. */
export function scoreTerm(name: string, op: CompareOp, value: number): string {
  const plain = BARE_RE.test(name) && !KEYWORDS.has(name) && !isFilterFieldName(name);
  return plain ? `${name} ${op} ${formatNumber(value)}` : `score:${quoteFilterValue(name)}${op}${formatNumber(value)}`;
}

/** `after:A before:B`, the half-open range [A, B) of a monitor bucket. */
export function timeRangeTerm(fromIso: string, toIso: string): string {
  return `after:${fromIso} before:${toIso}`;
}

/**
 * The filter with one more term ANDed on; a filter whose top level is an OR is put in
 * parentheses first so the new term narrows all of it. A term already there is not added
 * twice. A filter that does not parse is kept as typed, and the term added after it.
 */
export function addFilterTerm(filter: string, term: string): string {
  const current = filter.trim();
  if (current === '') return term;
  if (` ${current} `.includes(` ${term} `)) return current;
  let topIsOr = false;
  try {
    topIsOr = parseFilter(current).kind === 'or';
  } catch {
    // keep the text as typed; the filter box already shows its error
  }
  return topIsOr ? `(${current}) ${term}` : `${current} ${term}`;
}

function formatNumber(v: number): string {
  // Shortest text that reads back as the same double, so `=` on a clicked value matches.
  return String(v);
}
