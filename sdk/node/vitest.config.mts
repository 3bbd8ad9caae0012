// The Node SDK's tests alone (`npm test` in sdk/node). The repository's suite runs the same
// files in its integration tier (../../vitest.config.mts), so these settings follow that one:
// the shared cleanup of temp folders, the same deadlines. No build first: the tests bundle the
// SDK themselves (test/scripts.ts) and start the collector from source.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sdk-node',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    setupFiles: [fileURLToPath(new URL('../../test/support/setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
