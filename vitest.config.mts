// The test tiers, as vitest projects so each runs alone (`npm run test:unit` etc.) and
// `vitest run` runs them all. Unit: pure code and models, milliseconds. Integration: real
// sockets, real files, real SDK processes. Browser: the panel in Debian's Chromium. The
// editor suite (test/e2e) has its own config: it needs code-server and runs one file at a time.
import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const tiers: Record<string, string[]> = {
  unit: ['test/unit', 'test/webview', 'test/extension', 'test/agent'],
  // The Node SDK's tests live beside it (sdk/node/test, also run alone by `npm test` there).
  integration: ['test/integration', 'sdk/node/test', 'test/fuzz', 'test/frameworks'],
  browser: ['test/browser'],
};

// A test folder in no tier would never run, and nothing would say so: refuse it here. Tests
// are looked for under test/ and sdk/ (whose Python tests are unittest's, not *.test.ts).
const tiered = Object.values(tiers).flat().concat('test/e2e');
const untiered = ['test', 'sdk']
  .flatMap((top) => readdirSync(top, { recursive: true, encoding: 'utf8' }).map((file) => `${top}/${file.replaceAll('\\', '/')}`))
  .filter((file) => file.endsWith('.test.ts') && !tiered.some((folder) => file.startsWith(`${folder}/`)));
if (untiered.length) throw new Error(`vitest.config.mts: ${untiered[0]} is in no test tier; add its folder to \`tiers\``);

export default defineConfig({
  test: {
    exclude: ['test/e2e/**', 'node_modules/**'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/globalBuild.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: Object.entries(tiers).map(([name, folders]) => ({ extends: true, test: { name, include: folders.map((f) => `${f}/**/*.test.ts`) } })),
  },
});
