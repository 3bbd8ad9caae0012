// Which rows of the logs table are selected, by trace id (so a selection survives new traces
// arriving above it), with the anchor a Shift-click extends from. The table decides what a
// click means (`clickKind`); this only keeps the set.

export type ClickKind = 'single' | 'toggle' | 'range';

/** Shift extends, Ctrl/Cmd toggles, a plain click selects one row (and opens it). */
export function clickKind(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): ClickKind {
  if (e.shiftKey) return 'range';
  if (e.ctrlKey || e.metaKey) return 'toggle';
  return 'single';
}

export class RowSelection {
  private readonly ids = new Set<string>();
  private anchor: string | undefined;

  get size(): number {
    return this.ids.size;
  }

  /** The row a Shift-click extends from. */
  get anchorId(): string | undefined {
    return this.anchor;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** In the order they were selected. */
  list(): string[] {
    return [...this.ids];
  }

  select(id: string): void {
    this.ids.clear();
    this.ids.add(id);
    this.anchor = id;
  }

  toggle(id: string): void {
    if (this.ids.has(id)) this.ids.delete(id);
    else this.ids.add(id);
    this.anchor = id;
  }

  /** Selects `ids` (the rows from the anchor to the clicked one); `add` keeps what was selected. */
  selectRange(ids: readonly string[], add: boolean): void {
    if (!add) this.ids.clear();
    for (const id of ids) this.ids.add(id);
  }

  /** Forgets rows that no longer exist (deleted). */
  remove(ids: readonly string[]): void {
    for (const id of ids) this.ids.delete(id);
    if (this.anchor && !this.ids.has(this.anchor) && ids.includes(this.anchor)) this.anchor = undefined;
  }

  clear(): void {
    this.ids.clear();
    this.anchor = undefined;
  }
}
