// Spanscope's own surfaces in the workbench, as the end-to-end flows see them: the names a user
// reads (view container, view, command titles, action labels) and the trace panel's document.
// When the extension renames something a user sees, this is the one file to change.

import type { Frame, Locator } from 'playwright-core';
import { exactly, waitUntil, type Workbench } from './workbench';

export const UI = {
  container: 'Spanscope',
  view: 'Traces',
  commands: {
    openTraces: 'Spanscope: Open Traces',
  },
  /** Inline actions and context menu entries on tree items (matched case-insensitively). */
  actions: {
    thumbsUp: /thumbs up/i,
    score: /^score/i,
    goToSource: 'Go to Source',
    openInPanel: 'Open in Panel',
  },
  /** What a tree item's description shows while its span or trace is still running. */
  running: /\brunning\b/,
  thumbsBadge: '👍 1',
};

/** The panel document: one row per span (`role=treeitem`, `aria-level`), details beside it. */
export const PANEL = {
  tree: '[role="tree"]',
  row: '.tree-row[role="treeitem"]',
  rowLabel: '.row-label',
  sourceLink: '.source-link',
  details: '.details-pane',
  /** The name of the span the details pane shows. */
  detailsTitle: '.details-pane .details-title h2',
};

export interface PanelRow {
  label: string;
  level: number;
  running: boolean;
  error: boolean;
  selected: boolean;
}

export class TracePanel {
  constructor(
    private readonly workbench: Workbench,
    private frameRef: Frame,
  ) {}

  /** Finds the panel's document among the page's webviews (waits for it to render its tree). */
  static async find(workbench: Workbench, timeoutMs = 30_000): Promise<TracePanel> {
    return new TracePanel(workbench, await workbench.webviewFrame(PANEL.tree, timeoutMs));
  }

  get frame(): Frame {
    return this.frameRef;
  }

  /** After a window reload the webview is a new document; look it up again. */
  async refind(timeoutMs = 60_000): Promise<void> {
    this.frameRef = await this.workbench.webviewFrame(PANEL.tree, timeoutMs);
  }

  /**
   * The state VS Code gave this document when it made it (what the page last saved with
   * `setState` before a reload), as JSON text: for failure reports about what a reload kept.
   * VS Code writes it into the script that defines `acquireVsCodeApi`.
   */
  async restoredState(): Promise<string> {
    const script =
      (await this.frameRef
        .locator('script')
        .first()
        .textContent()
        .catch(() => '')) ?? '';
    const m = /let state = JSON\.parse\(decodeURIComponent\("([^"]*)"\)\)/.exec(script);
    if (!m) return /let state = undefined/.test(script) ? '(none)' : '(not found)';
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return m[1];
    }
  }

  async rows(): Promise<PanelRow[]> {
    return this.frameRef.locator(PANEL.row).evaluateAll(
      (rows, labelSel) =>
        rows.map((row) => ({
          label: row.querySelector(labelSel as string)?.textContent?.trim() ?? '',
          level: Number(row.getAttribute('aria-level') ?? 0),
          running: row.classList.contains('is-running'),
          error: row.classList.contains('is-error'),
          selected: row.getAttribute('aria-selected') === 'true',
        })),
      PANEL.rowLabel,
    );
  }

  row(label: string): Locator {
    return this.frameRef
      .locator(PANEL.row)
      .filter({
        has: this.frameRef.locator(PANEL.rowLabel, { hasText: exactly(label) }),
      })
      .first();
  }

  async waitForRow(label: string, timeoutMs = 30_000): Promise<Locator> {
    const row = this.row(label);
    await waitUntil(`span "${label}" in the panel`, () => row.isVisible(), timeoutMs);
    return row;
  }

  /**
   * Selects a span by clicking its row, as a user does, and waits until the panel has caught up:
   * the row selected and the details pane showing that span (it is drawn on the next animation
   * frame; until then it still shows the span selected before, with that span's source links).
   */
  async select(label: string): Promise<void> {
    const row = await this.waitForRow(label);
    const shown = async () =>
      (await row.getAttribute('aria-selected')) === 'true' && (await this.detailsTitle()) === label;
    // A click that lands while the list is being repainted (a live update) can miss: click
    // again while the span is not shown selected.
    await waitUntil(
      `span "${label}" to be selected and shown in the panel`,
      async () => {
        await row.click({ timeout: 5_000 });
        return waitUntil('selected', shown, 3_000, 50).catch(() => false);
      },
      20_000,
      0,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; the details show "${await this.detailsTitle()}"`);
    });
  }

  /** The name of the span the details pane shows ('' when none). */
  async detailsTitle(): Promise<string> {
    const title = this.frameRef.locator(PANEL.detailsTitle).first();
    return (await title.count()) ? ((await title.textContent()) ?? '').trim() : '';
  }

  /** The panel's visible text (details included), for assertions on what a user reads. */
  async text(): Promise<string> {
    return this.frameRef.locator('body').innerText();
  }

  /** The text of the details pane (the selected span's scores, input, output, error…). */
  async detailsText(): Promise<string> {
    return this.frameRef.locator(PANEL.details).innerText();
  }

  /**
   * Clicks the first source link in the details whose text matches (a span's location, a
   * traceback frame), and waits for an editor to show `file` at `line`. The click is a message
   * to the extension host; if no editor moved there, the click is made again (it opens the same
   * place, so a second one that arrives late does no harm).
   */
  async openSourceLink(text: RegExp, file: string, line: number): Promise<void> {
    const link = this.frameRef.locator(PANEL.details).locator(PANEL.sourceLink, { hasText: text }).first();
    await link.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
      const offered = await this.frameRef.locator(PANEL.sourceLink).allInnerTexts();
      throw new Error(`no source link matching ${text} in the panel; it has: ${JSON.stringify(offered)}`);
    });
    for (let attempt = 1; ; attempt++) {
      await link.click();
      try {
        await this.workbench.waitForEditorAt(file, line, attempt < 3 ? 10_000 : 30_000);
        return;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  }
}

/** 1-based line numbers of each `def` in a Python source, by function name. */
export function defLines(source: string): Record<string, number> {
  const out: Record<string, number> = {};
  source.split('\n').forEach((line, i) => {
    const m = /^\s*(?:async\s+)?def\s+(\w+)/.exec(line);
    if (m) out[m[1]] = i + 1;
  });
  return out;
}

/** The 1-based line of the first line of `source` that contains `needle`. */
export function lineOf(source: string, needle: string): number {
  const i = source.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" is not in the sample app`);
  return i + 1;
}
