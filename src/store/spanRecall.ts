// What the store remembers about spans across a restart, beyond the traces themselves:
// updates still waiting for their span (written at close, read back at open), and which
// trace the spans of recent traces belong to (read from the newest packs in the background
// after open), so an update that names a span of an earlier run by id alone still lands.

import { join } from 'node:path';
import type { Patch } from '../core/model';
import { isObject } from '../core/validate';
import type { HeldUpdates } from './heldUpdates';
import { CorruptFileError, listDir, readJson, removeFile, writeJson } from './storeFiles';
import { packIdOf, readPack } from './traceFiles';
import { packFileName } from './packTable';

export const HELD_FILE = 'held-updates.json';
/** How much of the newest packs the background scan reads for span ids. */
export const RECALL_BYTES = 64 * 1024 * 1024;

export async function saveHeld(dir: string, held: HeldUpdates): Promise<void> {
  const path = join(dir, HELD_FILE);
  const waiting = held.entries();
  if (waiting.length === 0) await removeFile(path);
  else await writeJson(path, { version: 1, waiting });
}

export async function loadHeld(dir: string, held: HeldUpdates, warn: (m: string) => void): Promise<void> {
  const path = join(dir, HELD_FILE);
  try {
    const got = await readJson(path);
    const waiting = isObject(got?.data) && Array.isArray(got.data.waiting) ? got.data.waiting : [];
    for (const entry of waiting) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && Array.isArray(entry[1])) for (const p of entry[1] as Patch[]) held.hold(entry[0], p);
    }
  } catch (err) {
    if (!(err instanceof CorruptFileError)) throw err;
    warn(`Spanscope: ${err.message}; the updates that were waiting for their spans are dropped`);
  }
  await removeFile(path);
}

/**
 * Reads span ids from the newest packs (newest first, at most RECALL_BYTES), calling `found`
 * for each; stops early when `stopped()` says so. Yields between packs: it runs beside ingest.
 */
export async function scanRecentSpans(packsDir: string, sizes: Map<number, number>, found: (spanId: string, traceId: string) => void, stopped: () => boolean): Promise<void> {
  const packs = listDir(packsDir).map(packIdOf).filter((id): id is number => id !== undefined).sort((a, b) => b - a);
  let budget = RECALL_BYTES;
  for (const pack of packs) {
    if (stopped() || budget <= 0) return;
    budget -= sizes.get(pack) ?? 0;
    let units;
    try {
      units = await readPack(join(packsDir, packFileName(pack)));
    } catch (err) {
      if (err instanceof CorruptFileError) continue; // reported when a trace in it is read
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted meanwhile
      throw err;
    }
    for (const unit of units ?? []) for (const span of unit.spans) found(span.id, unit.trace_id);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
