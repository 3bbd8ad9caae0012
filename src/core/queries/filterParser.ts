// The syntax of the logs filter: one line a person types, or that clicking a table cell
// builds. This module only turns text into a tree and reports where the text is wrong;
// what each field means is `traceFilter.ts`'s business.
//
//   query    := or
//   or       := and ('OR' and)*
//   and      := unary (['AND'] unary)*          juxtaposition is AND
//   unary    := '-' unary | 'NOT' unary | primary
//   primary  := '(' or ')' | name op value      user_feedback < 0.5, "my score" >= 1
//             | word ':' op value               duration:>2s
//             | 'score' ':' name op value       score:tone>=0.5 (a score even if named like a field)
//             | word ':' value                  status:error, project:"My Project"
//             | word | "quoted phrase"         free text
//
// Written by hand rather than generated: the grammar is tiny, and a hand parser gives each
// mistake a message and a position the filter box can underline.

export type CompareOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

/** Offsets into the filter text, `end` exclusive; the filter box underlines `[start, end)`. */
export interface TextRange {
  start: number;
  end: number;
}

export type FilterNode =
  | { kind: 'all' }
  | { kind: 'and'; items: FilterNode[] }
  | { kind: 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'text'; text: string; at: TextRange }
  | { kind: 'field'; field: string; value: string; at: TextRange; valueAt: TextRange }
  | {
      kind: 'compare';
      name: string;
      /** Written `score:NAME op value`: a score, even when NAME is also a field's name. */
      score: boolean;
      op: CompareOp;
      value: string;
      at: TextRange;
      valueAt: TextRange;
    };

export class FilterSyntaxError extends Error {
  /** 0-based offsets of the offending text. */
  readonly start: number;
  readonly end: number;

  constructor(problem: string, at: TextRange) {
    super(`${problem} (at column ${at.start + 1})`);
    this.name = 'FilterSyntaxError';
    this.start = at.start;
    this.end = Math.max(at.end, at.start + 1);
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(text).parseQuery();
}

const WORD_STOP = new Set(['(', ')', '"', ':', '<', '>', '=']);
const OPS: CompareOp[] = ['<=', '>=', '!=', '<', '>', '='];

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parseQuery(): FilterNode {
    this.skipSpace();
    if (this.atEnd()) return { kind: 'all' };
    const node = this.parseOr();
    this.skipSpace();
    if (!this.atEnd()) throw this.error('unmatched ")"', this.pos, this.pos + 1);
    return node;
  }

