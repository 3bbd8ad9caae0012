// The test tiers, as vitest projects so each runs alone (`npm run test:unit` etc.) and
// `vitest run` runs them all. Unit: pure code and models, milliseconds. Integration: real
// sockets, real files, real SDK processes. Browser: the panel in Debian's Chromium. The
// editor suite (test/e2e) has its own config: it needs code-server and runs one file at a time.
import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const tiers: Record<string, string[]> = {
  unit: ['unit', 'webview', 'extension', 'agent'],
  integration: ['integration', 'sdk-node', 'fuzz', 'frameworks'],
  browser: ['browser'],
};

// A test folder in no tier would never run, and nothing would say so: refuse it here.
const tiered = new Set(Object.values(tiers).flat().concat('e2e'));
const untiered = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => file.split(/[\\/]/)[0])
  .filter((folder) => !tiered.has(folder));
if (untiered.length) throw new Error(`vitest.config.mts: test/${untiered[0]}/ is in no test tier; add it to \`tiers\``);

export default defineConfig({
  test: {
    exclude: ['test/e2e/**', 'node_modules/**'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/globalBuild.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: Object.entries(tiers).map(([name, folders]) => ({ extends: true, test: { name, include: folders.map((f) => `test/${f}/**/*.test.ts`) } })),
  },
});
