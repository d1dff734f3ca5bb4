import type { Logger } from 'pino';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { newId } from '../../src/store/city-repo.js';
import type { Db } from '../../src/store/db.js';
import type { Scenario } from './scenario.js';
import { runStudy, type StudyResult } from './study.js';

/**
 * Capacity runs asked for through the API (migration 13): stored with their scenario, run one
 * at a time by this process (worker threads, as the CLI does), progress and result written back.
 * A run an embedded store's process left running is marked failed at its next start (runs are
 * not handed between processes yet: the planning queue across machines is not used for them).
 */
export type CapacityRunStatus = 'queued' | 'running' | 'done' | 'failed';

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

export class CapacityRuns {
  constructor(private readonly db: Db) {}

  async create(scenario: Scenario, city: string, createdBy: string): Promise<CapacityRun> {
    const id = newId('cap');
    const total = scenario.days * scenario.fleets.length;
    const res = await this.db.query<Row>(
      `insert into capacity_runs (id, status, scenario, city, total_jobs, created_by) values ($1, 'queued', $2::jsonb, $3, $4, $5) returning *`,
      [id, JSON.stringify(scenario), city, total, createdBy],
    );
    return fromRow(res.rows[0]!);
  }

  async get(id: string): Promise<CapacityRun | undefined> {
    const res = await this.db.query<Row>('select * from capacity_runs where id = $1', [id]);
    return res.rows[0] && fromRow(res.rows[0]);
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
       where id = (select id from capacity_runs where status = 'queued' order by created_at, id limit 1) and status = 'queued' returning *`,
    );
    return res.rows[0] && fromRow(res.rows[0]);
  }

  async progress(id: string, done: number): Promise<void> {
    await this.db.query(`update capacity_runs set done_jobs = $2 where id = $1 and status = 'running'`, [id, done]);
  }

  async finish(id: string, result: StudyResult): Promise<void> {
    const { scenario: _s, ...rest } = result;
    await this.db.query(`update capacity_runs set status = 'done', done_jobs = total_jobs, result = $2::jsonb, finished_at = now() where id = $1`, [id, JSON.stringify(rest)]);
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
        const result = await runStudy(await this.opts.city(), run.scenario, {
          osmFile: this.opts.osmFile, networkCacheDir: this.opts.networkCacheDir, threads: this.opts.threads, signal: this.abort.signal,
          onProgress: (done, total) => {
            // at most once a second (and the last), without waiting on the store
            if (done < total && Date.now() - lastWriteMs < 1000) return;
            lastWriteMs = Date.now();
            runs.progress(id, done).catch((err: unknown) => logger.warn({ err, runId: id }, 'capacity run progress not stored'));
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
