// Inputs and outputs are captured when a span starts or ends, but encoded into a batch only
// later, when the sender flushes. In between, user code may mutate what it passed in or
// got back, so anything mutable is snapshotted at capture time: primitives are kept as
// they are (they can not change and cost nothing), objects are turned into JSON text there
// and then. Capturing never throws: what JSON can not hold becomes a readable stand-in,
// cycles become "[Circular]", and very large values are cut with a marker.

/** A snapshot of an object, as JSON text; parsed back (once) when a batch is encoded. */
export class Encoded {
  private parsed: unknown;

  constructor(readonly json: string) {}

  get value(): unknown {
    return (this.parsed ??= JSON.parse(this.json));
  }
}

/**
 * A captured value: a primitive, an `Encoded`, or a plain array/object the SDK built
 * itself whose members are captured values. Only these are stored on records.
 */
export type Sealed = unknown;

export const limits = {
  /** Longest JSON text kept for one value (characters); longer values are cut. */
  maxValueLength: 1_000_000,
};

/** Turns any value into a `Sealed` one that later mutation can not reach. */
export function snapshot(value: unknown): Sealed {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return functionLabel(value as Function);
    default:
      return value === null ? null : new Encoded(encodeJson(value));
  }
}

/**
 * The positions of a call's arguments whose recorded value is not the value itself (a
 * function, a class instance, a Map, a Date …: JSON can not give it back), kept on the
 * snapshot array so re-running the call (Spanscope's Debug This Call) can tell. Only the
 * top level is looked at: a deeper one would cost every call.
 */
export const LOSSY = Symbol('spanscope.lossy');

/** The arguments of one call: the same array when every member is immutable. */
export function snapshotArgs(args: unknown[]): unknown[] {
  let out = args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    const t = typeof v;
    if (t === 'object' ? v !== null : t === 'function' || t === 'bigint' || t === 'symbol') {
      if (out === args) out = args.slice();
      out[i] = snapshot(v);
      if (t !== 'object' || !plainShaped(v as object))
        ((out as unknown as Record<symbol, number[]>)[LOSSY] ??= []).push(i);
    }
  }
  return out;
}

function plainShaped(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

/** JSON text for any value; never throws. */
export function encodeJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, replacer);
  } catch {
    // A cycle, a throwing getter or a throwing toJSON: walk it by hand instead.
    try {
      text = JSON.stringify(toPlain(value, [], 0));
    } catch {
      text = JSON.stringify(`[unserialisable ${describe(value)}]`);
    }
  }
  if (text === undefined) return 'null';
  return text.length > limits.maxValueLength ? JSON.stringify(cut(text)) : text;
}

function cut(text: string): string {
  const max = limits.maxValueLength;
  return `${text.slice(0, max)}… [truncated ${text.length - max} characters]`;
}

// `this[key]` is the value before `toJSON` ran, which is how a Buffer is caught before it
// becomes an array of every byte.
function replacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return special(raw === undefined ? value : raw, value);
}

function special(raw: unknown, value: unknown): unknown {
  switch (typeof raw) {
    case 'bigint':
      return raw.toString();
    case 'function':
      return functionLabel(raw as Function);
    case 'symbol':
      return raw.toString();
    case 'object':
      if (raw === null) return null;
      if (ArrayBuffer.isView(raw)) return `[${raw.constructor.name}(${raw.byteLength} bytes)]`;
      if (raw instanceof ArrayBuffer) return `[ArrayBuffer(${raw.byteLength} bytes)]`;
      if (raw instanceof Map) return Object.fromEntries([...raw].map(([k, v]) => [String(k), v]));
      if (raw instanceof Set) return [...raw];
      if (raw instanceof Error) return { name: raw.name, message: raw.message };
      if (raw instanceof WeakMap || raw instanceof WeakSet || raw instanceof Promise)
        return `[${raw.constructor.name}]`;
      return value;
    default:
      return value;
  }
}

const MAX_DEPTH = 32;

/** The slow path: a plain copy with cycles, throwing getters and depth cut off. */
function toPlain(value: unknown, ancestors: object[], depth: number): unknown {
  let v = special(value, value);
  if (typeof v !== 'object' || v === null) return v;
  if (ancestors.includes(v)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    try {
      v = toJSON.call(v);
    } catch (err) {
      return `[toJSON threw: ${describe(err)}]`;
    }
    if (typeof v !== 'object' || v === null) return special(v, v);
  }
  ancestors.push(v as object);
  try {
    if (Array.isArray(v)) return v.map((item) => toPlain(item, ancestors, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v as object)) {
      try {
        out[key] = toPlain((v as Record<string, unknown>)[key], ancestors, depth + 1);
      } catch (err) {
        out[key] = `[getter threw: ${describe(err)}]`;
      }
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

function functionLabel(fn: Function): string {
  return `[Function: ${fn.name || 'anonymous'}]`;
}

function describe(value: unknown): string {
  try {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    return Object.prototype.toString.call(value);
  } catch {
    return 'value';
  }
}
