import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/globalBuild.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
