// Search texts for traces whose index entry has none: a store written before the index kept
// them. Read once in the background after open, each pack once (reading pack by pack rather
// than trace by trace: a pack holds the chunks of many traces), so until it ends the filter's
// free text finds those traces by their summaries only. Stores written since never need it.

import { join } from 'node:path';
import { type ChunkFileData, LoadedTrace } from './loadedTrace';
import { type UnitData, type UnitLocation, packFileName } from './packTable';
import { CorruptFileError } from './storeFiles';
import { isTraceUnit, readPack } from './traceFiles';

export interface BackfillSource {
  /** Trace id → where its chunks are, for the traces that need a search text. */
  wanted: Map<string, UnitLocation[]>;
  /** Called once per trace found whole; the store checks it still needs it. */
  found(traceId: string, text: string): void;
  stopped(): boolean;
}

export async function backfillSearchTexts(packsDir: string, source: BackfillSource): Promise<void> {
  const { wanted } = source;
  if (wanted.size === 0) return;
  const byPack = new Map<number, Set<string>>();
  for (const [id, units] of wanted) {
    for (const [pack] of units) {
      let ids = byPack.get(pack);
      if (!ids) byPack.set(pack, (ids = new Set()));
      ids.add(id);
    }
  }
  // The chunks read so far of traces spread over several packs.
  const partial = new Map<string, (UnitData | undefined)[]>();
  for (const pack of [...byPack.keys()].sort((a, b) => a - b)) {
    if (source.stopped()) return;
    let units: UnitData[] | undefined;
    try {
      units = await readPack(join(packsDir, packFileName(pack)));
    } catch (err) {
      if (err instanceof CorruptFileError || (err as NodeJS.ErrnoException).code === 'ENOENT') units = undefined; // reported when the trace is read
      else throw err;
    }
    const ids = byPack.get(pack)!;
    for (const unit of units ?? []) {
      const locations = wanted.get(unit.trace_id);
      if (!ids.has(unit.trace_id) || locations?.[unit.chunk]?.[0] !== pack) continue;
      let chunks = partial.get(unit.trace_id);
      if (!chunks) partial.set(unit.trace_id, (chunks = new Array(locations.length)));
      chunks[unit.chunk] = unit;
    }
    for (const id of ids) {
      const locations = wanted.get(id)!;
      if (Math.max(...locations.map(([p]) => p)) !== pack) continue; // more chunks in later packs (packs go in ascending order)
      const chunks = partial.get(id);
      partial.delete(id);
      const main = chunks?.[0];
      if (!main || !isTraceUnit(main)) continue;
      source.found(id, LoadedTrace.fromFiles(main, chunks.slice(1, main.chunks) as (ChunkFileData | undefined)[]).searchText());
    }
    await new Promise((resolve) => setImmediate(resolve)); // it runs beside ingest
  }
}
