// One function index per store (core/functions/functionIndex.ts), shared by the read API and
// the extension host, which reads the store in-process: both ask `functionIndexOf(store)`.
// The index follows the store's change events from then on, and reads the newest traces
// already stored in the background, so lenses survive a restart of the editor.

import { FunctionIndex } from '../core/functions/functionIndex';
import type { Span } from '../core/model/model';
import type { TraceStoreApi } from '../store/types';

/** Traces read back at start-up to fill the index (newest first; each read replays one trace). */
export const SEED_TRACES = 200;

const indexes = new WeakMap<TraceStoreApi, FunctionIndex>();
/** Each index's read-back of the traces stored before it was made. */
const seeding = new WeakMap<FunctionIndex, Promise<void>>();

export function functionIndexOf(store: TraceStoreApi, options: { seedTraces?: number } = {}): FunctionIndex {
  let index = indexes.get(store);
  if (index) return index;
  const created = new FunctionIndex();
  index = created;
  indexes.set(store, created);
  store.onChange((change) => {
    if (change.removed.length) created.removeTraces(change.removed);
    if (change.spans.size === 0) return;
    // Only the traces whose spans changed: the others' summaries carry nothing for the index.
    created.observe(allSpans(change.spans), change.traces);
  });
  seeding.set(created, seed(store, created, options.seedTraces ?? SEED_TRACES));
  return created;
}

/** The store's index once it has read back what was stored before it: for an index made on a first request. */
export async function seededFunctionIndexOf(store: TraceStoreApi): Promise<FunctionIndex> {
  const index = functionIndexOf(store);
  await seeding.get(index);
  return index;
}

function* allSpans(spans: Map<string, Span[]>): Generator<Span> {
  for (const list of spans.values()) yield* list;
}

async function seed(store: TraceStoreApi, index: FunctionIndex, count: number): Promise<void> {
  if (count <= 0) return;
  // Oldest of them first, so runs are found in the order they happened.
  const newest = store.listTraces({ limit: count }).reverse();
  for (const summary of newest) {
    try {
      const detail = await store.getTrace(summary.id);
      if (detail && store.getSummary(summary.id))
        index.observe(detail.spans, [store.getSummary(summary.id)!], { onlyNew: true });
    } catch {
      // A trace that can not be read back (a damaged pack) just has no calls in the index.
    }
  }
}
