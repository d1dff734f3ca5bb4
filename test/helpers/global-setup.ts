import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { pgliteStoreRoot } from './store-root.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** A PGlite data directory freshly created by openDb (initdb run, no migration): copied per test store. */
    pgliteTemplateDir: string;
  }
}

/**
 * Before any test file: an empty PGlite data directory, created the way the service creates
 * one on a first start with an empty DATA_DIR. PGlite's initdb costs about 4 s of CPU per
 * store, more than most suites' own work; each suite starts from a copy of this directory
 * instead (backends.ts), which is the same empty store, so every migration still runs.
 */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('pgliteTemplateDir', await pgliteTemplateDir());
}

/**
 * Kept between runs (in memory when the machine has room, store-root.ts), under a name that
 * changes with the PGlite version and with the code that opens the store (db.ts), so a run
 * never copies a directory that the current code would not have made. It appears whole or not at all: built beside, then renamed.
 */
async function pgliteTemplateDir(): Promise<string> {
  const root = new URL('../../', import.meta.url);
  const version = (JSON.parse(readFileSync(new URL('node_modules/@electric-sql/pglite/package.json', root), 'utf8')) as { version: string }).version;
  const opener = createHash('sha256').update(readFileSync(new URL('src/store/db.ts', root))).digest('hex').slice(0, 12);
  const dir = join(pgliteStoreRoot(), `sanifleet-pglite-template-${version}-${opener}`);
  if (existsSync(dir)) return dir;
  const building = mkdtempSync(`${dir}-building-`);
  try {
    // Imported here: a run that finds the template loads no PGlite in this process.
    const { openDb } = await import('../../src/store/db.js');
    const db = await openDb({ dataDir: building });
    await db.close();
    renameSync(building, dir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    // Another run finished the same template first: use it.
    if (!existsSync(dir)) throw err;
  }
  return dir;
}
