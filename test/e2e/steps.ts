// Named steps of a user flow: each saves a screenshot when it ends (`<outputDir>/<step>.png`),
// and a step that fails throws an error that names the step and says what was on the screen,
// with the path of a screenshot taken at that moment. Progress is printed as it happens, so a
// slow run on 2 cores shows where its time goes.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Workbench } from './workbench';

export class StepFailure extends Error {}

export class Steps {
  private count = 0;

  constructor(
    private readonly page: Page,
    private readonly workbench: Workbench,
    readonly outputDir: string,
    /** Extra text for failure reports (e.g. code-server's log tail). */
    private readonly extraContext: () => string = () => '',
  ) {}

  async run<T>(name: string, body: () => Promise<T>): Promise<T> {
    const id = `${String(++this.count).padStart(2, '0')}-${slug(name)}`;
    const started = Date.now();
    try {
      const result = await body();
      await this.page.screenshot({ path: join(this.outputDir, `${id}.png`) });
      log(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    } catch (e) {
      if (e instanceof StepFailure) throw e; // a nested step already reported
      const shot = join(this.outputDir, `${id}-FAILED.png`);
      const saved = await this.page.screenshot({ path: shot }).then(
        () => shot,
        (err: Error) => `(no screenshot: ${err.message})`,
      );
      const screen = await this.workbench
        .describeScreen()
        .catch((err: Error) => `(could not read the screen: ${err.message})`);
      const extra = this.extraContext().trim();
      log(`  ✗ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      throw new StepFailure(
        [
          `step "${name}" failed: ${(e as Error).message}`,
          `screenshot: ${saved}`,
          '--- on screen ---',
          screen || '(nothing readable)',
          ...(extra ? ['--- log tail ---', extra] : []),
        ].join('\n'),
      );
    }
  }
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
