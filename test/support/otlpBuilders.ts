// Small builders for hand-made OTLP/JSON export requests.

export type AnyValue = Record<string, unknown>;

export function anyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value && typeof value === 'object') return { kvlistValue: { values: attrs(value as Record<string, unknown>) } };
  throw new Error(`no AnyValue for ${String(value)}`);
}

export function attrs(values: Record<string, unknown>): { key: string; value: AnyValue }[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export const TRACE_HEX = '5b8efff798038103d269b633813fc60c';
export const ROOT_HEX = 'eee19b7ec3c1b174';
export const CHILD_HEX = 'eee19b7ec3c1b173';
/** 2026-01-02T03:04:05.123456789Z in nanoseconds. */
export const START_NS = '1767323045123456789';
export const END_NS = '1767323046000000000';

export interface SpanInput {
  traceId?: unknown;
  spanId?: unknown;
  parentSpanId?: unknown;
  name?: string;
  kind?: unknown;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
  attributes?: Record<string, unknown>;
  events?: { name: string; timeUnixNano?: string; attributes?: Record<string, unknown> }[];
  status?: Record<string, unknown>;
  [other: string]: unknown;
}

export function otlpSpan(over: SpanInput = {}): Record<string, unknown> {
  const { attributes, events, ...rest } = over;
  return {
    traceId: TRACE_HEX,
    spanId: ROOT_HEX,
    name: 'root',
    kind: 1,
    startTimeUnixNano: START_NS,
    endTimeUnixNano: END_NS,
    attributes: attrs(attributes ?? {}),
    events: (events ?? []).map((e) => ({ ...e, attributes: attrs(e.attributes ?? {}) })),
    status: { code: 0 },
    ...rest,
  };
}

export function otlpRequest(
  spans: Record<string, unknown>[],
  resource: Record<string, unknown> = { 'service.name': 'svc' },
  scope = { name: 'my-lib', version: '1.2.3' },
) {
  return { resourceSpans: [{ resource: { attributes: attrs(resource) }, scopeSpans: [{ scope, spans }] }] };
}
