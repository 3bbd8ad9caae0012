// The log entries that span refs point into (loadedTrace.ts), read and decoded on demand and
// kept a little while: updates come in runs (a batch of span ends for the batch of starts
// before it), and decoding an entry once serves all of them.

import { CorruptEntryError, type DecodedEntry, type EntryLoc, decodeEntry } from './logEntry';
import type { EntryReader } from './loadedTrace';
import type { PackLog } from './packLog';

const KEEP = 16;

/** A pack that is gone, or does not hold the entry the index says where it says. */
export class DamagedPackError extends Error {
  constructor(readonly pack: number) {
    super(`pack ${pack} is damaged`);
  }
}

export class EntryCache implements EntryReader {
  private readonly decoded = new Map<string, DecodedEntry>();

  constructor(private readonly log: PackLog) {}

  decode(loc: EntryLoc): DecodedEntry {
    const key = `${loc.pack}:${loc.start}`;
    let entry = this.decoded.get(key);
    if (entry) return entry;
    const bytes = this.log.readSync(loc.pack, loc.start, loc.end);
    if (!bytes) throw new DamagedPackError(loc.pack);
    try {
      entry = decodeEntry(bytes);
    } catch (err) {
      if (err instanceof CorruptEntryError) throw new DamagedPackError(loc.pack);
      throw err;
    }
    this.decoded.set(key, entry);
    if (this.decoded.size > KEEP) this.decoded.delete(this.decoded.keys().next().value!);
    return entry;
  }

  /** Forgets what it holds (a pack was found damaged, or entries moved). */
  clear(): void {
    this.decoded.clear();
  }
}
