// What the editor shows of tracked functions, as the end-to-end flow reads it from the
// workbench DOM: CodeLens rows and the line each sits above, the inline result after a line,
// the hover, the Problems list, the diff editor's two sides. Every wait has a deadline.

import type { Locator, Page } from 'playwright-core';
import { waitUntil, type Workbench } from './workbench';

const EDITOR = '#workbench\\.parts\\.editor';

export interface Lens {
  text: string;
  /** The text of the editor line right below the lens (the line it belongs to). */
  lineBelow: string;
}

export class EditorUi {
  constructor(
    private readonly page: Page,
    private readonly wb: Workbench,
  ) {}

  /** Opens a workspace file with Quick Open, as a user does (Ctrl+P, its name, Enter). */
  async openFile(name: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await this.page.locator('.command-center-center').click();
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    await widget.locator('.quick-input-box input').fill(name);
    await this.wb.pickQuickItem(name);
    await waitUntil(
      `an editor tab for ${name}`,
      async () => (await this.wb.editorCursors()).some((e) => e.title === name),
      30_000,
    );
  }

  /** Go to Line: puts the cursor on `line` (1-based) and scrolls it into view. */
  async goToLine(line: number): Promise<void> {
    await this.wb.runCommand('Go to Line/Column...');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(`:${line}`);
    await input.press('Enter');
    await this.wb.waitForQuickInputClosed();
  }

  /**
   * Every CodeLens shown in the editor, with the line right under it. Lines and lens widgets
   * sit in the same scrolled layer, each placed by its `top`: the lens's line is the one that
   * starts where the lens's zone ends (lenses of lines not rendered have none).
   */
  async lenses(): Promise<Lens[]> {
    return this.page
      .locator(`${EDITOR} .monaco-editor`)
      .first()
      .evaluate((editor) => {
        const px = (el: Element) => parseFloat((el as HTMLElement).style.top || 'NaN');
        const lines = [...editor.querySelectorAll('.view-lines .view-line')].map((l) => ({
          top: px(l),
          height: (l as HTMLElement).offsetHeight,
          text: (l.textContent ?? '').replace(/\u00a0/g, ' '),
        }));
        return [...editor.querySelectorAll('.contentWidgets .codelens-decoration')].map((lens) => {
          const bottom = px(lens) + (lens as HTMLElement).offsetHeight;
          const below = lines
            .filter((l) => l.top >= bottom - 2 && l.top <= bottom + l.height)
            .sort((a, b) => a.top - b.top)[0];
          return { text: (lens.textContent ?? '').replace(/\u00a0/g, ' ').trim(), lineBelow: below?.text.trim() ?? '' };
        });
      });
  }

  async waitForLens(defLine: string, pattern: RegExp, timeoutMs = 30_000): Promise<Lens> {
    return waitUntil(
      `a CodeLens matching ${pattern} above "${defLine}"`,
      async () => (await this.lenses()).find((l) => l.lineBelow.startsWith(defLine) && pattern.test(l.text)),
      timeoutMs,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; the lenses are ${JSON.stringify(await this.lenses())}`);
    });
  }

  /** Clicks the CodeLens above `defLine`. */
  async clickLens(defLine: string): Promise<void> {
    const lenses = this.page.locator(`${EDITOR} .monaco-editor .contentWidgets .codelens-decoration`);
    const count = await lenses.count();
    for (let i = 0; i < count; i++) {
      const info = (await this.lenses())[i];
      if (info?.lineBelow.startsWith(defLine)) return lenses.nth(i).locator('a').first().click();
    }
    throw new Error(`no CodeLens above "${defLine}"`);
  }

  /**
   * The inline result after the line starting with `lineStart`: decorations put it after the
   * text, either as text in the line or as a pseudo-element's content.
   */
  async inlineResult(lineStart: string): Promise<string> {
    return this.page.locator(`${EDITOR} .monaco-editor .view-lines .view-line`).evaluateAll((lines, start) => {
      for (const line of lines) {
        const text = (line.textContent ?? '').replace(/\u00a0/g, ' ');
        if (!text.trim().startsWith(start as string)) continue;
        const i = text.indexOf('→');
        if (i >= 0) return text.slice(i);
        for (const span of line.querySelectorAll('span')) {
          const content = getComputedStyle(span, '::after').content;
          if (content?.includes('→')) return JSON.parse(content) as string;
        }
      }
      return '';
    }, lineStart);
  }

  /** Hovers the first occurrence of `word` on the line starting with `lineStart`, and returns the hover's text. */
  async hover(lineStart: string, word: string): Promise<string> {
    const line = this.page
      .locator(`${EDITOR} .monaco-editor .view-lines .view-line`)
      .filter({ hasText: lineStart })
      .first();
    const token = line.locator('span span', { hasText: word }).first();
    const hover = this.page
      .locator('.monaco-hover:visible .monaco-hover-content, .monaco-hover:visible .hover-contents')
      .first();
    return waitUntil(
      `a hover over ${word}`,
      async () => {
        await token.hover();
        return hover.waitFor({ state: 'visible', timeout: 3_000 }).then(
          () => hover.innerText(),
          () => undefined,
        );
      },
      30_000,
      0,
    );
  }

  /** The rows of the Problems view (opened if needed). */
  async problems(): Promise<string[]> {
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    if (!(await this.page.locator('.markers-panel').isVisible()))
      await this.wb.runCommand('Problems: Focus on Problems View');
    return rows.evaluateAll((els) =>
      els.map((e) => `${e.textContent ?? ''} | ${e.getAttribute('aria-label') ?? ''}`.replace(/\s+/g, ' ').trim()),
    );
  }

  problemRow(text: string): Locator {
    return this.page.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
  }

  /** The text of each side of the diff editor showing (original, modified). */
  async diffSides(): Promise<{ original: string; modified: string } | undefined> {
    const side = (cls: string) => this.page.locator(`${EDITOR} .monaco-diff-editor .editor.${cls} .view-lines`).first();
    if (!(await side('original').count()) || !(await side('modified').count())) return undefined;
    // The editor draws spaces as no-break spaces and wraps long lines: read it as flowing text.
    const text = async (cls: string) => (await side(cls).innerText()).replace(/[\s\u00a0]+/g, ' ');
    return { original: await text('original'), modified: await text('modified') };
  }
}
