// What the logs filter means: compiles the tree `filterParser.ts` reads into one predicate
// over trace summaries, once per query, so 50k traces cost 50k calls of small closures and no
// re-parsing. Every mistake a parser can not see (an unknown field, `status:done`, `cost > abc`)
// is reported here with the position of the offending text, like a syntax error.
//
// Semantics, in short (docs/protocol.md has the table users read):
// - free text matches, case-insensitively, a substring of the name, id, input/output
//   previews, tags, thread id, error type and message, and whatever `searchText` adds;
// - `commit:` matches the start of the trace's git commit (`code_version.commit`);
// - `field:value` tests one field; `name op number` compares a numeric field or a score;
// - a trace without the value compared (no cost, not scored, still running) never matches a
//   comparison, so `-user_feedback < 0.5` is how to include the unscored ones;
// - times without an offset are UTC; `after:` includes its instant, `before:` excludes it,
//   so `after:A before:B` is exactly the traces started in [A, B).

import { commitMatches } from '../model/codeVersion';
import type { Status, TraceSummary } from '../model/model';
import { FilterSyntaxError, parseFilter, type CompareOp, type FilterNode, type TextRange } from './filterParser';
import { formatMicros } from '../model/time';
import { parseDurationText, parseInstantText } from './timeText';
import { completionTokens, costOf, durationOf, promptTokens, totalTokens, ttftOf } from '../model/traceFields';

export { FilterSyntaxError } from './filterParser';

export interface FilterOptions {
  /** "Now" for `last:`, in epoch milliseconds; `Date.now()` when absent. */
  now?: number;
  /**
   * More text for free-text terms to search besides the summary's own (for example whole
   * inputs and outputs the store keeps in memory), already lowercased: terms are lowercased
   * once per query, and lowercasing kilobytes per trace per query would cost more than the
   * search.
   */
  searchText?: (trace: TraceSummary) => string | undefined;
}

export type TracePredicate = (trace: TraceSummary) => boolean;

/** Throws `FilterSyntaxError` (with the offending range) for text that is not a valid filter. */
export function compileFilter(text: string, options: FilterOptions = {}): TracePredicate {
  return new Compiler(options).compile(parseFilter(text));
}

/** The error a filter text would raise, or undefined when it is valid; for the filter box. */
export function checkFilter(text: string): FilterSyntaxError | undefined {
  try {
    compileFilter(text);
    return undefined;
  } catch (err) {
    if (err instanceof FilterSyntaxError) return err;
    throw err;
  }
}

interface NumericField {
  read(t: TraceSummary): number | undefined;
  parse(text: string): number | undefined;
  expects: string;
}

const COUNT: Pick<NumericField, 'parse' | 'expects'> = { parse: parseCount, expects: 'a number such as 1000 or 1.5k' };

const NUMERIC_FIELDS: Record<string, NumericField> = {
  duration: { read: durationOf, parse: (v) => parseDurationText(v), expects: 'a duration such as 250ms, 2s or 1.5m' },
  tokens: { read: totalTokens, ...COUNT },
  prompt_tokens: { read: promptTokens, ...COUNT },
  completion_tokens: { read: completionTokens, ...COUNT },
  cost: { read: costOf, parse: parseCost, expects: 'an amount in USD such as 0.01' },
  ttft: { read: ttftOf, parse: (v) => parseDurationText(v), expects: 'a duration such as 250ms or 1.5s' },
  spans: { read: (t) => t.span_count, ...COUNT },
  errors: { read: (t) => t.error_count, ...COUNT },
};

const ALIASES: Record<string, string> = {
  latency: 'duration',
  time_to_first_token: 'ttft',
  total_tokens: 'tokens',
  span_count: 'spans',
  error_count: 'errors',
  tags: 'tag',
  thread_id: 'thread',
  project_name: 'project',
  code_version: 'commit',
};

const STATUSES: Status[] = ['error', 'running', 'ok'];
const HAS: Record<string, TracePredicate> = {
  thread: (t) => Boolean(t.thread_id),
  commit: (t) => t.code_version !== undefined,
  tags: (t) => (t.tags?.length ?? 0) > 0,
  cost: (t) => costOf(t) !== undefined,
  ttft: (t) => ttftOf(t) !== undefined,
  tokens: (t) => totalTokens(t) !== undefined,
  scores: (t) => Object.keys(t.score_averages ?? {}).length > 0,
  input: (t) => t.input_preview !== undefined,
  output: (t) => t.output_preview !== undefined,
};

