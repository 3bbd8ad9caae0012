// Settings come from the environment (DESIGN.md's SDK variables) and may be overridden in
// code with `configure(…)`, which wins over the environment.

export interface Config {
  /** Collector base URL; batches go to `${url}/api/ingest`. */
  url: string;
  /** Project for traces that name none. */
  projectName: string;
  /** When true nothing is recorded: `track` returns functions untouched, nothing is sent. */
  disabled: boolean;
  /** Longest wait before queued events are sent. */
  flushIntervalMs: number;
  /** A batch is sent at once when this many events are queued. */
  batchSize: number;
  /** Events held at most while the collector is slow or down; beyond it, new ones are dropped. */
  maxQueue: number;
  /** Longest time flushing may hold up the process's exit. */
  exitTimeoutMs: number;
  /** Longest JSON text kept for one input or output value, in characters. */
  maxValueLength: number;
}

export const DEFAULT_URL = 'http://127.0.0.1:7726';
export const DEFAULT_PROJECT = 'Default Project';

export function configFromEnv(env: Record<string, string | undefined> = process.env): Config {
  return {
    url: (env.SPANSCOPE_URL || DEFAULT_URL).replace(/\/+$/, ''),
    projectName: env.SPANSCOPE_PROJECT || DEFAULT_PROJECT,
    disabled: isTrue(env.SPANSCOPE_DISABLE),
    flushIntervalMs: 50,
    batchSize: 1000,
    maxQueue: 100_000,
    exitTimeoutMs: 2000,
    maxValueLength: 1_000_000,
  };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
