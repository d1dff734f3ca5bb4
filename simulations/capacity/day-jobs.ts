import type { Logger } from 'pino';
import type { JobKind } from '../../src/jobs/plan-runner.js';
import { PlanQueue, type OtherJobRow } from '../../src/jobs/plan-queue.js';
import type { PlanThread } from '../../src/planning/plan-thread.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { evaluateDay, type DayOutcome } from './evaluate.js';
import type { FleetShare } from './runs.js';
import type { Scenario } from './scenario.js';
import { prepareStudy, summarize, type PreparedStudy } from './study.js';

/**
 * A capacity run's days as jobs of the plan queue (migration 14), for a PostgreSQL store: the
 * service's plan threads and every `npm run worker` process take them like plan jobs (SKIP
 * LOCKED, leases), so a run spreads over machines and outlives a restart (a day in hand when a
 * process stops goes back to the queue). Each day's outcome is stored as it comes; whoever
 * stores the last one summarizes the run. The run row keeps the city it studies, so every
 * process plans exactly the days a single process would (prepareStudy is a function of the
 * city, the scenario and the job's index).
 */
export const CAPACITY_DAY_KIND = 'capacity_day' as const;

/** In the transaction creating the run: one queued job per (fleet, day), in study order. */
export async function enqueueDays(q: Queryable, runId: string, count: number): Promise<void> {
  await q.query(
    `insert into plan_jobs (id, kind, run_id, status, payload)
     select $1 || '-' || lpad(g::text, 6, '0'), 'capacity_day', $1, 'queued', jsonb_build_object('seq', g) from generate_series(0, $2::int - 1) g`,
    [runId, count],
  );
}

export interface CapacityDayJobsOptions {
  db: Db;
  logger: Logger;
  osmFile: string;
  networkCacheDir?: string;
}

export class CapacityDayJobs implements JobKind {
  readonly kind = CAPACITY_DAY_KIND;
  private readonly queue: PlanQueue;
  /** the runs whose days this process plans now (a few: one study at a time is the rule) */
  private readonly studies = new Map<string, Promise<PreparedStudy | undefined>>();

  constructor(private readonly opts: CapacityDayJobsOptions) {
    this.queue = new PlanQueue(opts.db);
  }

  private study(runId: string): Promise<PreparedStudy | undefined> {
    let s = this.studies.get(runId);
    if (!s) {
      s = this.opts.db.query<{ scenario: Scenario; city_snapshot: PlanningSnapshot | null }>(
        'select scenario, city_snapshot from capacity_runs where id = $1', [runId],
      ).then((r) => {
        const row = r.rows[0];
        if (!row?.city_snapshot) return undefined;
        return prepareStudy(row.city_snapshot, row.scenario, { osmFile: this.opts.osmFile, networkCacheDir: this.opts.networkCacheDir });
      });
      s.catch(() => this.studies.delete(runId));
      this.studies.set(runId, s);
      while (this.studies.size > 3) this.studies.delete(this.studies.keys().next().value!);
    }
    return s;
  }

  async run(thread: PlanThread, job: OtherJobRow, owner: string): Promise<void> {
    const { db } = this.opts;
    const seq = (job.payload as { seq?: unknown }).seq;
    if (typeof seq !== 'number') throw new Error(`capacity day job ${job.id} names no day (payload.seq)`);
    const study = await this.study(job.runId);
    if (!study) throw new Error(`capacity run ${job.runId} is gone or holds no city`);
    const state = await db.query<{ status: string }>(
      `update capacity_runs set status = case when status = 'queued' then 'running' else status end, started_at = coalesce(started_at, now())
       where id = $1 returning status`, [job.runId],
    );
    if (state.rows[0]?.status !== 'running') {
      // the run failed meanwhile (another day's error): nothing to plan
      await this.queue.finish(db, job.id, owner, 'failed', 'its capacity run ended');
      return;
    }
    const dayJob = study.job(seq);
    const result = await thread.run(job.id, dayJob.input, () => undefined);
    const outcome = evaluateDay(dayJob.base, result, dayJob.input.snapshot.facilities);
    const finished = await db.transaction(async (tx) => {
      // one finisher at a time per run: whoever stores the last day sees all the others
      const run = await tx.query<{ status: string; total_jobs: number }>('select status, total_jobs from capacity_runs where id = $1 for update', [job.runId]);
      if (!(await this.queue.finish(tx, job.id, owner, 'done'))) return 'lease lost' as const;
      await tx.query(
        `insert into capacity_days (run_id, seq, fleet, day, cleared, outcome, job_owner) values ($1, $2, $3, $4, $5, $6::jsonb, $7) on conflict do nothing`,
        [job.runId, seq, outcome.fleet, outcome.day, outcome.cleared, JSON.stringify(outcome), owner],
      );
      const counts = await tx.query<{ fleet: string; days: number; cleared: number }>(
        `select fleet, count(*)::int as days, (count(*) filter (where cleared))::int as cleared from capacity_days where run_id = $1 group by fleet`, [job.runId],
      );
      const byFleet = new Map(counts.rows.map((c) => [c.fleet, c]));
      const shares: FleetShare[] = study.scenario.fleets.map((_, f) => {
        const label = study.job(f * study.scenario.days).label;
        const c = byFleet.get(label);
        return { label, days: c?.days ?? 0, cleared: c?.cleared ?? 0 };
      });
      const done = shares.reduce((n, s) => n + s.days, 0);
      if (done < run.rows[0]!.total_jobs || run.rows[0]!.status !== 'running') {
        await tx.query(`update capacity_runs set done_jobs = $2, shares = $3::jsonb where id = $1`, [job.runId, done, JSON.stringify(shares)]);
        return 'stored' as const;
      }
      const days = await tx.query<{ outcome: DayOutcome }>('select outcome from capacity_days where run_id = $1 order by seq', [job.runId]);
      const { scenario: _s, ...result } = summarize(study.scenario, days.rows.map((d) => d.outcome));
      await tx.query(
        `update capacity_runs set status = 'done', done_jobs = $2, shares = $3::jsonb, result = $4::jsonb, finished_at = now() where id = $1`,
        [job.runId, done, JSON.stringify(shares), JSON.stringify(result)],
      );
      return 'run done' as const;
    });
    if (finished === 'lease lost') this.opts.logger.warn({ jobId: job.id, runId: job.runId }, 'capacity day finished after losing its lease: dropped (another process plans it)');
    if (finished === 'run done') {
      this.studies.delete(job.runId);
      this.opts.logger.info({ runId: job.runId }, 'capacity run done');
    }
  }

  /** A day failed for good: the run fails with its reason, and its days still queued are dropped. */
  async failed(job: { id: string; runId: string | null }, _owner: string, error: string): Promise<void> {
    if (job.runId === null) return;
    await this.opts.db.transaction(async (tx) => {
      await tx.query(
        `update capacity_runs set status = 'failed', error = $2, finished_at = now() where id = $1 and status in ('queued', 'running')`,
        [job.runId, `day job ${job.id}: ${error}`.slice(0, 2000)],
      );
      await tx.query(
        `update plan_jobs set status = 'failed', error = 'its capacity run failed', finished_at = now() where run_id = $1 and status = 'queued'`, [job.runId],
      );
    });
    this.studies.delete(job.runId);
  }
}