const VALUE_FIELDS = [
  'status',
  'tag',
  'project',
  'name',
  'thread',
  'commit',
  'id',
  'input',
  'output',
  'after',
  'before',
  'last',
  'has',
  'score',
];

/** Every field name the language knows, for help text and autocompletion. */
export const FILTER_FIELDS: readonly string[] = [...VALUE_FIELDS, ...Object.keys(NUMERIC_FIELDS)];

/** True when `name` (any case) is a field or an alias of one, so a score of that name needs `score:`. */
export function isFilterFieldName(name: string): boolean {
  const lower = name.toLowerCase();
  return FILTER_FIELDS.includes(lower) || lower in ALIASES;
}

class Compiler {
  constructor(private readonly options: FilterOptions) {}

  compile(node: FilterNode): TracePredicate {
    switch (node.kind) {
      case 'all':
        return () => true;
      case 'and': {
        const parts = node.items.map((n) => this.compile(n));
        return (t) => parts.every((p) => p(t));
      }
      case 'or': {
        const parts = node.items.map((n) => this.compile(n));
        return (t) => parts.some((p) => p(t));
      }
      case 'not': {
        const inner = this.compile(node.item);
        return (t) => !inner(t);
      }
      case 'text': {
        const needle = node.text.toLowerCase();
        const extra = this.options.searchText;
        if (!extra) return (t) => summaryText(t).includes(needle);
        // Apart, not joined: joining would copy the extra text for every trace of every query.
        return (t) => summaryText(t).includes(needle) || (extra(t)?.includes(needle) ?? false);
      }
      case 'field':
        return this.compileField(node.field, node.value, node.at, node.valueAt);
      case 'compare':
        return this.compileComparison(node);
    }
  }

  private compileField(rawField: string, value: string, at: TextRange, valueAt: TextRange): TracePredicate {
    const field = canonical(rawField);
    const lower = value.toLowerCase();
    switch (field) {
      case 'status': {
        const status = STATUSES.find((s) => s === lower);
        if (!status)
          throw new FilterSyntaxError(
            `unknown status "${value}": use status:error, status:running or status:ok`,
            valueAt,
          );
        return (t) => t.status === status;
      }
      case 'tag':
        return (t) => t.tags?.some((tag) => tag.toLowerCase() === lower) ?? false;
      case 'project':
        return (t) => t.project_name.toLowerCase() === lower;
      case 'name':
        return (t) => t.name.toLowerCase().includes(lower);
      case 'thread':
        return (t) => t.thread_id?.toLowerCase() === lower;
      case 'id':
        return (t) => t.id.toLowerCase().startsWith(lower);
      case 'commit':
        // A prefix, as people paste commits: commit:abc1234 matches abc1234f….
        if (!/^[0-9a-f]{1,64}$/.test(lower))
          throw new FilterSyntaxError(
            `commit:${value} is not a commit: use its id or the start of it, e.g. commit:abc1234`,
            valueAt,
          );
        return (t) => commitMatches(t.code_version, lower);
      case 'input':
        return (t) => t.input_preview?.toLowerCase().includes(lower) ?? false;
      case 'output':
        return (t) => t.output_preview?.toLowerCase().includes(lower) ?? false;
      case 'after':
      case 'before': {
        const micros = parseInstantText(value);
        if (micros === undefined) {
          throw new FilterSyntaxError(
            `"${value}" is not a time: use 2026-01-02, 2026-01-02T03:04 or a full ISO time (UTC unless it has an offset)`,
            valueAt,
          );
        }
        const bound = formatMicros(micros);
        return field === 'after' ? (t) => t.start_time >= bound : (t) => t.start_time < bound;
      }
      case 'last': {
        const ms = parseDurationText(value, null);
        if (ms === undefined)
          throw new FilterSyntaxError(
            `"${value}" is not a duration with a unit: use e.g. last:15m, last:1h or last:7d`,
            valueAt,
          );
        const bound = formatMicros(((this.options.now ?? Date.now()) - ms) * 1000);
        return (t) => t.start_time >= bound;
      }
      case 'has': {
        const test = HAS[lower];
        if (!test)
          throw new FilterSyntaxError(`has:${value} is unknown: use has:${Object.keys(HAS).join(', has:')}`, valueAt);
        return test;
      }
      case 'score': {
        const read = scoreReader(value);
        return (t) => read(t) !== undefined;
      }
    }
    if (NUMERIC_FIELDS[field]) return this.numeric(field, '=', value, valueAt);
    throw new FilterSyntaxError(
      `unknown field "${rawField}": fields are ${FILTER_FIELDS.join(', ')}; to search for the text, put it in quotes`,
      { start: at.start, end: at.start + rawField.length },
    );
  }

