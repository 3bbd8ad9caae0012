// What the store does when a read does not find a pack as the index says (gone, cut short,
// an entry that does not match its checksum, or not entries where an extent says). The read
// only shows that the index and the pack disagree; which one is wrong is decided by the pack's
// own bytes (its file, or memory while the pack is open, unwritten or recent), every entry
// checked against its checksum:
//
// - every entry checks out: the pack is fine and the index (an extent in memory) is wrong.
//   Where the traces read have entries in the pack is found again from the pack itself, the
//   file stays, and a warning names the inconsistency. Moving such a pack aside lost healthy
//   data, and with it the entries of every other trace in it (issue 13).
// - it is damaged: what checks out is copied forward (packSalvage.ts), the file is moved
//   aside with a warning saying what was kept, and traces left with no events are removed.
//
// Each pack is judged by its own bytes, so one bad read never condemns another pack; and the
// caller reads again at most once after a repair, so nothing here can loop.

import { readFileSync } from 'node:fs';
import type { PackLog } from './packLog';
import { type CheckedPack, checkPack, intact, salvagePack } from './packSalvage';
import { moveAsideSync } from './storeFiles';
import { EXTENT_GAP, type Extent, type TraceIndex } from './traceIndex';

export interface DamageDeps {
  log: PackLog;
  index: TraceIndex;
  /** Forgets what memory holds of a trace: it is read back from the log (where the index now says). */
  unload(id: string): void;
  /** Removes a trace, logging its deletion; false when unknown. */
  forget(id: string): boolean;
  warn(message: string): void;
}

/** How many trace ids a warning names before "and N more". */
const NAMED = 5;

export class DamageRecovery {
  constructor(private readonly deps: DamageDeps) {}

  /**
   * Packs a read found not as the index says. `readers`: the traces whose read it was;
   * undefined when not known (a span of a trace in memory), then every trace in the pack is
   * looked at. Returns the traces removed because nothing of them is left.
   */
  recover(packs: Iterable<number>, readers?: readonly string[]): string[] {
    const removed: string[] = [];
    for (const pack of new Set(packs)) removed.push(...this.recoverPack(pack, readers));
    return removed;
  }

  private recoverPack(pack: number, readers: readonly string[] | undefined): string[] {
    const { log } = this.deps;
    if (!log.has(pack)) return this.dropGone(pack, readers ?? []);
    const bytes = log.heldBytes(pack) ?? readFile(log.path(pack));
    const checked = checkPack(bytes);
    if (intact(checked)) return this.reindex(pack, checked, readers ?? [...log.tracesIn(pack)]);
    if (pack === log.openId) return this.dropGone(pack, readers ?? [...log.tracesIn(pack)]); // in memory as written: can not be salvaged into itself
    return this.setAside(pack, bytes, checked);
  }

  /**
   * The pack checks out: the traces' extents in it are made again from its entries (those
   * from before a trace was deleted and sent again left out, by `arrived`).
   */
  private reindex(pack: number, checked: CheckedPack, traceIds: readonly string[]): string[] {
    const { log, index } = this.deps;
    const wanted = new Set(traceIds);
    // One extent over a trace's entries that follow one another closely, as the index makes
    // them (traceIndex.ts addExtent); broken where an entry of it is left out.
    const found = new Map<string, Extent[]>();
    const open = new Map<string, Extent | undefined>();
    for (const { head, start, end } of checked.entries) {
      for (const id of head.traces) {
        if (!wanted.has(id)) continue;
        const arrived = index.get(id)?.arrived;
        if (head.deleted || (arrived !== undefined && head.seq < arrived)) {
          open.set(id, undefined); // before it was deleted and sent again: not this trace's
          continue;
        }
        const last = open.get(id);
        if (last && start - last[2] <= EXTENT_GAP) {
          last[2] = end;
          continue;
        }
        const extent: Extent = [pack, start, end];
        open.set(id, extent);
        let list = found.get(id);
        if (!list) found.set(id, (list = []));
        list.push(extent);
      }
    }
    const removed: string[] = [];
    const changed: string[] = [];
    for (const id of wanted) {
      const entry = index.get(id);
      this.deps.unload(id); // what memory holds of it may point at the wrong place too
      if (!entry) continue;
      const here = found.get(id) ?? [];
      const before = entry.extents.filter(([p]) => p === pack);
      if (sameExtents(before, here)) continue;
      changed.push(id);
      const extents = [...entry.extents.filter(([p]) => p !== pack), ...here].sort(
        (a, b) => a[0] - b[0] || a[1] - b[1],
      );
      if (extents.length === 0) {
        if (this.deps.forget(id)) removed.push(id);
        continue;
      }
      index.setExtents(id, extents);
      if (here.length) log.noteTrace(pack, id);
      else log.releaseTrace(pack, id);
    }
    const lost = removed.length
      ? `; ${removed.length} had no entries anywhere and were removed (${named(removed)})`
      : '';
    this.deps.warn(
      `Spanscope: a read found ${log.path(pack)} not holding the entries the index says are there, but every entry in it checks out: the store's memory of where entries are was wrong, not the file. ` +
        `Kept the file and found again where ${changed.length ? `trace(s) ${named(changed)} have` : 'the traces read have'} entries in it from the pack itself${lost}`,
    );
    return removed;
  }

