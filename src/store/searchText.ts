// What the logs filter's free-text terms search beyond a trace's summary (see
// core/queries/traceFilter.ts): the trace's input and output as text, and the distinct names and
// models of its spans. The store keeps one lowercased string per trace next to its summary in
// the index (and in the index segments on disk, so a restart reads it back with the
// summaries instead of reading every trace), and hands it to the filter as is.
//
// Built as patches are applied, not by reading a trace again: a span notes its name and model
// (most spans repeat names already seen), kept when new; the input and output are turned into
// text only when they change, and never more of them than the cap keeps.

/**
 * Characters of search text per trace, at most. The index holds one for every trace the
 * store keeps (5000 by default: ≤ 20 MB, twice that for text outside Latin-1), and the
 * filter may scan all of them per query; whole inputs of many kilobytes would cost both
 * without helping anyone who types a word into the filter.
 */
export const SEARCH_TEXT_MAX = 4096;
/** Of which the span names and models: enough for the distinct steps of a large trace. */
const TERMS_MAX = 1024;
/** Of which the input and output, shared between them (see `text`). */
const IO_MAX = SEARCH_TEXT_MAX - TERMS_MAX - 2;
/** Terms noted before they are looked at, at most (see addTerm). */
const FRESH_MAX = 256;
/** Structures nested deeper are not searched (parsed JSON can nest thousands deep). */
const DEPTH_MAX = 32;

export class SearchText {
  private input = '';
  private output = '';
  /** The terms kept, each after a newline and the last one followed by one ('\na\nb\n'): a term is found by `includes`. */
  private terms = '\n';
  /** Terms given since the text was last made, not yet looked at (see addSpan). */
  private fresh: string[] = [];
  private lastName?: unknown;
  private lastModel?: unknown;
  private made?: string;

  /** The input and output in full: called when either changed. */
  setInputOutput(input: unknown, output: unknown): void {
    this.input = boundedText(input, IO_MAX);
    this.output = boundedText(output, IO_MAX);
    this.made = undefined;
  }

  /**
   * A span's name and model; distinct ones are kept while they fit. On the ingest path, so it
   * only notes them: they are lowercased and matched against those kept when the text is next
   * made (once per apply), and nothing but the text is kept — a Set of every name would keep
   * each parsed name string alive, which costs the garbage collector more than the rest. A
   * name or model that is the previous span's (the common case) is not even noted.
   */
  addSpan(name: unknown, model: unknown): void {
    if (name !== this.lastName) this.note((this.lastName = name));
    if (model !== this.lastModel) this.note((this.lastModel = model));
  }

  /** One name or model (see addSpan). */
  addTerm(term: unknown): void {
    if (term !== this.lastName) this.note((this.lastName = term));
  }

  private note(term: unknown): void {
    if (typeof term !== 'string' || term === '') return;
    this.fresh.push(term);
    if (this.fresh.length >= FRESH_MAX) this.takeFresh(); // a long replay makes the text only at its end
  }

  private takeFresh(): void {
    const kept = this.terms; // one string for the whole call: `includes` flattens it once, not once per term
    let size = kept.length;
    let added: string[] | undefined;
    let addedSet: Set<string> | undefined; // this call's only: dies young
    for (const term of this.fresh) {
      if (size + term.length > TERMS_MAX) continue; // a shorter one may still fit
      const lower = term.toLowerCase();
      if (size + lower.length > TERMS_MAX || addedSet?.has(lower) || kept.includes(`\n${lower}\n`)) continue;
      (added ??= []).push(lower);
      (addedSet ??= new Set()).add(lower);
      size += lower.length + 1;
    }
    this.fresh.length = 0;
    if (!added) return;
    this.terms = `${kept}${added.join('\n')}\n`;
    this.made = undefined;
  }

  /** Lowercased, at most SEARCH_TEXT_MAX characters; the same string until something changes. */
  text(): string {
    if (this.fresh.length) this.takeFresh();
    if (this.made === undefined) {
      // The shorter of input and output is kept whole when it can be, the longer one gets the rest.
      let { input, output } = this;
      if (input.length + output.length > IO_MAX) {
        const half = IO_MAX >> 1;
        if (input.length <= half) output = output.slice(0, IO_MAX - input.length);
        else if (output.length <= half) input = input.slice(0, IO_MAX - output.length);
        else (input = input.slice(0, half)), (output = output.slice(0, IO_MAX - half));
      }
      this.made = `${input}\n${output}${this.terms.slice(0, -1)}`.slice(0, SEARCH_TEXT_MAX);
    }
    return this.made;
  }
}

/**
 * A value as lowercased text of at most `max` characters: a string as it is, anything else as
 * JSON, cut off once `max` is reached without walking (or stringifying) the rest, so a
 * megabyte of input costs no more than a short one.
 */
export function boundedText(value: unknown, max: number): string {
  if (value === undefined || value === null) return '';
  const out = typeof value === 'string' ? value.slice(0, max) : new BoundedJson(max).write(value, 0).text();
  return out.toLowerCase().slice(0, max); // lowercasing can lengthen a few characters (İ)
}

class BoundedJson {
  private readonly parts: string[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.size >= this.max;
  }

  text(): string {
    return this.parts.join('').slice(0, this.max);
  }

  write(value: unknown, depth: number): this {
    if (this.full) return this;
    if (typeof value === 'string') return this.add(JSON.stringify(value.slice(0, this.max - this.size)));
    if (typeof value === 'number' || typeof value === 'boolean') return this.add(String(value));
    if (typeof value !== 'object' || value === null) return this.add('null');
    if (depth >= DEPTH_MAX) return this.add('…');
    if (Array.isArray(value)) {
      this.add('[');
      for (let i = 0; i < value.length && !this.full; i++) {
        if (i) this.add(',');
        this.write(value[i], depth + 1);
      }
      return this.add(']');
    }
    this.add('{');
    let first = true;
    for (const key in value) {
      if (this.full) break;
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      this.add(`${first ? '' : ','}${JSON.stringify(key.slice(0, this.max))}:`);
      first = false;
      this.write(v, depth + 1);
    }
    return this.add('}');
  }

  private add(text: string): this {
    this.parts.push(text);
    this.size += text.length;
    return this;
  }
}
