// Loading the index at open, and repairing it from the log. The index is a cache of what the
// packs hold, so damage to it is repaired from them: a segment that does not parse is moved
// aside and every pack is read for the entries of traces the index no longer knows; the
// entries written after the index last was (`covered`, a crash between writing packs and
// the index) are read the same way from the packs after that point; a trace whose packs are
// all gone is dropped. Deletions keep deleted traces from coming back in such a rebuild: the
// tombstones of the segments read, and the deletion entries of the packs read. A folder in
// the layout before the log (version 1 files) is moved aside whole.

import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isObject } from '../core/normalise/validate';
import { CorruptEntryError, type EntryHead, scanEntries, verifyEntry } from './logEntry';
import type { EntryReader } from './loadedTrace';
import { PACK_HEAD, PACK_TAIL_BYTES, type PackLog, packIdOf } from './packLog';
import { readSegment } from './segmentFile';
import { CorruptFileError, listDir, moveAside, removeTempFiles } from './storeFiles';
import { type Covered, type Extent, type SegmentData, type TraceIndex, segmentFileName } from './traceIndex';
import { readExtents, replayTrace } from './traceReplay';

export const SEGMENT_FILE = /^seg-(\d+)\.json$/;
type Warn = (m: string) => void;

export interface LoadedIndex {
  /** The seq the next log entry takes. */
  nextSeq: number;
  /** How far the index on disk says the log is indexed (before the repairs made here). */
  covered: Covered;
}

