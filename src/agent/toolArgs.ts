// Reading a tool's arguments once they passed their schema (jsonSchema.ts): a string given and
// not empty, or an integer, else the documented default.

export type Args = Record<string, unknown>;

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function int(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}
