// Whether the store's writes work, and what depends on it: a write that fails (ENOSPC, EIO,
// EISDIR) is retried with backoff while the records it held stay in memory; until a write
// works again the store is `degraded` (health), refuses new batches (StoreWriteError: the
// collector answers 507 with Retry-After) rather than acknowledge what it may not keep, and
// counts the records acknowledged but not on disk, which a shutdown that still can not write
// reports as lost. Warns when the state changes, not on every retry.

import type { StoreHealth } from './types';
import { StoreWriteError } from './types';

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 2000;
/** Damage reports kept for /api/health (the newest). */
const PROBLEMS_KEPT = 10;

export class WriteHealth {
  private failure?: { reason: string; since: string };
  private retryMs = FIRST_RETRY_MS;
  /** Records applied and not yet on disk. */
  unwritten = 0;
  private writing = 0;
  private readonly problems: string[] = [];
  private readonly listeners = new Set<(health: StoreHealth) => void>();

  constructor(private readonly warn: (message: string) => void) {}

  get degraded(): boolean {
    return this.failure !== undefined;
  }

  /** How long until the next write is tried. */
  get retryDelayMs(): number {
    return this.retryMs;
  }

  /** Throws StoreWriteError while nothing can be written (call before changing anything). */
  check(): void {
    if (this.failure)
      throw new StoreWriteError(
        `the trace store can not write to disk (${this.failure.reason}); nothing of this request was stored; retry later`,
        this.retryMs,
      );
  }

  applied(records: number): void {
    this.unwritten += records;
  }

  /** A flush takes what is to write now. */
  writeStarted(): void {
    this.writing = this.unwritten;
  }

  writeSucceeded(): void {
    this.unwritten -= this.writing;
    this.writing = 0;
    this.retryMs = FIRST_RETRY_MS;
    if (!this.failure) return;
    this.warn(
      `Spanscope: writing the store works again (it failed since ${this.failure.since}: ${this.failure.reason})`,
    );
    this.failure = undefined;
    this.changed();
  }

  writeFailed(err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    const message = String(e?.message ?? err);
    const reason = e?.code && !message.startsWith(e.code) ? `${e.code}: ${message}` : message;
    this.writing = 0;
    if (this.failure) this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    if (this.failure?.reason === reason) return;
    const first = !this.failure;
    this.failure = { reason, since: this.failure?.since ?? new Date().toISOString() };
    this.warn(
      `Spanscope: writing the store failed (${reason}); ${this.unwritten} record(s) acknowledged are kept in memory and written when it works again; new ones are refused until then`,
    );
    if (first) this.changed();
  }

  /** Damage found in the store's files (a warning), shown by /api/health until the store reopens. */
  problem(message: string): void {
    this.problems.push(message);
    if (this.problems.length > PROBLEMS_KEPT) this.problems.shift();
  }

  health(): StoreHealth {
    const problems = this.problems.length ? { problems: [...this.problems] } : {};
    if (!this.failure) return { status: 'ok', ...problems };
    return {
      status: 'degraded',
      reason: this.failure.reason,
      since: this.failure.since,
      unwritten: this.unwritten,
      ...problems,
    };
  }

  onChange(listener: (health: StoreHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const health = this.health();
    for (const listener of this.listeners) {
      try {
        listener(health);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
