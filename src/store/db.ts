import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Logger } from 'pino';
import { silentLogger } from '../logger.js';

/**
 * One SQL surface over two engines: embedded PGlite (a data directory, no server) and a
 * PostgreSQL server. Everything above this file speaks plain PostgreSQL.
 */
export type StoreKind = 'pglite' | 'postgres';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: StoreKind;
  /** Runs several statements (no parameters), e.g. a migration. */
  exec(sql: string): Promise<void>;
  /** All or nothing: the callback's queries commit together or not at all. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres://… to use a server; otherwise PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; undefined = in memory (tests). */
  dataDir?: string;
  /** Who holds the PGlite directory, for the message another opener gets (default: this command line). */
  purpose?: string;
  /** Where failures that no caller sees (an idle connection lost, a failed rollback) are reported. */
  logger?: Logger;
  /**
   * PGlite's buffer cache (PostgreSQL's shared_buffers, e.g. "16MB"); undefined = PostgreSQL's 128MB.
   * PGlite zeroes it in its WebAssembly memory at every open, so a small store opened often (a test
   * suite, a small machine) starts in two thirds of the CPU and half the memory with a small one.
   */
  pgliteSharedBuffers?: string;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.logger ?? silentLogger) : openPglite(options.dataDir, options.purpose, options.pgliteSharedBuffers);
}

async function openPglite(dataDir: string | undefined, purpose = process.argv.slice(1).join(' '), sharedBuffers?: string): Promise<Db> {
  // One process per data directory: PGlite itself does not lock it (see data-dir-lock.ts).
  const lock = dataDir ? acquireDataDirLock(dataDir, purpose) : undefined;
  let db: PGlite;
  try {
    const startParams = sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] } : {};
    db = dataDir ? new PGlite(dataDir, startParams) : new PGlite(startParams);
    await db.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const run = async <T>(q: Pick<PGlite, 'query'>, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const res = await q.query<T>(sql, params as unknown[] | undefined);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  };
  return {
    kind: 'pglite',
    query: (sql, params) => run(db, sql, params),
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) })),
    close: async () => {
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, logger: Logger): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client's error (server restart) must not crash the process; the pool replaces the client.
  pool.on('error', (err) => logger.warn({ err }, 'store: an idle PostgreSQL connection failed'));
  const check = await pool.connect();
  check.release();
  const run = async <T>(q: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const res = await q.query(sql, params);
    return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
  };
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // The transaction's own error is what the caller gets; a failed rollback is only reported.
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => logger.warn({ err: rollbackErr, cause: err }, 'store: rollback failed'));
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
