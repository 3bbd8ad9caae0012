// Reading a dataset file (`.spanscope/datasets/<name>.jsonl`) back for the logs table. The
// file is the user's to edit, and other tools write JSONL too, so nothing in it is trusted: a
// line that is not a JSON object is reported with its number and skipped, never fatal, and
// the rows keep only values (the webview shows them as text).

export interface DatasetSource {
  trace_id: string;
  span_id?: string;
  name?: string;
  /** Set by the host: whether the trace is still in the store (so the link can open it). */
  in_store?: boolean;
}

export interface DatasetEntry {
  /** 1-based line number in the file. */
  line: number;
  input: unknown;
  expected: unknown;
  metadata: unknown;
  source?: DatasetSource;
}

export interface DatasetProblem {
  line: number;
  message: string;
}

export interface ParsedDataset {
  rows: DatasetEntry[];
  problems: DatasetProblem[];
  /** Good rows past `maxRows`, counted but not kept. */
  omitted: number;
}

/** Problems past this many are counted in the last one, so a binary file does not flood the page. */
const MAX_PROBLEMS = 50;

export function parseDataset(text: string, maxRows = 5000): ParsedDataset {
  const rows: DatasetEntry[] = [];
  const problems: DatasetProblem[] = [];
  let omitted = 0;
  let extraProblems = 0;
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    const entry = parseLine(raw, i + 1);
    if ('message' in entry) {
      if (problems.length < MAX_PROBLEMS) problems.push(entry);
      else extraProblems++;
    } else if (rows.length < maxRows) rows.push(entry);
    else omitted++;
  }
  if (extraProblems)
    problems.push({
      line: problems[problems.length - 1].line,
      message: `and ${extraProblems} more lines that could not be read`,
    });
  return { rows, problems, omitted };
}

function parseLine(raw: string, line: number): DatasetEntry | DatasetProblem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { line, message: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return {
      line,
      message: `not a JSON object (${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value})`,
    };
  const o = value as Record<string, unknown>;
  // A line without our three fields (an Opik item of free-form keys, say) is all input, so
  // it still shows what it holds.
  const known = 'input' in o || 'expected' in o || 'metadata' in o;
  const entry: DatasetEntry = known
    ? { line, input: o.input, expected: o.expected, metadata: o.metadata }
    : { line, input: withoutSource(o), expected: undefined, metadata: undefined };
  const source = sourceOf(o.source_span);
  if (source) entry.source = source;
  return entry;
}

function sourceOf(v: unknown): DatasetSource | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const s = v as Record<string, unknown>;
  if (typeof s.trace_id !== 'string' || !s.trace_id) return undefined;
  const out: DatasetSource = { trace_id: s.trace_id };
  if (typeof s.span_id === 'string' && s.span_id) out.span_id = s.span_id;
  if (typeof s.name === 'string') out.name = s.name;
  return out;
}

function withoutSource(o: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...o };
  delete rest.source_span;
  return rest;
}

/** A `.jsonl` file directly in a `.spanscope/datasets` folder (a URI's path: forward slashes). */
export function isDatasetPath(uriPath: string): boolean {
  return /(^|\/)\.spanscope\/datasets\/[^/]+\.jsonl$/i.test(uriPath);
}
