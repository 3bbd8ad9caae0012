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

/** Thrown by a `waitUntil` probe that knows waiting longer cannot help: ends the wait at once. */
export class GiveUp extends Error {}

/** The quick input closed before the entry the test wanted was picked (something took the focus). */
export class QuickInputClosed extends GiveUp {}

/**
 * Polls `probe` until it returns something truthy; the error names what was awaited. Errors the
 * probe throws count as "not yet" (the DOM changes under it), except a `GiveUp`.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = undefined;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface EditorCursor {
  /** The title of the group's active tab (e.g. `app.py`). */
  title: string;
  /** 1-based; undefined when the group shows no text editor. */
  line?: number;
  /** The group VS Code treats as active (the status bar shows its cursor). */
  active: boolean;
}

const SIDEBAR = '#workbench\\.parts\\.sidebar';
const QUICK_INPUT = '.quick-input-widget';

export class Workbench {
  constructor(readonly page: Page) {}

  // ---- Command palette and quick input ----------------------------------------------------

  /**
   * Runs a command by its palette title, as a user does: open the palette, type, pick the exact
   * entry. The palette closes whenever something else takes the focus (a webview that was just
   * opened focuses itself a moment later), so when it closed before the entry was picked, it is
   * opened again, a few times at most.
   */
  async runCommand(title: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.openQuickInput();
      await this.page.locator(`${QUICK_INPUT} .quick-input-box input`).fill(`>${title}`);
      try {
        await this.pickQuickItem(title);
        return;
      } catch (e) {
        if (!(e instanceof QuickInputClosed) || attempt === 3) throw e;
      }
    }
  }

  private async openQuickInput(): Promise<void> {
    const widget = this.page.locator(QUICK_INPUT);
    if (await widget.isVisible()) {
      await this.page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 });
    }
    // The command center is the title-bar search box; clicking it is what E2E.md saw work.
    await this.page.locator('.command-center-center').click();
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
  }

  /**
   * The quick-input row a user sees with exactly `label`. Only visible rows count: the list
   * keeps rows of an earlier list (the command palette's) in the DOM for a while, hidden, so an
   * index over all rows points at the wrong one (or at one that is gone by the time of the click).
   */
  private quickItem(label: string): Locator {
    return this.page
      .locator(`${QUICK_INPUT} .monaco-list-row:visible`)
      .filter({
        has: this.page.locator('.label-name', { hasText: exactly(label) }),
      })
      .first();
  }

  private async quickItemLabels(): Promise<string[]> {
    return this.page
      .locator(`${QUICK_INPUT} .monaco-list-row:visible .label-name`)
      .allInnerTexts()
      .catch(() => []);
  }

  /**
   * Picks the quick-input entry whose label is exactly `label` (waits for it to be listed), and
   * confirms the pick was taken: the entry goes (the quick input closes, or moves on to its next
   * question). A click that lands while the list is being redrawn can miss; it is repeated
   * while the entry is still there. Throws `QuickInputClosed` when the quick input closed
   * before the entry could be clicked.
   */
  async pickQuickItem(label: string, timeoutMs = 30_000): Promise<void> {
    const widget = this.page.locator(QUICK_INPUT);
    const item = this.quickItem(label);
    // The quick pick may not be open yet (an extension's command is about to show it); it only
    // counts as closed under us once it has been seen open.
    let seenOpen = false;
    await waitUntil(
      `"${label}" in the quick pick`,
      async () => {
        if (await item.isVisible()) return true;
        if (await widget.isVisible()) seenOpen = true;
        else if (seenOpen) throw new QuickInputClosed(`the quick input closed before "${label}" was picked`);
        return false;
      },
      timeoutMs,
    ).catch(async (e: Error) => {
      if (e instanceof QuickInputClosed) throw e;
      throw new Error(`${e.message}; it lists ${JSON.stringify(await this.quickItemLabels())}`);
    });
    let clicked = false;
    await waitUntil(
      `the quick pick to take "${label}"`,
      async () => {
        if (!(await item.isVisible())) {
          if (clicked) return true;
          throw new QuickInputClosed(`the quick input closed before "${label}" was picked`);
        }
        clicked = await item.click({ timeout: 5_000 }).then(
          () => true,
          () => clicked,
        );
        return item.waitFor({ state: 'hidden', timeout: 3_000 }).then(
          () => true,
          () => false,
        );
      },
      20_000,
      0,
    );
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
    await waitUntil(
      `the input box asking ${prompt} to take the answer and close`,
      async () => !(await showing()),
      15_000,
    );
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
    const heading = this.page
      .locator(`${SIDEBAR} .composite.title h2`)
      .filter({ hasText: new RegExp(`^${escapeRegExp(title)}`, 'i') });
    // A click on the icon of the container already shown closes the sidebar, and while the
    // workbench restores itself (after a reload) the sidebar may be about to show by itself.
    // So: give it a moment, click only if it still is not showing, and check again.
    await waitUntil(
      `the ${title} view container in the sidebar`,
      async () => {
        if (await heading.isVisible()) return true;
        if (
          await heading.waitFor({ state: 'visible', timeout: 2_000 }).then(
            () => true,
            () => false,
          )
        )
          return true;
        await icon.click();
        return heading.waitFor({ state: 'visible', timeout: 3_000 }).then(
          () => true,
          () => false,
        );
      },
      30_000,
      0,
    );
  }

  /** A row of a tree in the sidebar, by its label (exact). */
  treeRow(label: string): Locator {
    return this.page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`).filter({
      has: this.page.locator('.label-name', { hasText: exactly(label) }),
    });
  }

  async waitForTreeItem(label: string, timeoutMs = 30_000): Promise<Locator> {
    const row = this.treeRow(label).first();
    await waitUntil(`tree item "${label}" in the sidebar`, () => row.isVisible(), timeoutMs);
    return row;
  }

  /** Every visible row of the sidebar's trees, in display order. */
  async treeRows(): Promise<TreeRow[]> {
    return this.page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`).evaluateAll((rows) =>
      rows.map((row) => {
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
      }),
    );
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
    await waitUntil(
      `tree item "${label}" to expand`,
      async () => (await row.getAttribute('aria-expanded')) !== 'false',
      10_000,
    );
  }

  /**
   * Clicks one of the inline action icons shown on a tree item when the mouse is over it. The
   * icon is found by its label and looked up again for the click (the row is redrawn when its
   * item changes). With `confirm`, a click whose effect does not show is made again (twice at
   * most): only for actions that can safely run twice (a thumbs click toggles, so not that one).
   */
  async clickInlineAction(
    label: string,
    action: string | RegExp,
    confirm?: { what: string; done: () => Promise<boolean> },
  ): Promise<void> {
    const row = await this.waitForTreeItem(label);
    const pattern = typeof action === 'string' ? new RegExp(`^${escapeRegExp(action)}`) : action;
    const actions = row.locator('.actions .action-label');
    const offered = () =>
      actions.evaluateAll((els) =>
        els.map((e) => ({
          attr: e.hasAttribute('aria-label') ? 'aria-label' : 'title',
          name: e.getAttribute('aria-label') ?? e.getAttribute('title') ?? '',
        })),
      );
    const click = async () => {
      await row.hover();
      const found = await waitUntil(
        `inline action ${pattern} on tree item "${label}"`,
        async () => (await offered()).find((a) => pattern.test(a.name)),
        10_000,
      ).catch(async (e: Error) => {
        throw new Error(
          `${e.message}; it offers: ${JSON.stringify((await offered().catch(() => [])).map((a) => a.name))}`,
        );
      });
      await row
        .locator(`.actions .action-label[${found.attr}=${JSON.stringify(found.name)}]`)
        .first()
        .click();
    };
    if (!confirm) return click();
    for (let attempt = 1; ; attempt++) {
      await click();
      const took = await waitUntil(confirm.what, async () => confirm.done(), 10_000).then(
        () => true,
        (e: Error) => e,
      );
      if (took === true) return;
      if (attempt === 3) throw took;
    }
  }

  /** The quick input (palette, quick pick or input box) is showing. */
  async quickInputShowing(): Promise<boolean> {
    return this.page.locator(QUICK_INPUT).isVisible();
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
      throw new Error(
        `no context menu entry ${pattern} on tree item "${label}"; it offers: ${JSON.stringify(offered.filter(Boolean))}`,
      );
    });
    // A click that lands while the menu is still settling can be ignored (seen about one run
    // in three on 2 busy cores): the menu stays open and blocks every later click. So confirm
    // that the menu closed, click again if not, and never leave it open behind us.
    const menu = this.page.locator('.context-view.monaco-menu-container');
    try {
      await waitUntil(
        `the context menu to run "${item}"`,
        async () => {
          if (await entry.isVisible()) await entry.click({ timeout: 5_000 });
          return menu.waitFor({ state: 'hidden', timeout: 2_000 }).then(
            () => true,
            () => false,
          );
        },
        15_000,
        0,
      );
    } finally {
      if (await menu.isVisible()) await this.page.keyboard.press('Escape');
    }
  }

  // ---- Editor -----------------------------------------------------------------------------

  /**
   * Each editor group side by side: the title of the tab it shows, the line its cursor is on (the
   * number the gutter highlights; text editors only) and whether it is the active group.
   */
  async editorCursors(): Promise<EditorCursor[]> {
    return this.page.locator('#workbench\\.parts\\.editor .editor-group-container').evaluateAll((groups) =>
      groups.map((g) => {
        const line = g
          .querySelector('.editor-container .monaco-editor .line-numbers.active-line-number')
          ?.textContent?.trim();
        return {
          title: g.querySelector('.tab.active .label-name')?.textContent?.trim() ?? '',
          line: line ? Number(line) : undefined,
          active: g.classList.contains('active'),
        };
      }),
    );
  }

  /**
   * Waits until an editor group shows `file` with the cursor on `line`: what a user sees after a
   * jump to source. Which group has the keyboard focus is not asked: VS Code learns that a
   * webview was clicked by polling it (every 250 ms), and a poll that comes late (a busy
   * machine, a jump right after a click in the panel) makes the panel's group active again
   * after the editor opened, with the file still shown at its line beside it.
   */
  async waitForEditorAt(file: string, line: number, timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      `an editor showing ${file} with the cursor on line ${line}`,
      async () => (await this.editorCursors()).some((e) => e.title === file && e.line === line),
      timeoutMs,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; the editor groups show ${await this.describeEditors()}`);
    });
  }

  /** The editor groups as text: `app.py (line 20), Spanscope Traces [active]`. */
  async describeEditors(): Promise<string> {
    const groups = await this.editorCursors().catch(() => [] as EditorCursor[]);
    if (!groups.length) return '(no editor)';
    return groups
      .map((g) => `${g.title || '(empty)'}${g.line ? ` (line ${g.line})` : ''}${g.active ? ' [active]' : ''}`)
      .join(', ');
  }

  /** The editor groups side by side in the editor area, each with its tab titles (active tab first). */
  async editorGroups(): Promise<string[][]> {
    return this.page.locator('#workbench\\.parts\\.editor .editor-group-container').evaluateAll((groups) =>
      groups.map((g) => {
        const tabs = [...g.querySelectorAll('.tab')];
        const title = (t: Element) =>
          t.querySelector('.label-name')?.textContent?.trim() ?? t.getAttribute('aria-label') ?? '';
        return [
          ...tabs.filter((t) => t.classList.contains('active')),
          ...tabs.filter((t) => !t.classList.contains('active')),
        ].map(title);
      }),
    );
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
    await waitUntil(
      'a new terminal',
      async () => (await this.page.locator('.terminal-wrapper').count()) > before,
      30_000,
    );
    await waitUntil('the shell prompt in the terminal', async () => /[$#>]\s*$/.test(await terminal.text()), 30_000);
    return terminal;
  }

  // ---- Webviews ---------------------------------------------------------------------------

  /**
   * The document of a webview that contains `selector`. A webview's content sits two iframes
   * deep (the workbench's host frame, then the active frame); it is one of `page.frames()`.
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return waitUntil(
      `a webview showing "${selector}"`,
      async () => {
        for (const frame of webviewFrames(this.page)) {
          if (
            await frame
              .locator(selector)
              .count()
              .catch(() => 0)
          )
            return frame;
        }
        return undefined;
      },
      timeoutMs,
    );
  }

  // ---- What is on the screen (for failure reports) ----------------------------------------

  async notifications(): Promise<string[]> {
    return this.page
      .locator('.notifications-toasts .notification-list-item-message, .notification-list-item-message')
      .allInnerTexts()
      .catch(() => []);
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
    await add('dialog', () =>
      this.page
        .locator('.monaco-dialog-box')
        .allInnerTexts()
        .then((t) => t.join('\n')),
    );
    await add('quick input', async () =>
      (await this.page.locator(QUICK_INPUT).isVisible())
        ? (await this.page.locator(QUICK_INPUT).innerText()).slice(0, 1500)
        : '',
    );
    await add('sidebar', async () => {
      const title = await this.page.locator(`${SIDEBAR} .composite.title h2`).allInnerTexts();
      const rows = (await this.treeRows()).map(
        (r) =>
          `${'  '.repeat(Math.max(0, r.level - 1))}${r.label}  ${r.description}${r.icons.length ? `  {${r.icons.join(' ')}}` : ''}`,
      );
      const message = await this.page
        .locator(`${SIDEBAR} .message:not(.hide), ${SIDEBAR} .welcome-view-content`)
        .allInnerTexts();
      return [...title, ...message, ...rows].join('\n');
    });
    await add('editor', () => this.describeEditors());
    await add('status bar', () =>
      this.page
        .locator('.statusbar')
        .innerText()
        .then((t) => t.replace(/\s*\n\s*/g, ' | ')),
    );
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
  constructor(
    private readonly page: Page,
    private readonly wrapper: Locator,
  ) {}

  /**
   * Types a command line and presses Enter, as a user does. Keys go wherever the focus is, so
   * the terminal must have it first (else the text lands in an editor), and the line must show
   * in the terminal before Enter runs it.
   */
  async run(commandLine: string): Promise<void> {
    await this.focus();
    await this.page.keyboard.type(commandLine, { delay: 5 });
    await waitUntil(
      `"${commandLine}" typed at the prompt`,
      async () => (await this.text()).replace(/\n/g, '').endsWith(commandLine),
      15_000,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; the terminal shows:\n${lastLines(await this.text(), 5)}`);
    });
    await this.page.keyboard.press('Enter');
  }

  /** Presses a key in the terminal (for a program that waits for input). */
  async press(key: string): Promise<void> {
    await this.focus();
    await this.page.keyboard.press(key);
  }

  /** Clicks into the terminal until it has the keyboard focus (its hidden textarea does). */
  async focus(): Promise<void> {
    const input = this.wrapper.locator('textarea.xterm-helper-textarea');
    const focused = () => input.evaluate((el) => el === el.ownerDocument.activeElement, undefined, { timeout: 2_000 });
    await waitUntil(
      'the terminal to take the keyboard focus',
      async () => {
        if (await focused()) return true;
        await this.wrapper.locator('.xterm').click({ timeout: 5_000 });
        return waitUntil('focus', focused, 2_000).catch(() => false);
      },
      20_000,
      0,
    );
  }

  /** The terminal's visible text (the DOM renderer keeps one element per row). */
  async text(): Promise<string> {
    const rows = await this.wrapper.locator('.xterm-rows > div').allInnerTexts();
    return rows
      .map((r) => r.replace(/\u00a0/g, ' ').trimEnd())
      .join('\n')
      .trimEnd();
  }

  async waitForText(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitUntil(
      `${pattern} in the terminal`,
      async () => {
        const text = await this.text();
        return pattern.test(text) ? text : undefined;
      },
      timeoutMs,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; the terminal shows:\n${lastLines(await this.text(), 20)}`);
    });
  }
}

/** The documents of webviews (not the workbench, not the web-worker extension host's frame). */
function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((f) => f !== page.mainFrame() && f.url().includes('/contrib/webview/browser/pre/'));
}

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches an element's text that is exactly `text` (surrounding white space aside). */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}
