// What the collector remembers of Braintrust rows between requests, so that rows logged in
// pieces become right spans whatever order the pieces arrive in. Braintrust addresses a row
// by its `id`; the model addresses a span by its `span_id` and a trace by `root_span_id`
// (what `span_parents` name). Three things need memory:
//
// - Deep merges. A span's first row (`_is_merge` false or absent) and its later merge rows
//   (`_is_merge: true`) combine with Braintrust's deep merge (deepMerge.ts); the store's
//   patches merge shallowly (metadata by key, input and output replaced). So the book keeps
//   each open row's pieces — its first row and its merges folded in arrival order — and a
//   piece becomes a patch of the fields it touched, with their values from the whole: the
//   first row merged with every merge seen so far, even merges that came before it. Once a
//   span has its first row and its end, its pieces are let go (only its ids stay): a merge
//   after that (`updateSpan`, late feedback) is applied field by field as it comes.
// - Rows named by `id` alone. logFeedback's merge rows and comments carry the row id and no
//   span ids. The book maps row ids to spans; a row for an id it has not seen yet is held
//   until a row of that id with its span ids arrives (in this request or a later one).
// - Comments. `{origin: {id}, comment: {text}}` is never a span: it becomes the `reason` of
//   the scores the same logFeedback call gave (same request, same row; see Emission.finish),
//   else the span's `metadata.comment` (the latest comment wins, as later feedback does).
//
// Tags are the one exception to the deep merge: they join as a set, as the store keeps them.
//
// Everything is bounded (oldest let go first); the book does no I/O. Rows must have been
// checked (normalise/braintrust.ts) before they are given to it.

import type { Patch, ScorePatch } from '../../model/model';
import { type Row, deepMerge, isRow } from './deepMerge';
import { projectNameOf } from './projectIds';
import { type RowPatches, type RowPlace, patchList, rowPatches } from './rowFields';

export interface RowBookLimits {
  /** Row id → span, for feedback by row id (two generations of half this each). Default 200,000. */
  ids?: number;
  /** Open rows whose pieces are kept for deep merges. Default 20,000. */
  open?: number;
  /** Row ids with rows waiting for their span ids. Default 10,000 (and 100 rows per id). */
  held?: number;
  /** Characters of JSON the open rows' pieces may take together. Default 64 Mi. */
  openChars?: number;
}

interface OpenRow {
  first?: Row;
  merges?: Row;
  /** Characters of JSON of the pieces kept, for the budget. */
  chars: number;
}

const MAX_HELD_PER_ID = 100;

/** Fields of a row that are bookkeeping, not content: never merged into the pieces. */
const KEYS_OF_ROW = new Set([
  'id',
  '_is_merge',
  'span_id',
  'root_span_id',
  'span_parents',
  'project_id',
  'log_id',
  'created',
  '_audit_source',
  '_xact_id',
  '_merge_paths',
]);

/**
 * Fields a piece is patched with as it came, never from the whole: scores, because the store
 * already keeps one per name (a merge of them), and a score sent again would lose the reason
 * a comment gave it.
 */
const OWN_KEYS = new Set(['scores']);

export class RowBook {
  private newerIds = new Map<string, RowPlace>();
  private olderIds = new Map<string, RowPlace>();
  private readonly open = new Map<string, OpenRow>();
  private openChars = 0;
  /** Rows whose pieces were let go once complete: a later merge is applied as it comes. */
  private readonly closedIds = new Set<string>();
  private readonly held = new Map<string, Row[]>();
  private readonly maxIds: number;
  private readonly maxOpen: number;
  private readonly maxHeld: number;
  private readonly maxOpenChars: number;

  constructor(limits: RowBookLimits = {}) {
    this.maxIds = limits.ids ?? 200_000;
    this.maxOpen = limits.open ?? 20_000;
    this.maxHeld = limits.held ?? 10_000;
    this.maxOpenChars = limits.openChars ?? 64 * 1024 * 1024;
  }

