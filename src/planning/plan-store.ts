import type { ProblemInput, Solution, ValidationReport } from '../../solver/index.js';
import { newId } from '../store/city-repo.js';
import type { Db, Queryable } from '../store/db.js';
import { PlanQueue, type PlanJobPayload } from '../jobs/plan-queue.js';
import type { PlanJobResult } from './plan-job.js';
import { planTransitions, type PlanFigures, type PlanOptions, type PlanStatus, type UnservedItem } from './plan-model.js';
import { joinProblem } from './problem-codec.js';
import type { PlanningSnapshot } from './snapshot.js';
import type { PlanMapping } from './build-problem.js';
import type { ReplanBase, ReplanRecord } from './replan.js';

/** A refused state change: the API answers 409 with these details. */
export class PlanConflict extends Error {
  constructor(message: string, readonly details: Array<{ path: string; message: string }>) {
    super(message);
  }
}

export interface PlanSummary {
  id: string;
  date: string;
  district: string | null;
  version: number;
  status: PlanStatus;
  options: PlanOptions;
  figures: PlanFigures | null;
  valid: boolean | null;
  error: string | null;
  jobId: string | null;
  createdBy: string | null;
  createdAt: string;
  solvedAt: string | null;
  publishedBy: string | null;
  publishedAt: string | null;
  startedAt: string | null;
  closedAt: string | null;
  supersededBy: string | null;
  revalidatedAt: string | null;
}

export interface PlanDetail extends PlanSummary {
  solution: Solution | null;
  validation: ValidationReport | null;
  unserved: UnservedItem[];
  geometry: unknown;
}

const SUMMARY = `p.id, to_char(p.plan_date, 'YYYY-MM-DD') as date, p.district, p.version, p.status, p.options, p.figures,
  (p.validation->>'valid')::boolean as valid, p.error, p.created_by, p.created_at, p.solved_at, p.published_by, p.published_at,
  p.started_at, p.closed_at, p.superseded_by, p.revalidated_at,
  (select j.id from plan_jobs j where j.plan_id = p.id order by j.created_at desc limit 1) as job_id`;

type Raw = Record<string, any>;
const iso = (d: unknown): string | null => (d === null || d === undefined ? null : new Date(d as string).toISOString());

function toSummary(r: Raw): PlanSummary {
  return {
    id: r.id, date: r.date, district: r.district, version: r.version, status: r.status, options: r.options, figures: r.figures ?? null,
    valid: r.valid ?? null, error: r.error ?? null, jobId: r.job_id ?? null, createdBy: r.created_by, createdAt: iso(r.created_at)!,
    solvedAt: iso(r.solved_at), publishedBy: r.published_by, publishedAt: iso(r.published_at), startedAt: iso(r.started_at),
    closedAt: iso(r.closed_at), supersededBy: r.superseded_by, revalidatedAt: iso(r.revalidated_at),
  };
}

/** '' stands for the whole city in the unique keys (NULLs never collide). */
export const districtKey = (district: string | null): string => district ?? '';

/** Plans as stored, versioned records (migration 9). */
export class PlanStore {
  readonly queue: PlanQueue;

  constructor(private readonly db: Db) {
    this.queue = new PlanQueue(db);
  }

