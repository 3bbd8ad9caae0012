// A store folder read without opening it: what `spanscope mcp --data DIR` reads, also while a
// collector (VS Code, `spanscope serve`) has the folder open and writing. It never takes the
// store's lock and never writes: no recovery, no moving damaged files aside, no temp files
// removed. It reads the index segments as they are on disk (each written atomically) and a
// trace's entries from the packs where the index says they are, replayed as the store itself
// replays them (traceReplay.ts). The writer flushes packs before the index, so what the index
// names is on disk; what arrived since the writer's last flush (a fraction of a second) is
// not seen yet. The index is read again whenever its files change.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceDetail, TraceSummary } from '../core/model/model';
import { EntryCache } from './entryCache';
import { isSegment, SEGMENT_FILE } from './indexFiles';
import { PackLog } from './packLog';
import { readSegment } from './segmentFile';
import { CorruptFileError, listDir } from './storeFiles';
import { TraceIndex } from './traceIndex';
import { readExtents, replayTrace } from './traceReplay';
import type { TraceQuery } from './types';

export class ReadOnlyStore {
  private index = new TraceIndex();
  /** Names, sizes and times of the segment files the index was read from. */
  private seen = '';
  /** A PackLog that was never restored reads every range from the files on disk. */
  private readonly log: PackLog;
  private readonly reader: EntryCache;
  private readonly indexDir: string;

  constructor(
    readonly dir: string,
    private readonly warn: (m: string) => void = () => undefined,
  ) {
    this.indexDir = join(dir, 'index');
    this.log = new PackLog(join(dir, 'packs'));
    this.reader = new EntryCache(this.log);
  }

  /** Reads the index again if its files changed since the last read. */
  async refresh(): Promise<void> {
    const files = this.segmentFiles();
    const signature = files.map((f) => `${f.name}:${f.size}:${f.mtimeMs}`).join('|');
    if (signature === this.seen) return;
    const index = new TraceIndex();
    // Newest first: its copy of a trace wins (as when the store loads).
    for (const { name, segment } of [...files].sort((a, b) => b.segment - a.segment)) {
      const path = join(this.indexDir, name);
      try {
        const data = await readSegment(path); // checks the file's checksum, as the store does
        if (data === undefined) continue; // removed since listed
        if (!isSegment(data)) throw new CorruptFileError(path, 'not an index segment');
        index.loadSegment(segment, data);
      } catch (err) {
        if (!(err instanceof CorruptFileError)) throw err;
        this.warn(
          `Spanscope: ${err.message}; its traces are left out (the collector that owns the folder repairs it when it next opens it)`,
        );
      }
    }
    this.index = index;
    this.seen = signature;
    this.reader.clear();
  }

  listTraces(query?: TraceQuery): TraceSummary[] {
    return this.index.list(query);
  }

  *summaries(): Iterable<TraceSummary> {
    for (const entry of this.index.entries.values()) yield entry.summary;
  }

  searchText(traceId: string): string | undefined {
    return this.index.get(traceId)?.search;
  }

  async getTrace(traceId: string): Promise<TraceDetail | undefined> {
    for (let attempt = 0; ; attempt++) {
      const entry = this.index.get(traceId);
      if (!entry) return undefined;
      const replayed = replayTrace(traceId, entry.extents, await readExtents(this.log, entry.extents), this.reader);
      // A pack gone or changed under us: the writer moved the trace on (retention copies entries
      // forward) or deleted it. Read the index again once and follow it.
      if (replayed.damaged.length && attempt === 0) {
        this.seen = '';
        await this.refresh();
        continue;
      }
      return replayed.trace?.detail(replayed.records.values());
    }
  }

  private segmentFiles(): { name: string; segment: number; size: number; mtimeMs: number }[] {
    const out = [];
    for (const name of listDir(this.indexDir)) {
      const m = SEGMENT_FILE.exec(name);
      if (!m) continue;
      try {
        const { size, mtimeMs } = statSync(join(this.indexDir, name));
        out.push({ name, segment: Number(m[1]), size, mtimeMs });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // removed since listed
      }
    }
    return out.sort((a, b) => a.segment - b.segment);
  }
}

/** Opens a store folder for reading; throws an Error that says what is wrong when it is not one. */
export async function openReadOnlyStore(dir: string, warn?: (m: string) => void): Promise<ReadOnlyStore> {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new Error(`${dir} is not a folder`);
  if (!existsSync(join(dir, 'index')) && !existsSync(join(dir, 'packs'))) {
    throw new Error(
      `${dir} holds no Spanscope store (no index/ or packs/ folder); give the folder passed to \`spanscope serve --data\`, or the extension's store folder`,
    );
  }
  const store = new ReadOnlyStore(dir, warn);
  await store.refresh();
  return store;
}
