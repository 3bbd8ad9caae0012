import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { Patch, TraceDetail } from '../../src/core/model/model';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import { at, score, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const dirs: string[] = [];
const stores: TraceStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A small deterministic random generator, so a failure can be replayed. */
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function events(rand: () => number): unknown[] {
  const out: unknown[] = [];
  const payload = 'p'.repeat(3000);
  for (let t = 0; t < 30; t++) {
    const trace = `trace-${t}`;
    out.push(
      traceStart(trace, { start_time: at(t * 100), input: { t } }),
      traceEnd(trace, { end_time: at(t * 100 + 90) }),
    );
    const spans = 5 + Math.floor(rand() * 30);
    for (let s = 0; s < spans; s++) {
      const id = `${trace}-${s}`;
      const parent = s === 0 ? undefined : `${trace}-${Math.floor(rand() * s)}`;
      out.push(
        spanStart(id, trace, {
          parent_span_id: parent,
          start_time: at(t * 100 + s),
          input: { payload },
          usage: { total_tokens: s },
        }),
      );
      if (rand() < 0.8)
        out.push(
          spanEnd(id, trace, {
            end_time: at(t * 100 + s + 1),
            output: `out ${s}`,
            ...(rand() < 0.1 ? { error_info: { exception_type: 'E' } } : {}),
          }),
        );
      if (rand() < 0.3)
        out.push({ event: 'span_update', span: { id, metadata: { [`k${s}`]: s }, tags: [`tag${s % 3}`] } });
      if (rand() < 0.2) out.push(score('span', id, 'quality', Math.round(rand() * 10) / 10));
    }
    if (rand() < 0.5) out.push(score('trace', trace, 'overall', 1));
  }
  return out;
}

function patchesOf(list: unknown[]): Patch[] {
  const result = normaliseNativeBatch({ events: list });
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.patches;
}

/** What a reader sees, without the times of arrival. */
function comparable(detail: TraceDetail | undefined) {
  const strip = (r: any) => {
    const { last_updated_at, feedback_scores, ...rest } = r;
    void last_updated_at;
    return { ...rest, feedback_scores: feedback_scores?.map(({ created_at, ...s }: any) => (void created_at, s)) };
  };
  return (
    detail && { trace: strip(detail.trace), spans: detail.spans.map(strip).sort((a, b) => (a.id < b.id ? -1 : 1)) }
  );
}

describe('store: order of arrival changes nothing a reader sees', () => {
  it.each([1, 2, 3, 4])('shuffled batches with flushes and reopens in between (seed %i)', async (seed) => {
    const rand = random(seed);
    const all = events(rand);
    const referenceDir = tempDir();
    dirs.push(referenceDir);
    const reference = await openStore({ dir: referenceDir, warn: () => {} });
    stores.push(reference);
    reference.apply(patchesOf(all));

    const shuffled = [...all].sort(() => rand() - 0.5);
    const dir = tempDir();
    dirs.push(dir);
    let store = await openStore({
      dir,
      warn: (m) => {
        throw new Error(m);
      },
    });
    let i = 0;
    while (i < shuffled.length) {
      const size = 1 + Math.floor(rand() * 60);
      store.apply(patchesOf(shuffled.slice(i, i + size)));
      i += size;
      const r = rand();
      if (r < 0.2) await store.flush();
      else if (r < 0.27) {
        await store.close();
        store = await openStore({
          dir,
          warn: (m) => {
            throw new Error(m);
          },
        });
      }
    }
    await store.close();
    store = await openStore({
      dir,
      warn: (m) => {
        throw new Error(m);
      },
    });
    stores.push(store);
    // Scores sent by span id alone for spans of an earlier run land once the store has
    // read those spans' ids back from its newest packs, in the background.
    await store.recalled;

    expect(store.listTraces({ limit: 100 }).map((t) => t.id)).toEqual(
      reference.listTraces({ limit: 100 }).map((t) => t.id),
    );
    for (let t = 0; t < 30; t++) {
      const id = `trace-${t}`;
      expect(comparable(await store.getTrace(id)), id).toEqual(comparable(await reference.getTrace(id)));
    }
  });
});
