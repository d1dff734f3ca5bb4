import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildChildBundles } from './child-bundles.js';
import { pgliteStoreRoot } from './store-root.js';

const root = new URL('../../', import.meta.url);

declare module 'vitest' {
  interface ProvidedContext {
    /** A PGlite data directory freshly created by openDb (initdb run, no migration): copied per test store. */
    pgliteTemplateDir: string;
    /** The same store with every migration applied (schema.ts): copied for suites that do not test migrating. */
    pgliteMigratedTemplateDir: string;
    /** A database on the TEST_DATABASE_URL server with every migration applied, or '' (no server). */
    postgresMigratedTemplate: string;
  }
}

/**
 * Before any test file: an empty PGlite data directory, created the way the service creates
 * one on a first start with an empty DATA_DIR. PGlite's initdb costs about 4 s of CPU per
 * store, more than most suites' own work; each suite starts from a copy of this directory
 * instead (backends.ts), which is the same empty store. Migrating it costs about 0.3 s of CPU
 * more per store; the suites that test no migration start from a copy of it migrated once.
 * Also the bundles of the programs the suites start as child processes (child-bundles.ts).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const bundles = await buildChildBundles();
  project.provide('childBundleDir', bundles.dir);
  const empty = await pgliteTemplateDir();
  const migrated = await migratedTemplateDir(empty);
  removeStaleTemplates([empty, migrated]);
  project.provide('pgliteTemplateDir', empty);
  project.provide('pgliteMigratedTemplateDir', migrated);
  project.provide('postgresMigratedTemplate', await postgresMigratedTemplate());
  return bundles.remove;
}

/** What a migrated template is named after: the migrations and the code that applies them. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of ['src/store/schema.ts', 'src/store/migrate.ts']) hash.update(readFileSync(new URL(file, root)));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Kept between runs (in memory when the machine has room, store-root.ts), under a name that
 * changes with the PGlite version and with the code that opens the store (db.ts), so a run
 * never copies a directory that the current code would not have made. It appears whole or not
 * at all: built beside, then renamed.
 */
async function pgliteTemplateDir(): Promise<string> {
  const version = (JSON.parse(readFileSync(new URL('node_modules/@electric-sql/pglite/package.json', root), 'utf8')) as { version: string }).version;
  const opener = createHash('sha256').update(readFileSync(new URL('src/store/db.ts', root))).digest('hex').slice(0, 12);
  const dir = join(pgliteStoreRoot(), `sanifleet-pglite-template-${version}-${opener}`);
  return built(dir, async (building) => {
    // Imported here: a run that finds the template loads no PGlite in this process.
    const { openDb } = await import('../../src/store/db.js');
    const db = await openDb({ dataDir: building });
    await db.close();
  });
}

/**
 * The empty template migrated, under a name that changes with the migrations and the code that
 * applies them. Its template0 and template1 databases are dropped: PGlite serves only the
 * `postgres` database and never creates one, and they are 15 of its 40 MB, copied for every
 * service and store of the run.
 */
async function migratedTemplateDir(empty: string): Promise<string> {
  const dir = `${empty}-migrated-${migrationsHash()}-lean`;
  return built(dir, async (building) => {
    const { openDb } = await import('../../src/store/db.js');
    const { migrate } = await import('../../src/store/migrate.js');
    rmSync(building, { recursive: true });
    cpSync(empty, building, { recursive: true });
    const db = await openDb({ dataDir: building });
    try {
      await migrate(db);
      await db.query("update pg_database set datistemplate = false where datname in ('template0', 'template1')");
      await db.query('drop database template0');
      await db.query('drop database template1');
      await db.query('checkpoint');
    } finally {
      await db.close();
    }
  });
}

/** A template untouched this long belongs to no run that is still copying from it. */
const STALE_TEMPLATE_MS = 6 * 3600_000;

/**
 * Templates of earlier code (another PGlite version, db.ts or migrations) are 26-40 MB each,
 * in memory when the root is /dev/shm: every change to the store's code left one more behind.
 * Those not used for hours go; a run of another checkout started since keeps its own.
 */
function removeStaleTemplates(current: string[]): void {
  const root = pgliteStoreRoot();
  const nowMs = Date.now();
  for (const name of readdirSync(root)) {
    if (!name.startsWith('sanifleet-pglite-template-')) continue;
    const path = join(root, name);
    if (current.includes(path)) continue;
    try {
      if (nowMs - statSync(path).mtimeMs < STALE_TEMPLATE_MS) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}

/** `dir`, made by `make` in a directory beside it and renamed, unless it exists. */
async function built(dir: string, make: (building: string) => Promise<void>): Promise<string> {
  if (existsSync(dir)) {
    // Marks it used by a run now (removeStaleTemplates goes by this time).
    const now = new Date();
    utimesSync(dir, now, now);
    return dir;
  }
  const building = mkdtempSync(`${dir}-building-`);
  try {
    await make(building);
    renameSync(building, dir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    // Another run finished the same template first: use it.
    if (!existsSync(dir)) throw err;
  }
  return dir;
}

/**
 * The same on the PostgreSQL server, when TEST_DATABASE_URL names one: a database migrated
 * once, kept on the server and named by the migrations' hash; the suites create theirs as
 * copies of it (CREATE DATABASE … TEMPLATE) instead of migrating each (about 0.8 s). Built
 * under another name and renamed, so a run never copies one half made. '' without a server
 * (its suites are skipped, or fail under TEST_REQUIRE_SERVERS, on their own).
 */
async function postgresMigratedTemplate(): Promise<string> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return '';
  const name = `sanifleet_test_migrated_${migrationsHash()}`;
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch {
    return '';
  }
  try {
    if ((await admin.query('select 1 from pg_database where datname = $1', [name])).rows.length > 0) return name;
    const { createScratchDatabase } = await import('../../src/store/scratch-database.js');
    const { openDb } = await import('../../src/store/db.js');
    const { migrate } = await import('../../src/store/migrate.js');
    const building = await createScratchDatabase(serverUrl, 'sanifleet_test_building');
    try {
      const db = await openDb({ databaseUrl: building.url });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      await admin.query(`alter database ${new URL(building.url).pathname.slice(1)} rename to ${name}`);
    } catch (err) {
      await building.drop();
      // Another run finished the same template first: use it.
      if ((await admin.query('select 1 from pg_database where datname = $1', [name])).rows.length === 0) throw err;
    }
    return name;
  } finally {
    await admin.end();
  }
}
