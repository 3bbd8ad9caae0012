// A list that only keeps the rows in view (plus a few) in the DOM, so a 100k-row trace costs
// the same to scroll as a 20-row one. Rows have a fixed height and are absolutely positioned
// inside a sizer as tall as the whole list; row elements are recycled as they scroll out.
// The list knows nothing of what a row shows: `paint(el, index)` does.

export interface VirtualListOptions {
  /** The scrolling element (overflow: auto); the list adds its sizer inside it. */
  viewport: HTMLElement;
  rowHeight: number;
  createRow(): HTMLElement;
  paint(row: HTMLElement, index: number): void;
  /** Rows rendered beyond each edge, so fast scrolling shows no gaps. */
  overscan?: number;
}

export class VirtualList {
  private count = 0;
  private readonly sizer: HTMLElement;
  private readonly live = new Map<number, HTMLElement>();
  private readonly spare: HTMLElement[] = [];
  private frame = 0;

  constructor(private readonly o: VirtualListOptions) {
    this.sizer = document.createElement('div');
    this.sizer.className = 'virtual-sizer';
    o.viewport.append(this.sizer);
    o.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(o.viewport);
  }

  get length(): number {
    return this.count;
  }

  get rowHeight(): number {
    return this.o.rowHeight;
  }

  /** How many whole rows fit in the viewport (for PageUp/PageDown). */
  get pageSize(): number {
    return Math.max(1, Math.floor(this.o.viewport.clientHeight / this.o.rowHeight));
  }

  get scrollTop(): number {
    return this.o.viewport.scrollTop;
  }

  set scrollTop(value: number) {
    this.o.viewport.scrollTop = value;
    this.render();
  }

  /** The first row whose top is in view. */
  get firstVisible(): number {
    return Math.min(this.count - 1, Math.floor(this.o.viewport.scrollTop / this.o.rowHeight));
  }

  /** New row count; every visible row is repainted (the rows' data may all have moved). */
  setCount(count: number): void {
    this.count = count;
    this.sizer.style.height = `${count * this.o.rowHeight}px`;
    this.repaint();
  }

  /** Repaints the rows in the DOM without changing the count. */
  repaint(): void {
    for (const [index, row] of this.live) {
      if (index < this.count) this.o.paint(row, index);
    }
    this.render();
  }

  repaintRow(index: number): void {
    const row = this.live.get(index);
    if (row) this.o.paint(row, index);
  }

  rowElement(index: number): HTMLElement | undefined {
    return this.live.get(index);
  }

  /** Scrolls the least needed to show the row ('nearest'), or puts it in the middle ('center'). */
  reveal(index: number, mode: 'nearest' | 'center' = 'nearest'): void {
    if (index < 0 || index >= this.count) return;
    const vp = this.o.viewport;
    const top = index * this.o.rowHeight;
    const bottom = top + this.o.rowHeight;
    if (mode === 'center') vp.scrollTop = Math.max(0, top - (vp.clientHeight - this.o.rowHeight) / 2);
    else if (top < vp.scrollTop) vp.scrollTop = top;
    else if (bottom > vp.scrollTop + vp.clientHeight) vp.scrollTop = bottom - vp.clientHeight;
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Brings the DOM in line with the scroll position: recycles rows that left, paints rows that came. */
  render(): void {
    const vp = this.o.viewport;
    const h = this.o.rowHeight;
    const overscan = this.o.overscan ?? 8;
    const height = vp.clientHeight || 600;
    const first = Math.max(0, Math.floor(vp.scrollTop / h) - overscan);
    const last = Math.min(this.count - 1, Math.ceil((vp.scrollTop + height) / h) + overscan);
    for (const [index, row] of this.live) {
      if (index < first || index > last) {
        this.live.delete(index);
        row.remove();
        this.spare.push(row);
      }
    }
    const added: HTMLElement[] = [];
    for (let i = first; i <= last; i++) {
      if (this.live.has(i)) continue;
      const row = this.spare.pop() ?? this.o.createRow();
      row.style.transform = `translateY(${i * h}px)`;
      this.o.paint(row, i);
      this.live.set(i, row);
      added.push(row);
    }
    if (added.length) this.sizer.append(...added);
  }
}
