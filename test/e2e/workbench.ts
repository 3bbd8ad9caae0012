// What a user does in the VS Code workbench, as functions over its DOM: the command palette,
// quick picks, activity-bar views, tree items with their inline and context-menu actions, the
// integrated terminal, webview documents, and where the editor cursor is. Every wait has a
// deadline and says what it waited for; nothing sleeps for a fixed time.

import type { Frame, Locator, Page } from 'playwright-core';

export interface TreeRow {
  label: string;
  description: string;
  /** 1 for top-level items. */
  level: number;
  expanded?: boolean;
  /** Codicon class names on the item's icon (e.g. `codicon-loading`), for status checks. */
  icons: string[];
  ariaLabel: string;
}

/** Polls `probe` until it returns something truthy; the error names what was awaited. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const SIDEBAR = '#workbench\\.parts\\.sidebar';
const QUICK_INPUT = '.quick-input-widget';

export class Workbench {
  constructor(readonly page: Page) {}

  // ---- Command palette and quick input ----------------------------------------------------

  /** Runs a command by its palette title, as a user does: F1, type, pick the exact entry. */
  async runCommand(title: string): Promise<void> {
    await this.openQuickInput();
    await this.page.locator(`${QUICK_INPUT} .quick-input-box input`).fill(`>${title}`);
    await this.pickQuickItem(title);
  }

  private async openQuickInput(): Promise<void> {
    const widget = this.page.locator(QUICK_INPUT);
    if (await widget.isVisible()) await this.page.keyboard.press('Escape');
    // The command center is the title-bar search box; clicking it is what E2E.md saw work.
    await this.page.locator('.command-center-center').click();
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** Picks the quick-input entry whose label is exactly `label` (waits for it to be listed). */
  async pickQuickItem(label: string, timeoutMs = 30_000): Promise<void> {
    const rows = this.page.locator(`${QUICK_INPUT} .monaco-list-row`);
    const labels = () => rows.evaluateAll((els) => els.map((el) => el.querySelector('.label-name')?.textContent?.trim() ?? ''));
    const index = await waitUntil(`"${label}" in the quick pick`, async () => {
      const i = (await labels()).indexOf(label);
      return i >= 0 ? i + 1 : undefined;
    }, timeoutMs).catch(async (e: Error) => {
      throw new Error(`${e.message}; it lists ${JSON.stringify(await labels().catch(() => []))}`);
    });
    await rows.nth(index - 1).click();
  }

  /**
   * Answers the input box whose prompt matches `prompt` (e.g. /Reason/): waits for that box,
   * types, presses Enter, and waits for the box to go. Matching the prompt matters when one box
   * follows another: typing into the one that is closing loses the text.
   */
  async answerInputBox(prompt: RegExp, text: string): Promise<void> {
    const widget = this.page.locator(QUICK_INPUT);
    const input = widget.locator('.quick-input-box input');
    const showing = async () => (await widget.isVisible()) && prompt.test(await widget.innerText());
    await waitUntil(`an input box asking ${prompt}`, showing, 15_000).catch(async (e: Error) => {
      throw new Error(`${e.message}; it shows: ${JSON.stringify(await this.quickInputPrompt())}`);
    });
    await input.fill(text);
    await input.press('Enter');
    await waitUntil(`the input box asking ${prompt} to take the answer and close`, async () => !(await showing()), 15_000);
  }

  async quickInputPrompt(): Promise<string> {
    const widget = this.page.locator(QUICK_INPUT);
    return (await widget.isVisible()) ? (await widget.innerText()).trim() : '(no input box)';
  }

  async waitForQuickInputClosed(timeoutMs = 15_000): Promise<void> {
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  // ---- Views and trees --------------------------------------------------------------------

  /** Opens a view container from the activity bar (its icon's label starts with `title`). */
  async openViewContainer(title: string): Promise<void> {
    const icon = this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`).first();
    await icon.waitFor({ state: 'visible', timeout: 60_000 });
    const heading = this.page.locator(`${SIDEBAR} .composite.title h2`).filter({ hasText: new RegExp(`^${escapeRegExp(title)}`, 'i') });
    // A click on the icon of the container already shown closes the sidebar, and while the
    // workbench restores itself (after a reload) the sidebar may be about to show by itself.
    // So: give it a moment, click only if it still is not showing, and check again.
    await waitUntil(`the ${title} view container in the sidebar`, async () => {
      if (await heading.isVisible()) return true;
      if (await heading.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false)) return true;
      await icon.click();
      return heading.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    }, 30_000, 0);
  }

  /** A row of a tree in the sidebar, by its label (exact). */
  treeRow(label: string): Locator {
    return this.page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`).filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
    });
  }

  async waitForTreeItem(label: string, timeoutMs = 30_000): Promise<Locator> {
    const row = this.treeRow(label).first();
    await waitUntil(`tree item "${label}" in the sidebar`, () => row.isVisible(), timeoutMs);
    return row;
  }

  /** Every visible row of the sidebar's trees, in display order. */
  async treeRows(): Promise<TreeRow[]> {
    return this.page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`).evaluateAll((rows) => rows.map((row) => {
      const text = (sel: string) => row.querySelector(sel)?.textContent?.trim() ?? '';
      // The item's own icon only: not the twistie, not the inline action buttons.
      const icons = [...row.querySelectorAll('[class*="codicon-"]')]
        .filter((el) => !el.closest('.actions') && !el.classList.contains('monaco-tl-twistie'))
        .flatMap((el) => [...el.classList].filter((c) => c.startsWith('codicon-')));
      const expanded = row.getAttribute('aria-expanded');
      return {
        label: text('.label-name'),
        description: text('.label-description'),
        level: Number(row.getAttribute('aria-level') ?? 0),
        expanded: expanded === null ? undefined : expanded === 'true',
        icons,
        ariaLabel: row.getAttribute('aria-label') ?? '',
      };
    }));
  }

  async treeRowInfo(label: string): Promise<TreeRow | undefined> {
    return (await this.treeRows()).find((r) => r.label === label);
  }

  /**
   * Expands a collapsed tree item (a click on its twistie); no-op when already expanded. Two
   * items may share a label (a trace and its root span): `nth` picks among them, in order.
   */
  async expandTreeItem(label: string, nth = 0): Promise<void> {
    await this.waitForTreeItem(label);
    const row = this.treeRow(label).nth(nth);
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await waitUntil(`tree item "${label}" to expand`, async () => (await row.getAttribute('aria-expanded')) !== 'false', 10_000);
  }

  /** Clicks one of the inline action icons shown on a tree item when the mouse is over it. */
  async clickInlineAction(label: string, action: string | RegExp): Promise<void> {
    const row = await this.waitForTreeItem(label);
    await row.hover();
    const pattern = typeof action === 'string' ? new RegExp(`^${escapeRegExp(action)}`) : action;
    const actions = row.locator('.actions .action-label');
    const index = await waitUntil(`inline action ${pattern} on tree item "${label}"`, async () => {
      const names = await actions.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.getAttribute('title') ?? ''));
      const i = names.findIndex((n) => pattern.test(n));
      return i >= 0 ? i + 1 : undefined;
    }, 10_000).catch(async (e: Error) => {
      const offered = await actions.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.getAttribute('title')));
      throw new Error(`${e.message}; it offers: ${JSON.stringify(offered)}`);
    });
    await actions.nth(index - 1).click();
  }

  /** Right-clicks a tree item and picks `item` from its context menu. */
  async contextMenu(label: string, item: string | RegExp): Promise<void> {
    const row = await this.waitForTreeItem(label);
    await row.click({ button: 'right' });
    // The web workbench draws its menus in a shadow root; Playwright's CSS pierces open ones.
    const pattern = typeof item === 'string' ? new RegExp(`^\\s*${escapeRegExp(item)}\\s*$`) : item;
    const entry = this.page.locator('.monaco-menu .action-item .action-label', { hasText: pattern }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
      const offered = await this.page.locator('.monaco-menu .action-item .action-label').allInnerTexts();
      await this.page.keyboard.press('Escape');
      throw new Error(`no context menu entry ${pattern} on tree item "${label}"; it offers: ${JSON.stringify(offered.filter(Boolean))}`);
    });
    // A click that lands while the menu is still settling can be ignored (seen about one run
    // in three on 2 busy cores): the menu stays open and blocks every later click. So confirm
    // that the menu closed, click again if not, and never leave it open behind us.
    const menu = this.page.locator('.context-view.monaco-menu-container');
    try {
      await waitUntil(`the context menu to run "${item}"`, async () => {
        if (await entry.isVisible()) await entry.click({ timeout: 5_000 });
        return menu.waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false);
      }, 15_000, 0);
    } finally {
      if (await menu.isVisible()) await this.page.keyboard.press('Escape');
    }
  }

  // ---- Editor -----------------------------------------------------------------------------

  /** The title of the active editor tab (e.g. `app.py`), or '' when none is open. */
  async activeEditorTitle(): Promise<string> {
    const tab = this.page.locator('.editor-group-container.active .tab.active .label-name').first();
    return (await tab.count()) ? ((await tab.textContent()) ?? '').trim() : '';
  }

  /** The cursor position the status bar shows ("Ln 12, Col 1"). */
  async cursorPosition(): Promise<{ line: number; column: number } | undefined> {
    const item = this.page.locator('[id="status.editor.selection"]');
    if (!(await item.count())) return undefined;
    const m = /Ln (\d+), Col (\d+)/.exec((await item.innerText()) ?? '');
    return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
  }

  /** Waits until `file` is the active editor with the cursor on `line`. */
  async waitForEditorAt(file: string, line: number, timeoutMs = 30_000): Promise<void> {
    await waitUntil(`the editor to show ${file} with the cursor on line ${line}`, async () => {
      const [title, pos] = [await this.activeEditorTitle(), await this.cursorPosition()];
      return title === file && pos?.line === line;
    }, timeoutMs).catch(async (e: Error) => {
      throw new Error(`${e.message}; the editor shows "${await this.activeEditorTitle()}" at ${JSON.stringify(await this.cursorPosition())}`);
    });
  }

  /** The editor groups side by side in the editor area, each with its tab titles (active tab first). */
  async editorGroups(): Promise<string[][]> {
    return this.page.locator('#workbench\\.parts\\.editor .editor-group-container').evaluateAll((groups) => groups.map((g) => {
      const tabs = [...g.querySelectorAll('.tab')];
      const title = (t: Element) => t.querySelector('.label-name')?.textContent?.trim() ?? t.getAttribute('aria-label') ?? '';
      return [...tabs.filter((t) => t.classList.contains('active')), ...tabs.filter((t) => !t.classList.contains('active'))].map(title);
    }));
  }

  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
  }

  // ---- Terminal ---------------------------------------------------------------------------

  /** Opens a new integrated terminal and waits for its shell prompt. */
  async openTerminal(): Promise<Terminal> {
    const before = await this.page.locator('.terminal-wrapper').count();
    await this.runCommand('Terminal: Create New Terminal');
    const terminal = new Terminal(this.page, this.page.locator('.terminal-wrapper.active').first());
    await waitUntil('a new terminal', async () => (await this.page.locator('.terminal-wrapper').count()) > before, 30_000);
    await waitUntil('the shell prompt in the terminal', async () => /[$#>]\s*$/.test(await terminal.text()), 30_000);
    return terminal;
  }

  // ---- Webviews ---------------------------------------------------------------------------

  /**
   * The document of a webview that contains `selector`. A webview's content sits two iframes
   * deep (the workbench's host frame, then the active frame); it is one of `page.frames()`.
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return waitUntil(`a webview showing "${selector}"`, async () => {
      for (const frame of webviewFrames(this.page)) {
        if (await frame.locator(selector).count().catch(() => 0)) return frame;
      }
      return undefined;
    }, timeoutMs);
  }

  // ---- What is on the screen (for failure reports) ----------------------------------------

  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message, .notification-list-item-message')
      .allInnerTexts().catch(() => []);
  }

  /** A short plain-text account of the screen: notifications, sidebar, editor, terminal, webviews. */
  async describeScreen(): Promise<string> {
    const out: string[] = [];
    const add = async (title: string, get: () => Promise<string>) => {
      try {
        const text = (await get()).trim();
        if (text) out.push(`[${title}]\n${text}`);
      } catch (e) {
        out.push(`[${title}] (could not read: ${(e as Error).message.split('\n')[0]})`);
      }
    };
    await add('notifications', async () => (await this.notifications()).join('\n'));
    await add('dialog', () => this.page.locator('.monaco-dialog-box').allInnerTexts().then((t) => t.join('\n')));
    await add('quick input', async () => (await this.page.locator(QUICK_INPUT).isVisible())
      ? (await this.page.locator(QUICK_INPUT).innerText()).slice(0, 1500) : '');
    await add('sidebar', async () => {
      const title = await this.page.locator(`${SIDEBAR} .composite.title h2`).allInnerTexts();
      const rows = (await this.treeRows()).map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.label}  ${r.description}${r.icons.length ? `  {${r.icons.join(' ')}}` : ''}`);
      const message = await this.page.locator(`${SIDEBAR} .message:not(.hide), ${SIDEBAR} .welcome-view-content`).allInnerTexts();
      return [...title, ...message, ...rows].join('\n');
    });
    await add('editor', async () => {
      const title = await this.activeEditorTitle();
      return title ? `${title} at ${JSON.stringify(await this.cursorPosition())}` : '';
    });
    await add('status bar', () => this.page.locator('.statusbar').innerText().then((t) => t.replace(/\s*\n\s*/g, ' | ')));
    await add('terminal', async () => {
      const wrapper = this.page.locator('.terminal-wrapper.active').first();
      return (await wrapper.count()) ? lastLines(await new Terminal(this.page, wrapper).text(), 25) : '';
    });
    for (const frame of webviewFrames(this.page)) {
      await add(`webview ${new URL(frame.url()).searchParams.get('id') ?? frame.url().slice(-40)}`, async () => {
        const text = await frame.locator('body').innerText({ timeout: 2_000 });
        return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
      });
    }
    return out.join('\n\n');
  }
}

export class Terminal {
  constructor(private readonly page: Page, private readonly wrapper: Locator) {}

  /** Types a command line and presses Enter, as a user does. */
  async run(commandLine: string): Promise<void> {
    await this.wrapper.locator('.xterm').click();
    await this.page.keyboard.type(commandLine, { delay: 5 });
    await this.page.keyboard.press('Enter');
  }

  /** The terminal's visible text (the DOM renderer keeps one element per row). */
  async text(): Promise<string> {
    const rows = await this.wrapper.locator('.xterm-rows > div').allInnerTexts();
    return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n').trimEnd();
  }

  async waitForText(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitUntil(`${pattern} in the terminal`, async () => {
      const text = await this.text();
      return pattern.test(text) ? text : undefined;
    }, timeoutMs).catch(async (e: Error) => {
      throw new Error(`${e.message}; the terminal shows:\n${lastLines(await this.text(), 20)}`);
    });
  }
}

/** The documents of webviews (not the workbench, not the web-worker extension host's frame). */
function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((f) => f !== page.mainFrame() && f.url().includes('/contrib/webview/browser/pre/'));
}

function lastLines(text: string, n: number): string {
  return text.split('\n').filter((l) => l.trim()).slice(-n).join('\n');
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
