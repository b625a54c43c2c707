import { defineConfig } from 'vitest/config';

// Every test talks to real servers over real sockets (see test/helpers). Suites that
// start child processes or hold long polls need more than vitest's 5 s default.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    exclude: ['test/**/*.fuzz.test.ts', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // SIGTERM/abort tests count on a quiet machine; two cores are shared by the files.
    maxWorkers: 2,
  },
});
