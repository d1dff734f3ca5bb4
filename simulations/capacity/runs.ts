import type { Logger } from 'pino';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { newId } from '../../src/store/city-repo.js';
import type { Db } from '../../src/store/db.js';
import { enqueueDays } from './day-jobs.js';
import { studiedCity } from './perturb.js';
import type { Scenario } from './scenario.js';
import { runStudy, type StudyResult } from './study.js';

/**
 * Capacity runs asked for through the API (migrations 13, 14), stored with their scenario.
 * On a PostgreSQL server a run's days are jobs of the plan queue (day-jobs.ts): the service's
 * plan threads and `npm run worker` processes on any machine take them, and a run outlives a
 * restart. On the embedded store (one process) a run is run by this process (worker threads, as
 * the CLI does), and one its process left running is marked failed at the next start.
 * Either way the progress (days done, per-fleet shares so far) and the result are written back.
 */
export type CapacityRunStatus = 'queued' | 'running' | 'done' | 'failed';

/** A fleet's days planned so far and how many of them were cleared. */
export interface FleetShare { label: string; days: number; cleared: number }

/** What a page following a run hears ('capacity:progress'). */
export interface CapacityProgressEvent {
  runId: string;
  status: CapacityRunStatus;
  done: number;
  total: number;
  shares: Array<FleetShare & { share: number | null }>;
  error: string | null;
}

export interface CapacityRun {
  id: string;
  status: CapacityRunStatus;
  scenario: Scenario;
  city: string;
  progress: { done: number; total: number };
  result: Omit<StudyResult, 'scenario'> | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface Row {
  id: string; status: CapacityRunStatus; scenario: Scenario; city: string; done_jobs: number; total_jobs: number;
  result: CapacityRun['result']; error: string | null; created_by: string; created_at: Date | string; started_at: Date | string | null; finished_at: Date | string | null;
}

const iso = (t: Date | string | null) => (t === null ? null : new Date(t).toISOString());
const fromRow = (r: Row): CapacityRun => ({
  id: r.id, status: r.status, scenario: r.scenario, city: r.city, progress: { done: r.done_jobs, total: r.total_jobs },
  result: r.result, error: r.error, createdBy: r.created_by, createdAt: iso(r.created_at)!, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
});

const COLUMNS = 'id, status, scenario, city, done_jobs, total_jobs, result, error, created_by, created_at, started_at, finished_at';

export class CapacityRuns {
  /**
   * `queueDays`: the city to study, when the run's days go to the plan queue (a PostgreSQL
   * store); without it the run waits for this process's CapacityRunner.
   */
  constructor(private readonly db: Db, private readonly queueDays?: { city(): Promise<PlanningSnapshot> }) {}

  async create(scenario: Scenario, city: string, createdBy: string): Promise<CapacityRun> {
    const id = newId('cap');
    const total = scenario.days * scenario.fleets.length;
    const snapshot = this.queueDays ? JSON.stringify(studiedCity(await this.queueDays.city(), scenario)) : null;
    const res = await this.db.transaction(async (tx) => {
      const row = await tx.query<Row>(
        `insert into capacity_runs (id, status, scenario, city, total_jobs, created_by, city_snapshot) values ($1, 'queued', $2::jsonb, $3, $4, $5, $6::jsonb) returning ${COLUMNS}`,
        [id, JSON.stringify(scenario), city, total, createdBy, snapshot],
      );
      if (snapshot !== null) await enqueueDays(tx, id, total);
      return row;
    });
    return fromRow(res.rows[0]!);
  }

  async get(id: string): Promise<CapacityRun | undefined> {
    const res = await this.db.query<Row>(`select ${COLUMNS} from capacity_runs where id = $1`, [id]);
    return res.rows[0] && fromRow(res.rows[0]);
  }

  /** The progress of these runs as a following page hears it. */
  async progressOf(ids: readonly string[]): Promise<CapacityProgressEvent[]> {
    if (ids.length === 0) return [];
    const res = await this.db.query<{ id: string; status: CapacityRunStatus; done_jobs: number; total_jobs: number; shares: FleetShare[] | null; error: string | null }>(
      'select id, status, done_jobs, total_jobs, shares, error from capacity_runs where id = any($1::text[])', [ids],
    );
    return res.rows.map((r) => ({
      runId: r.id, status: r.status, done: r.done_jobs, total: r.total_jobs, error: r.error,
      shares: (r.shares ?? []).map((f) => ({ ...f, share: f.days > 0 ? f.cleared / f.days : null })),
    }));
  }

