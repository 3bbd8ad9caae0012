// Loading the index at open, and repairing it. The index is a cache of what the packs hold,
// so damage to it is repaired from them: a segment that does not parse is moved aside and
// every pack is scanned for the newest copy of each trace chunk; a pack no index entry points
// at, and the newest pack (a crash between writing a pack and the index) are scanned the same
// way; a trace whose first chunk's pack is gone is dropped. (A crash in the moment between
// writing the index and deleting an emptied pack can bring back traces deleted just before.)

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isObject } from '../core/validate';
import { type PackTable, type UnitLocation, packFileName } from './packTable';
import { CorruptFileError, listDir, moveAside, readJson, removeTempFiles } from './storeFiles';
import { loadTrace, packIdOf, readPack } from './traceFiles';
import type { SegmentData, TraceIndex } from './traceIndex';

const SEGMENT_FILE = /^seg-(\d+)\.json$/;

export async function loadIndex(index: TraceIndex, packs: PackTable, indexDir: string, packsDir: string, warn: (m: string) => void): Promise<void> {
  removeTempFiles(indexDir);
  removeTempFiles(packsDir);
  const damaged = await loadSegments(index, indexDir, warn);

  const packSizes = new Map<number, number>();
  for (const name of listDir(packsDir)) {
    const id = packIdOf(name);
    if (id !== undefined) packSizes.set(id, statSync(join(packsDir, name)).size);
  }
  let gone = 0;
  const referenced = new Set<number>();
  for (const [id, entry] of [...index.entries]) {
    if (entry.units.length === 0 || !packSizes.has(entry.units[0][0])) {
      index.remove(id);
      gone++;
      continue;
    }
    // A later chunk whose pack is gone keeps its place (its spans are lost when loaded).
    packs.restore(id, entry.units, packSizes);
    for (const [pack] of entry.units) referenced.add(pack);
  }
  if (gone) warn(`Spanscope: ${gone} trace(s) in the index had no data any more and were dropped`);

  // Packs to scan: all of them when an index segment was lost; else those nobody points at
  // and the newest, which is rewritten in place each flush and may hold units the index, written
  // just after it, never heard of.
  const newest = Math.max(0, ...packSizes.keys());
  const scan = [...packSizes.keys()].filter((p) => damaged || !referenced.has(p) || p === newest).sort((a, b) => a - b);
  const newer = new Map<string, UnitLocation[]>();
  for (const pack of scan) {
    const path = join(packsDir, packFileName(pack));
    let units;
    try {
      units = await readPack(path);
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      warn(`Spanscope: ${err.message}; moved it to ${await moveAside(path)}; the traces stored in it are lost`);
      packSizes.delete(pack);
      for (const [id, entry] of [...index.entries]) {
        if (entry.units[0]?.[0] !== pack) continue;
        index.remove(id);
        packs.forget(id);
      }
      continue;
    }
    for (const unit of units ?? []) {
      packs.noteSeq(unit.seq);
      const current = newer.get(unit.trace_id)?.[unit.chunk] ?? packs.unitsOf(unit.trace_id)?.[unit.chunk];
      if (current && current[1] >= unit.seq) continue;
      let found = newer.get(unit.trace_id);
      if (!found) newer.set(unit.trace_id, (found = [...(packs.unitsOf(unit.trace_id) ?? [])]));
      found[unit.chunk] = [pack, unit.seq];
    }
  }
  let recovered = 0;
  for (const [traceId, units] of newer) {
    packs.forget(traceId);
    const { trace } = await loadTrace(packsDir, traceId, units, warn);
    if (!trace) {
      index.remove(traceId);
      continue;
    }
    const live = units.slice(0, trace.chunks.length);
    packs.restore(traceId, live, packSizes);
    index.put(traceId, trace.summary(), live, trace.searchText());
    recovered++;
  }
  packs.finishRestore(packSizes);
  if (recovered) warn(`Spanscope: recovered ${recovered} trace(s) from the packs the index did not know`);
}

/** Reads every index segment; true when one was damaged (and moved aside). */
async function loadSegments(index: TraceIndex, indexDir: string, warn: (m: string) => void): Promise<boolean> {
  let damaged = false;
  const segments = listDir(indexDir)
    .map((name) => SEGMENT_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: join(indexDir, m[0]), segment: Number(m[1]) }))
    .sort((a, b) => b.segment - a.segment); // newest first: its copy of a trace wins
  for (const { path, segment } of segments) {
    try {
      const got = await readJson(path);
      if (!got) continue;
      if (!isSegment(got.data)) throw new CorruptFileError(path, 'not an index segment');
      index.loadSegment(segment, got.data);
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      const moved = await moveAside(path);
      warn(`Spanscope: ${err.message}; moved it to ${moved} and recovered its traces from the packs`);
      damaged = true;
    }
  }
  return damaged;
}

function isSegment(d: unknown): d is SegmentData {
  if (!isObject(d) || d.version !== 1 || !isObject(d.traces)) return false;
  for (const entry of Object.values(d.traces)) {
    if (!isObject(entry) || !isObject(entry.summary) || typeof entry.summary.id !== 'string' || typeof entry.summary.start_time !== 'string') return false;
    if (!Array.isArray(entry.units) || !entry.units.every((u) => Array.isArray(u) && u.length === 2 && u.every(Number.isInteger))) return false;
  }
  return true;
}