export async function loadIndex(
  index: TraceIndex,
  log: PackLog,
  reader: EntryReader,
  dir: string,
  warn: Warn,
): Promise<LoadedIndex> {
  const indexDir = join(dir, 'index');
  const packsDir = log.dir;
  removeTempFiles(indexDir);
  removeTempFiles(packsDir);
  if (oldLayout(indexDir, packsDir)) moveOldLayout(dir, warn);
  const { damaged, covered } = await loadSegments(index, indexDir, warn);

  const sizes = new Map<number, number>();
  for (const name of listDir(packsDir)) {
    const id = packIdOf(name);
    if (id === undefined) continue;
    const path = join(packsDir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isFile()) sizes.set(id, stat.size);
    else if (stat) await setAside(path, 'is not a file', warn); // a folder in its place: EISDIR stopped start-up
  }
  log.restore(sizes);
  let gone = 0;
  for (const [id, entry] of [...index.entries]) {
    // A pack that is there but shorter is found out when read (and moved aside then).
    const extents = entry.extents.filter(([pack]) => sizes.has(pack));
    if (extents.length === 0) {
      index.remove(id);
      gone++;
      continue;
    }
    if (extents.length < entry.extents.length) index.setExtents(id, extents); // what is left of it still loads
    for (const [pack] of extents) log.noteTrace(pack, id);
  }
  if (gone) warn(`Spanscope: ${gone} trace(s) in the index had no data any more and were dropped`);
  for (const [id, tomb] of index.tombstones)
    if (tomb.logPack !== undefined && sizes.has(tomb.logPack)) log.noteTomb(tomb.logPack, id);

  // Entries the index may not know: every one when a segment was lost, else those after `covered`.
  const [coveredSeq, coveredPack] = damaged ? [0, 0] : covered;
  let maxSeq = covered[0];
  const found = new Map<string, Extent[]>();
  /** The seq of each extent in `found`. */
  const foundSeqs = new Map<string, number[]>();
  /** The newest deletion of each trace in the packs read. */
  const deletions = new Map<string, { seq: number; pack: number }>();
  for (const pack of [...sizes.keys()].filter((p) => p >= coveredPack).sort((a, b) => a - b)) {
    const path = log.path(pack);
    const bad = { entries: 0, rest: false };
    try {
      scanPack(path, readPack(path), bad, ({ seq, traces, deleted }, start, end) => {
        maxSeq = Math.max(maxSeq, seq);
        for (const traceId of traces) {
          if (deleted) {
            if (seq > (deletions.get(traceId)?.seq ?? -1)) deletions.set(traceId, { seq, pack });
            continue;
          }
          const known = index.get(traceId);
          if (seq <= coveredSeq || (known && seq <= covered[0]) || (index.tombstones.get(traceId)?.seq ?? -1) > seq)
            continue;
          let extents = found.get(traceId);
          if (!extents) found.set(traceId, (extents = []));
          extents.push([pack, start, end]);
          let seqs = foundSeqs.get(traceId);
          if (!seqs) foundSeqs.set(traceId, (seqs = []));
          seqs.push(seq);
        }
      });
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      const before = index.size;
      dropPack(index, log, pack, found, foundSeqs);
      await setAside(
        path,
        err.message.slice(path.length + 1),
        warn,
        `the traces stored in it are lost (${before - index.size} with no events in other packs removed; the others keep the rest)`,
      );
      continue;
    }
    // Kept where it is, as what checks out in it is read from there; a copy as it was is kept
    // for a person to look at (the pack itself goes with retention, or as garbage).
    if (bad.entries || bad.rest) {
      const copy = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        copyFileSync(path, copy);
      } catch {
        // The warning still says what happened.
      }
      warn(
        `Spanscope: ${path} is damaged: ${bad.entries} entr${bad.entries === 1 ? 'y does' : 'ies do'} not match their checksum${bad.rest ? ', and the entries after the damage can not be told apart' : ''}; those are lost, every entry that checks out was recovered (a copy as it was: ${copy})`,
      );
    }
  }
  applyDeletions(index, log, deletions, found, foundSeqs, covered[0]);
  let recovered = 0;
  for (const [traceId, extents] of found) {
    const known = index.get(traceId)?.extents ?? [];
    // A segment written in the flush a crash cut short may know some of them already.
    const all = [
      ...known,
      ...extents.filter(([p, s, e]) => !known.some(([kp, ks, ke]) => kp === p && ks <= s && e <= ke)),
    ];
    const replayed = replayTrace(traceId, all, await readExtents(log, all), reader);
    if (!replayed.trace) continue;
    if (!index.get(traceId)) recovered++;
    // The whole trace replayed: its whole text; arrived with the first entry found of it.
    index.put(traceId, replayed.trace.summary(), replayed.trace.searchText(), foundSeqs.get(traceId)?.[0]);
    index.setExtents(traceId, all);
    for (const [pack] of extents) log.noteTrace(pack, traceId);
  }
  log.finishRestore();
  if (recovered) warn(`Spanscope: recovered ${recovered} trace(s) from the packs the index did not know`);
  return { nextSeq: maxSeq + 1, covered: damaged ? [0, 0] : covered };
}

/**
 * Deletions found in the packs. A trace the index knows, deleted after the index was last
 * written (a crash before the segment that says so), goes; events found from before a
 * trace's deletion are not its own; and the tombstone is made again where packs with such
 * events are left, so the deletion entry is kept while they are.
 */
function applyDeletions(
  index: TraceIndex,
  log: PackLog,
  deletions: Map<string, { seq: number; pack: number }>,
  found: Map<string, Extent[]>,
  foundSeqs: Map<string, number[]>,
  coveredSeq: number,
): void {
  for (const [traceId, { seq, pack }] of deletions) {
    const stale = new Set<number>();
    const known = index.get(traceId);
    let segment: number | undefined;
    if (known && seq > coveredSeq) {
      for (const [p] of known.extents) stale.add(p);
      segment = known.segment;
      index.remove(traceId);
      for (const p of stale) log.releaseTrace(p, traceId);
    }
    const extents = found.get(traceId);
    const seqs = foundSeqs.get(traceId);
    if (extents && seqs) {
      const keep = seqs.map((s) => s > seq);
      extents.forEach(([p], i) => keep[i] || stale.add(p));
      found.set(
        traceId,
        extents.filter((_, i) => keep[i]),
      );
      foundSeqs.set(
        traceId,
        seqs.filter((_, i) => keep[i]),
      );
      if (found.get(traceId)!.length === 0) found.delete(traceId);
    }
    const tomb = index.tombstones.get(traceId);
    if (tomb && tomb.seq >= seq) continue;
    if (tomb) {
      for (const p of tomb.packs) stale.add(p);
      if (tomb.logPack !== undefined) log.releaseTomb(tomb.logPack, traceId);
    }
    stale.delete(pack);
    if (index.tombstone(traceId, seq, [...stale], segment ?? tomb?.segment, pack)) log.noteTomb(pack, traceId);
  }
}

