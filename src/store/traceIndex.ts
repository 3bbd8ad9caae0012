// The summaries of every trace, in memory for listing, and on disk in index segments of at
// most SEGMENT_SIZE traces each. New traces join the newest segment and an update rewrites
// only the segment its trace is in, so the index costs a write of one small file however many
// traces the store holds.

import type { TraceSummary } from '../core/model';
import { compareTimes } from '../core/time';
import type { UnitLocation } from './packTable';
import { SEARCH_TEXT_MAX } from './searchText';
import type { ProjectSummary, TraceQuery } from './types';

export const SEGMENT_SIZE = 256;
/** How many of the oldest traces are found at once for retention, which takes one per new trace once full. */
const OLDEST_BATCH = 256;

export interface IndexEntry {
  summary: TraceSummary;
  segment: number;
  /** Where each chunk of the trace is stored (see packTable.ts); empty until first written. */
  units: UnitLocation[];
  /** What the logs filter's free text searches besides the summary, lowercased (searchText.ts). */
  search?: string;
}

/** An index segment on disk. */
export interface SegmentData {
  version: 1;
  traces: Record<string, Omit<IndexEntry, 'segment'>>;
}

export class TraceIndex {
  readonly entries = new Map<string, IndexEntry>();
  private readonly segments = new Map<number, Set<string>>();
  private newest = 0;
  readonly dirtySegments = new Set<number>();
  /**
   * The oldest traces, oldest first, as last found: still right while nothing has come in at
   * or before the newest of them and none of them changed (removed ones are skipped).
   */
  private oldest?: { ids: string[]; members: Set<string>; newest: TraceSummary };

  get size(): number {
    return this.entries.size;
  }

  get(id: string): IndexEntry | undefined {
    return this.entries.get(id);
  }

  /** Loads one segment read from disk (entries already known from a later segment win). */
  loadSegment(segment: number, data: SegmentData): void {
    this.oldest = undefined;
    for (const [id, entry] of Object.entries(data.traces)) {
      if (this.entries.has(id)) continue;
      // A search text that is not one (a hand-edited file) is dropped, not the segment: it only helps the filter.
      const search = typeof entry.search === 'string' ? entry.search.slice(0, SEARCH_TEXT_MAX) : undefined;
      this.insert(id, { summary: entry.summary, units: entry.units, search, segment });
    }
    this.newest = Math.max(this.newest, segment);
  }

  /**
   * Adds or replaces a trace's summary (and, once written, where it is; and its search text
   * when it changed), marking its segment for writing.
   */
  put(id: string, summary: TraceSummary, units?: UnitLocation[], search?: string): void {
    if (this.oldest && (this.oldest.members.has(id) || newestFirst(summary, this.oldest.newest) >= 0)) this.oldest = undefined;
    const entry = this.entries.get(id);
    if (entry) {
      entry.summary = summary;
      if (units) entry.units = units.map((u) => [...u] as UnitLocation);
      if (search !== undefined) entry.search = search;
      this.dirtySegments.add(entry.segment);
      return;
    }
    let segment = this.newest;
    if (segment === 0 || (this.segments.get(segment)?.size ?? 0) >= SEGMENT_SIZE) segment = ++this.newest;
    this.insert(id, { summary, segment, units: units ? units.map((u) => [...u] as UnitLocation) : [], search });
    this.dirtySegments.add(segment);
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

  /** What segment `n` holds now; undefined when it is empty (and its file can go). */
  segmentData(segment: number): SegmentData | undefined {
    const members = this.segments.get(segment);
    if (!members || members.size === 0) return undefined;
    const traces: SegmentData['traces'] = {};
    for (const id of members) {
      const { summary, units, search } = this.entries.get(id)!;
      traces[id] = search ? { summary, units, search } : { summary, units };
    }
    return { version: 1, traces };
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

  /** Trace ids from the oldest start on: the order retention removes them in. */
  oldestFirst(count = Infinity): string[] {
    if (count > 32) return [...this.entries.values()].sort((a, b) => newestFirst(b.summary, a.summary)).map((e) => e.summary.id);
    // A full store drops one trace per new one: the oldest are found a batch at a time and
    // handed out until they run short or something older arrives.
    let out = this.oldest ? this.presentOldest(count) : undefined;
    if (!out || out.length < Math.min(count, this.entries.size)) {
      const ids = this.findOldest(Math.max(count, OLDEST_BATCH));
      this.oldest = ids.length ? { ids, members: new Set(ids), newest: this.entries.get(ids[ids.length - 1])!.summary } : undefined;
      out = ids.slice(0, count);
    }
    return out;
  }

  /** The first `count` of the oldest found before that are still in the index. */
  private presentOldest(count: number): string[] {
    const { ids } = this.oldest!;
    let skip = 0;
    while (skip < ids.length && !this.entries.has(ids[skip])) skip++;
    if (skip) ids.splice(0, skip); // removed by retention: usually the first few
    const out: string[] = [];
    for (let i = 0; i < ids.length && out.length < count; i++) if (this.entries.has(ids[i])) out.push(ids[i]);
    return out;
  }

  /** The `count` oldest ids in one pass: O(n) when traces arrive roughly in start order, O(n·count) at worst. */
  private findOldest(count: number): string[] {
    const oldest: TraceSummary[] = [];
    for (const { summary } of this.entries.values()) {
      if (oldest.length === count && newestFirst(summary, oldest[count - 1]) <= 0) continue;
      let at = oldest.length;
      while (at > 0 && newestFirst(oldest[at - 1], summary) < 0) at--;
      oldest.splice(at, 0, summary);
      if (oldest.length > count) oldest.pop();
    }
    return oldest.map((s) => s.id);
  }

  projects(): ProjectSummary[] {
    const byName = new Map<string, ProjectSummary>();
    for (const { summary } of this.entries.values()) {
      const p = byName.get(summary.project_name) ?? { name: summary.project_name, trace_count: 0 };
      p.trace_count++;
      if (!p.last_trace_at || compareTimes(summary.start_time, p.last_trace_at) > 0) p.last_trace_at = summary.start_time;
      byName.set(p.name, p);
    }
    return [...byName.values()].sort((a, b) => compareTimes(b.last_trace_at, a.last_trace_at));
  }
}

function newestFirst(a: TraceSummary, b: TraceSummary): number {
  return compareTimes(b.start_time, a.start_time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function segmentFileName(segment: number): string {
  return `seg-${String(segment).padStart(6, '0')}.json`;
}
