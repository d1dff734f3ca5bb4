import { createScratchDatabase } from '../../src/store/scratch-database.js';

/**
 * The store suites run on embedded PGlite always, and on a PostgreSQL server too when
 * TEST_DATABASE_URL is set (CI sets it). Each suite gets its own fresh database.
 */
export type Backend = 'pglite' | 'postgres';

export const backends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  /** undefined for PGlite (in memory) */
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') return { drop: async () => undefined };
  return createScratchDatabase(process.env.TEST_DATABASE_URL!, 'sanifleet_test');
}