  /** The index points at a pack the store no longer has: those extents can not be read, and go. */
  private dropGone(pack: number, traceIds: readonly string[]): string[] {
    const { log, index } = this.deps;
    const removed: string[] = [];
    for (const id of traceIds) {
      const entry = index.get(id);
      this.deps.unload(id);
      if (!entry) continue;
      const left = entry.extents.filter(([p]) => p !== pack);
      if (left.length === entry.extents.length) continue;
      if (left.length) index.setExtents(id, left);
      else if (this.deps.forget(id)) removed.push(id);
      log.releaseTrace(pack, id);
    }
    this.deps.warn(
      `Spanscope: a read found the index pointing at ${log.path(pack)}, which the store can not read there; what it pointed at is dropped${removed.length ? `, and ${removed.length} trace(s) with nothing left were removed (${named(removed)})` : ''}`,
    );
    return removed;
  }

  /** Damaged: what checks out is copied forward, the file is moved aside, and traces left with nothing are removed. */
  private setAside(pack: number, bytes: Buffer | undefined, checked: CheckedPack): string[] {
    const { log, index } = this.deps;
    const path = log.path(pack);
    const salvaged = salvagePack(log, bytes, checked);
    const traces = [...log.tracesIn(pack)];
    const removed: string[] = [];
    for (const id of traces) {
      const entry = index.get(id);
      this.deps.unload(id);
      if (!entry) continue;
      const left = [...entry.extents.filter(([p]) => p !== pack), ...(salvaged.extents.get(id) ?? [])];
      if (left.length) index.setExtents(id, left);
      else if (this.deps.forget(id)) removed.push(id);
      log.releaseTrace(pack, id);
    }
    const what = `kept ${salvaged.kept} entr${salvaged.kept === 1 ? 'y' : 'ies'} that check out, lost ${salvaged.lost}${salvaged.rest ? ' and everything after the damage' : ''}; ${removed.length} of its ${traces.length} trace(s) had nothing left and were removed`;
    try {
      this.deps.warn(
        `Spanscope: ${path} is damaged (cut short, changed, or not the entries the index says are there); moved it to ${moveAsideSync(path)}; ${what}`,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.deps.warn(
          `Spanscope: ${path} is damaged and could not be moved aside (${(err as Error).message}); ${what}`,
        );
      else this.deps.warn(`Spanscope: ${path} is gone; ${removed.length} trace(s) had nothing left and were removed`);
    }
    log.dropDamaged(pack);
    return removed;
  }
}

/** A pack's file, or undefined when it can not be read (gone, a folder in its place). */
function readFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function sameExtents(a: Extent[], b: Extent[]): boolean {
  return a.length === b.length && a.every((e, i) => e[0] === b[i][0] && e[1] === b[i][1] && e[2] === b[i][2]);
}

function named(ids: string[]): string {
  const shown = ids
    .slice(0, NAMED)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return ids.length > NAMED ? `${shown} and ${ids.length - NAMED} more` : shown;
}
