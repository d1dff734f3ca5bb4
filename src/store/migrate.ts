import type { Db } from './db.js';
import { migrations, type Migration } from './schema.js';

/** An arbitrary constant: several instances starting at once take turns migrating. */
const MIGRATION_LOCK_KEY = 80_808_001;

export async function currentMigrationVersion(db: Db): Promise<number> {
  const res = await db.query<{ version: number | null }>('select max(version)::int as version from schema_migrations');
  return res.rows[0]?.version ?? 0;
}

/** Applies every migration not yet recorded; returns the version the store is at. */
export async function migrate(db: Db, list: Migration[] = migrations): Promise<number> {
  await db.exec(`create table if not exists schema_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  // Most starts find every migration applied: one read instead of a locked transaction each.
  const applied = new Set((await db.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => Number(r.version)));
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const done = await tx.query('select 1 from schema_migrations where version = $1', [m.version]);
      if (done.rows.length > 0) return;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
    });
  }
  return currentMigrationVersion(db);
}

/**
 * Our migrations hold no semicolons inside strings; function bodies are dollar-quoted ($$ … $$)
 * and kept whole. Outside them a plain split at semicolons is safe.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  sql.split('$$').forEach((part, i) => {
    // odd parts are bodies: glued to the statement they belong to
    if (i % 2 === 1) {
      statements[statements.length - 1] += `$$${part}$$`;
      return;
    }
    const pieces = part.split(';');
    if (i > 0) statements[statements.length - 1] += pieces.shift()!;
    statements.push(...pieces);
  });
  return statements.map((s) => s.trim()).filter((s) => s.length > 0);
}
