// Reading a pack whole to judge it: every entry found, and whether each matches its
// checksum. A pack whose every entry checks out is not damaged, whatever a read that used
// the index found (damageRecovery.ts then repairs the index from it). One that is damaged (an
// entry that does not match its checksum, bytes cut or changed so entries no longer follow
// one another) is salvaged: every entry before the damage that checks out is copied forward
// into the open pack, as retention copies entries, so only the damaged entries are lost — not
// every trace that had events in the same 4 MB file.

import { CorruptEntryError, type EntryHead, scanEntries, verifyEntry } from './logEntry';
import { PACK_HEAD, PACK_TAIL_BYTES, type PackLog } from './packLog';
import type { Extent } from './traceIndex';

export interface PackEntry {
  head: EntryHead;
  start: number;
  end: number;
}

export interface CheckedPack {
  /** The entries that check out, in the order they are in the pack. */
  entries: PackEntry[];
  /** Entries that did not check out; `rest` when the entries stopped following one another (or it is not a pack). */
  lost: number;
  rest: boolean;
}

/** Every entry of a pack's bytes (head to tail), checked against its checksum. */
export function checkPack(bytes: Buffer | undefined): CheckedPack {
  const out: CheckedPack = { entries: [], lost: 0, rest: false };
  if (!bytes?.subarray(0, PACK_HEAD.length).equals(PACK_HEAD)) {
    out.rest = true; // gone, not a file, or not a pack
    return out;
  }
  const tail = PACK_TAIL_BYTES.length;
  const whole = bytes.length >= PACK_HEAD.length + tail && bytes.subarray(bytes.length - tail).equals(PACK_TAIL_BYTES);
  if (!whole) out.rest = true; // cut short: what follows the last whole entry is not known
  try {
    scanEntries(
      bytes.subarray(PACK_HEAD.length, whole ? bytes.length - tail : bytes.length),
      PACK_HEAD.length,
      (head, start, end) => {
        try {
          verifyEntry(bytes.subarray(start, end));
        } catch (err) {
          if (!(err instanceof CorruptEntryError)) throw err;
          out.lost++;
          return;
        }
        out.entries.push({ head, start, end });
      },
    );
  } catch (err) {
    if (!(err instanceof CorruptEntryError)) throw err;
    out.rest = true;
  }
  return out;
}

/** Whether nothing in the pack is damaged. */
export function intact(checked: CheckedPack): boolean {
  return checked.lost === 0 && !checked.rest;
}

export interface Salvaged {
  /** Where each trace's entries that checked out are now. */
  extents: Map<string, Extent[]>;
  /** Entries copied forward. */
  kept: number;
  /** Entries that did not check out; `rest` when the entries stopped following one another. */
  lost: number;
  rest: boolean;
}

/** Copies the entries of a damaged pack that check out (`checked`, of `bytes`) into the open pack. */
export function salvagePack(log: PackLog, bytes: Buffer | undefined, checked: CheckedPack): Salvaged {
  const out: Salvaged = { extents: new Map(), kept: 0, lost: checked.lost, rest: checked.rest };
  for (const { head, start, end } of checked.entries) {
    if (head.deleted) continue; // a deletion: the index's tombstone still stands for it
    const loc = log.append({ parts: [Buffer.from(bytes!.subarray(start, end))], size: end - start });
    out.kept++;
    for (const id of head.traces) {
      let extents = out.extents.get(id);
      if (!extents) out.extents.set(id, (extents = []));
      extents.push([loc.pack, loc.start, loc.end]);
      log.noteTrace(loc.pack, id);
    }
  }
  return out;
}
