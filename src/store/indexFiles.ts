// Loading the index at open, and repairing it. The index is a cache of what the trace files
// hold, so every damage to it can be repaired from them: a segment that does not parse is
// moved aside and the traces it listed are re-indexed from their files; a summary whose
// trace file is gone is dropped; a trace file no segment lists (a crash between writing a
// trace and its segment) is indexed again.

import { join } from 'node:path';
import { isObject } from '../core/validate';
import { CorruptFileError, MAIN_TRACE_FILE, listDir, moveAside, readJson, removeTempFiles, traceFileKey } from './storeFiles';
import { loadTrace } from './traceFiles';
import type { SegmentData, TraceIndex } from './traceIndex';

const SEGMENT_FILE = /^seg-(\d+)\.json$/;

export async function loadIndex(index: TraceIndex, indexDir: string, tracesDir: string, warn: (m: string) => void): Promise<void> {
  removeTempFiles(indexDir);
  removeTempFiles(tracesDir);
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
      warn(`Spanscope: ${err.message}; moved it to ${moved} and re-indexed its traces from their files`);
    }
  }

  const onDisk = new Map<string, string>(); // key → file name
  for (const name of listDir(tracesDir)) {
    const m = MAIN_TRACE_FILE.exec(name);
    if (m) onDisk.set(m[1], name);
  }
  let gone = 0;
  for (const id of [...index.entries.keys()]) {
    const key = traceFileKey(id);
    if (onDisk.delete(key)) continue;
    index.remove(id);
    gone++;
  }
  if (gone) warn(`Spanscope: ${gone} trace(s) in the index had no file any more and were dropped`);

  let found = 0;
  for (const key of onDisk.keys()) {
    const trace = await loadTrace(tracesDir, key, warn);
    if (!trace || traceFileKey(trace.id) !== key) continue;
    index.put(trace.id, trace.summary(), { bytes: trace.chunkBytes.reduce((a, b) => a + b, 0), chunks: trace.chunks.length });
    found++;
  }
  if (found) warn(`Spanscope: re-indexed ${found} trace(s) from their files`);
}

function isSegment(d: unknown): d is SegmentData {
  if (!isObject(d) || d.version !== 1 || !isObject(d.traces)) return false;
  for (const entry of Object.values(d.traces)) {
    if (!isObject(entry) || !isObject(entry.summary) || typeof entry.summary.id !== 'string' || typeof entry.summary.start_time !== 'string') return false;
    if (typeof entry.bytes !== 'number' || typeof entry.chunks !== 'number') return false;
  }
  return true;
}
