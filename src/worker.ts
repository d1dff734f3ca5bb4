import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openDb } from './store/db.js';
import { migrate } from './store/migrate.js';
import { PlanRunner } from './jobs/plan-runner.js';
import { CapacityDayJobs } from '../simulations/capacity/day-jobs.js';

/**
 * `npm run worker`: a plan-job worker process without HTTP. It takes jobs from the queue in
 * the PostgreSQL store (DATABASE_URL) that the service instances write to — plans, and the days
 * of capacity studies — runs each in one of PLAN_WORKERS threads, and stores the plan or the
 * day's outcome; run as many as machines allow. Progress goes
 * into the job row, from which the service instances push it to the dispatchers' pages.
 * The road network comes from OSM_FILE through NETWORK_CACHE_DIR, as in the service.
 */
let config;
try {
  config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('invalid configuration:\n  DATABASE_URL: a worker process needs the PostgreSQL store the service uses (PGlite belongs to one process)');
  if (!config.osmFile) throw new ConfigError('invalid configuration:\n  OSM_FILE: a worker plans on the road network; "none" leaves it nothing to do');
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`sanifleet worker: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const logger = createLogger(config.logLevel);
const db = await openDb({ databaseUrl: config.databaseUrl });
await migrate(db);
const runner = new PlanRunner({
  db, logger, osmFile: config.osmFile!, networkCacheDir: config.networkCacheDir, threads: Math.max(1, config.planWorkers),
  kinds: [new CapacityDayJobs({ db, logger, osmFile: config.osmFile!, networkCacheDir: config.networkCacheDir })],
});
await runner.start();
logger.info({ owner: runner.owner, threads: Math.max(1, config.planWorkers) }, 'plan worker ready');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'plan worker stopping: jobs in hand go back to the queue');
    runner.stop().then(() => db.close()).then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'plan worker stop failed');
      process.exit(1);
    });
  });
}
