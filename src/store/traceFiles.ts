// Reading one trace back from its chunk files. A chunk that does not parse, or parses into
// something that is not a chunk, is moved aside with a warning: a damaged first chunk loses
// the trace (its record is in it), a damaged later chunk loses only that chunk's spans.

import { CorruptFileError, type FileRead, moveAside, moveAsideSync, readJson, readJsonSync, traceFilePath } from './storeFiles';
import { type ChunkFileData, LoadedTrace, type TraceFileData } from './loadedTrace';
import { isObject } from '../core/validate';

type Warn = (message: string) => void;

export async function loadTrace(tracesDir: string, key: string, warn: Warn): Promise<LoadedTrace | undefined> {
  const main = await readChecked(tracesDir, key, 0, warn, readJson, moveAside);
  if (!main || !isTraceFile(main.data)) return undefined;
  const chunks: (FileRead | undefined)[] = [];
  for (let c = 1; c < main.data.chunks; c++) chunks.push(await readChecked(tracesDir, key, c, warn, readJson, moveAside));
  return assemble(main as FileRead & { data: TraceFileData }, chunks);
}

/** The same, blocking: for `apply` on a trace that is not in memory. */
export function loadTraceSync(tracesDir: string, key: string, warn: Warn): LoadedTrace | undefined {
  const main = readCheckedSync(tracesDir, key, 0, warn);
  if (!main || !isTraceFile(main.data)) return undefined;
  const chunks: (FileRead | undefined)[] = [];
  for (let c = 1; c < main.data.chunks; c++) chunks.push(readCheckedSync(tracesDir, key, c, warn));
  return assemble(main as FileRead & { data: TraceFileData }, chunks);
}

function assemble(main: FileRead & { data: TraceFileData }, chunks: (FileRead | undefined)[]): LoadedTrace {
  const trace = LoadedTrace.fromFiles(main.data, chunks.map((c) => c?.data as ChunkFileData | undefined));
  trace.chunkBytes.push(main.size, ...chunks.map((c) => c?.size ?? 0));
  return trace;
}

async function readChecked(
  dir: string, key: string, chunk: number, warn: Warn,
  read: typeof readJson, aside: typeof moveAside,
): Promise<FileRead | undefined> {
  const path = traceFilePath(dir, key, chunk);
  try {
    const got = await read(path);
    if (got && !(chunk === 0 ? isTraceFile(got.data) : isChunkFile(got.data))) throw new CorruptFileError(path, 'not a trace file');
    return got;
  } catch (err) {
    if (!(err instanceof CorruptFileError)) throw err;
    const moved = await aside(path);
    warn(`Spanscope: ${err.message}; moved it to ${moved}${chunk === 0 ? '; that trace is lost' : '; the spans in it are lost'}`);
    return undefined;
  }
}

function readCheckedSync(dir: string, key: string, chunk: number, warn: Warn): FileRead | undefined {
  const path = traceFilePath(dir, key, chunk);
  try {
    const got = readJsonSync(path);
    if (got && !(chunk === 0 ? isTraceFile(got.data) : isChunkFile(got.data))) throw new CorruptFileError(path, 'not a trace file');
    return got;
  } catch (err) {
    if (!(err instanceof CorruptFileError)) throw err;
    const moved = moveAsideSync(path);
    warn(`Spanscope: ${err.message}; moved it to ${moved}${chunk === 0 ? '; that trace is lost' : '; the spans in it are lost'}`);
    return undefined;
  }
}

export function isTraceFile(d: unknown): d is TraceFileData {
  return isChunkFile(d) && Number.isInteger((d as TraceFileData).chunks) && (d as TraceFileData).chunks >= 1 && typeof (d as TraceFileData).updated_at === 'string' && ((d as TraceFileData).trace === null || isObject((d as TraceFileData).trace));
}

function isChunkFile(d: unknown): d is ChunkFileData {
  return isObject(d) && d.version === 1 && typeof d.trace_id === 'string' && Array.isArray(d.spans) && d.spans.every((s) => isObject(s) && typeof s.id === 'string');
}
