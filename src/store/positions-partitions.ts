import type { Logger } from 'pino';
import type { Db } from './db.js';

const DAY_MS = 86_400_000;

/**
 * Creates the daily partitions of the positions log for the given UTC days (today and
 * its neighbours, called at start and nightly). A day whose rows already sit in the
 * default partition keeps them there: PostgreSQL refuses to attach over them, and
 * moving them is retention's job, not start-up's.
 */
export async function ensurePositionPartitions(db: Db, aroundMs: number, daysBack = 3, daysAhead = 2, logger?: Pick<Logger, 'warn'>): Promise<string[]> {
  const created: string[] = [];
  const today = Math.floor(aroundMs / DAY_MS) * DAY_MS;
  for (let d = -daysBack; d <= daysAhead; d++) {
    const from = new Date(today + d * DAY_MS);
    const to = new Date(today + (d + 1) * DAY_MS);
    const name = `positions_${from.toISOString().slice(0, 10).replaceAll('-', '')}`;
    const exists = await db.query('select 1 from pg_class where relname = $1', [name]);
    if (exists.rows.length > 0) continue;
    try {
      await db.exec(`create table if not exists ${name} partition of positions
        for values from ('${from.toISOString()}') to ('${to.toISOString()}')`);
      created.push(name);
    } catch (err) {
      // Expected when rows for that day already sit in positions_default (they stay there);
      // anything else (a lost connection, no privilege) must be seen too.
      logger?.warn({ err, partition: name }, 'positions partition not created; its day stays in positions_default');
    }
  }
  return created;
}
