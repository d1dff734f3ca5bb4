import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/**
 * Suites that need something outside the repository — a PostgreSQL server, a Redis server,
 * Debian's Chromium — run when it is there. When it is absent they show in vitest's output
 * as a skip that says what to set (the skipped-with-reason reporter lists them after the
 * summary), so `npm test` behaves the same on every machine and never drops a suite
 * silently. `.ci/run` provides all three and sets TEST_REQUIRE_SERVERS=1: there a missing
 * server fails the run instead of skipping.
 */
export type Server = 'postgres' | 'redis' | 'chromium';

/** Debian's Chromium (CI installs it); never a downloaded browser. */
export { CHROMIUM_PATH } from '../../scripts/chromium.js';
import { CHROMIUM_PATH } from '../../scripts/chromium.js';

export const serverUrls = {
  postgres: process.env.TEST_DATABASE_URL || undefined,
  redis: process.env.TEST_REDIS_URL || undefined,
};

const present: Record<Server, () => boolean> = {
  postgres: () => serverUrls.postgres !== undefined,
  redis: () => serverUrls.redis !== undefined,
  chromium: () => existsSync(CHROMIUM_PATH),
};

/** What makes the server available, said in the skip. */
export const howToProvide: Record<Server, string> = {
  postgres: 'set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run',
  redis: 'set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run',
  chromium: `install Debian's chromium (${CHROMIUM_PATH}) to run`,
};

export function hasServer(server: Server): boolean {
  return present[server]();
}

/** The name a skipped suite carries: the reason is part of it, so every reporter prints it. */
export function skippedName(name: string, server: Server): string {
  return `${name} — skipped: ${howToProvide[server]}`;
}

/**
 * `describe` for a suite that needs `server`: it runs when the server is there, is skipped
 * with the reason in its name when it is not, and fails when TEST_REQUIRE_SERVERS says the
 * server must be there (CI).
 */
export function describeWith(server: Server, name: string, body: () => void): void {
  const available = hasServer(server);
  if (!available && process.env.TEST_REQUIRE_SERVERS) {
    describe(name, () => {
      it(`needs ${server}`, () => {
        throw new Error(`${server} is not available but TEST_REQUIRE_SERVERS is set: ${howToProvide[server]}`);
      });
    });
    return;
  }
  describe.skipIf(!available)(available ? name : skippedName(name, server), body);
}
