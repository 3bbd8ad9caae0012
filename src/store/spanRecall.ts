// What the store remembers about spans across a restart, beyond the traces themselves:
// updates still waiting for their span (written at close, read back at open), and, for an
// update that names a span by id alone when no trace in memory has it, which trace that span
// is in: found by reading the newest packs in the background. Keeping a span id → trace id
// map of every span instead cost ~0.7 µs per span ingested, for updates that are rare.
// The held updates are a lowdb document (`held-updates.json`, DurableJsonFile): read once at
// open and written once at close, so the document lives no longer than each of those calls.

import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Patch } from '../core/model/model';
import { isObject } from '../core/normalise/validate';
import type { HeldUpdates } from './heldUpdates';
import { CorruptEntryError, decodeEntry, scanEntries } from './logEntry';
import { PACK_HEAD, type PackLog } from './packLog';
import { CorruptFileError, DurableJsonFile, removeFile } from './storeFiles';

export const HELD_FILE = 'held-updates.json';
/** How much of the newest packs a search for span ids reads. */
export const RECALL_BYTES = 32 * 1024 * 1024;

/** What held-updates.json holds: per key (`span:<id>`, `trace:<id>`) the patches waiting, oldest first. */
interface HeldFile {
  version: 1;
  waiting: [string, Patch[]][];
}

function heldDocument(dir: string, waiting: [string, Patch[]][] = []): Low<HeldFile> {
  return new Low<HeldFile>(new DurableJsonFile<HeldFile>(join(dir, HELD_FILE)), { version: 1, waiting });
}

export async function saveHeld(dir: string, held: HeldUpdates): Promise<void> {
  const waiting = held.entries();
  if (waiting.length === 0) await removeFile(join(dir, HELD_FILE));
  else await heldDocument(dir, waiting).write();
}

export async function loadHeld(dir: string, held: HeldUpdates, warn: (m: string) => void): Promise<void> {
  const path = join(dir, HELD_FILE);
  const doc = heldDocument(dir);
  try {
    await doc.read();
    // Checked as it is read: the file is ours, but a hand edit or another version may have changed it.
    const data: unknown = doc.data;
    const waiting: unknown[] = isObject(data) && Array.isArray(data.waiting) ? data.waiting : [];
    for (const entry of waiting) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && Array.isArray(entry[1]))
        for (const p of entry[1] as Patch[]) held.hold(entry[0], p);
    }
  } catch (err) {
    if (!(err instanceof CorruptFileError)) throw err;
    warn(`Spanscope: ${err.message}; the updates that were waiting for their spans are dropped`);
  }
  await removeFile(path);
}

/**
 * Looks for the spans `wanted` in the newest packs (newest first, at most RECALL_BYTES),
 * calling `found` for each (with the seq of the entry it was found in); stops early when `stopped()` says so. Only entries whose bytes
 * hold one of the ids are decoded. Yields between packs: it runs beside ingest.
 */
export async function findSpans(
  log: PackLog,
  wanted: Set<string>,
  found: (spanId: string, traceId: string, seq: number) => void,
  stopped: () => boolean,
): Promise<void> {
  const left = new Set(wanted);
  let budget = RECALL_BYTES;
  for (const [pack, size] of log.livePacks()) {
    if (stopped() || budget <= 0 || left.size === 0) return;
    budget -= size;
    const bytes = await log.read(pack, PACK_HEAD.length, size);
    const needles = [...left].map((id) => Buffer.from(JSON.stringify(id)));
    if (!bytes || !needles.some((n) => bytes.includes(n))) continue;
    try {
      scanEntries(bytes, PACK_HEAD.length, (head, start, end) => {
        const entry = bytes.subarray(start - PACK_HEAD.length, end - PACK_HEAD.length);
        if (!needles.some((n) => entry.includes(n))) return;
        const { patches, traceOf } = decodeEntry(entry);
        patches.forEach((p, i) => {
          if (p.kind === 'span' && left.delete(p.span.id)) found(p.span.id, traceOf[i], head.seq);
        });
      });
    } catch (err) {
      if (!(err instanceof CorruptEntryError)) throw err; // reported when a trace in it is read
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
