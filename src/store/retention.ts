// Retention by size: while the packs hold more than maxBytes, the oldest pack goes whole.
// The traces with events in it go with it, except those changed since the last flush began
// (what is being written now is not what a size limit should take): their events in that
// pack are copied forward into the open pack first, so the pack can still go. (Retention by
// count is in the store: the oldest traces by start go as new ones arrive.)

import { DamagedPackError } from './entryCache';
import type { PackLog } from './packLog';
import type { Extent, TraceIndex } from './traceIndex';

export class RetentionBySize {
  constructor(
    private readonly log: PackLog,
    private readonly index: TraceIndex,
    /** Removes a trace; false when it was unknown. */
    private readonly forget: (id: string) => boolean,
    /** A trace's events moved: what memory holds of it points at the old place. */
    private readonly moved: (id: string) => void,
  ) {}

  /** Returns the ids of the traces removed. */
  async enforce(maxBytes: number, current: Set<string>): Promise<string[]> {
    const removed: string[] = [];
    while (this.log.bytes > maxBytes) {
      const pack = this.log.oldestSealed();
      if (pack === undefined) break;
      // Read what moves before changing anything: the pack is sealed, its bytes stay as they are.
      const keep = [...this.log.tracesIn(pack)].filter((id) => current.has(id));
      const moving = await Promise.all(keep.map((id) => this.read(id, pack)));
      for (const id of [...this.log.tracesIn(pack)]) if (!current.has(id) && this.forget(id)) removed.push(id);
      for (const { id, ranges } of moving) this.moveForward(id, pack, ranges);
      // The oldest pack left: every pack the deletions in it stood for has gone before it.
      for (const id of [...this.log.tombsIn(pack)]) this.log.releaseTomb(pack, id);
      if (this.log.has(pack)) throw new Error(`retention could not empty pack ${pack}`); // a bug: stop rather than spin
    }
    return removed;
  }

  private async read(id: string, pack: number): Promise<{ id: string; ranges: { extent: Extent; bytes: Buffer }[] }> {
    const extents = this.index.get(id)?.extents.filter((e) => e[0] === pack) ?? [];
    const ranges = await Promise.all(
      extents.map(async (extent) => {
        const bytes = await this.log.read(extent[0], extent[1], extent[2]);
        if (!bytes) throw new DamagedPackError(pack);
        return { extent, bytes };
      }),
    );
    return { id, ranges };
  }

  private moveForward(id: string, pack: number, ranges: { extent: Extent; bytes: Buffer }[]): void {
    const entry = this.index.get(id);
    if (entry) {
      // Only ranges the trace still has: deleted meanwhile and sent again, it has new ones.
      const extents = entry.extents.filter((e) => e[0] !== pack);
      for (const { extent, bytes } of ranges) {
        if (!entry.extents.includes(extent)) continue;
        const loc = this.log.append({ parts: [bytes], size: bytes.length });
        extents.push([loc.pack, loc.start, loc.end]);
        this.log.noteTrace(loc.pack, id);
      }
      this.index.setExtents(id, extents);
      this.moved(id);
    }
    this.log.releaseTrace(pack, id);
  }
}
