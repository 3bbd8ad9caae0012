// Where trace data lives on disk. Creating a file costs far more here than writing bytes
// (about 0.7 ms per new file against 0.1 ms to rewrite one in place, and lowdb's atomic
// write creates a new file every time), so traces are not one file each: every write goes
// into the one open "pack", a file of up to PACK_BYTES holding the latest copy of many
// trace chunks ("units"). A unit that changes again moves to the open pack; the copy it
// leaves in an older pack is garbage, and a pack with no live unit left is deleted. Units
// carry a sequence number, so if the index is lost the newest copy of each unit still wins.

import type { ChunkFileData, TraceFileData } from './loadedTrace';

export const PACK_BYTES = 2 * 1024 * 1024;
export const PACK_UNITS = 2000;

/** One trace chunk as stored in a pack. */
export type UnitData = (TraceFileData | ChunkFileData) & { chunk: number; seq: number };

/**
 * A unit's JSON as pieces to be joined (its head and its spans' bytes, see loadedTrace.ts):
 * joined only when its pack is written, so a span's bytes are copied once, into the pack.
 */
export interface EncodedUnit {
  parts: Uint8Array[];
  /** Bytes in all the parts. */
  size: number;
}

/** Where one chunk of a trace is: pack id and the sequence number of the copy there. */
export type UnitLocation = [pack: number, seq: number];

interface PackInfo {
  /** Characters in the file as last written. */
  size: number;
  /** Units whose live copy is in this pack. */
  live: number;
}

export class PackTable {
  private readonly packs = new Map<number, PackInfo>();
  /** Per trace, per chunk: where its live copy is. */
  private readonly locations = new Map<string, UnitLocation[]>();
  /** The pack being filled: its units' JSON, encoded once, by `traceId/chunk`. */
  private openId = 0;
  private readonly openUnits = new Map<string, EncodedUnit>();
  private openSize = 0;
  private openDirty = false;
  /** Packs filled during this flush: written with it, then never again. */
  private readonly sealed: { id: number; units: EncodedUnit[] }[] = [];
  /** Packs that hold nothing live; deleted once the index no longer points at them. */
  private readonly garbage = new Set<number>();
  private nextSeq = 1;
  totalBytes = 0;

  /** Registers what the index says (at open). */
  restore(traceId: string, units: UnitLocation[], packSizes: Map<number, number>): void {
    this.locations.set(traceId, units.map((u) => [...u] as UnitLocation));
    for (const [pack, seq] of units) {
      let info = this.packs.get(pack);
      if (!info) {
        this.packs.set(pack, (info = { size: packSizes.get(pack) ?? 0, live: 0 }));
        this.totalBytes += info.size;
      }
      info.live++;
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
  }

  /** After restore: packs nobody points at are garbage; the next pack gets a fresh id. */
  finishRestore(packSizes: Map<number, number>): void {
    for (const [pack, size] of packSizes) {
      if (!this.packs.has(pack)) {
        this.packs.set(pack, { size, live: 0 });
        this.garbage.add(pack);
      }
    }
    // Past every pack on disk and every pack the index names, even one that is gone.
    this.openId = Math.max(0, ...packSizes.keys(), ...this.packs.keys()) + 1;
  }

  /** Characters in each pack file known (for the background span scan's budget). */
  sizes(): Map<number, number> {
    return new Map([...this.packs].map(([id, info]) => [id, info.size]));
  }

  noteSeq(seq: number): void {
    this.nextSeq = Math.max(this.nextSeq, seq + 1);
  }

  unitsOf(traceId: string): UnitLocation[] | undefined {
    return this.locations.get(traceId);
  }

  /** Puts a unit's new copy into the open pack; `encode` gives its JSON for the seq it gets. Returns its location. */
  write(traceId: string, chunk: number, encode: (seq: number) => EncodedUnit): UnitLocation {
    const seq = this.nextSeq++;
    const text = encode(seq);
    const key = `${traceId}/${chunk}`;
    this.release(traceId, chunk);
    if (this.openUnits.size >= PACK_UNITS || (this.openSize + text.size > PACK_BYTES && this.openUnits.size > 0)) this.seal();
    this.openUnits.set(key, text);
    this.openSize += text.size + 1;
    this.openDirty = true;
    const location: UnitLocation = [this.openId, seq];
    let units = this.locations.get(traceId);
    if (!units) this.locations.set(traceId, (units = []));
    units[chunk] = location;
    return location;
  }

  /** Forgets every unit of a trace (deleted). */
  forget(traceId: string): void {
    const units = this.locations.get(traceId);
    if (!units) return;
    for (let chunk = 0; chunk < units.length; chunk++) this.release(traceId, chunk);
    this.locations.delete(traceId);
  }

  /** The unit's old copy is no longer live. */
  private release(traceId: string, chunk: number): void {
    const old = this.locations.get(traceId)?.[chunk];
    if (!old) return;
    const [pack] = old;
    if (pack === this.openId) {
      const text = this.openUnits.get(`${traceId}/${chunk}`);
      if (text !== undefined) {
        this.openUnits.delete(`${traceId}/${chunk}`);
        this.openSize -= text.size + 1;
        this.openDirty = true;
      }
      return;
    }
    const info = this.packs.get(pack);
    if (info && --info.live <= 0 && !this.garbage.has(pack)) {
      this.garbage.add(pack);
      this.totalBytes -= info.size;
    }
  }

  private seal(): void {
    this.sealed.push({ id: this.openId, units: [...this.openUnits.values()] });
    this.packs.set(this.openId, { size: this.openSize, live: this.openUnits.size });
    this.totalBytes += this.openSize;
    this.openUnits.clear();
    this.openSize = 0;
    this.openId++;
    this.openDirty = true;
  }

  /** Packs to write now: those sealed since the last call, and the open one if it changed. */
  takeWrites(): { id: number; text: Buffer }[] {
    const out = this.sealed.splice(0).map(({ id, units }) => ({ id, text: packText(units) }));
    if (this.openDirty) {
      this.openDirty = false;
      out.push({ id: this.openId, text: packText([...this.openUnits.values()]) });
    }
    return out;
  }

  /** Packs whose files can go (call after the index that stops pointing at them is written). */
  takeGarbage(): number[] {
    const out = [...this.garbage];
    this.garbage.clear();
    for (const pack of out) this.packs.delete(pack);
    return out;
  }

  /** Bytes of live packs on disk, counting the open pack. */
  get bytes(): number {
    return this.totalBytes + this.openSize;
  }
}

const PACK_HEAD = Buffer.from('{"version":1,"units":[');
const PACK_TAIL = Buffer.from(']}');
const COMMA = 0x2c;

/** A pack's file: units joined from their pieces, so an unchanged unit is never serialised again. */
export function packText(units: EncodedUnit[]): Buffer {
  let size = PACK_HEAD.length + PACK_TAIL.length + Math.max(units.length - 1, 0);
  for (const unit of units) size += unit.size;
  const out = Buffer.allocUnsafe(size);
  let at = PACK_HEAD.copy(out, 0);
  for (let u = 0; u < units.length; u++) {
    if (u) out[at++] = COMMA;
    for (const part of units[u].parts) {
      out.set(part, at);
      at += part.length;
    }
  }
  at += PACK_TAIL.copy(out, at);
  return out;
}

export function packFileName(id: number): string {
  return `pack-${String(id).padStart(6, '0')}.json`;
}

export const PACK_FILE = /^pack-(\d+)\.json$/;
