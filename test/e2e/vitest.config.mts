// The end-to-end suite: a real VS Code (code-server) driven by Chromium. One file at a time,
// one worker, long deadlines (2 shared cores; the first run installs code-server).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/globalSetup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
