// The test tiers, as vitest projects so each runs alone (`npm run test:unit` etc.) and
// `vitest run` runs them all. Unit: pure code and models, milliseconds. Integration: real
// sockets, real files, real SDK processes. Browser: the panel in Debian's Chromium. The
// editor suite (test/e2e) has its own config: it needs code-server and runs one file at a time.
import { defineConfig } from 'vitest/config';

const tiers = {
  unit: ['test/unit/**/*.test.ts', 'test/webview/**/*.test.ts', 'test/extension/**/*.test.ts'],
  integration: ['test/integration/**/*.test.ts', 'test/sdk-node/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
  browser: ['test/browser/**/*.test.ts'],
};

export default defineConfig({
  test: {
    exclude: ['test/e2e/**', 'node_modules/**'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: Object.entries(tiers).map(([name, include]) => ({ extends: true, test: { name, include } })),
  },
});
