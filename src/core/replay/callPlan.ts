// From a span of a tracked function back to a call of that function: which file, which name
// to import, and the arguments in the order and form the function takes them. The SDKs record
// arguments by parameter name, plus (metadata `spanscope.call`, docs/protocol.md) the
// function's parameter kinds, whether it is a method, and which arguments did not round-trip
// through JSON. When a call can not be rebuilt, the one reason why, in words for the user.

import type { Span } from '../model/model';

export type CallLanguage = 'python' | 'node';

/** Python's parameter kinds, as the Python SDK records them. */
export type ParamKind = 'pos_only' | 'pos' | 'kw_only' | 'var_pos' | 'var_kw';

/** What an SDK recorded about the function (metadata `spanscope.call`). */
export interface CallShape {
  qualname?: string;
  /** `instance`: called on an object (its `self`/`this` is not captured); `class`: a classmethod. */
  method?: 'instance' | 'class' | null;
  /** Python: [name, kind, has default]. */
  params?: [string, ParamKind, boolean][];
  /** Node: parameter names in order (null: a destructuring pattern, recorded as `argN`). */
  names?: (string | null)[];
  /** Node: the last parameter is `...rest`. */
  rest?: boolean;
  /** Arguments whose recorded value is not the value the function got (not JSON). */
  lossy?: string[];
}

export type CallArg =
  | { kind: 'positional'; value: unknown }
  | { kind: 'spread'; value: unknown[] }
  | { kind: 'keyword'; name: string; value: unknown };

export interface ReplayCall {
  language: CallLanguage;
  /** Absolute path of the function's file. */
  file: string;
  /** The name to look up in the module: `answer`, or `Agent.create` for a classmethod. */
  qualname: string;
  args: CallArg[];
  /** What the call gave: the reviewer's `expected` when set, else the recorded output. */
  expected:
    | { kind: 'value'; value: unknown; source: 'output' | 'expected' }
    | { kind: 'error'; type: string; message?: string };
  origin: { traceId: string; spanId: string; traceName?: string; spanName: string; startTime: string; line: number };
}

export type PlanResult = { ok: true; call: ReplayCall } | { ok: false; reason: string };

export const CALL_METADATA_KEY = 'spanscope.call';
/** What the Python SDK writes after a value cut for size (the Node SDK: `… [truncated N characters]`). */
const TRUNCATED = '…[truncated]';

const PYTHON_FILE = /\.py$/i;
const NODE_FILE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/i;

export function languageOf(file: string): CallLanguage | undefined {
  return PYTHON_FILE.test(file) ? 'python' : NODE_FILE.test(file) ? 'node' : undefined;
}

export function callShapeOf(span: Pick<Span, 'metadata'>): CallShape | undefined {
  const raw = span.metadata?.[CALL_METADATA_KEY];
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as CallShape) : undefined;
}