/** A pack's bytes; CorruptFileError when it can not be read (EISDIR, EIO): start-up goes on without it. */
function readPack(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CorruptFileError(
      path,
      `can not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Moves a damaged file aside (kept for a person to look at) and says so, with what it cost. */
async function setAside(
  path: string,
  reason: string,
  warn: Warn,
  cost = 'its traces are read from the other packs',
): Promise<void> {
  let where: string;
  try {
    where = `moved it to ${await moveAside(path)}`;
  } catch (err) {
    where = `could not move it aside (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  warn(`Spanscope: ${path} ${reason}; ${where}; ${cost}`);
}

/**
 * Reads a whole pack's entries, visiting those that match their checksum (what recovery
 * indexes is what reads will accept); `bad` counts the others, and says whether the entries
 * stopped following one another (`rest`: the scan ends there). Throws CorruptFileError when
 * it is not a pack at all.
 */
export function scanPack(
  path: string,
  bytes: Buffer,
  bad: { entries: number; rest: boolean },
  visit: (head: EntryHead, start: number, end: number) => void,
): void {
  const tail = PACK_TAIL_BYTES.length;
  if (bytes.length < PACK_HEAD.length + tail || !bytes.subarray(0, PACK_HEAD.length).equals(PACK_HEAD))
    throw new CorruptFileError(path, 'not a trace pack');
  const end = bytes.subarray(bytes.length - tail).equals(PACK_TAIL_BYTES) ? bytes.length - tail : bytes.length;
  if (end === bytes.length) bad.rest = true; // cut short: the last entry may be whole, or not
  try {
    scanEntries(bytes.subarray(PACK_HEAD.length, end), PACK_HEAD.length, (head, start, stop) => {
      try {
        verifyEntry(bytes.subarray(start, stop));
      } catch (err) {
        if (!(err instanceof CorruptEntryError)) throw err;
        bad.entries++;
        return;
      }
      visit(head, start, stop);
    });
  } catch (err) {
    if (!(err instanceof CorruptEntryError)) throw err;
    bad.rest = true;
  }
}

/** A pack found damaged at open: its events are lost; traces left with none are dropped. */
function dropPack(
  index: TraceIndex,
  log: PackLog,
  pack: number,
  found: Map<string, Extent[]>,
  foundSeqs: Map<string, number[]>,
): void {
  log.dropDamaged(pack);
  for (const [traceId, entry] of [...index.entries]) {
    if (!entry.extents.some(([p]) => p === pack)) continue;
    const left = entry.extents.filter(([p]) => p !== pack);
    if (left.length || found.has(traceId)) index.setExtents(traceId, left);
    else index.remove(traceId);
  }
  for (const [traceId, extents] of found) {
    foundSeqs.set(
      traceId,
      foundSeqs.get(traceId)!.filter((_, i) => extents[i][0] !== pack),
    );
    found.set(
      traceId,
      extents.filter(([p]) => p !== pack),
    );
  }
}

/**
 * Reads every index segment, newest first; `damaged` when one was (and was moved aside), or
 * is missing: the newest segment written lists every segment that held something then
 * (SegmentData.segments), and one of those gone means traces the index no longer knows,
 * whose packs must be read rather than deleted as holding nothing.
 */
async function loadSegments(
  index: TraceIndex,
  indexDir: string,
  warn: Warn,
): Promise<{ damaged: boolean; covered: Covered }> {
  let damaged = false;
  let covered: Covered = [0, 0];
  let expected: number[] | undefined;
  const present = new Set<number>();
  const segments = listDir(indexDir)
    .map((name) => SEGMENT_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: join(indexDir, m[0]), segment: Number(m[1]) }))
    .sort((a, b) => b.segment - a.segment); // newest first: its copy of a trace wins
  for (const { path, segment } of segments) {
    try {
      const data = await readSegment(path);
      if (data === undefined) continue;
      if (!isSegment(data)) throw new CorruptFileError(path, 'not an index segment');
      index.loadSegment(segment, data);
      present.add(segment);
      if (data.covered[0] >= covered[0]) {
        if (data.covered[0] > covered[0] || !expected) expected = data.segments;
        covered = data.covered;
      }
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      let where = 'it could not be moved aside';
      try {
        where = `moved it to ${await moveAside(path)}`;
      } catch {
        // Still rebuilt from the packs; the file stays where it is.
      }
      warn(`Spanscope: ${err.message}; ${where} and recovered its traces from the packs`);
      damaged = true;
    }
  }
  const missing = (expected ?? []).filter((s) => !present.has(s) && !segments.some((f) => f.segment === s));
  if (missing.length) {
    warn(
      `Spanscope: index segment(s) ${missing.map(segmentFileName).join(', ')} are missing; recovered their traces from the packs`,
    );
    damaged = true;
  }
  index.dirtySegments.clear(); // loading marks nothing to write
  return { damaged, covered };
}