  private parseOr(): FilterNode {
    const items = [this.parseAnd()];
    while (this.atKeyword('OR')) {
      const at = this.pos;
      this.pos += 2;
      this.skipSpace();
      if (this.atEnd() || this.peek() === ')' || this.atKeyword('OR'))
        throw this.error('expected a term after OR', at, at + 2);
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private parseAnd(): FilterNode {
    const items: FilterNode[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd() || this.peek() === ')' || this.atKeyword('OR')) break;
      if (this.atKeyword('AND')) {
        const at = this.pos;
        this.pos += 3;
        this.skipSpace();
        if (
          items.length === 0 ||
          this.atEnd() ||
          this.peek() === ')' ||
          this.atKeyword('OR') ||
          this.atKeyword('AND')
        ) {
          throw this.error('AND needs a term on each side', at, at + 3);
        }
        continue;
      }
      items.push(this.parseUnary());
    }
    if (items.length === 0) {
      if (this.atKeyword('OR')) throw this.error('expected a term before OR', this.pos, this.pos + 2);
      throw this.error('expected a term', this.pos, this.pos + 1);
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private parseUnary(): FilterNode {
    const start = this.pos;
    let width = 0;
    if (this.peek() === '-') width = 1;
    else if (this.atKeyword('NOT')) width = 3;
    if (width === 0) return this.parsePrimary();
    this.pos += width;
    if (width === 3) this.skipSpace();
    if (this.atEnd() || isSpace(this.peek()) || this.peek() === ')' || this.atKeyword('OR')) {
      throw this.error(`expected a term after "${this.src.slice(start, start + width)}"`, start, start + width);
    }
    return { kind: 'not', item: this.parseUnary() };
  }

  private parsePrimary(): FilterNode {
    const start = this.pos;
    const c = this.peek();
    if (c === '(') {
      this.pos++;
      this.skipSpace();
      if (this.peek() === ')') throw this.error('empty parentheses', start, this.pos + 1);
      const inner = this.parseOr();
      this.skipSpace();
      if (this.peek() !== ')') throw this.error('this "(" is never closed', start, start + 1);
      this.pos++;
      return inner;
    }
    if (c === '"') {
      const text = this.readQuoted();
      const at = { start, end: this.pos };
      if (this.opAhead()) return this.parseComparison(text, false, at);
      return { kind: 'text', text, at };
    }
    if (c === ':' || this.opAt(this.pos)) {
      throw this.error(
        `expected a field or score name before "${c === ':' ? ':' : this.opAt(this.pos)}"`,
        start,
        start + 1,
      );
    }

    const word = this.readWord();
    const at = { start, end: this.pos };
    if (this.peek() === ':') {
      this.pos++;
      if (this.opAt(this.pos)) return this.parseComparison(word, false, at);
      const isScore = word.toLowerCase() === 'score';
      const valueStart = this.pos;
      const value = this.readValue(isScore, `${word}:`);
      const valueAt = { start: valueStart, end: this.pos };
      if (isScore && this.opAhead()) return this.parseComparison(value, true, { start, end: this.pos });
      return { kind: 'field', field: word, value, at: { start, end: this.pos }, valueAt };
    }
    if (this.opAhead()) return this.parseComparison(word, false, at);
    return { kind: 'text', text: word, at };
  }

  /** At (or, past spaces, before) a comparison operator: reads `op value`. */
  private parseComparison(name: string, score: boolean, nameAt: TextRange): FilterNode {
    this.skipSpace();
    const op = this.opAt(this.pos)!;
    const opStart = this.pos;
    this.pos += op.length;
    if (this.peek() === '=' && op === '=') this.pos++; // `==` reads as `=`
    this.skipSpace();
    const valueStart = this.pos;
    if (this.atEnd() || this.peek() === ')' || this.peek() === '(') {
      throw this.error(`expected a value after "${op}"`, opStart, this.pos);
    }
    const value = this.readValue(false, op);
    return {
      kind: 'compare',
      name,
      score,
      op,
      value,
      at: { start: nameAt.start, end: this.pos },
      valueAt: { start: valueStart, end: this.pos },
    };
  }

  private readWord(): string {
    const start = this.pos;
    while (!this.atEnd()) {
      const ch = this.peek();
      if (isSpace(ch) || WORD_STOP.has(ch) || (ch === '!' && this.src[this.pos + 1] === '=')) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  /** A field's value: quoted, or everything up to a space or ")"; a score name also stops at an operator. */
  private readValue(stopAtOp: boolean, after: string): string {
    if (this.peek() === '"') return this.readQuoted();
    const start = this.pos;
    while (!this.atEnd()) {
      const ch = this.peek();
      if (isSpace(ch) || ch === ')' || (stopAtOp && this.opAt(this.pos))) break;
      this.pos++;
    }
    if (this.pos === start)
      throw this.error(`expected a value after "${after}"`, Math.max(0, start - after.length), start);
    return this.src.slice(start, this.pos);
  }

  /** A double-quoted string; `\"` and `\\` escape. */
  private readQuoted(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    while (!this.atEnd()) {
      const ch = this.src[this.pos++];
      if (ch === '"') return out;
      if (ch === '\\' && !this.atEnd()) out += this.src[this.pos++];
      else out += ch;
    }
    throw this.error('this quote is never closed', start, this.src.length);
  }

  private opAhead(): boolean {
    let p = this.pos;
    while (p < this.src.length && isSpace(this.src[p])) p++;
    return this.opAt(p) !== undefined;
  }

  private opAt(p: number): CompareOp | undefined {
    return OPS.find((op) => this.src.startsWith(op, p));
  }

  private atKeyword(kw: 'OR' | 'AND' | 'NOT'): boolean {
    if (!this.src.startsWith(kw, this.pos)) return false;
    const next = this.src[this.pos + kw.length];
    return next === undefined || isSpace(next) || next === '(' || next === ')';
  }

  private skipSpace(): void {
    while (!this.atEnd() && isSpace(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.src[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private error(problem: string, start: number, end: number): FilterSyntaxError {
    return new FilterSyntaxError(problem, { start, end });
  }
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}
