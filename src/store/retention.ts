// Retention by size: while the packs hold more than maxBytes, the oldest pack goes whole.
// Packs are written in arrival order, so the traces with events in the oldest pack arrived
// before any trace whose first events are in a later one. They go with it, except those
// spared — changed since the last flush began, or still running (arrivalOrder.ts): what is
// being written now is not what a size limit should take. Their events in that pack are
// copied forward into the open pack first, so the pack can still go. (Retention by count is
// in the store: the traces that arrived longest ago go as new ones arrive.)

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

  /**
   * `removed` hears of the traces removed with each pack, as they go: the next pack's reads
   * are awaited, and a trace sent again meanwhile must not be reported gone after it arrived.
   */
  async enforce(maxBytes: number, spared: (id: string) => boolean, removed: (ids: string[]) => void): Promise<void> {
    while (this.log.bytes > maxBytes) {
      const pack = this.log.oldestSealed();
      if (pack === undefined) break;
      // Read what moves before changing anything: the pack is sealed, its bytes stay as they are.
      const keep = [...this.log.tracesIn(pack)].filter(spared);
      const moving = await Promise.all(keep.map((id) => this.read(id, pack)));
      const kept = new Set(keep); // decided once: `spared` may change its mind while the reads above were awaited
      const gone = [...this.log.tracesIn(pack)].filter((id) => !kept.has(id) && this.forget(id));
      if (gone.length) removed(gone);
      for (const { id, ranges } of moving) this.moveForward(id, pack, ranges);
      // The oldest pack left: every pack the deletions in it stood for has gone before it.
      for (const id of [...this.log.tombsIn(pack)]) this.log.releaseTomb(pack, id);
      if (this.log.has(pack)) throw new Error(`retention could not empty pack ${pack}`); // a bug: stop rather than spin
    }
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