export function isSegment(d: unknown): d is SegmentData {
  if (!isObject(d) || d.version !== 2 || !isObject(d.traces) || !isPair(d.covered)) return false;
  for (const entry of Object.values(d.traces)) {
    if (
      !isObject(entry) ||
      !isObject(entry.summary) ||
      typeof entry.summary.id !== 'string' ||
      typeof entry.summary.start_time !== 'string'
    )
      return false;
    if (
      !Array.isArray(entry.extents) ||
      !entry.extents.every((e) => Array.isArray(e) && e.length === 3 && e.every(Number.isInteger))
    )
      return false;
  }
  if (d.segments !== undefined && !(Array.isArray(d.segments) && d.segments.every(Number.isInteger))) return false;
  if (
    d.deleted !== undefined &&
    (!isObject(d.deleted) ||
      !Object.values(d.deleted).every(
        (t) =>
          Array.isArray(t) &&
          Number.isInteger(t[0]) &&
          Array.isArray(t[1]) &&
          (t[2] === undefined || Number.isInteger(t[2])),
      ))
  )
    return false;
  return true;
}

function isPair(v: unknown): v is Covered {
  return Array.isArray(v) && v.length === 2 && v.every(Number.isInteger);
}

/**
 * A store written before the log: its newest index segment (or, without one, its newest
 * pack) is a version 1 file. Only a file that parses counts: a damaged one is recovery's.
 */
function oldLayout(indexDir: string, packsDir: string): boolean {
  const newest = (dir: string, pattern: RegExp) =>
    listDir(dir)
      .filter((n) => pattern.test(n))
      .sort()
      .pop();
  const segment = newest(indexDir, SEGMENT_FILE);
  const pack = newest(packsDir, /^pack-\d+\.json$/);
  const path = segment !== undefined ? join(indexDir, segment) : pack !== undefined ? join(packsDir, pack) : undefined;
  if (!path) return false;
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isObject(data) && data.version === 1 && (isObject(data.traces) || Array.isArray(data.units));
  } catch {
    return false;
  }
}

function moveOldLayout(dir: string, warn: Warn): void {
  const aside = join(dir, `old-layout-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(aside, { recursive: true });
  for (const name of ['index', 'packs']) {
    try {
      renameSync(join(dir, name), join(aside, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(join(dir, name), { recursive: true });
  }
  warn(
    `Spanscope: the store in ${dir} was written by an earlier version of Spanscope in a layout this one does not read; moved it to ${aside} and started an empty store`,
  );
}
