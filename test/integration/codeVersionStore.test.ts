// A trace made from its spans keeps its code version (issue 16, item 6): a `trace_update`
// carrying only `code_version` is noted on the implicit trace, which stays implicit (named,
// timed and ended by its root span), before or after its spans, and through a reopen.

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Patch } from '../../src/core/model/model';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { openStore, type TraceStore } from '../../src/store/traceStore';
import { at, batch, spanEnd, spanStart, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const VERSION = { commit: '9eec1edb2c0e4c7ef5033a686450cbdb506ba0e4', branch: 'main', dirty: false };
const open: TraceStore[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  for (const dir of new Set(open.splice(0).map((s) => s.dir))) rmSync(dir, { recursive: true, force: true });
});

async function newStore(dir = tempDir()): Promise<TraceStore> {
  const store = await openStore({ dir, warn: () => undefined });
  open.push(store);
  return store;
}

function patches(body: unknown): Patch[] {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.patches;
}

const versionOnly = (id: string) => ({ event: 'trace_update', trace: { id, code_version: VERSION } });

describe('code version on a trace made from its spans', () => {
  it('is kept, and the trace stays named, timed and ended by its root span, whichever arrives first', async () => {
    const store = await newStore();
    store.apply(
      patches(
        batch(
          versionOnly('before'),
          spanEnd('b1', 'before', { name: 'step', start_time: at(1), end_time: at(9), input: { x: 1 } }),
        ),
      ),
    );
    store.apply(
      patches(
        batch(spanEnd('a1', 'after', { name: 'step', start_time: at(1), end_time: at(9) }), versionOnly('after')),
      ),
    );
    for (const id of ['before', 'after']) {
      expect(store.getSummary(id)).toMatchObject({ name: 'step', status: 'ok', duration_ms: 8, code_version: VERSION });
    }
    expect((await store.getTrace('before'))?.trace).toMatchObject({ input: { x: 1 }, code_version: VERSION });

    await store.close();
    open.splice(open.indexOf(store), 1);
    const reopened = await newStore(store.dir);
    expect(reopened.getSummary('before')).toMatchObject({ name: 'step', status: 'ok', code_version: VERSION });
  });

  it('survives the trace arriving after all, and a running root span keeps the trace running', async () => {
    const store = await newStore();
    store.apply(patches(batch(spanStart('r', 'later', { name: 'root', start_time: at(1) }), versionOnly('later'))));
    expect(store.getSummary('later')).toMatchObject({ name: 'root', status: 'running', code_version: VERSION });
    store.apply(patches(batch(traceStart('later', { name: 'named' }))));
    expect(store.getSummary('later')).toMatchObject({ name: 'named', code_version: VERSION });
  });
});