/** The call a span records, or why it can not be made again. */
export function planCall(span: Span, traceName?: string): PlanResult {
  const where = span.code_location;
  const shape = callShapeOf(span);
  const label = shape?.qualname ?? where?.function ?? span.name;
  const fail = (reason: string): PlanResult => ({ ok: false, reason: `Spanscope can not re-run ${label}: ${reason}.` });
  if (!where?.file || (!where.file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(where.file)))
    return fail('the span has no code location, so which function made it is unknown');
  const language = languageOf(where.file);
  if (!language) return fail(`its file (${baseName(where.file)}) is neither Python nor JavaScript/TypeScript`);
  const qualname = shape?.qualname ?? where.function ?? span.name;
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(qualname)) {
    return fail(
      qualname.includes('<locals>')
        ? `it is defined inside another function (${qualname}), so it can not be imported from its module`
        : `"${qualname}" is not a name that can be imported`,
    );
  }
  if (shape?.method === 'instance')
    return fail(
      `it is a method, and the object it was called on (${language === 'python' ? 'self' : 'this'}) is not recorded`,
    );
  if (language === 'python' && qualname.includes('.') && shape?.method !== 'class')
    return fail(`${qualname} is not defined at module level, so it can not be imported`);
  if (language === 'node' && qualname.includes('.')) return fail(`${qualname} is not a module export`);
  const input = span.input === undefined || span.input === null ? (emptyCall(shape) ? {} : undefined) : span.input;
  if (input === undefined) return fail('its input was not recorded (capture_input was off)');
  if (typeof input !== 'object' || Array.isArray(input))
    return fail('its input is not a set of arguments by parameter name');
  const lossy = (shape?.lossy ?? []).filter((n) => n in input);
  if (lossy.length)
    return fail(
      `${plural(lossy, 'argument')} ${lossy.map((n) => `\`${n}\``).join(', ')} ${lossy.length > 1 ? 'were' : 'was'} not JSON (recorded as text), so the value the function got is lost`,
    );
  const cut = Object.keys(input).filter((k) => containsTruncation((input as Record<string, unknown>)[k]));
  if (cut.length)
    return fail(
      `${plural(cut, 'argument')} ${cut.map((n) => `\`${n}\``).join(', ')} ${cut.length > 1 ? 'were' : 'was'} cut for size when recorded`,
    );
  const args =
    language === 'python'
      ? pythonArgs(input as Record<string, unknown>, shape)
      : nodeArgs(input as Record<string, unknown>, shape);
  if (typeof args === 'string') return fail(args);
  return {
    ok: true,
    call: {
      language,
      file: where.file,
      qualname,
      args,
      expected: expectedOf(span),
      origin: {
        traceId: span.trace_id,
        spanId: span.id,
        traceName,
        spanName: span.name,
        startTime: span.start_time,
        line: where.line,
      },
    },
  };
}

function expectedOf(span: Span): ReplayCall['expected'] {
  if (span.expected !== undefined && span.expected !== null)
    return { kind: 'value', value: span.expected, source: 'expected' };
  if (span.error_info) return { kind: 'error', type: span.error_info.exception_type, message: span.error_info.message };
  return { kind: 'value', value: span.output ?? null, source: 'output' };
}

function emptyCall(shape: CallShape | undefined): boolean {
  return (
    (shape?.params !== undefined && shape.params.length === 0) ||
    (shape?.names !== undefined && shape.names.length === 0)
  );
}

/**
 * Python: positional-only parameters by position; the others by keyword, unless a `*args`
 * list follows them (then everything before it by position); unknown names go to `**kwargs`.
 * Without a recorded shape, every argument by keyword.
 */
export function pythonArgs(input: Record<string, unknown>, shape: CallShape | undefined): CallArg[] | string {
  const params = shape?.params;
  if (!params) return Object.entries(input).map(([name, value]) => ({ kind: 'keyword', name, value }));
  const args: CallArg[] = [];
  const used = new Set<string>();
  const varPos = params.find(([, kind]) => kind === 'var_pos');
  const spreadValues = varPos && Array.isArray(input[varPos[0]]) ? (input[varPos[0]] as unknown[]) : [];
  const byPosition = spreadValues.length > 0;
  let gap: string | undefined; // a positional parameter left out: later ones can not be given by position
  for (const [name, kind, hasDefault] of params) {
    const present = Object.hasOwn(input, name);
    if (kind === 'var_pos') {
      if (present) {
        used.add(name);
        if (!Array.isArray(input[name])) return `its *${name} was recorded as ${typeof input[name]}, not a list`;
        if (spreadValues.length && gap) return `${gap} is missing from the input, so *${name} can not be passed`;
        if (spreadValues.length) args.push({ kind: 'spread', value: spreadValues });
      }
      continue;
    }
    if (kind === 'var_kw') continue;
    if (!present) {
      if (!hasDefault) return `its required argument \`${name}\` is missing from the input`;
      if (kind !== 'kw_only') gap ??= name;
      continue;
    }
    used.add(name);
    const positional = kind === 'pos_only' || (kind === 'pos' && byPosition);
    if (positional && gap) return `\`${gap}\` is missing from the input, so \`${name}\` can not be passed by position`;
    args.push(positional ? { kind: 'positional', value: input[name] } : { kind: 'keyword', name, value: input[name] });
  }
  const extra = Object.keys(input).filter((k) => !used.has(k));
  if (extra.length && !params.some(([, kind]) => kind === 'var_kw')) {
    return `the input has ${extra.map((n) => `\`${n}\``).join(', ')}, which ${extra.length > 1 ? 'are not parameters' : 'is not a parameter'} of the function`;
  }
  for (const name of extra) args.push({ kind: 'keyword', name, value: input[name] });
  return args;
}

/**
 * Node: arguments by position, in the order of the recorded parameter names (`argN` where a
 * parameter had none); a `...rest` parameter's list spread. Without a recorded shape, the
 * input's own key order (the SDK writes keys in parameter order).
 */
export function nodeArgs(input: Record<string, unknown>, shape: CallShape | undefined): CallArg[] | string {
  const names = shape?.names ?? Object.keys(input);
  const rest = shape?.names ? shape.rest === true : false;
  const args: CallArg[] = [];
  let missing: string | undefined;
  for (let i = 0; i < names.length; i++) {
    const key = names[i] ?? `arg${i}`;
    const present = Object.hasOwn(input, key);
    if (rest && i === names.length - 1) {
      if (!present) break;
      if (!Array.isArray(input[key])) return `its ...${key} was recorded as ${typeof input[key]}, not a list`;
      if ((input[key] as unknown[]).length && missing)
        return `\`${missing}\` is missing from the input, so ...${key} can not be passed`;
      if ((input[key] as unknown[]).length) args.push({ kind: 'spread', value: input[key] as unknown[] });
      break;
    }
    if (!present) {
      missing ??= key;
      continue;
    }
    // An argument left out before a given one was `undefined`: JSON has no such value.
    if (missing) {
      for (let j = args.length; j < i; j++) args.push({ kind: 'positional', value: undefined });
      missing = undefined;
    }
    args.push({ kind: 'positional', value: input[key] });
  }
  const known = new Set(names.map((n, i) => n ?? `arg${i}`));
  const extra = Object.keys(input).filter((k) => !known.has(k));
  if (extra.length) return `the input has ${extra.map((n) => `\`${n}\``).join(', ')}, which the function does not take`;
  return args;
}

function containsTruncation(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.endsWith(TRUNCATED) || /… \[truncated \d+ characters\]$/.test(value);
  if (depth > 64 || !value || typeof value !== 'object') return false;
  return Object.values(value as Record<string, unknown>).some((v) => containsTruncation(v, depth + 1));
}

function plural(list: unknown[], word: string): string {
  return list.length > 1 ? `the ${word}s` : `the ${word}`;
}

export function baseName(file: string): string {
  return file.replace(/^.*[\\/]/, '');
}
