// What every framework test needs: a collector on a free port, the fake OpenAI server on
// loopback as the provider, and read-API helpers that give a trace's spans by name. The
// frameworks themselves are the real npm packages; only the provider is a stand-in
// (api.openai.com cannot be reached from here).

import type { TestCollector } from '../support/collector';
import { startTestCollector } from '../support/collector';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fakeOpenAI';

export interface Rig {
  c: TestCollector;
  openai: FakeOpenAI;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const c = await startTestCollector({ collector: { grpc: { port: 0 } } });
  const openai = await startFakeOpenAI();
  return { c, openai, close: async () => void (await Promise.all([openai.close(), c.close()])) };
}

export interface ReadTrace {
  trace: any;
  spans: any[];
  /** Spans by name; several of one name are under `name#2`, `name#3`… in start order. */
  byName: Record<string, any>;
}

export async function readTrace(c: TestCollector, traceId: string): Promise<ReadTrace> {
  const reply = await c.get(`/api/traces/${traceId}`);
  if (reply.status !== 200) throw new Error(`GET /api/traces/${traceId}: ${reply.status} ${reply.text}`);
  const { trace, spans } = reply.json as { trace: any; spans: any[] };
  spans.sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0));
  const byName: Record<string, any> = {};
  for (const s of spans) {
    let key = s.name;
    for (let n = 2; byName[key]; n++) key = `${s.name}#${n}`;
    byName[key] = s;
  }
  return { trace, spans, byName };
}

/**
 * The trace once it has `count` spans: exporters that end a span after the call returned (a
 * stream's span, counted after its last chunk) may deliver it after a flush under load.
 */
export async function readTraceOf(
  c: TestCollector,
  traceId: string,
  count: number,
  flush: () => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<ReadTrace> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await flush();
    const read = await readTrace(c, traceId);
    if (read.spans.length >= count || Date.now() > deadline) return read;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The summaries of a project's traces, newest first. */
export async function listTraces(c: TestCollector, project: string): Promise<any[]> {
  const reply = await c.get(`/api/traces?project=${encodeURIComponent(project)}`);
  if (reply.status !== 200) throw new Error(`GET /api/traces: ${reply.status} ${reply.text}`);
  return (reply.json.traces ?? reply.json) as any[];
}
