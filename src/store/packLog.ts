// The log's files. Every entry (logEntry.ts) is appended to the one open "pack", a JSON file
//   {"version":2,"entries":[
//   <entry>,
//   <entry>
//   ]}
// kept in memory as it fills and written by writeFileAtomic (atomicWrite.ts) when the store flushes. A pack that
// reaches PACK_BYTES, or SEAL_BYTES by the time it is written, is sealed: written once more
// and never again, so a flush writes what arrived since the last one plus at most SEAL_BYTES
// it wrote before. Packs are files because creating a file costs far more here than writing
// bytes (~0.7 ms a file: an atomic write creates one each time), and a pack is the unit
// retention deletes: it goes once no live trace has events in it, and no deletion in it is
// still needed (one is while packs with the deleted trace's events are left, logEntry.ts).
//
// Entries never move within a pack, so a trace's events are found by byte ranges (extents)
// that stay valid until retention copies them forward into the open pack.

import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodedEntry, EntryLoc } from './logEntry';

export const PACK_HEAD = Buffer.from('{"version":2,"entries":[\n');
const SEPARATOR = Buffer.from(',\n');
const PACK_TAIL = Buffer.from('\n]}');
export const PACK_BYTES = 4 * 1024 * 1024;
export const SEAL_BYTES = 256 * 1024;
/** Written packs kept in memory for reading recent entries (updates, live traces) without the disk. */
const RECENT_BYTES = 32 * 1024 * 1024;
/**
 * An open pack's buffer is made big enough for a full pack at once: growing it by doubling
 * copied every byte of a pack about once more on the ingest path. allocUnsafe does not fill
 * it, so pages never written mostly stay untouched; a pack sealed much smaller than this is
 * copied to its size (sealOpen), as recent packs stay in memory a while.
 */
const OPEN_CAPACITY = PACK_BYTES + PACK_TAIL.length;

/**
 * A pack's life, one way only:
 * - open: entries are appended to it (one pack at a time); a flush writes a copy of it;
 * - sealed: complete, its last bytes not on disk yet (an earlier copy may be);
 * - written: on disk as it is, never written again; its bytes stay in memory a while (recent);
 * - garbage: nothing live in it; its file goes once the index no longer points at it.
 */
export type PackState = 'open' | 'sealed' | 'written' | 'garbage';

/** The moves a pack may make; anything else is a bug, and throws. */
const NEXT: Record<PackState, readonly PackState[]> = {
  open: ['sealed'],
  sealed: ['written', 'garbage'],
  written: ['garbage'],
  garbage: [],
};

interface Pack {
  id: number;
  state: PackState;
  /** Bytes of its head and entries, without the tail. */
  size: number;
  /** Its bytes while open, sealed or recent; undefined once read from disk only. */
  buf?: Buffer;
  /** Traces with events in it. A sealed or written pack with none, and no tombs, is garbage. */
  traces: Set<string>;
  /** Traces whose deletion entry is in it, while packs with their events are left. */
  tombs: Set<string>;
}

export interface PackWrite {
  id: number;
  bytes: Buffer;
  /**
   * The bytes are the pack's last (it was sealed when taken); otherwise they are a copy of
   * the open pack as it was then, and the pack is written again once it seals.
   */
  whole: boolean;
}

export class PackLog {
  private readonly packs = new Map<number, Pack>();
  private openPack!: Pack;
  private openDirty = false;
  /** Sizes of the sealed and written packs. */
  private sealedBytes = 0;
  /** Between restore and finishRestore, which counts the garbage and the bytes. */
  private restoring = false;

  constructor(readonly dir: string) {}

  /** At open: the packs on disk (id → size). Traces are noted next (noteTrace), then finishRestore. */
  restore(sizes: Map<number, number>): void {
    this.restoring = true;
    for (const [id, size] of sizes)
      this.packs.set(id, { id, state: 'written', size, traces: new Set(), tombs: new Set() });
  }

  /** After restore: packs no trace points at are garbage; a new open pack starts past every id. */
  finishRestore(): void {
    this.restoring = false;
    for (const pack of this.packs.values()) {
      this.sealedBytes += pack.size;
      if (isEmpty(pack)) this.toGarbage(pack);
    }
    this.startPack(Math.max(0, ...this.packs.keys()) + 1);
  }

  has(pack: number): boolean {
    const state = this.packs.get(pack)?.state;
    return state !== undefined && state !== 'garbage';
  }

  /** The open pack's id: entries appended now go there. */
  get openId(): number {
    return this.openPack.id;
  }

  /** Bytes of every live pack, the open one included: what retention by size counts. */
  get bytes(): number {
    return this.sealedBytes + this.openPack.size;
  }

