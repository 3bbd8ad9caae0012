// Reading one trace back from the packs that hold its chunks. A pack that does not parse, or
// parses into something that is not a pack, is moved aside with a warning and reported, so
// the store can drop every trace whose first chunk (the one with the trace record) was in it;
// a lost later chunk costs only that chunk's spans.

import { join } from 'node:path';
import { isObject } from '../core/validate';
import { type ChunkFileData, LoadedTrace, type TraceFileData } from './loadedTrace';
import { PACK_FILE, type UnitData, type UnitLocation, packFileName } from './packTable';
import { CorruptFileError, type FileRead, moveAside, moveAsideSync, readJson, readJsonSync } from './storeFiles';

type Warn = (message: string) => void;

export interface LoadResult {
  /** Undefined when the first chunk is gone. */
  trace?: LoadedTrace;
  /** Packs found damaged (and moved aside) while loading. */
  corrupt: number[];
}

export async function loadTrace(packsDir: string, traceId: string, units: UnitLocation[], warn: Warn): Promise<LoadResult> {
  const packs = new Map<number, UnitData[] | undefined>();
  const corrupt: number[] = [];
  for (const [pack] of units) {
    if (packs.has(pack)) continue;
    const path = join(packsDir, packFileName(pack));
    try {
      packs.set(pack, checkPack(path, await readJson(path)));
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      warn(`Spanscope: ${err.message}; moved it to ${await moveAside(path)}; the traces stored in it are lost`);
      packs.set(pack, undefined);
      corrupt.push(pack);
    }
  }
  return { trace: assemble(traceId, units, packs), corrupt };
}

/** The same, blocking: for `apply` on a trace that is not in memory. */
export function loadTraceSync(packsDir: string, traceId: string, units: UnitLocation[], warn: Warn): LoadResult {
  const packs = new Map<number, UnitData[] | undefined>();
  const corrupt: number[] = [];
  for (const [pack] of units) {
    if (packs.has(pack)) continue;
    const path = join(packsDir, packFileName(pack));
    try {
      packs.set(pack, checkPack(path, readJsonSync(path)));
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      warn(`Spanscope: ${err.message}; moved it to ${moveAsideSync(path)}; the traces stored in it are lost`);
      packs.set(pack, undefined);
      corrupt.push(pack);
    }
  }
  return { trace: assemble(traceId, units, packs), corrupt };
}

/** Reads a whole pack (for recovery); throws CorruptFileError when it is not one. */
export async function readPack(path: string): Promise<UnitData[] | undefined> {
  return checkPack(path, await readJson(path));
}

export function packIdOf(fileName: string): number | undefined {
  const m = PACK_FILE.exec(fileName);
  return m ? Number(m[1]) : undefined;
}

function checkPack(path: string, got: FileRead | undefined): UnitData[] | undefined {
  if (!got) return undefined;
  const d = got.data;
  if (!isObject(d) || d.version !== 1 || !Array.isArray(d.units) || !d.units.every(isUnit)) throw new CorruptFileError(path, 'not a trace pack');
  return d.units as UnitData[];
}

function assemble(traceId: string, units: UnitLocation[], packs: Map<number, UnitData[] | undefined>): LoadedTrace | undefined {
  // A pack holds one copy of a unit; its seq may be newer than the index's (the open pack is
  // rewritten in place), and that newer copy is the one to take.
  const find = (chunk: number) => {
    const location = units[chunk];
    return location && packs.get(location[0])?.find((u) => u.chunk === chunk && u.trace_id === traceId);
  };
  const main = find(0);
  if (!main || !isTraceUnit(main)) return undefined;
  const chunks: (ChunkFileData | undefined)[] = [];
  for (let c = 1; c < main.chunks; c++) chunks.push(find(c));
  return LoadedTrace.fromFiles(main, chunks);
}

function isUnit(u: unknown): u is UnitData {
  return isObject(u) && typeof u.trace_id === 'string' && Number.isInteger(u.chunk) && Number.isInteger(u.seq) && Array.isArray(u.spans) && u.spans.every((s) => isObject(s) && typeof s.id === 'string');
}

export function isTraceUnit(u: UnitData): u is UnitData & TraceFileData {
  const t = u as TraceFileData;
  return u.chunk === 0 && Number.isInteger(t.chunks) && t.chunks >= 1 && typeof t.updated_at === 'string' && (t.trace === null || isObject(t.trace));
}
