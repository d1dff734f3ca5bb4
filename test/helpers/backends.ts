import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { createScratchDatabase } from '../../src/store/scratch-database.js';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { migrations, type Migration } from '../../src/store/schema.js';
import { describeWith, serverUrls } from './servers.js';
import { pgliteStoreRoot, TEST_PGLITE_SHARED_BUFFERS } from './store-root.js';

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
  /** undefined for PGlite */
  url?: string;
  /**
   * PGlite only: a data directory of its own holding a new, empty store (not migrated), or
   * undefined (in memory) when the run has no template (a config without the global setup).
   */
  dataDir?: string;
  drop(): Promise<void>;
}

/**
 * A new directory holding a PGlite store: a copy of one the global setup created
 * (global-setup.ts), so the suite skips PGlite's initdb (about 4 s of CPU). Empty (every
 * migration still to run) unless `migrated`: then at the newest migration, for suites that
 * test no migrating. undefined when the run has no template; the caller then lets PGlite create one.
 */
export function freshPgliteDataDir(options: { migrated?: boolean } = {}): string | undefined {
  const template = options.migrated ? inject('pgliteMigratedTemplateDir') : inject('pgliteTemplateDir');
  if (!template) return undefined;
  const dir = mkdtempSync(join(pgliteStoreRoot(), 'sanifleet-pglite-'));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** A database of the suite's own: empty, or at the newest migration when `migrated` and the run has a template. */
export async function createTestDatabase(backend: Backend, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (backend === 'pglite') {
    // Copied when first asked for, so a suite that opens PGlite its own way copies nothing.
    let copied = false;
    let dataDir: string | undefined;
    return {
      get dataDir() {
        if (!copied) {
          copied = true;
          dataDir = freshPgliteDataDir(options);
        }
        return dataDir;
      },
      drop: async () => (dataDir ? rmSync(dataDir, { recursive: true, force: true }) : undefined),
    };
  }
  if (!serverUrls.postgres) throw new Error('the postgres backend needs TEST_DATABASE_URL');
  const template = options.migrated ? inject('postgresMigratedTemplate') : undefined;
  const scratch = await createScratchDatabase(serverUrls.postgres, 'sanifleet_test', template ? { template } : {});
  // A suite's database need not outlive a crash of the server itself (no test kills the server):
  // its commits return without waiting for the disk's flush, as PGlite's do on tmpfs
  // (store-root.ts). What a commit makes visible, to every session at once, is the same.
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    await client.query(`alter database ${new URL(scratch.url).pathname.slice(1)} set synchronous_commit = off`);
  } finally {
    await client.end();
  }
  return scratch;
}

export interface TestStore {
  db: Db;
  /** Closes the store and drops its database (or directory). */
  close(): Promise<void>;
}

/** A store of the suite's own on `backend`, opened (PGlite from the template's copy) and migrated. */
export async function openTestStore(backend: Backend, list: Migration[] = migrations): Promise<TestStore> {
  const testDb = await createTestDatabase(backend, { migrated: list === migrations });
  const db = await openDb({ databaseUrl: testDb.url, dataDir: testDb.dataDir, pgliteSharedBuffers: TEST_PGLITE_SHARED_BUFFERS });
  await migrate(db, list);
  return {
    db,
    close: async () => {
      await db.close();
      await testDb.drop();
    },
  };
}
