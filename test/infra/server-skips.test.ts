import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm test` on a machine without PostgreSQL and Redis: the suites that need them must show
 * as skips with the reason in vitest's own output (not vanish), and under `.ci/run`
 * (TEST_REQUIRE_SERVERS=1) a missing server must fail the run instead.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const vitestCli = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

function runFixture(extraEnv: Record<string, string>): { status: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.TEST_DATABASE_URL;
  delete env.TEST_REDIS_URL;
  delete env.CI;
  if (!extraEnv.TEST_REQUIRE_SERVERS) delete env.TEST_REQUIRE_SERVERS;
  delete env.VITEST;
  const res = spawnSync(process.execPath, [vitestCli, 'run', '--config', 'test/fixtures/server-skips/vitest.config.ts'], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
  return { status: res.status, out: `${res.stdout}\n${res.stderr}` };
}

describe('suites that need a server, on a machine without it', () => {
  it('are listed as skipped with what to set, and the run passes', () => {
    const { status, out } = runFixture({});
    expect(out).toMatch(/fixture store \[postgres\] — skipped: set TEST_DATABASE_URL .* to run/);
    expect(out).toMatch(/fixture two hubs — skipped: set TEST_REDIS_URL .* to run/);
    expect(out).not.toMatch(/fixture store \[pglite\] — skipped/);
    expect(out).toMatch(/1 passed \| 2 skipped/);
    expect(status).toBe(0);
  });

  it('fail the run when TEST_REQUIRE_SERVERS is set (as .ci/run does)', () => {
    const { status, out } = runFixture({ TEST_REQUIRE_SERVERS: '1' });
    expect(out).toMatch(/postgres is not available but TEST_REQUIRE_SERVERS is set/);
    expect(out).toMatch(/redis is not available but TEST_REQUIRE_SERVERS is set/);
    expect(status).not.toBe(0);
  });
});
