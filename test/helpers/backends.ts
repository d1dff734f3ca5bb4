import pg from 'pg';
import { randomBytes } from 'node:crypto';

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
  const baseUrl = process.env.TEST_DATABASE_URL!;
  const name = `sanifleet_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
