// GET /api/functions on a real collector and store: spans ingested over HTTP show up under
// their file and function, live, with the token required, bad parameters refused, deleted
// traces forgotten, and the index filled again from the store after a restart.

import { afterEach, describe, expect, it } from 'vitest';
import { batch, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { startTestCollector, type TestCollector } from '../support/collector';
import { formatMicros } from '../../src/core/model/time';

const FILE = '/home/me/project/app.py';
const now = Date.now();
const iso = (ms: number) => formatMicros((now + ms) * 1000);

let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

/** One trace calling `generate` (ok, 1.2 s) and `boom` (ValueError). */
function run(traceId: string, offsetMs: number, answer: string) {
  const loc = (fn: string, line: number) => ({ file: FILE, line, function: fn });
  return batch(
    traceStart(traceId, { name: 'my_llm_application', start_time: iso(offsetMs) }),
    spanEnd(`${traceId}-g`, traceId, {
      name: 'generate',
      type: 'llm',
      start_time: iso(offsetMs),
      end_time: iso(offsetMs + 1200),
      output: answer,
      usage: { prompt_tokens: 300, completion_tokens: 40, total_tokens: 340 },
      total_estimated_cost: 0.002,
      code_location: loc('generate', 12),
    }),
    spanEnd(`${traceId}-b`, traceId, {
      name: 'boom',
      start_time: iso(offsetMs + 1300),
      end_time: iso(offsetMs + 1310),
      code_location: loc('boom', 30),
      error_info: {
        exception_type: 'ValueError',
        message: 'kaboom',
        traceback: `Traceback (most recent call last):\n  File "${FILE}", line 32, in boom\n    raise ValueError("kaboom")\nValueError: kaboom`,
      },
    }),
    traceEnd(traceId, {
      end_time: iso(offsetMs + 1400),
      error_info: { exception_type: 'ValueError', message: 'kaboom' },
    }),
  );
}

describe('GET /api/functions', () => {
  it('lists the functions of a file with their statistics and recent calls', async () => {
    c = await startTestCollector();
    expect((await c.ingest(run('t1', -5000, 'Bonjour!'))).status).toBe(200);
    expect((await c.ingest(run('t2', -2000, 'Salut!'))).status).toBe(200);
    const r = await c.get(`/api/functions?file=${encodeURIComponent(FILE)}&window=hour`);
    expect(r.status).toBe(200);
    expect(r.json.window).toBe('hour');
    const [generate, boom] = r.json.functions;
    expect(generate).toMatchObject({
      file: FILE,
      function: 'generate',
      line: 12,
      calls: 2,
      errors: 0,
      p50_ms: 1200,
      p95_ms: 1200,
      tokens: 680,
      cost: 0.004,
      scores: {},
    });
    expect(generate.recent.map((x: { output_preview: string }) => x.output_preview)).toEqual(['Salut!', 'Bonjour!']);
    expect(generate.recent[0]).toMatchObject({
      span_id: 't2-g',
      trace_id: 't2',
      status: 'ok',
      duration_ms: 1200,
      error: null,
      trace_name: 'my_llm_application',
    });
    expect(boom).toMatchObject({
      function: 'boom',
      line: 30,
      calls: 2,
      errors: 2,
      recent: [{ status: 'error', error: 'ValueError: kaboom', trace_status: 'error' }, {}],
    });
  });

  it('shows a call while it runs and its end when it arrives', async () => {
    c = await startTestCollector();
    await c.ingest(
      batch(
        spanStart('s1', 't1', {
          name: 'chat',
          start_time: iso(-100),
          code_location: { file: FILE, line: 3, function: 'chat' },
        }),
      ),
    );
    const running = await c.get(`/api/functions?file=${encodeURIComponent(FILE)}`);
    expect(running.json.functions[0]).toMatchObject({ calls: 1, p50_ms: null, recent: [{ status: 'running' }] });
    await c.ingest(batch(spanEnd('s1', 't1', { end_time: iso(0), output: 'done' })));
    const ended = await c.get(`/api/functions?file=${encodeURIComponent(FILE)}`);
    expect(ended.json.functions[0]).toMatchObject({
      calls: 1,
      p50_ms: 100,
      recent: [{ status: 'ok', output_preview: 'done' }],
    });
  });

  it('finds functions known only by their span name with name=', async () => {
    c = await startTestCollector();
    await c.ingest(batch(spanEnd('s1', 't1', { name: 'Agent.plan', start_time: iso(-10), end_time: iso(0) })));
    const r = await c.get('/api/functions?name=plan&name=other');
    expect(r.json.functions.map((f: { file: string | null; function: string }) => [f.file, f.function])).toEqual([
      [null, 'Agent.plan'],
    ]);
  });

  it('needs the token and refuses bad parameters with a 400 that says why', async () => {
    c = await startTestCollector();
    expect((await c.raw(`/api/functions?file=${encodeURIComponent(FILE)}`)).status).toBe(401);
    const missing = await c.get('/api/functions');
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/file=/);
    const window = await c.get(`/api/functions?file=x&window=week`);
    expect([window.status, window.json.error]).toEqual([400, 'window must be one of run, hour, day, all']);
    expect((await c.get(`/api/functions?file=x&recent=-1`)).status).toBe(400);
    expect((await c.get(`/api/functions?file=${encodeURIComponent('/nowhere.py')}`)).json.functions).toEqual([]);
  });

  it('forgets the calls of deleted traces', async () => {
    c = await startTestCollector();
    await c.ingest(run('t1', -5000, 'a'));
    await c.ingest(run('t2', -2000, 'b'));
    expect((await c.get('/api/traces/t1', { method: 'DELETE' })).status).toBe(204);
    const r = await c.get(`/api/functions?file=${encodeURIComponent(FILE)}`);
    expect(r.json.functions.map((f: { calls: number }) => f.calls)).toEqual([1, 1]);
    expect((await c.get('/api/traces', { method: 'DELETE' })).status).toBe(204);
    expect((await c.get(`/api/functions?file=${encodeURIComponent(FILE)}`)).json.functions).toEqual([]);
  });

  it('reads the newest stored traces back after a restart', async () => {
    c = await startTestCollector();
    await c.ingest(run('t1', -5000, 'a'));
    await c.ingest(run('t2', -2000, 'b'));
    await c.stop();
    const dir = c.dir;
    c = await startTestCollector({ dir });
    await expect
      .poll(async () =>
        (await c!.get(`/api/functions?file=${encodeURIComponent(FILE)}`)).json.functions.map(
          (f: { calls: number }) => f.calls,
        ),
      )
      .toEqual([2, 2]);
  });
});
