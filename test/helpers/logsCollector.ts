// A real collector on a free loopback port over a real store in a temp folder, and small
// builders for native ingest events, for the logs and monitor tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector } from '../../src/collector/server';
import { openStore, type TraceStore } from '../../src/store/traceStore';

export interface Running {
  collector: Collector;
  store: TraceStore;
  dir: string;
  /** GET or POST with the token; returns status, parsed JSON (when JSON) and raw text. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  ingest(events: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function startLogsCollector(maxTraces = 100_000): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-logs-'));
  const store = await openStore({ dir, maxTraces, flushIntervalMs: 50, warn: () => {} });
  const collector = await startCollector({ store, port: 0, token: 'test-token', version: 'test', log: () => {} });
  const call: Running['call'] = async (method, path, body) => {
    const res = await fetch(`${collector.url}${path}`, {
      method,
      headers: { authorization: 'Bearer test-token', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    if ((res.headers.get('content-type') ?? '').startsWith('application/json')) json = JSON.parse(text);
    return { status: res.status, json, text, headers: res.headers };
  };
  return {
    collector,
    store,
    dir,
    call,
    async ingest(events) {
      const r = await call('POST', '/api/ingest', { events });
      if (r.status !== 200) throw new Error(`ingest failed: ${r.status} ${r.text}`);
    },
    async close() {
      await collector.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TraceSpec {
  id: string;
  name?: string;
  project?: string;
  start: string;
  /** Absent: the trace is still running. */
  end?: string;
  error?: boolean;
  tags?: string[];
  thread?: string;
  input?: unknown;
  output?: unknown;
  usage?: Record<string, number>;
  cost?: number;
  spans?: number;
  scores?: Record<string, number>;
}

/** The events that make one trace: the trace, `spans` spans (the first carries usage and cost), its scores. */
export function traceEvents(spec: TraceSpec): unknown[] {
  const trace: Record<string, unknown> = { id: spec.id, name: spec.name ?? 'chain', project_name: spec.project ?? 'Default Project', start_time: spec.start };
  if (spec.tags) trace.tags = spec.tags;
  if (spec.thread) trace.thread_id = spec.thread;
  if (spec.input !== undefined) trace.input = spec.input;
  if (spec.output !== undefined) trace.output = spec.output;
  if (spec.end) trace.end_time = spec.end;
  if (spec.error) trace.error_info = { exception_type: 'ValueError', message: 'bad' };
  const events: unknown[] = [{ event: 'trace_start', trace }];
  for (let i = 0; i < (spec.spans ?? 1); i++) {
    const span: Record<string, unknown> = { id: `${spec.id}-s${i}`, trace_id: spec.id, name: `step ${i}`, type: i === 0 ? 'llm' : 'general', start_time: spec.start };
    if (spec.end) span.end_time = spec.end;
    if (i === 0 && spec.usage) span.usage = spec.usage;
    if (i === 0 && spec.cost !== undefined) span.total_estimated_cost = spec.cost;
    events.push({ event: spec.end ? 'span_end' : 'span_start', span });
  }
  for (const [name, value] of Object.entries(spec.scores ?? {})) events.push({ event: 'score', score: { target: 'trace', id: spec.id, name, value } });
  return events;
}
