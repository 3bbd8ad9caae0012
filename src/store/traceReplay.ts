// Reading a trace back: its extents (traceIndex.ts) are read from the packs, the entries in
// them that hold its events are picked out by their heads, and their patches are applied to
// a fresh LoadedTrace in log order, at the times they were first applied, exactly as `apply`
// did. Only the entries of this trace are parsed: the others in the same byte ranges are
// stepped over by their lengths (logEntry.ts).

import type { SpanRecord } from '../core/model/model';
import {
  CorruptEntryError,
  type DecodedEntry,
  type EntryHead,
  type EntryLoc,
  decodeEntry,
  scanEntries,
} from './logEntry';
import { type EntryReader, LoadedTrace } from './loadedTrace';
import type { PackLog } from './packLog';
import type { Extent } from './traceIndex';

/** The bytes of each extent, or undefined where its pack is gone or shorter than the index says. */
export type ExtentBytes = (Buffer | undefined)[];

export function readExtentsSync(log: PackLog, extents: Extent[]): ExtentBytes {
  return extents.map(([pack, start, end]) => log.readSync(pack, start, end));
}

export async function readExtents(log: PackLog, extents: Extent[]): Promise<ExtentBytes> {
  return Promise.all(extents.map(([pack, start, end]) => log.read(pack, start, end)));
}

export interface Replayed {
  /** Undefined when none of its events could be read. */
  trace?: LoadedTrace;
  /** Each span's record as the replay left it (fresh objects: the caller may fill them in). */
  records: Map<string, SpanRecord>;
  /** Packs found damaged: gone, cut short, or not entries where the index says. */
  damaged: number[];
  /** The bytes of the entries replayed (those of other traces in them included). */
  bytes: number;
}

interface Found {
  head: EntryHead;
  loc: EntryLoc;
  bytes: Buffer;
}

export function replayTrace(id: string, extents: Extent[], bytes: ExtentBytes, reader: EntryReader): Replayed {
  const damaged = new Set<number>();
  const found: Found[] = [];
  extents.forEach(([pack, start], i) => {
    const range = bytes[i];
    if (!range) return void damaged.add(pack);
    try {
      scanEntries(range, start, (head, s, e) => {
        if (head.traces.includes(id))
          found.push({ head, loc: { pack, start: s, end: e }, bytes: range.subarray(s - start, e - start) });
      });
    } catch (err) {
      if (!(err instanceof CorruptEntryError)) throw err;
      damaged.add(pack);
    }
  });
  // Log order. An entry retention copied forward may be read twice (before its old pack goes).
  found.sort((a, b) => a.head.seq - b.head.seq);
  const records = new Map<string, SpanRecord>();
  let trace: LoadedTrace | undefined;
  let lastSeq = -1;
  let size = 0;
  for (const { head, loc, bytes: entryBytes } of found) {
    if (head.seq === lastSeq) continue;
    lastSeq = head.seq;
    if (head.deleted) {
      // Deleted, then sent again: only what came after is this trace.
      trace = undefined;
      records.clear();
      size = 0;
      continue;
    }
    let entry: DecodedEntry;
    try {
      entry = decodeEntry(entryBytes);
    } catch (err) {
      if (!(err instanceof CorruptEntryError)) throw err;
      damaged.add(loc.pack);
      continue;
    }
    trace ??= new LoadedTrace(id, head.at, reader);
    applyEntry(trace, entry, loc, records);
    size += entryBytes.length;
  }
  return { trace, records, damaged: [...damaged], bytes: size };
}

/** Applies the patches of one entry that belong to the trace, as `apply` did. */
function applyEntry(trace: LoadedTrace, entry: DecodedEntry, loc: EntryLoc, records: Map<string, SpanRecord>): void {
  const now = entry.head.at;
  for (let i = 0; i < entry.patches.length; i++) {
    if (entry.traceOf[i] !== trace.id) continue;
    const patch = entry.patches[i];
    if (patch.kind === 'trace') trace.applyTrace(patch.trace, now);
    else if (patch.kind === 'span') {
      const span = trace.applySpan(patch.span, now, i, i);
      records.set(span.id, span);
    } else {
      const span = trace.applyScore(patch.score, now, i, i);
      if (span && span !== 'trace') records.set(span.id, span);
    }
  }
  trace.settle(loc, true);
}
