import { describe } from 'vitest';
import { createScratchDatabase } from '../../src/store/scratch-database.js';
import { describeWith, serverUrls } from './servers.js';

/**
 * The store suites run on embedded PGlite always, and on a PostgreSQL server when
 * TEST_DATABASE_URL is set (`.ci/run` sets it); without it the PostgreSQL copy is a visible
 * skip. Each suite gets its own fresh database.
 */
export type Backend = 'pglite' | 'postgres';

/**
 * A suite once per backend; `%s` in the name becomes the backend. The PostgreSQL copy
 * needs the server (see servers.ts).
 */
export function describeEachBackend(name: string, body: (backend: Backend) => void): void {
  describe(name.replace('%s', 'pglite'), () => body('pglite'));
  describeWith('postgres', name.replace('%s', 'postgres'), () => body('postgres'));
}

export interface TestDatabase {
  /** undefined for PGlite (in memory) */
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') return { drop: async () => undefined };
  if (!serverUrls.postgres) throw new Error('the postgres backend needs TEST_DATABASE_URL');
  return createScratchDatabase(serverUrls.postgres, 'sanifleet_test');
}
