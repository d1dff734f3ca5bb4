import { defineConfig } from 'vitest/config';
import { SkippedWithReasonReporter } from './test/helpers/skipped-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates one empty PGlite store per run; the suites copy it instead of each running initdb.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Hang guards, not measures: no test is judged by how fast it runs (the benches measure speed).
    // A full run on this shared 2-core machine at load ~21 took 19 min, and tests and hooks that
    // take 2-5 s on a quiet machine hit the old 60 s / 120 s limits there.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // expect.poll waits for what a page or a push shows; its default second is too short on a
    // loaded 2-core machine (a city profile's time zone arrived after it: 1 failure in 3 runs).
    expect: { poll: { timeout: 30_000 } },
    pool: 'forks',
    // Each worker process runs its files one after another without being restarted, so the
    // service's modules, PGlite's WebAssembly and V8's optimised code are loaded once per worker,
    // not once per file (a third of the suite's CPU). Files still share no service, store or
    // port: each starts and stops its own, and the few module caches (Intl formatters, HiGHS)
    // hold no test's state.
    isolate: false,
    // Three on a 2-core machine: a file waits much of its time (on the PostgreSQL server, on
    // Chromium, on child processes, on the pushes it expects), and a third file fills that wait.
    // Measured back to back on a quiet 2-core machine (1 Dec 2026): 2 workers 134 s wall with the
    // machine 87 % busy, 3 workers 121 s at 95 % busy; 4 gave nothing more before (151 s against
    // 147 s for 2, when a run took that long).
    maxWorkers: 3,
    // CI prints every test, so its log shows each suite per backend (store [pglite], store [postgres]).
    // Skipped suites (a server that is not there) are listed with their reason after the summary.
    reporters: [process.env.CI ? 'verbose' : 'default', new SkippedWithReasonReporter()],
  },
});
