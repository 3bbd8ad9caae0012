// Spanscope's own surfaces in the workbench, as the end-to-end flows see them: the names a user
// reads (view container, view, command titles, action labels) and the trace panel's document.
// When the extension renames something a user sees, this is the one file to change.

import type { Frame, Locator } from 'playwright-core';
import { escapeRegExp, waitUntil, type Workbench } from './workbench';

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
};

export interface PanelRow {
  label: string;
  level: number;
  running: boolean;
  error: boolean;
  selected: boolean;
}

export class TracePanel {
  constructor(private readonly workbench: Workbench, private frameRef: Frame) {}

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

  async rows(): Promise<PanelRow[]> {
    return this.frameRef.locator(PANEL.row).evaluateAll((rows, labelSel) => rows.map((row) => ({
      label: row.querySelector(labelSel as string)?.textContent?.trim() ?? '',
      level: Number(row.getAttribute('aria-level') ?? 0),
      running: row.classList.contains('is-running'),
      error: row.classList.contains('is-error'),
      selected: row.getAttribute('aria-selected') === 'true',
    })), PANEL.rowLabel);
  }

  row(label: string): Locator {
    return this.frameRef.locator(PANEL.row).filter({
      has: this.frameRef.locator(PANEL.rowLabel, { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
    }).first();
  }

  async waitForRow(label: string, timeoutMs = 30_000): Promise<Locator> {
    const row = this.row(label);
    await waitUntil(`span "${label}" in the panel`, () => row.isVisible(), timeoutMs);
    return row;
  }

  /** Selects a span by clicking its row, and waits until the panel shows it selected. */
  async select(label: string): Promise<void> {
    const row = await this.waitForRow(label);
    await row.click();
    await waitUntil(`span "${label}" to be selected in the panel`, async () => (await row.getAttribute('aria-selected')) === 'true', 10_000);
  }

  /** The panel's visible text (details included), for assertions on what a user reads. */
  async text(): Promise<string> {
    return this.frameRef.locator('body').innerText();
  }

  /** The text of the details pane (the selected span's scores, input, output, error…). */
  async detailsText(): Promise<string> {
    return this.frameRef.locator(PANEL.details).innerText();
  }

  /** Clicks the first source link whose text matches (a span's location, a traceback frame). */
  async clickSourceLink(text: RegExp): Promise<void> {
    const link = this.frameRef.locator(PANEL.sourceLink, { hasText: text }).first();
    await link.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
      const offered = await this.frameRef.locator(PANEL.sourceLink).allInnerTexts();
      throw new Error(`no source link matching ${text} in the panel; it has: ${JSON.stringify(offered)}`);
    });
    await link.click();
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