  private compileComparison(node: Extract<FilterNode, { kind: 'compare' }>): TracePredicate {
    const field = canonical(node.name);
    if (!node.score && NUMERIC_FIELDS[field]) return this.numeric(field, node.op, node.value, node.valueAt);
    if (!node.score && VALUE_FIELDS.includes(field) && field !== 'score') {
      throw new FilterSyntaxError(`${field} is not a number: write ${field}:VALUE`, {
        start: node.at.start,
        end: node.at.start + node.name.length,
      });
    }
    const limit = Number(node.value);
    if (node.value.trim() === '' || !Number.isFinite(limit)) {
      throw new FilterSyntaxError(`score "${node.name}" compares with a number, not "${node.value}"`, node.valueAt);
    }
    const read = scoreReader(node.name);
    const test = comparator(node.op, limit);
    return (t) => {
      const v = read(t);
      return v !== undefined && test(v);
    };
  }

  private numeric(field: string, op: CompareOp, text: string, valueAt: TextRange): TracePredicate {
    const spec = NUMERIC_FIELDS[field];
    const limit = spec.parse(text);
    if (limit === undefined) throw new FilterSyntaxError(`${field} expects ${spec.expects}, not "${text}"`, valueAt);
    const test = comparator(op, limit);
    return (t) => {
      const v = spec.read(t);
      return v !== undefined && test(v);
    };
  }
}

// Summaries the store hands out again unchanged keep their lowercased text.
const summaryTextCache = new WeakMap<TraceSummary, string>();

function summaryText(t: TraceSummary): string {
  let text = summaryTextCache.get(t);
  if (text === undefined) {
    const parts = [
      t.name,
      t.id,
      t.input_preview,
      t.output_preview,
      t.thread_id,
      ...(t.tags ?? []),
      t.error_info?.exception_type,
      t.error_info?.message,
    ];
    text = `${parts
      .filter((p) => typeof p === 'string')
      .join('\n')
      .toLowerCase()}\n`;
    summaryTextCache.set(t, text);
  }
  return text;
}

function canonical(field: string): string {
  const lower = field.toLowerCase();
  return ALIASES[lower] ?? lower;
}

/** Score names match case-insensitively, as the other fields do. */
function scoreReader(name: string): (t: TraceSummary) => number | undefined {
  const lower = name.toLowerCase();
  return (t) => {
    const scores = t.score_averages;
    if (!scores) return undefined;
    let s = scores[name];
    if (!s) {
      for (const key in scores) {
        if (key.toLowerCase() === lower) {
          s = scores[key];
          break;
        }
      }
    }
    return s && Number.isFinite(s.avg) ? s.avg : undefined;
  };
}

function comparator(op: CompareOp, limit: number): (v: number) => boolean {
  switch (op) {
    case '<':
      return (v) => v < limit;
    case '<=':
      return (v) => v <= limit;
    case '>':
      return (v) => v > limit;
    case '>=':
      return (v) => v >= limit;
    case '=':
      return (v) => v === limit;
    case '!=':
      return (v) => v !== limit;
  }
}

const COUNT_RE = /^(\d+(?:\.\d+)?|\.\d+)([kKmM]?)$/;

/** `1000`, `1.5k`, `2M`. */
function parseCount(text: string): number | undefined {
  const m = COUNT_RE.exec(text.trim());
  if (!m) return undefined;
  const scale = m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1e3 : 1e6;
  return Number(m[1]) * scale;
}

/** `0.01` or `$0.01`. */
function parseCost(text: string): number | undefined {
  const t = text.trim().replace(/^\$/, '');
  if (!/^(\d+(?:\.\d*)?|\.\d+)(e-?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}