  /** The patches for one request's rows, in order; rows waiting for a span give none yet. */
  take(rows: Row[]): Patch[] {
    const out = new Emission();
    for (const row of rows) this.takeRow(row, out);
    return out.finish();
  }

  private takeRow(row: Row, out: Emission): void {
    if (isComment(row)) {
      const origin = (row.origin as Row).id as string;
      const place = this.placeOf(origin);
      if (place) out.comment(origin, place, (row.comment as Row).text as string, row._audit_metadata);
      else this.hold(origin, row);
      return;
    }
    const id = row.id as string;
    if (typeof row.span_id === 'string' && typeof row.root_span_id === 'string') {
      const place: RowPlace = {
        spanId: row.span_id,
        traceId: row.root_span_id,
        root: !(Array.isArray(row.span_parents) && row.span_parents.length),
      };
      if (typeof row.project_id === 'string') place.project = projectNameOf(row.project_id);
      this.remember(id, place);
    }
    const place = this.placeOf(id);
    if (!place) return this.hold(id, row);
    const view = this.view(id, row);
    out.add(id, rowPatches(view, place), view._audit_metadata);
    const waiting = this.held.get(id);
    if (waiting) {
      this.held.delete(id);
      for (const r of waiting) this.takeRow(r, out);
    }
  }

  /**
   * What the patch of `row` is made from: for a first row, the whole row merged with the
   * merges that came before it; for a merge, the fields it touched, valued from the whole.
   */
  private view(id: string, row: Row): Row {
    const isMerge = row._is_merge === true;
    const content = contentOf(row);
    let entry = this.open.get(id);
    if (!entry) {
      if (isMerge && this.closedIds.has(id)) return contentOf(row, true); // its pieces were let go: field by field
      entry = { chars: 0 };
    } else {
      this.letGo(id); // set again below: most recently used goes last
    }
    if (isMerge) entry.merges = entry.merges ? mergePieces(entry.merges, content) : content;
    else {
      if (entry.first) entry.chars -= jsonChars(entry.first);
      entry.first = content;
    }
    entry.chars += jsonChars(content);
    const whole = entry.first
      ? entry.merges
        ? mergePieces(entry.first, entry.merges)
        : entry.first
      : (entry.merges ?? {});
    if (entry.first && isRow(whole.metrics) && typeof whole.metrics.end === 'number') this.markClosed(id);
    else this.keepOpen(id, entry);
    const view: Row = {};
    for (const key of Object.keys(row)) {
      if (key !== '__proto__')
        view[key] = KEYS_OF_ROW.has(key) || OWN_KEYS.has(key) || !Object.hasOwn(whole, key) ? row[key] : whole[key];
    }
    // The type decides how input and output read (chat messages): a merge carries it along.
    if (view.span_attributes === undefined && whole.span_attributes !== undefined)
      view.span_attributes = whole.span_attributes;
    // The collector prices a span from the model and the usage of one patch (costEstimate.ts):
    // a piece that touches either (wrapOpenAI logs the model first, the token metrics at the
    // end) carries the other along. The store merges both by key, so nothing changes twice.
    if (view.metrics !== undefined && view.metadata === undefined && whole.metadata !== undefined)
      view.metadata = whole.metadata;
    if (view.metadata !== undefined && view.metrics === undefined && whole.metrics !== undefined)
      view.metrics = whole.metrics;
    if (!isMerge)
      for (const key of Object.keys(whole))
        if (!Object.hasOwn(view, key) && !OWN_KEYS.has(key) && key !== '__proto__') view[key] = whole[key];
    return view;
  }

  /** Keeps an open row's pieces, letting the least recently used go past the limits. */
  private keepOpen(id: string, entry: OpenRow): void {
    this.open.set(id, entry);
    this.openChars += entry.chars;
    while (this.open.size > this.maxOpen || (this.openChars > this.maxOpenChars && this.open.size > 1))
      this.letGo(this.open.keys().next().value!);
  }

  private letGo(id: string): void {
    const entry = this.open.get(id);
    if (!entry) return;
    this.open.delete(id);
    this.openChars -= entry.chars;
  }

