import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores on CI: more workers only thrash.
    maxWorkers: 2,
    // CI prints every test, so its log shows each suite per backend (store [pglite], store [postgres]).
    reporters: process.env.CI ? ['verbose'] : ['default'],
  },
});
