import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { SessionStore } from '../auth/sessions.js';
import { ensurePositionPartitions } from '../store/positions-partitions.js';

/**
 * The service's timed work. Each job is idempotent, so several instances running it
 * (or a restart re-running it) do no harm.
 */
export interface Jobs {
  tasks: ScheduledTask[];
  stop(): Promise<void>;
}

export function scheduleJobs(deps: { db: Db; logger: Logger; sessions?: Pick<SessionStore, 'deleteExpired'> }): Jobs {
  const tasks: ScheduledTask[] = [];
  // Partitions for the days ahead exist before their first fix arrives (UTC days).
  tasks.push(cron.schedule('5 * * * *', async () => {
    try {
      const created = await ensurePositionPartitions(deps.db, Date.now(), undefined, undefined, deps.logger);
      if (created.length > 0) deps.logger.info({ created }, 'position partitions created');
    } catch (err) {
      // The next hour tries again; until then fixes of a new day go to positions_default.
      deps.logger.warn({ err, job: 'position-partitions' }, 'job failed');
    }
  }, { name: 'position-partitions', timezone: 'UTC', noOverlap: true, unref: true }));
  // Sessions a week past their end are of no use to anyone: drop them once a day.
  const sessions = deps.sessions;
  if (sessions) {
    tasks.push(cron.schedule('17 3 * * *', async () => {
      const deleted = await sessions.deleteExpired();
      if (deleted > 0) deps.logger.info({ deleted }, 'expired sessions deleted');
    }, { name: 'expired-sessions', timezone: 'UTC', noOverlap: true, unref: true }));
  }
  return {
    tasks,
    stop: async () => {
      for (const t of tasks) await t.destroy();
    },
  };
}