  private markClosed(id: string): void {
    this.closedIds.add(id);
    if (this.closedIds.size > this.maxIds) this.closedIds.delete(this.closedIds.values().next().value!);
  }

  private placeOf(id: string): RowPlace | undefined {
    return this.newerIds.get(id) ?? this.olderIds.get(id);
  }

  private remember(id: string, place: RowPlace): void {
    this.newerIds.set(id, place);
    if (this.newerIds.size < this.maxIds / 2) return;
    this.olderIds = this.newerIds;
    this.newerIds = new Map();
  }

  private hold(id: string, row: Row): void {
    const list = this.held.get(id);
    if (list) {
      if (list.length >= MAX_HELD_PER_ID) list.shift();
      return void list.push(row);
    }
    if (this.held.size >= this.maxHeld) this.held.delete(this.held.keys().next().value!);
    this.held.set(id, [row]);
  }
}

/**
 * Braintrust's deep merge, except for tags, which join as a set: the store keeps them so
 * (a patch can not take a tag away), and pieces must combine alike whatever their order.
 */
function mergePieces(base: Row, update: Row): Row {
  const merged = deepMerge(base, update);
  if (Array.isArray(base.tags) && Array.isArray(update.tags))
    merged.tags = [...new Set([...base.tags, ...update.tags])];
  return merged;
}

function isComment(row: Row): boolean {
  return (
    isRow(row.comment) && isRow(row.origin) && typeof row.origin.id === 'string' && typeof row.comment.text === 'string'
  );
}

/** The row's content fields (`withIds`: and its bookkeeping ones); never a `__proto__` key, which no row has a use for. */
function contentOf(row: Row, withIds = false): Row {
  const out: Row = {};
  for (const key of Object.keys(row))
    if (key !== '__proto__' && (withIds || !KEYS_OF_ROW.has(key))) out[key] = row[key];
  return out;
}

function jsonChars(row: Row): number {
  try {
    return JSON.stringify(row).length;
  } catch {
    return 0;
  }
}

/** The patches of one `take`, with comments attached once every row of it has been seen. */
class Emission {
  private readonly patches: Patch[] = [];
  /** Scores given to each row in this request, and the feedback's audit metadata: a comment of the same call explains them. */
  private readonly scoresOf = new Map<string, { scores: ScorePatch[]; audit: string }>();
  private readonly comments: { rowId: string; place: RowPlace; text: string; audit: unknown }[] = [];

  add(rowId: string, p: RowPatches, audit: unknown): void {
    this.patches.push(...patchList(p));
    const given = p.scores.filter((s) => s.value !== null);
    if (given.length)
      this.scoresOf.set(rowId, {
        scores: [...(this.scoresOf.get(rowId)?.scores ?? []), ...given],
        audit: JSON.stringify(audit ?? null),
      });
  }

  comment(rowId: string, place: RowPlace, text: string, audit: unknown): void {
    this.comments.push({ rowId, place, text, audit });
  }

  /**
   * A row's scores take a comment as their reason when it is the only comment on that row in
   * the request, or else the only one whose audit metadata is the scores' own (the SDK logs a
   * logFeedback call's scores and comment with the same metadata). Any other comment is a note.
   */
  finish(): Patch[] {
    for (const [rowId, { scores, audit }] of this.scoresOf) {
      const mine = this.comments.filter((c) => c.rowId === rowId);
      const chosen = mine.length === 1 ? mine : mine.filter((c) => JSON.stringify(c.audit ?? null) === audit);
      if (chosen.length !== 1) continue;
      for (const s of scores) s.reason = chosen[0].text;
      this.comments.splice(this.comments.indexOf(chosen[0]), 1);
    }
    for (const { place, text, audit } of this.comments) {
      const metadata: Record<string, unknown> = { comment: text };
      if (isRow(audit) && Object.keys(audit).length) metadata.feedback_metadata = audit;
      this.patches.push({ kind: 'span', span: { id: place.spanId, trace_id: place.traceId, metadata } });
    }
    return this.patches;
  }
}
