// The summaries of every trace, in memory for listing, and on disk in index segments of at
// most SEGMENT_SIZE traces each. New traces join the newest segment and an update rewrites
// only the segment its trace is in, so the index costs a write of one small file however many
// traces the store holds. Each trace's entry also says where its events are in the log
// (extents: byte ranges of packs, see packLog.ts). A deleted trace leaves a tombstone while
// packs may still hold its events, so a rebuild from the packs does not bring it back; and
// each segment written says how far the log was written when it was (`covered`), so the
// entries a crash left unindexed are found by reading only the packs after that point.
// Beside each summary the index keeps the trace's search text (searchText.ts), so the logs
// filter searches it after a restart without replaying any trace, and it goes with the trace.

import type { TraceSummary } from '../core/model/model';
import { compareTimes } from '../core/model/time';
import { SEARCH_TEXT_MAX } from './searchText';
import type { ProjectSummary, TraceQuery } from './types';

export const SEGMENT_SIZE = 256;

/** Bytes [start, end) of a pack holding entries with a trace's events (and maybe others'). */
export type Extent = [pack: number, start: number, end: number];

/** A new extent starts rather than one growing over more than this many bytes of other traces' entries. */
export const EXTENT_GAP = 1024 * 1024;

export interface IndexEntry {
  summary: TraceSummary;
  segment: number;
  /** Where the trace's events are, oldest first. */
  extents: Extent[];
  /** What the logs filter's free text searches besides the summary, lowercased (searchText.ts). */
  search?: string;
  /**
   * The seq of the log entry the trace arrived with: retention's order (arrivalOrder.ts), kept
   * across restarts. Absent in segments written before it: such traces count as older than
   * any that has it, in the order of their first events in the log.
   */
  arrived?: number;
  /**
   * This entry as its segment file holds it (JSON), kept from the last write until the entry
   * changes: the newest segment is rewritten by every flush while it fills, and serialising
   * the traces in it that did not change (most of them) again each time cost the ingest path
   * about as much as the rest of the flush. Cleared by every method that changes the entry.
   * Kept as bytes, with the trace's id in front (`"id":{…}`): outside the JavaScript heap, the
   * garbage collector neither copies nor marks them, and a segment is those bytes joined.
   */
  json?: Buffer;
}

/**
 * A deleted trace: the log position it was deleted at, the packs that held its events then
 * (other than the one its deletion entry is in), and that one (`logPack`, which must stay
 * while any of `packs` is left; undefined in a store written before deletions were logged).
 */
export interface Tombstone {
  segment: number;
  seq: number;
  packs: number[];
  logPack?: number;
}

/** How far the log was written when a segment was: entries up to `seq`; any later ones are in packs from `pack` on. */
export type Covered = [seq: number, pack: number];

/** An index segment on disk. */
export interface SegmentData {
  version: 2;
  covered: Covered;
  traces: Record<string, { summary: TraceSummary; extents: Extent[]; search?: string; arrived?: number }>;
  /** Tombstones: trace id → [seq, packs, logPack]. */
  deleted?: Record<string, [number, number[], number?]>;
  /**
   * Every segment that held something when this one was written: a segment missing at open
   * (deleted, lost) is found by it, and its traces rebuilt from the packs. Absent in files
   * written before it.
   */
  segments?: number[];
}

export class TraceIndex {
  readonly entries = new Map<string, IndexEntry>();
  readonly tombstones = new Map<string, Tombstone>();
  private readonly segmentTombs = new Map<number, Set<string>>();
  private readonly segments = new Map<number, Set<string>>();
  private newest = 0;
  readonly dirtySegments = new Set<number>();

  get size(): number {
    return this.entries.size;
  }

  get(id: string): IndexEntry | undefined {
    return this.entries.get(id);
  }

  /** Loads one segment read from disk (entries already known from a later segment win). */
  loadSegment(segment: number, data: SegmentData): void {
    for (const [id, entry] of Object.entries(data.traces)) {
      if (this.entries.has(id) || this.tombstones.has(id)) continue;
      // A search text that is not one (a hand-edited file) is dropped, not the segment: it only helps the filter.
      const search = typeof entry.search === 'string' ? entry.search.slice(0, SEARCH_TEXT_MAX) : undefined;
      const arrived = Number.isInteger(entry.arrived) ? entry.arrived : undefined;
      this.insert(id, { summary: entry.summary, extents: entry.extents, search, segment, arrived });
    }
    for (const [id, [seq, packs, logPack]] of Object.entries(data.deleted ?? {})) {
      if (this.entries.has(id) || this.tombstones.has(id)) continue;
      this.tombstones.set(id, { segment, seq, packs, logPack });
      this.tombsOf(segment).add(id);
    }
    this.newest = Math.max(this.newest, segment);
  }

