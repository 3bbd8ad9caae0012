// Writing a flush to disk, in the order that keeps the store readable after a crash at any
// point: packs first, then the index segments that point into them, the newest segment last
// (it alone says the log is indexed up to now, see traceIndex.ts `covered`: a crash before
// it leaves the others saying "up to the last flush", and the entries since are found again
// at open), and only then the packs nothing points at any more. What fails is tried again
// by the next flush.

import { join } from 'node:path';
import type { PackLog } from './packLog';
import { writeFileAtomic } from './atomicWrite';
import { writeSegment as writeSegmentFile } from './segmentFile';
import { removeFile, runLimited } from './storeFiles';
import { type Covered, type TraceIndex, segmentFileName } from './traceIndex';

const WRITE_CONCURRENCY = 8;

/** Where the previous complete flush left the log: what segments other than the newest say. */
export interface WriteState {
  covered: Covered;
}

/**
 * Writes what the log and the index have ready; returns the packs nothing points at that
 * could not be removed. `covered`: how far the log is now (every
 * entry up to it is in the packs taken here). Everything to write is taken synchronously
 * first, so entries appended meanwhile wait for the next flush.
 */
export async function writeInOrder(
  log: PackLog,
  index: TraceIndex,
  state: WriteState,
  covered: Covered,
  indexDir: string,
): Promise<string[]> {
  const packs = log.takeWrites();
  const marker = index.newestSegment();
  const segments = [...index.dirtySegments];
  index.dirtySegments.clear();
  const live = index.liveSegments();
  const data = (s: number) => ({
    segment: s,
    path: join(indexDir, segmentFileName(s)),
    json: index.segmentJson(s, s === marker ? covered : state.covered, live),
  });
  const others = segments.filter((s) => s !== marker).map(data);
  // Rewritten to move the mark on even when none of its traces changed.
  const last =
    marker !== undefined && (segments.includes(marker) || covered[0] !== state.covered[0]) ? data(marker) : undefined;
  const writeSegment = ({ path, json }: { path: string; json?: Buffer }) =>
    json !== undefined ? writeSegmentFile(path, json) : removeFile(path);
  try {
    await runLimited(
      packs.map((write) => async () => {
        try {
          await writeFileAtomic(log.path(write.id), write.bytes);
          log.written(write);
        } catch (err) {
          log.failed(write.id);
          throw err;
        }
      }),
      WRITE_CONCURRENCY,
    );
    await runLimited(
      others.map((s) => () => writeSegment(s)),
      WRITE_CONCURRENCY,
    );
    if (last) await writeSegment(last);
  } catch (err) {
    for (const s of segments) index.dirtySegments.add(s);
    if (marker !== undefined) index.dirtySegments.add(marker);
    throw err;
  }
  state.covered = covered;
  log.trimMemory();
  // What is written is on disk from here: a pack that can not be removed is only space, not a
  // failed write (it is garbage again at the next start). Returns those, for a warning.
  const kept: string[] = [];
  await runLimited(
    log
      .takeGarbage()
      .map(
        (id) => () =>
          removeFile(log.path(id)).catch((err) => void kept.push(`${log.path(id)}: ${(err as Error).message}`)),
      ),
    WRITE_CONCURRENCY,
  );
  return kept;
}
