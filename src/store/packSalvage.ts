// What can still be read of a damaged pack (an entry that does not match its checksum, bytes
// cut or changed so entries no longer follow one another): every entry before the damage that
// checks out is copied forward into the open pack, as retention copies entries, so only the
// damaged entries are lost — not every trace that had events in the same 4 MB file. The
// store then moves the file aside (kept for a person to look at) and says what was kept.

import { readFileSync } from 'node:fs';
import { CorruptEntryError, scanEntries, verifyEntry } from './logEntry';
import { PACK_HEAD, PACK_TAIL_BYTES, type PackLog } from './packLog';
import type { Extent } from './traceIndex';

export interface Salvaged {
  /** Where each trace's entries that checked out are now. */
  extents: Map<string, Extent[]>;
  /** Entries copied forward. */
  kept: number;
  /** Entries that did not check out; `rest` when the entries stopped following one another. */
  lost: number;
  rest: boolean;
}

export function salvagePack(log: PackLog, pack: number): Salvaged {
  const out: Salvaged = { extents: new Map(), kept: 0, lost: 0, rest: false };
  let bytes: Buffer;
  try {
    bytes = readFileSync(log.path(pack));
  } catch {
    out.rest = true; // gone, or not a file: nothing to read
    return out;
  }
  if (!bytes.subarray(0, PACK_HEAD.length).equals(PACK_HEAD)) {
    out.rest = true;
    return out;
  }
  const tail = PACK_TAIL_BYTES.length;
  const end = bytes.subarray(bytes.length - tail).equals(PACK_TAIL_BYTES) ? bytes.length - tail : bytes.length;
  try {
    scanEntries(bytes.subarray(PACK_HEAD.length, end), PACK_HEAD.length, (head, start, stop) => {
      const entry = bytes.subarray(start, stop);
      try {
        verifyEntry(entry);
      } catch (err) {
        if (!(err instanceof CorruptEntryError)) throw err;
        out.lost++;
        return;
      }
      if (head.deleted) return; // a deletion: the index's tombstone still stands for it
      const loc = log.append({ parts: [Buffer.from(entry)], size: entry.length });
      out.kept++;
      for (const id of head.traces) {
        let extents = out.extents.get(id);
        if (!extents) out.extents.set(id, (extents = []));
        extents.push([loc.pack, loc.start, loc.end]);
        log.noteTrace(loc.pack, id);
      }
    });
  } catch (err) {
    if (!(err instanceof CorruptEntryError)) throw err;
    out.rest = true;
  }
  return out;
}
