// The header above the tree: the column titles, a drag handle to resize the name column, and
// the time axis of the waterfall with round ticks (0, 200 ms, 400 ms…) that follow the
// trace's length, also while it still runs.

import { formatDuration } from '../../src/core/display/format';
import { ticks, type TimeRange } from './timelineScale';
import { h, setText } from '../components/dom';

export class TimelineHeader {
  readonly element: HTMLElement;
  private readonly axis: HTMLElement;
  private lastKey = '';

  constructor(onResizeName: (width: number) => void, nameWidth: () => number) {
    const handle = h('div', {
      class: 'column-sash',
      attrs: { role: 'separator', 'aria-orientation': 'vertical', 'aria-label': 'Resize name column' },
    });
    this.axis = h('div', { class: 'timeline-axis', attrs: { 'aria-hidden': 'true' } });
    this.element = h(
      'div',
      { class: 'tree-header' },
      h('div', { class: 'cell cell-name', text: 'Name' }, handle),
      h('div', { class: 'cell cell-duration', text: 'Duration' }),
      h('div', { class: 'cell cell-timeline' }, this.axis),
    );
    handle.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      handle.setPointerCapture(down.pointerId);
      const startX = down.clientX;
      const startWidth = nameWidth();
      const move = (e: PointerEvent) => onResizeName(Math.max(120, startWidth + e.clientX - startX));
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    new ResizeObserver(() => {
      this.lastKey = '';
    }).observe(this.axis);
  }

  /** Redraws the ticks when the range or the axis width changed. */
  paint(range: TimeRange | undefined): void {
    const width = this.axis.clientWidth;
    const rangeMs = range ? (range.end - range.start) / 1000 : 0;
    const maxTicks = Math.max(1, Math.floor(width / 70));
    const offsets = range ? ticks(rangeMs, maxTicks) : [];
    const key = `${width}|${offsets.join(',')}|${Math.round(rangeMs)}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const marks = offsets.map((ms) => {
      const mark = h('span', { class: 'tick' });
      mark.style.left = `${(ms / rangeMs) * 100}%`;
      setText(mark, ms === 0 ? '0' : formatDuration(ms));
      return mark;
    });
    this.axis.replaceChildren(...marks);
  }
}
