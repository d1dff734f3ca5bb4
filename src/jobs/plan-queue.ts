import type { Db, Queryable } from '../store/db.js';

/**
 * The plan-job queue, a table in the store (migration 9). Any process with a free worker —
 * the service's own thread, or `npm run worker` on another machine against the same
 * PostgreSQL server — claims the oldest queued job with FOR UPDATE SKIP LOCKED, so two
 * claimers never take the same job and never wait on each other. A running job holds a
 * lease its runner renews; a job whose lease ran out (its process died) goes back to the
 * queue, up to max_attempts tries.
 *
 * Why a table and not pg-boss: the store is PGlite by default (one process, no server), where
 * pg-boss cannot run, and the queue needs only claim / renew / finish / requeue — four
 * statements that work the same on both engines and commit with the plan they produce.
 */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface PlanJobPayload {
  planId: string;
  date: string;
  district: string | null;
  options: { seed: number; iterations: number; timeLimitS: number };
  /** a re-plan of the plan in force (src/planning/replan.ts) from the state at atMs */
  replan?: { basePlanId: string; event: import('../planning/replan.js').ReplanEvent; atMs: number };
}

export interface PlanJobRow {
  kind: 'plan';
  id: string;
  planId: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  payload: PlanJobPayload;
  progress: unknown;
  owner: string | null;
  leaseUntil: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * A job of another kind in the same queue (migration 14): a capacity study's day, with no plan.
 * Its kind's handler (JobKind in plan-runner.ts) reads the payload.
 */
export interface OtherJobRow {
  kind: 'capacity_day';
  id: string;
  runId: string;
  attempts: number;
  maxAttempts: number;
  payload: unknown;
}

export type QueuedJob = PlanJobRow | OtherJobRow;
export type JobKindName = QueuedJob['kind'];

type Raw = {
  kind: JobKindName; run_id: string | null;
  id: string; plan_id: string; status: JobStatus; attempts: number; max_attempts: number; payload: PlanJobPayload; progress: unknown;
  owner: string | null; lease_until: Date | string | null; error: string | null; created_at: Date | string; started_at: Date | string | null; finished_at: Date | string | null;
};

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function toRow(r: Raw): PlanJobRow {
  return {
    kind: 'plan', id: r.id, planId: r.plan_id, status: r.status, attempts: r.attempts, maxAttempts: r.max_attempts, payload: r.payload, progress: r.progress,
    owner: r.owner, leaseUntil: iso(r.lease_until), error: r.error, createdAt: iso(r.created_at)!, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
  };
}

export class PlanQueue {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<PlanJobRow | undefined> {
    const res = await this.db.query<Raw>(`select * from plan_jobs where id = $1 and kind = 'plan'`, [id]);
    return res.rows[0] ? toRow(res.rows[0]) : undefined;
  }

  /** Inserts a queued job (inside the caller's transaction); false when its dedupe key exists. */
  async enqueue(q: Queryable, job: { id: string; payload: PlanJobPayload; dedupeKey?: string; maxAttempts?: number }): Promise<boolean> {
    const res = await q.query(
      `insert into plan_jobs (id, plan_id, status, payload, dedupe_key, max_attempts) values ($1, $2, 'queued', $3::jsonb, $4, $5)
       on conflict (dedupe_key) do nothing returning id`,
      [job.id, job.payload.planId, JSON.stringify(job.payload), job.dedupeKey ?? null, job.maxAttempts ?? 3],
    );
    return res.rows.length === 1;
  }

  /**
   * Takes the oldest queued job of the kinds this runner can run for `owner`, or undefined when
   * there is none. Plans first: a day's plan never waits behind a long capacity study.
   */
  claim(owner: string, leaseS: number): Promise<PlanJobRow | undefined>;
  claim(owner: string, leaseS: number, kinds: readonly JobKindName[]): Promise<QueuedJob | undefined>;
  async claim(owner: string, leaseS: number, kinds: readonly JobKindName[] = ['plan']): Promise<QueuedJob | undefined> {
    return this.db.transaction(async (tx) => {
      const next = await tx.query<{ id: string }>(
        `select id from plan_jobs where status = 'queued' and kind = any($1::text[]) order by kind = 'plan' desc, created_at, id limit 1 for update skip locked`,
        [kinds],
      );
      if (!next.rows[0]) return undefined;
      const res = await tx.query<Raw>(
        `update plan_jobs set status = 'running', attempts = attempts + 1, owner = $2, started_at = now(),
           lease_until = now() + make_interval(secs => $3), progress = null, error = null
         where id = $1 returning *`,
        [next.rows[0].id, owner, leaseS],
      );
      const r = res.rows[0]!;
      return r.kind === 'plan' ? toRow(r)
        : { kind: r.kind, id: r.id, runId: r.run_id!, attempts: r.attempts, maxAttempts: r.max_attempts, payload: r.payload };
    });
  }

  /** Renews the lease; false when the job is no longer this owner's (lease lost). */
  async renew(id: string, owner: string, leaseS: number, progress?: unknown): Promise<boolean> {
    const res = await this.db.query(
      `update plan_jobs set lease_until = now() + make_interval(secs => $3)${progress === undefined ? '' : ', progress = $4::jsonb'}
       where id = $1 and owner = $2 and status = 'running' returning id`,
      progress === undefined ? [id, owner, leaseS] : [id, owner, leaseS, JSON.stringify(progress)],
    );
    return res.rows.length === 1;
  }

  /** Finishes a job this owner holds (inside the transaction that stores its result); false if lost. */
  async finish(q: Queryable, id: string, owner: string, status: 'done' | 'failed', error?: string): Promise<boolean> {
    const res = await q.query(
      `update plan_jobs set status = $3, finished_at = now(), lease_until = null, error = $4
       where id = $1 and owner = $2 and status = 'running' returning id`,
      [id, owner, status, error ?? null],
    );
    return res.rows.length === 1;
  }

  /**
   * A try that did not finish (thread crashed, process stopping): back to the queue while
   * tries are left, else failed. Returns the new status, or undefined if the job was not held.
   */
  async release(id: string, owner: string, error: string): Promise<JobStatus | undefined> {
    const res = await this.db.query<{ status: JobStatus }>(
      `update plan_jobs set status = case when attempts < max_attempts then 'queued' else 'failed' end,
         owner = null, lease_until = null, error = $3, finished_at = case when attempts < max_attempts then null else now() end
       where id = $1 and owner = $2 and status = 'running' returning status`,
      [id, owner, error],
    );
    return res.rows[0]?.status;
  }

  /**
   * Jobs whose runner is gone: every running job when `all` (an embedded store has one
   * process, so at its start nobody else can be running one), else those whose lease ran out.
   * Returns the jobs that went back to the queue and those that used up their tries.
   */
  async recoverAbandoned(all: boolean): Promise<{ requeued: string[]; failed: Array<{ id: string; planId: string | null; runId: string | null }> }> {
    const res = await this.db.query<{ id: string; plan_id: string | null; run_id: string | null; status: JobStatus }>(
      `update plan_jobs set status = case when attempts < max_attempts then 'queued' else 'failed' end,
         owner = null, lease_until = null, error = 'its runner stopped before it finished',
         finished_at = case when attempts < max_attempts then null else now() end
       where status = 'running' and ($1 or lease_until < now()) returning id, plan_id, run_id, status`,
      [all],
    );
    return {
      requeued: res.rows.filter((r) => r.status === 'queued').map((r) => r.id),
      failed: res.rows.filter((r) => r.status === 'failed').map((r) => ({ id: r.id, planId: r.plan_id, runId: r.run_id })),
    };
  }
}
