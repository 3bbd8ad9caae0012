// Writing a flush to disk, in the order that keeps the store readable after a crash at any
// point: packs first, then the index segments that point into them, and only then the packs
// nothing points at any more. What fails is kept to be tried again by the next flush.

import { join } from 'node:path';
import { type PackTable, packFileName } from './packTable';
import { removeFile, runLimited, writeBytes, writeJson } from './storeFiles';
import { type TraceIndex, segmentFileName } from './traceIndex';

const WRITE_CONCURRENCY = 8;

export interface PackWrite {
  id: number;
  text: Buffer;
}

/** Writes what the pack table and the index have ready; `failed` carries pack writes across flushes. */
export async function writeInOrder(packs: PackTable, index: TraceIndex, failed: PackWrite[], packsDir: string, indexDir: string): Promise<void> {
  // A pack write that failed (a full disk) goes again first; the newest bytes of a pack win.
  const packWrites = new Map<number, Buffer>();
  for (const { id, text } of [...failed.splice(0), ...packs.takeWrites()]) packWrites.set(id, text);
  const segments = [...index.dirtySegments];
  index.dirtySegments.clear();
  const segmentData = segments.map((s) => ({ path: join(indexDir, segmentFileName(s)), data: index.segmentData(s) }));
  try {
    const writePack = ([id, text]: [number, Buffer]) => () =>
      writeBytes(join(packsDir, packFileName(id)), text).catch((err) => {
        failed.push({ id, text });
        throw err;
      });
    await runLimited([...packWrites].map(writePack), WRITE_CONCURRENCY);
    await runLimited(segmentData.map(({ path, data }) => () => (data ? writeJson(path, data).then(() => {}) : removeFile(path))), WRITE_CONCURRENCY);
  } catch (err) {
    for (const s of segments) index.dirtySegments.add(s);
    throw err;
  }
  await runLimited(packs.takeGarbage().map((id) => () => removeFile(join(packsDir, packFileName(id)))), WRITE_CONCURRENCY);
}