  /** Appends one entry to the open pack (sealing it first when full); returns where it went. */
  append(entry: EncodedEntry): EntryLoc {
    let pack = this.openPack;
    if (pack.size > PACK_HEAD.length && pack.size + SEPARATOR.length + entry.size > PACK_BYTES) pack = this.sealOpen();
    const buf = this.reserve(pack, entry.size);
    let at = pack.size;
    if (at > PACK_HEAD.length) at += SEPARATOR.copy(buf, at);
    const start = at;
    for (const part of entry.parts)
      at += typeof part === 'string' ? buf.write(part, at) : (buf.set(part, at), part.length);
    pack.size = at;
    this.openDirty = true;
    return { pack: pack.id, start, end: at };
  }

  /** Room for `bytes` more (and a separator and the tail) in the open pack's buffer. */
  private reserve(pack: Pack, bytes: number): Buffer {
    const needed = pack.size + SEPARATOR.length + bytes + PACK_TAIL.length;
    let buf = pack.buf!;
    if (buf.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(buf.length * 2, PACK_BYTES + PACK_TAIL.length)));
      buf.copy(grown, 0, 0, pack.size);
      pack.buf = buf = grown;
    }
    return buf;
  }

  /** Records that `traceId` has events in `pack` (its entries were appended there or restored). */
  noteTrace(pack: number, traceId: string): void {
    this.packs.get(pack)?.traces.add(traceId);
  }

  /** `traceId` no longer has events in `pack` (deleted, or moved forward); the pack may become garbage. */
  releaseTrace(pack: number, traceId: string): void {
    this.release(pack, (p) => p.traces.delete(traceId));
  }

  /** `pack` holds the deletion entry of `traceId`, needed while packs with its events are left. */
  noteTomb(pack: number, traceId: string): void {
    this.packs.get(pack)?.tombs.add(traceId);
  }

  /** That deletion entry is needed no more; the pack may become garbage. */
  releaseTomb(pack: number, traceId: string): void {
    this.release(pack, (p) => p.tombs.delete(traceId));
  }

  /** Takes something out of `pack` (`remove` says whether it was there); a sealed pack left empty is garbage. */
  private release(pack: number, remove: (p: Pack) => boolean): void {
    const p = this.packs.get(pack);
    if (!p || !remove(p) || !isEmpty(p) || p.state === 'open' || this.restoring) return;
    this.toGarbage(p);
  }

  /** The deletions in `pack` that are still needed. */
  tombsIn(pack: number): ReadonlySet<string> {
    return this.packs.get(pack)?.tombs ?? new Set();
  }

  private toGarbage(pack: Pack): void {
    if (pack.state === 'garbage') return;
    move(pack, 'garbage');
    this.sealedBytes -= pack.size;
    pack.buf = undefined;
  }

  /** Live packs, the open one included, newest first, with their sizes. */
  livePacks(): [id: number, size: number][] {
    const out: [number, number][] = [];
    for (const p of this.packs.values()) if (p.state !== 'garbage') out.push([p.id, p.size]);
    return out.sort((a, b) => b[0] - a[0]);
  }

  tracesIn(pack: number): ReadonlySet<string> {
    return this.packs.get(pack)?.traces ?? new Set();
  }

  /** The oldest written pack (live, complete and on disk), for retention by size. */
  oldestSealed(): number | undefined {
    let oldest: number | undefined;
    for (const p of this.packs.values())
      if (p.state === 'written' && (oldest === undefined || p.id < oldest)) oldest = p.id;
    return oldest;
  }

  private sealOpen(): Pack {
    const pack = this.openPack;
    PACK_TAIL.copy(pack.buf!, pack.size);
    move(pack, 'sealed');
    this.openDirty = false;
    this.sealedBytes += pack.size;
    if (isEmpty(pack)) this.toGarbage(pack);
    else {
      // Recent packs stay in memory (RECENT_BYTES): a small one keeps only what it needs.
      const used = pack.size + PACK_TAIL.length;
      if (pack.buf!.length > 2 * used) pack.buf = Buffer.from(pack.buf!.subarray(0, used));
    }
    this.startPack(pack.id + 1);
    return this.openPack;
  }

  private startPack(id: number): void {
    const buf = Buffer.allocUnsafe(OPEN_CAPACITY);
    PACK_HEAD.copy(buf);
    this.openPack = { id, state: 'open', size: PACK_HEAD.length, buf, traces: new Set(), tombs: new Set() };
    this.packs.set(id, this.openPack);
  }

  /** An open pack whose every trace was deleted is not worth writing again: it goes, a new one opens. */
  dropDeadOpen(): void {
    if (this.openPack.size > PACK_HEAD.length && this.openPack.traces.size === 0) this.sealOpen();
  }

  /**
   * What a flush writes: packs sealed since the last one and the open pack if it changed,
   * sealed now if it is big enough (else a copy: entries keep coming while it is written).
   */
  takeWrites(): PackWrite[] {
    if (this.openDirty && this.openPack.size >= SEAL_BYTES) this.sealOpen();
    const out: PackWrite[] = [];
    for (const p of this.packs.values())
      if (p.state === 'sealed')
        out.push({ id: p.id, bytes: p.buf!.subarray(0, p.size + PACK_TAIL.length), whole: true });
    if (this.openDirty) {
      this.openDirty = false;
      const pack = this.openPack;
      const bytes = Buffer.allocUnsafe(pack.size + PACK_TAIL.length);
      pack.buf!.copy(bytes, 0, 0, pack.size);
      PACK_TAIL.copy(bytes, pack.size);
      out.push({ id: pack.id, bytes, whole: false });
    }
    return out;
  }

  /**
   * A write of takeWrites is on disk. A copy of the open pack counts as the pack written only
   * if it was sealed when taken: a pack sealed while its copy was being written (entries kept
   * coming) has more than the file, and taking it as written lost those entries — the file
   * checked out, the index pointed past its end, and reads then judged the pack damaged.
   */
  written(write: PackWrite): void {
    const p = this.packs.get(write.id);
    if (p?.state === 'sealed' && write.whole) move(p, 'written');
  }

  /** A write of takeWrites failed: it goes again with the next flush. */
  failed(id: number): void {
    if (id === this.openPack.id) this.openDirty = true;
  }

  /** Drops the bytes of the oldest written packs beyond RECENT_BYTES (they are read from disk then). */
  trimMemory(): void {
    let kept = 0;
    const written = [...this.packs.values()].filter((p) => p.buf && p.state === 'written').sort((a, b) => b.id - a.id);
    for (const p of written) {
      kept += p.buf!.length;
      if (kept <= RECENT_BYTES) continue;
      p.buf = undefined;
    }
  }

  /**
   * Pack files that can go (call after writing the index that stops pointing at them): every
   * garbage pack, forgotten here. One never written has no file, or an earlier copy.
   */
  takeGarbage(): number[] {
    const out: number[] = [];
    for (const p of this.packs.values()) {
      if (p.state !== 'garbage') continue;
      out.push(p.id);
      this.packs.delete(p.id);
    }
    return out;
  }

  /** Forgets a pack found damaged (its file was moved aside): nothing is read from or written to it again. */
  dropDamaged(id: number): void {
    const p = this.packs.get(id);
    if (!p || p === this.openPack) return;
    if (p.state !== 'garbage') this.sealedBytes -= p.size;
    this.packs.delete(id);
  }

  /**
   * A pack's bytes as its file has them (head, entries, tail) while it is in memory (open,
   * not written yet, or recent), else undefined. A view: use it before anything else is
   * appended or awaited.
   */
  heldBytes(pack: number): Buffer | undefined {
    const p = this.packs.get(pack);
    if (!p?.buf) return undefined;
    PACK_TAIL.copy(p.buf, p.size); // past the open pack's entries: room is kept for it (reserve)
    return p.buf.subarray(0, p.size + PACK_TAIL.length);
  }

  /**
   * Bytes [start, end) of a pack, from memory or disk; undefined when the file is gone or
   * shorter. From memory they are a view of the pack's buffer: use them at once, as a view
   * held on keeps the whole 4 MB buffer alive after the pack leaves memory (trimMemory).
   */
  readSync(pack: number, start: number, end: number): Buffer | undefined {
    const p = this.packs.get(pack);
    if (p?.buf) return end <= p.size ? p.buf.subarray(start, end) : undefined;
    let fd: number;
    try {
      fd = openSync(this.path(pack), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const out = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < out.length) {
        const n = readSync(fd, out, got, out.length - got, start + got);
        if (n === 0) return undefined;
        got += n;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }

  /** The same, without blocking on the disk; from memory a copy, as the caller holds it across awaits (see readSync). */
  async read(pack: number, start: number, end: number): Promise<Buffer | undefined> {
    const p = this.packs.get(pack);
    if (p?.buf) return end <= p.size ? Buffer.from(p.buf.subarray(start, end)) : undefined;
    let file;
    try {
      file = await open(this.path(pack), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const out = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < out.length) {
        const { bytesRead } = await file.read(out, got, out.length - got, start + got);
        if (bytesRead === 0) return undefined;
        got += bytesRead;
      }
      return out;
    } finally {
      await file.close();
    }
  }

  path(pack: number): string {
    return join(this.dir, packFileName(pack));
  }
}

/** Moves a pack on in its life (PackState); a move NEXT does not allow is a bug in the log and throws. */
function move(pack: Pack, to: PackState): void {
  if (!NEXT[pack.state].includes(to)) throw new Error(`pack ${pack.id} can not go from ${pack.state} to ${to}`);
  pack.state = to;
}

function isEmpty(pack: Pack): boolean {
  return pack.traces.size === 0 && pack.tombs.size === 0;
}

export function packFileName(id: number): string {
  return `pack-${String(id).padStart(6, '0')}.json`;
}

export const PACK_FILE = /^pack-(\d+)\.json$/;

export function packIdOf(fileName: string): number | undefined {
  const m = PACK_FILE.exec(fileName);
  return m ? Number(m[1]) : undefined;
}

export const PACK_TAIL_BYTES = PACK_TAIL;