  /**
   * A new version for the date and district, in state 'planning', with the job that makes it.
   * With a dedupe key an existing job of that key wins (the nightly run on several instances):
   * undefined is returned and nothing is written.
   */
  async create(input: { date: string; district: string | null; options: PlanOptions; createdBy: string | null; dedupeKey?: string; replan?: PlanJobPayload['replan'] }): Promise<{ planId: string; jobId: string; version: number } | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const planId = newId('plan');
          const jobId = newId('job');
          const v = await tx.query<{ v: number }>('select coalesce(max(version), 0)::int + 1 as v from plans where plan_date = $1 and district_key = $2', [input.date, districtKey(input.district)]);
          const version = v.rows[0]!.v;
          await tx.query(
            `insert into plans (id, plan_date, district, district_key, version, status, options, created_by) values ($1, $2, $3, $4, $5, 'planning', $6::jsonb, $7)`,
            [planId, input.date, input.district, districtKey(input.district), version, JSON.stringify(input.options), input.createdBy],
          );
          const payload: PlanJobPayload = { planId, date: input.date, district: input.district, options: input.options, ...(input.replan ? { replan: input.replan } : {}) };
          if (!(await this.queue.enqueue(tx, { id: jobId, payload, dedupeKey: input.dedupeKey }))) throw new DuplicateJob();
          return { planId, jobId, version };
        });
      } catch (err) {
        if (err instanceof DuplicateJob) return undefined;
        // two versions numbered at once: the loser numbers again
        if ((err as { code?: string }).code === '23505' && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** Which of these road segment ids are not stored (a blocked-road re-plan names stored segments). */
  async unknownRoadSegments(ids: string[]): Promise<string[]> {
    const res = await this.db.query<{ id: string }>('select id from road_segments where id = any($1::text[])', [ids]);
    const known = new Set(res.rows.map((r) => r.id));
    return ids.filter((id) => !known.has(id));
  }

  async get(id: string): Promise<PlanDetail | undefined> {
    const res = await this.db.query<Raw>(`select ${SUMMARY}, p.solution, p.validation, p.unserved, p.geometry from plans p where p.id = $1`, [id]);
    const r = res.rows[0];
    if (!r) return undefined;
    return { ...toSummary(r), solution: r.solution ?? null, validation: r.validation ?? null, unserved: r.unserved ?? [], geometry: r.geometry ?? null };
  }

  async list(filter: { date?: string; district?: string | null; status?: PlanStatus; limit: number; offset: number }): Promise<{ items: PlanSummary[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.date) where.push(`p.plan_date = $${params.push(filter.date)}`);
    if (filter.district !== undefined) where.push(`p.district_key = $${params.push(districtKey(filter.district))}`);
    if (filter.status) where.push(`p.status = $${params.push(filter.status)}`);
    const whereSql = where.length ? `where ${where.join(' and ')}` : '';
    const total = await this.db.query<{ n: number }>(`select count(*)::int as n from plans p ${whereSql}`, params);
    const res = await this.db.query<Raw>(
      `select ${SUMMARY} from plans p ${whereSql} order by p.plan_date desc, p.district_key, p.version desc limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { items: res.rows.map(toSummary), total: total.rows[0]!.n };
  }

  /** The Problem the plan was solved from (matrices unpacked), with its solution. */
  /** With the mapping from solver indices to the city's records (the fleet simulator drives a plan from these three). */
  async problemOf(id: string): Promise<{ problem: ProblemInput; solution: Solution; mapping: PlanMapping | null } | undefined> {
    const res = await this.db.query<{ problem: ProblemInput | null; problem_matrices: Uint8Array | null; solution: Solution | null; mapping: PlanMapping | null }>(
      'select problem, problem_matrices, solution, mapping from plans where id = $1', [id],
    );
    const r = res.rows[0];
    if (!r?.problem || !r.problem_matrices || !r.solution) return undefined;
    return { problem: joinProblem(r.problem, r.problem_matrices), solution: r.solution, mapping: r.mapping };
  }

  /** What a re-plan starts from: the plan's Problem, solution and mapping. */
  async replanBase(id: string): Promise<ReplanBase | undefined> {
    const stored = await this.problemOf(id);
    if (!stored) return undefined;
    const res = await this.db.query<{ mapping: PlanMapping }>('select mapping from plans where id = $1', [id]);
    return { planId: id, problem: stored.problem, solution: stored.solution, mapping: res.rows[0]!.mapping };
  }

  /** A re-planned version's record (what it re-planned and what changed), or null for a plan made from the city. */
  async replanRecord(id: string): Promise<ReplanRecord | null | undefined> {
    const res = await this.db.query<{ rec: ReplanRecord | null }>(`select mapping->'replan' as rec from plans where id = $1`, [id]);
    if (!res.rows[0]) return undefined;
    return res.rows[0].rec ?? null;
  }

  /** Stores a finished job's plan as a draft, in the same transaction as the job's end. */
  async storeResult(planId: string, jobId: string, owner: string, result: PlanJobResult): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await this.queue.finish(tx, jobId, owner, 'done'))) return false;
      await tx.query(
        `update plans set status = 'draft', problem = $2::jsonb, problem_matrices = $3, mapping = $4::jsonb, solution = $5::jsonb,
           figures = $6::jsonb, validation = $7::jsonb, unserved = $8::jsonb, geometry = $9::jsonb, error = null, solved_at = now(), updated_at = now()
         where id = $1 and status = 'planning'`,
        [planId, JSON.stringify(result.problemDoc), Buffer.from(result.problemMatrices), JSON.stringify(result.mapping), JSON.stringify(result.solution),
          JSON.stringify(result.figures), JSON.stringify(result.report), JSON.stringify(result.unserved), JSON.stringify(result.geometry)],
      );
      return true;
    });
  }

  /** A job that will not be tried again leaves its plan failed with the reason. */
  async markFailed(planId: string, error: string, q: Queryable = this.db): Promise<void> {
    await q.query(`update plans set status = 'failed', error = $2, updated_at = now() where id = $1 and status = 'planning'`, [planId, error]);
  }

  async failJob(planId: string, jobId: string, owner: string, error: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (await this.queue.finish(tx, jobId, owner, 'failed', error)) await this.markFailed(planId, error, tx);
    });
  }

  /**
   * What published plans of the date hold, apart from the date+district being planned (its
   * own published plan is the one a new version would supersede).
   */
  async reserved(date: string, district: string | null, q: Queryable = this.db): Promise<PlanningSnapshot['reserved']> {
    const res = await q.query<{ id: string; solution: Solution | null; figures: PlanFigures | null }>(
      `select id, solution, figures from plans where plan_date = $1 and district_key <> $2 and status in ('published', 'in_progress') order by id`,
      [date, districtKey(district)],
    );
    const vehicleIds = new Set<string>();
    const facilityKg: Record<string, number> = {};
    for (const r of res.rows) {
      for (const route of r.solution?.routes ?? []) vehicleIds.add(route.vehicleId);
      for (const [f, kg] of Object.entries(r.figures?.facilityKg ?? {})) facilityKg[f] = (facilityKg[f] ?? 0) + kg;
    }
    return { planIds: res.rows.map((r) => r.id), vehicleIds: [...vehicleIds].sort(), facilityKg };
  }

  /**
   * draft → published: the plan in force for its date and district (if any) is superseded.
   * Refused while a vehicle it routes is routed by another published plan of the date, or when
   * it and those plans together would overfill a facility's daily capacity.
   */
  async publish(id: string, by: string): Promise<PlanSummary> {
    await this.db.transaction(async (tx) => {
      const plan = await this.lock(tx, id);
      this.checkTransition(plan, 'publish');
      const date = plan.date as string;
      const reserved = await this.reserved(date, plan.district, tx);
      const solution = plan.solution as Solution;
      const figures = plan.figures as PlanFigures;
      const details: Array<{ path: string; message: string }> = [];
      const busy = new Set(reserved.vehicleIds);
      for (const r of solution.routes) {
        if (busy.has(r.vehicleId)) details.push({ path: `solution.routes.${r.vehicleId}`, message: `vehicle ${r.vehicleId} is routed by another published plan of ${date} (${reserved.planIds.join(', ')}): plan this district again` });
      }
      const capacities = await tx.query<{ id: string; cap: number }>(`select id, (doc->>'dailyCapacityKg')::float8 as cap from facilities where kind not in ('water_point', 'deicer_store')`);
      for (const { id: fid, cap } of capacities.rows) {
        const total = (reserved.facilityKg[fid] ?? 0) + (figures.facilityKg[fid] ?? 0);
        if ((figures.facilityKg[fid] ?? 0) > 0 && total > cap + 1e-6) {
          details.push({ path: `figures.facilityKg.${fid}`, message: `facility ${fid} would receive ${Math.round(total)} kg from the published plans of ${date}, over its ${cap} kg a day` });
        }
      }
      if (details.length) throw new PlanConflict('the plan conflicts with published plans of the same date', details);
      await tx.query(
        `update plans set status = 'superseded', superseded_by = $1, updated_at = now()
         where plan_date = $2 and district_key = $3 and status in ('published', 'in_progress') and id <> $1`,
        [id, date, plan.district_key],
      );
      await tx.query(`update plans set status = 'published', published_by = $2, published_at = now(), updated_at = now() where id = $1`, [id, by]);
    });
    return (await this.get(id))!;
  }

  /** published → in_progress (the day has begun), in_progress → closed. */
  async transition(id: string, move: 'start' | 'close'): Promise<PlanSummary> {
    await this.db.transaction(async (tx) => {
      const plan = await this.lock(tx, id);
      this.checkTransition(plan, move);
      const stamp = move === 'start' ? 'started_at' : 'closed_at';
      await tx.query(`update plans set status = $2, ${stamp} = now(), updated_at = now() where id = $1`, [id, planTransitions[move].to]);
    });
    return (await this.get(id))!;
  }

  async saveValidation(id: string, report: ValidationReport): Promise<void> {
    const violations = report.violations.length;
    await this.db.query(
      `update plans set validation = $2::jsonb, revalidated_at = now(), updated_at = now(),
         figures = case when figures is null then null else jsonb_set(figures, '{violations}', to_jsonb($3::int)) end
       where id = $1`,
      [id, JSON.stringify(report), violations],
    );
  }

  private async lock(tx: Queryable, id: string): Promise<Raw> {
    const res = await tx.query<Raw>(
      `select id, to_char(plan_date, 'YYYY-MM-DD') as date, district, district_key, status, solution, figures from plans where id = $1 for update`, [id],
    );
    if (!res.rows[0]) throw new PlanNotFound(id);
    return res.rows[0];
  }

  private checkTransition(plan: Raw, move: keyof typeof planTransitions): void {
    const rule = planTransitions[move];
    if (!rule.from.includes(plan.status)) {
      throw new PlanConflict(`cannot ${move} a ${plan.status} plan`, [{ path: 'status', message: `${move} needs a plan in state ${rule.from.join(' or ')}; plan ${plan.id} is ${plan.status}` }]);
    }
  }
}

export class PlanNotFound extends Error {
  constructor(readonly id: string) {
    super(`no plan "${id}"`);
  }
}

class DuplicateJob extends Error {}