  /** Newest first, without the days (a list is for choosing a run). */
  async list(limit: number): Promise<Array<Omit<CapacityRun, 'result'> & { recommended: StudyResult['recommended'] | null }>> {
    const res = await this.db.query<Row & { recommended: StudyResult['recommended'] | null }>(
      `select id, status, scenario, city, done_jobs, total_jobs, null as result, result->'recommended' as recommended, error, created_by, created_at, started_at, finished_at
       from capacity_runs order by created_at desc, id desc limit $1`, [limit],
    );
    return res.rows.map((r) => {
      const { result: _r, ...run } = fromRow(r);
      return { ...run, recommended: r.recommended ?? null };
    });
  }

  async nextQueued(): Promise<CapacityRun | undefined> {
    const res = await this.db.query<Row>(
      `update capacity_runs set status = 'running', started_at = now()
       where id = (select id from capacity_runs where status = 'queued' order by created_at, id limit 1) and status = 'queued' returning ${COLUMNS}`,
    );
    return res.rows[0] && fromRow(res.rows[0]);
  }

  async progress(id: string, done: number, shares: FleetShare[]): Promise<void> {
    await this.db.query(`update capacity_runs set done_jobs = $2, shares = $3::jsonb where id = $1 and status = 'running'`, [id, done, JSON.stringify(shares)]);
  }

  async finish(id: string, result: StudyResult): Promise<void> {
    const { scenario: _s, ...rest } = result;
    const shares: FleetShare[] = result.configs.map((c) => ({ label: c.label, days: c.days, cleared: c.cleared }));
    await this.db.query(`update capacity_runs set status = 'done', done_jobs = total_jobs, result = $2::jsonb, shares = $3::jsonb, finished_at = now() where id = $1`,
      [id, JSON.stringify(rest), JSON.stringify(shares)]);
  }

  async fail(id: string, error: string): Promise<void> {
    await this.db.query(`update capacity_runs set status = 'failed', error = $2, finished_at = now() where id = $1`, [id, error.slice(0, 2000)]);
  }

  /**
   * Runs a stopped process left running: failed, with the reason (ask for the run again).
   * Only for an embedded store (one process): on a PostgreSQL server another instance may be
   * running them. Queued runs stay queued and are run.
   */
  async failAbandoned(): Promise<number> {
    const res = await this.db.query(
      `update capacity_runs set status = 'failed', error = 'the service stopped before the run finished: ask for it again', finished_at = now()
       where status = 'running' returning id`,
    );
    return res.rows.length;
  }
}

export interface CapacityRunnerOptions {
  runs: CapacityRuns;
  logger: Logger;
  osmFile: string;
  networkCacheDir?: string;
  threads: number;
  /** the city as it is now (read when a run starts) */
  city(): Promise<PlanningSnapshot>;
}

/** Runs queued capacity runs one after another in this process. */
export class CapacityRunner {
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly opts: CapacityRunnerOptions) {}

  /** A run was queued: start working if idle. */
  wake(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    const { runs, logger } = this.opts;
    while (!this.stopped) {
      const run = await runs.nextQueued();
      if (!run) return;
      const id = run.id;
      try {
        let lastWriteMs = 0;
        const shares = new Map<string, FleetShare>();
        const result = await runStudy(await this.opts.city(), run.scenario, {
          osmFile: this.opts.osmFile, networkCacheDir: this.opts.networkCacheDir, threads: this.opts.threads, signal: this.abort.signal,
          onProgress: (done, total, last) => {
            const share = shares.get(last.fleet) ?? { label: last.fleet, days: 0, cleared: 0 };
            shares.set(last.fleet, { ...share, days: share.days + 1, cleared: share.cleared + (last.cleared ? 1 : 0) });
            // at most once a second (and the last), without waiting on the store
            if (done < total && Date.now() - lastWriteMs < 1000) return;
            lastWriteMs = Date.now();
            runs.progress(id, done, [...shares.values()]).catch((err: unknown) => logger.warn({ err, runId: id }, 'capacity run progress not stored'));
          },
        });
        await runs.finish(id, result);
        logger.info({ runId: id, recommended: result.recommended?.label ?? null }, 'capacity run done');
      } catch (err) {
        logger.error({ err, runId: id }, 'capacity run failed');
        const why = this.stopped ? 'the service stopped before the run finished: ask for it again' : (err as Error).message;
        await runs.fail(id, why).catch(() => undefined);
      }
    }
  }

  /** Stops the run under way (its threads end; it is recorded failed) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.running;
  }
}
