// The real `opik` npm client pointed at a recording server: these tests pin down what it puts
// on the wire (paths, methods, headers, bodies) and check that every body it sends
// normalises into the patches a user would expect. The collector's routes are tested
// against the same client in test/integration.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opik, flushAll, track } from 'opik';
import type { Patch, SpanPatch, TracePatch } from '../../src/core/model/model';
import type { Normalised } from '../../src/core/normalise/opik';
import {
  opikScores,
  opikSpanBatch,
  opikSpanUpdate,
  opikTraceBatch,
  opikTraceUpdate,
} from '../../src/core/normalise/opik';
import type { RecordedRequest, RecordingServer } from '../support/recordingServer';
import { startRecordingServer } from '../support/recordingServer';

let server: RecordingServer;
let previousUrl: string | undefined;

beforeAll(async () => {
  server = await startRecordingServer();
  previousUrl = process.env.OPIK_URL_OVERRIDE;
  // As a user would configure it: the Opik base URL is the collector's `/api`.
  process.env.OPIK_URL_OVERRIDE = `${server.url}/api`;
});

afterAll(async () => {
  if (previousUrl === undefined) delete process.env.OPIK_URL_OVERRIDE;
  else process.env.OPIK_URL_OVERRIDE = previousUrl;
  await server.close();
});

/** What the Opik routes will do with each request the client makes. */
function normalise(req: RecordedRequest): Normalised {
  const body = JSON.parse(req.body.toString('utf8'));
  const key = `${req.method} ${req.path.replace(/\/[0-9a-f-]{36}$/, '/:id')}`;
  const id = req.path.split('/').pop() ?? '';
  switch (key) {
    case 'POST /api/v1/private/traces/batch':
      return opikTraceBatch(body);
    case 'POST /api/v1/private/spans/batch':
      return opikSpanBatch(body);
    case 'PATCH /api/v1/private/traces/:id':
      return opikTraceUpdate(id, body);
    case 'PATCH /api/v1/private/spans/:id':
      return opikSpanUpdate(id, body);
    case 'PUT /api/v1/private/traces/feedback-scores':
      return opikScores('trace', body);
    case 'PUT /api/v1/private/spans/feedback-scores':
      return opikScores('span', body);
    default:
      throw new Error(`the client made a request no route takes: ${key}`);
  }
}

function patchesOf(requests: RecordedRequest[]): Patch[] {
  return requests.flatMap((r) => {
    const result = normalise(r);
    expect(result.problems, `${r.method} ${r.path}`).toEqual([]);
    return result.patches;
  });
}

const traces = (patches: Patch[]): TracePatch[] => patches.flatMap((p) => (p.kind === 'trace' ? [p.trace] : []));
const spans = (patches: Patch[]): SpanPatch[] => patches.flatMap((p) => (p.kind === 'span' ? [p.span] : []));
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('the opik npm client on the wire', () => {
  it('sends batches, updates and scores that normalise to the trace the user logged', async () => {
    const from = server.requests.length;
    const client = new Opik({ projectName: 'wire-project' });
    const trace = client.trace({ name: 'chain', input: { question: 'hi' }, threadId: 'conv-1', tags: ['t'] });
    const llm = trace.span({
      name: 'llm-call',
      type: 'llm',
      input: { messages: [{ role: 'user', content: 'hi' }] },
      model: 'gpt-4o',
      provider: 'openai',
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    const tool = llm.span({ name: 'lookup', type: 'tool', input: { q: 'x' } });
    tool.end();
    await client.flush();
    // Sent after the create went out, so these travel as PATCH requests.
    llm.update({ output: { role: 'assistant', content: 'hello' } });
    llm.end();
    llm.score({ name: 'relevance', value: 0.75, reason: 'on topic' });
    trace.update({ output: { answer: 'hello' } });
    trace.end();
    trace.score({ name: 'overall', value: 1 });
    await client.flush();

    const sent = server.requests.slice(from);
    const routes = sent.map((r) => `${r.method} ${r.path.replace(/\/[0-9a-f-]{36}$/, '/:id')}`);
    expect(new Set(routes)).toEqual(
      new Set([
        'POST /api/v1/private/traces/batch',
        'POST /api/v1/private/spans/batch',
        'PATCH /api/v1/private/spans/:id',
        'PATCH /api/v1/private/traces/:id',
        'PUT /api/v1/private/spans/feedback-scores',
        'PUT /api/v1/private/traces/feedback-scores',
      ]),
    );
    for (const r of sent) {
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.headers['comet-workspace']).toBe('default');
      expect(r.headers['content-encoding']).toBeUndefined(); // the Node SDK does not compress
    }

    const patches = patchesOf(sent);
    const [t] = traces(patches);
    expect(t).toMatchObject({
      name: 'chain',
      project_name: 'wire-project',
      input: { question: 'hi' },
      thread_id: 'conv-1',
      tags: ['t'],
    });
    expect(t.start_time).toMatch(CANONICAL_TIME);
    const traceUpdate = traces(patches).find((p) => p.output !== undefined);
    expect(traceUpdate).toMatchObject({ id: t.id, output: { answer: 'hello' } });
    expect(traceUpdate?.end_time).toMatch(CANONICAL_TIME);

    const created = spans(patches).filter((s) => s.start_time);
    const llmSpan = created.find((s) => s.name === 'llm-call');
    const toolSpan = created.find((s) => s.name === 'lookup');
    expect(llmSpan).toMatchObject({
      trace_id: t.id,
      type: 'llm',
      model: 'gpt-4o',
      provider: 'openai',
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    expect(llmSpan).not.toHaveProperty('parent_span_id');
    expect(toolSpan).toMatchObject({ trace_id: t.id, parent_span_id: llmSpan?.id, type: 'tool' });
    expect(toolSpan?.end_time).toMatch(CANONICAL_TIME);
    const llmUpdate = spans(patches).find((s) => s.id === llmSpan?.id && s.output !== undefined);
    expect(llmUpdate).toMatchObject({ trace_id: t.id, output: { role: 'assistant', content: 'hello' } });

    const scores = patches.flatMap((p) => (p.kind === 'score' ? [p.score] : []));
    expect(scores).toEqual(
      expect.arrayContaining([
        { target: 'span', id: llmSpan?.id, name: 'relevance', value: 0.75, reason: 'on topic', source: 'sdk' },
        { target: 'trace', id: t.id, name: 'overall', value: 1, source: 'sdk' },
      ]),
    );
  });

  it('sends tracked functions as a trace with nested spans', async () => {
    const from = server.requests.length;
    const inner = track({ name: 'inner', type: 'tool' }, async (x: number) => x + 1);
    const outer = track({ name: 'outer', projectName: 'wire-project' }, async (x: number) => (await inner(x)) * 2);
    expect(await outer(20)).toBe(42);
    await flushAll();

    const patches = patchesOf(server.requests.slice(from));
    const [t] = traces(patches);
    expect(t).toMatchObject({ name: 'outer', input: { arguments: [20] }, output: { result: 42 } });
    const byName = new Map(spans(patches).map((s) => [s.name, s]));
    expect(byName.get('outer')).toMatchObject({ trace_id: t.id });
    expect(byName.get('inner')).toMatchObject({
      trace_id: t.id,
      parent_span_id: byName.get('outer')?.id,
      type: 'tool',
      output: { result: 21 },
    });
  });

  it('does not ping or make any other request at start-up', () => {
    const others = server.requests.filter((r) => !r.path.startsWith('/api/v1/private/'));
    expect(others).toEqual([]);
  });
});