  /**
   * Adds or replaces a trace's summary (and its search text, when given), marking its segment
   * for writing. `arrived`: for a new trace, the seq of the entry it arrived with.
   */
  put(id: string, summary: TraceSummary, search?: string, arrived?: number): void {
    const entry = this.entries.get(id);
    if (entry) {
      entry.summary = summary;
      if (search !== undefined) entry.search = search;
      entry.json = undefined;
      this.dirtySegments.add(entry.segment);
      return;
    }
    this.dropTombstone(id);
    let segment = this.newest;
    if (segment === 0 || (this.segments.get(segment)?.size ?? 0) >= SEGMENT_SIZE) segment = ++this.newest;
    this.insert(id, { summary, segment, extents: [], search, arrived });
    this.dirtySegments.add(segment);
  }

  /**
   * Notes that an entry at [start, end) of `pack` holds events of trace `id` (known to the
   * index). Returns true when the trace had none in that pack before.
   */
  addExtent(id: string, pack: number, start: number, end: number): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    const extents = entry.extents;
    const last = extents[extents.length - 1];
    this.dirtySegments.add(entry.segment);
    entry.json = undefined;
    if (last && last[0] === pack && start >= last[2] && start - last[2] <= EXTENT_GAP) {
      last[2] = end;
      return false;
    }
    extents.push([pack, start, end]);
    return !extents.some((e) => e !== extents[extents.length - 1] && e[0] === pack);
  }

  /** Replaces where a trace's events are (moved forward by retention, or found by recovery). */
  setExtents(id: string, extents: Extent[]): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.extents = extents;
    entry.json = undefined;
    this.dirtySegments.add(entry.segment);
  }

  /**
   * Remembers a deleted trace until none of `packs` is left; false (nothing to remember) when
   * there are none. `segment`: the one it was in, else the newest.
   */
  tombstone(id: string, seq: number, packs: number[], segment: number | undefined, logPack: number): boolean {
    if (packs.length === 0) return false;
    this.dropTombstone(id);
    segment ??= this.newest || ++this.newest;
    this.tombstones.set(id, { segment, seq, packs, logPack });
    this.tombsOf(segment).add(id);
    this.dirtySegments.add(segment);
    return true;
  }

  private tombsOf(segment: number): Set<string> {
    let tombs = this.segmentTombs.get(segment);
    if (!tombs) this.segmentTombs.set(segment, (tombs = new Set()));
    return tombs;
  }

  private dropTombstone(id: string): void {
    const tomb = this.tombstones.get(id);
    if (!tomb) return;
    this.tombstones.delete(id);
    this.segmentTombs.get(tomb.segment)?.delete(id);
    this.dirtySegments.add(tomb.segment);
  }

  /** Tombstones whose packs are all gone are of no more use; `released` hears of each. */
  pruneTombstones(packExists: (pack: number) => boolean, released: (id: string, tomb: Tombstone) => void): void {
    for (const [id, tomb] of this.tombstones) {
      if (tomb.packs.some(packExists)) continue;
      this.dropTombstone(id);
      released(id, tomb);
    }
  }

  private insert(id: string, entry: IndexEntry): void {
    this.entries.set(id, entry);
    let members = this.segments.get(entry.segment);
    if (!members) this.segments.set(entry.segment, (members = new Set()));
    members.add(id);
  }

  remove(id: string): IndexEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.segments.get(entry.segment)?.delete(id);
    this.dirtySegments.add(entry.segment);
    return entry;
  }

  /** The newest segment holding anything: written last by each flush, it says how far the log is indexed. */
  newestSegment(): number | undefined {
    for (let s = this.newest; s > 0; s--) if (this.segments.get(s)?.size || this.segmentTombs.get(s)?.size) return s;
    return undefined;
  }

  /** The segments holding anything (traces or tombstones), in order. */
  liveSegments(): number[] {
    const out: number[] = [];
    for (let s = 1; s <= this.newest; s++)
      if (this.segments.get(s)?.size || this.segmentTombs.get(s)?.size) out.push(s);
    return out;
  }

  /** What segment `n` holds now; undefined when it is empty (and its file can go). */
  segmentData(segment: number, covered: Covered, live?: number[]): SegmentData | undefined {
    const members = this.segments.get(segment);
    // Null-prototype: an id `__proto__` is then an own key, which JSON.stringify writes (on a
    // plain object it set the prototype, and the trace was gone after a restart).
    const traces: SegmentData['traces'] = Object.create(null);
    for (const id of members ?? []) {
      traces[id] = entryData(this.entries.get(id)!);
    }
    const deleted = this.tombsData(segment);
    if (!members?.size && !deleted) return undefined;
    const data: SegmentData = { version: 2, covered, traces };
    if (deleted) data.deleted = deleted;
    if (live) data.segments = live;
    return data;
  }

  private tombsData(segment: number): SegmentData['deleted'] {
    let deleted: SegmentData['deleted'];
    for (const id of this.segmentTombs.get(segment) ?? []) {
      const tomb = this.tombstones.get(id)!;
      (deleted ??= Object.create(null) as NonNullable<SegmentData['deleted']>)[id] =
        tomb.logPack === undefined ? [tomb.seq, tomb.packs] : [tomb.seq, tomb.packs, tomb.logPack];
    }
    return deleted;
  }

  /**
   * segmentData(segment, covered) as JSON, the same text JSON.stringify makes of it, but each
   * trace's part is serialised only when it changed since it was last (IndexEntry.json).
   */
  segmentJson(segment: number, covered: Covered, live?: number[]): Buffer | undefined {
    const members = this.segments.get(segment);
    // JSON.stringify writes integer-like keys first (object key order): segments with such
    // ids take the plain way, so the text is always what it was before.
    for (const id of members ?? [])
      if (INTEGER_LIKE.test(id)) return bytesOrUndefined(this.segmentData(segment, covered, live));
    const deleted = this.tombsData(segment);
    if (!members?.size && !deleted) return undefined;
    const parts: Buffer[] = [Buffer.from(`{"version":2,"covered":${JSON.stringify(covered)},"traces":{`)];
    for (const id of members ?? []) {
      const entry = this.entries.get(id)!;
      entry.json ??= Buffer.from(`${JSON.stringify(id)}:${JSON.stringify(entryData(entry))}`);
      if (parts.length > 1) parts.push(COMMA);
      parts.push(entry.json);
    }
    const more =
      (deleted ? `,"deleted":${JSON.stringify(deleted)}` : '') + (live ? `,"segments":${JSON.stringify(live)}` : '');
    parts.push(Buffer.from(`}${more}}`));
    return Buffer.concat(parts);
  }

  list(query: TraceQuery = {}): TraceSummary[] {
    const limit = query.limit ?? 100;
    const out: TraceSummary[] = [];
    for (const { summary } of this.entries.values()) {
      if (query.project !== undefined && summary.project_name !== query.project) continue;
      if (query.before !== undefined && compareTimes(summary.start_time, query.before) >= 0) continue;
      out.push(summary);
    }
    out.sort(newestFirst);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** Every trace id in the order they arrived, oldest first (IndexEntry.arrived): retention's order at open. */
  byArrival(): string[] {
    const all = [...this.entries.values()];
    all.sort(
      (a, b) =>
        (a.arrived ?? -1) - (b.arrived ?? -1) ||
        (a.extents[0]?.[0] ?? 0) - (b.extents[0]?.[0] ?? 0) ||
        (a.extents[0]?.[1] ?? 0) - (b.extents[0]?.[1] ?? 0),
    );
    return all.map((e) => e.summary.id);
  }

  projects(): ProjectSummary[] {
    const byName = new Map<string, ProjectSummary>();
    for (const { summary } of this.entries.values()) {
      const p = byName.get(summary.project_name) ?? { name: summary.project_name, trace_count: 0 };
      p.trace_count++;
      if (!p.last_trace_at || compareTimes(summary.start_time, p.last_trace_at) > 0)
        p.last_trace_at = summary.start_time;
      byName.set(p.name, p);
    }
    return [...byName.values()].sort((a, b) => compareTimes(b.last_trace_at, a.last_trace_at));
  }
}

/** Keys JSON.stringify (by object key order) would write before the others. */
const INTEGER_LIKE = /^(0|[1-9][0-9]*)$/;

const COMMA = Buffer.from(',');

/** A trace's part of its segment file. */
function entryData({ summary, extents, search, arrived }: IndexEntry): SegmentData['traces'][string] {
  const data: SegmentData['traces'][string] = { summary, extents };
  if (search) data.search = search;
  if (arrived !== undefined) data.arrived = arrived;
  return data;
}

function bytesOrUndefined(data: SegmentData | undefined): Buffer | undefined {
  return data && Buffer.from(JSON.stringify(data));
}

function newestFirst(a: TraceSummary, b: TraceSummary): number {
  return compareTimes(b.start_time, a.start_time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function segmentFileName(segment: number): string {
  return `seg-${String(segment).padStart(6, '0')}.json`;
}
