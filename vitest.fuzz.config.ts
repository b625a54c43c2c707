import { defineConfig } from 'vitest/config';

// The long fuzz run (npm run fuzz). CI runs the short variant that lives in the normal
// suite; this one raises the run count through EASGATE_FUZZ_RUNS.
export default defineConfig({
  test: {
    include: ['test/**/*.fuzz.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
  },
});
