// One span's attributes as the convention tables read them: every key a model field takes
// is marked consumed, and what no table took is left for `metadata`, as it came.

/** Attributes of one span, with a record of which ones a model field took. */
export class AttributeBag {
  private readonly used = new Set<string>();
  constructor(readonly all: Record<string, unknown>) {}

  has(key: string): boolean {
    return this.all[key] !== undefined;
  }

  /** Whether a model field took `key`. */
  consumed(key: string): boolean {
    return this.used.has(key);
  }

  /** Marks keys consumed without reading them (a value another key already gave). */
  drop(...keys: string[]): void {
    for (const key of keys) if (this.all[key] !== undefined) this.used.add(key);
  }

  /** The value of the first of `keys` that is present, marking it consumed. */
  take(...keys: string[]): unknown {
    for (const key of keys) {
      if (this.all[key] !== undefined) {
        this.used.add(key);
        return this.all[key];
      }
    }
    return undefined;
  }

  takeString(...keys: string[]): string | undefined {
    for (const key of keys) {
      const value = this.all[key];
      if (typeof value === 'string' && value) return this.take(key) as string;
    }
    return undefined;
  }

  takeNumber(...keys: string[]): number | undefined {
    for (const key of keys) {
      const n = toNumber(this.all[key]);
      if (n !== undefined) {
        this.used.add(key);
        return n;
      }
    }
    return undefined;
  }

  /** Entries under `prefix.` (keys relative to it), consumed when `consume` says so. */
  entriesUnder(prefix: string, consume = true): [string, unknown][] {
    const out: [string, unknown][] = [];
    const start = prefix + '.';
    for (const key of Object.keys(this.all)) {
      if (!key.startsWith(start)) continue;
      out.push([key.slice(start.length), this.all[key]]);
      if (consume) this.used.add(key);
    }
    return out;
  }

  /** Every attribute no model field took. */
  rest(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.all)) if (!this.used.has(key)) out[key] = this.all[key];
    return out;
  }
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
