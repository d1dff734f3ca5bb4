import { defineConfig } from 'vitest/config';
import { SkippedWithReasonReporter } from './test/helpers/skipped-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores on CI: more workers only thrash.
    maxWorkers: 2,
    // CI prints every test, so its log shows each suite per backend (store [pglite], store [postgres]).
    // Skipped suites (a server that is not there) are listed with their reason after the summary.
    reporters: [process.env.CI ? 'verbose' : 'default', new SkippedWithReasonReporter()],
  },
});
