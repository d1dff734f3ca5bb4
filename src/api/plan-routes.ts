import { z } from 'zod';
import { validateSolution } from '../../solver/index.js';
import type { CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import { planDate } from '../planning/plan-clock.js';
import { planModes, planStatuses } from '../planning/plan-model.js';
import { replanEventSchema } from '../planning/replan.js';
import { PlanConflict, PlanNotFound, type PlanStore } from '../planning/plan-store.js';
import { roles, type Principal, type Role } from '../domain/principal.js';
import { fleetScopeOf } from '../domain/fleet-scope.js';
import { ApiError, notFound } from './errors.js';
import type { ApiRoutes } from './routes.js';

/**
 * Plans (issue 12): ask for a plan (a queued job, 202), follow the job, read plans with their
 * routes as GeoJSON, publish, start, close, and validate a stored plan again.
 * Dispatchers and admins write; enforcement and planners read; drivers get their route elsewhere.
 */
export interface PlanRouteDeps {
  plans: PlanStore;
  profile(): CityProfile;
  districts(): Promise<string[]>;
  /** Why no plan can be made now (no road network), or null. */
  cannotPlan(): string | null;
  /** A job was queued: wake the local runner. */
  onQueued(): void;
  /** A plan was published, started or closed (drivers' pages, terminal texts). */
  onChanged?(planId: string, move: 'publish' | 'start' | 'close'): void;
}

const WRITE: readonly Role[] = ['admin', 'dispatcher'];
// 'planner' joins when the auth module has it (capacity planners read plans)
const READ: readonly Role[] = roles.filter((r) => (['admin', 'dispatcher', 'enforcement', 'planner'] as string[]).includes(r));

const idParams = z.strictObject({ id: entityId });
const district = z.string().min(1).max(100);

const planRequest = z.strictObject({
  date: planDate,
  /** omitted or null: the whole city */
  district: district.nullable().optional(),
  iterations: z.number().int().min(50).max(10_000_000).optional(),
  timeLimitS: z.number().min(1).max(3600).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** "snow": a snow day (清雪除冰) — street work is snow clearing and de-icing by priority (profile `winter`) */
  mode: z.enum(planModes).default('normal'),
});

const replanRequest = z.strictObject({
  /** what happened: a vehicle broke down (its remaining stops go to others), a facility closed */
  event: replanEventSchema,
  /** T, the moment the remaining work is planned from (default: now) */
  at: z.iso.datetime({ offset: true }).optional(),
  iterations: z.number().int().min(50).max(10_000_000).optional(),
  timeLimitS: z.number().min(1).max(3600).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

const listQuery = z.strictObject({
  date: planDate.optional(),
  district: district.optional(),
  /** true: whole-city plans only */
  city: z.enum(['true', 'false']).optional(),
  status: z.enum(planStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Who did it, for the record (a user when the auth module names one, else the token). */
export function actorOf(p: Principal | undefined): string {
  if (!p) return 'anonymous';
  const user = (p as Principal & { userId?: string }).userId;
  return `${p.role}:${user ?? p.tokenId}${p.label ? ` (${p.label})` : ''}`;
}

/**
 * A person scoped to a district reads and makes the plans of that district only: another
 * district's plan, or a whole-city plan (it routes every district's trucks), is 403.
 * Plans are per district, not per contractor: a contractor scope does not narrow them.
 */
export function districtScopeOf(principal: Principal | undefined): string | undefined {
  return fleetScopeOf(principal)?.district;
}

export function assertPlanInScope(principal: Principal | undefined, planDistrict: string | null, path = 'params.id'): void {
  const district = districtScopeOf(principal);
  if (district !== undefined && planDistrict !== district) {
    const what = planDistrict === null ? 'a whole-city plan' : `a plan of district "${planDistrict}"`;
    throw new ApiError(403, 'forbidden', [{ path, message: `this account sees only the plans of district "${district}", not ${what}` }], 'auth.forbidden');
  }
}

function rethrow(err: unknown): never {
  if (err instanceof PlanConflict) throw new ApiError(409, err.message, err.details);
  if (err instanceof PlanNotFound) throw notFound('plan', err.id);
  throw err;
}

export function addPlanRoutes(api: ApiRoutes, deps: PlanRouteDeps): void {
  const assertPlanIdInScope = async (principal: Principal | undefined, id: string): Promise<void> => {
    if (districtScopeOf(principal) === undefined) return;
    const plan = await deps.plans.get(id);
    if (!plan) throw notFound('plan', id);
    assertPlanInScope(principal, plan.district);
  };

  api.add({
    method: 'post', path: '/plans', roles: WRITE, body: planRequest,
    summary: 'Plan a date for a district or the whole city: queues a job, answers 202 with its id and the plan id',
    handler: async ({ body, principal }) => {
      assertPlanInScope(principal, body.district ?? null, 'body.district');
      const why = deps.cannotPlan();
      if (why) throw new ApiError(503, 'planning unavailable', [{ path: 'config.OSM_FILE', message: why }]);
      if (body.district && !(await deps.districts()).includes(body.district)) {
        throw new ApiError(422, 'unknown district', [{ path: 'body.district', message: `no point, road segment, vehicle, depot or site names district "${body.district}"` }]);
      }
      const planning = deps.profile().planning;
      const options = { seed: body.seed ?? planning.seed, iterations: body.iterations ?? planning.iterations, timeLimitS: body.timeLimitS ?? planning.timeLimitS, mode: body.mode };
      const created = (await deps.plans.create({ date: body.date, district: body.district ?? null, options, createdBy: actorOf(principal) }))!;
      deps.onQueued();
      return {
        status: 202,
        headers: { location: `/api/v1/plan-jobs/${created.jobId}` },
        body: { jobId: created.jobId, planId: created.planId, version: created.version, status: 'planning' },
      };
    },
  });

  api.add({
    method: 'post', path: '/plans/:id/replan', roles: WRITE, params: idParams, body: replanRequest,
    summary: 'Re-plan the plan in force from the state at T after an event: queues a job for a new draft version (202); stops done stay, the rest stay on their vehicles where they can',
    handler: async ({ params, body, principal }) => {
      const why = deps.cannotPlan();
      if (why) throw new ApiError(503, 'planning unavailable', [{ path: 'config.OSM_FILE', message: why }]);
      const plan = await deps.plans.get(params.id);
      if (!plan) throw notFound('plan', params.id);
      if (plan.status !== 'published' && plan.status !== 'in_progress') {
        throw new ApiError(409, `cannot re-plan a ${plan.status} plan`, [{ path: 'status', message: `re-planning starts from the plan in force (published or in progress); plan ${plan.id} is ${plan.status}` }]);
      }
      const base = await deps.plans.problemOf(params.id);
      const event = body.event;
      if (event.kind === 'breakdown' && !base!.problem.vehicles.some((v) => v.id === event.vehicleId)) {
        throw new ApiError(422, 'unknown vehicle', [{ path: 'body.event.vehicleId', message: `plan ${plan.id} has no vehicle "${event.vehicleId}"` }]);
      }
      if (event.kind === 'facility_closed' && !(base!.problem.facilities ?? []).some((f) => f.id === event.facilityId)) {
        throw new ApiError(422, 'unknown facility', [{ path: 'body.event.facilityId', message: `plan ${plan.id} uses no facility "${event.facilityId}"` }]);
      }
      if (event.kind === 'road_blocked') {
        if (!event.roadSegmentIds && !event.line && !event.area) {
          throw new ApiError(400, 'no road named', [{ path: 'body.event', message: 'a blocked road needs roadSegmentIds, a line or an area' }]);
        }
        const unknown = await deps.plans.unknownRoadSegments(event.roadSegmentIds ?? []);
        if (unknown.length > 0) {
          const i = event.roadSegmentIds!.indexOf(unknown[0]!);
          throw new ApiError(422, 'unknown road segment', [{ path: `body.event.roadSegmentIds.${i}`, message: `no road segment "${unknown[0]}" is stored` }]);
        }
      }
      const planning = deps.profile().planning;
      // a re-plan is wanted in seconds: a fifth of the night's budget unless told
      const options = { seed: body.seed ?? planning.seed, iterations: body.iterations ?? Math.max(100, Math.round(planning.iterations / 5)), timeLimitS: body.timeLimitS ?? planning.timeLimitS,
        // the remaining work is the base plan's: a snow day's re-plan is a snow plan too
        mode: plan.options.mode ?? 'normal' };
      const atMs = body.at ? Date.parse(body.at) : Date.now();
      const created = (await deps.plans.create({ date: plan.date, district: plan.district, options, createdBy: actorOf(principal), replan: { basePlanId: plan.id, event, atMs } }))!;
      deps.onQueued();
      return {
        status: 202,
        headers: { location: `/api/v1/plan-jobs/${created.jobId}` },
        body: { jobId: created.jobId, planId: created.planId, version: created.version, status: 'planning', basePlanId: plan.id },
      };
    },
  });

  api.add({
    method: 'get', path: '/plans/:id/diff', roles: READ, params: idParams,
    summary: 'A re-planned version against the plan it re-planned: per vehicle stops kept, added and removed; stops moved between vehicles; stops done before T',
    handler: async ({ params }) => {
      const rec = await deps.plans.replanRecord(params.id);
      if (rec === undefined) throw notFound('plan', params.id);
      if (rec === null) throw new ApiError(409, 'not a re-planned version', [{ path: 'params.id', message: 'the plan was made from the city, not re-planned (or its job has not finished)' }]);
      return rec;
    },
  });

  api.add({
    method: 'get', path: '/plan-jobs/:id', roles: READ, params: idParams,
    summary: 'A plan job: queued / running (with progress) / done / failed, tries',
    handler: async ({ params, principal }) => {
      const job = await deps.plans.queue.get(params.id);
      if (!job) throw notFound('plan job', params.id);
      assertPlanInScope(principal, job.payload.district);
      return job;
    },
  });

  api.add({
    method: 'get', path: '/plans', roles: READ, query: listQuery,
    summary: 'Plans by date, district (city=true: whole-city plans) and status, newest version first',
    handler: async ({ query, principal }) => {
      const scoped = districtScopeOf(principal);
      const asked = query.city === 'true' ? null : query.district;
      // A scoped reader's list holds their district's plans only (asking for another gives none).
      if (scoped !== undefined && asked !== undefined && asked !== scoped) return { items: [], total: 0, limit: query.limit, offset: query.offset };
      const { items, total } = await deps.plans.list({
        date: query.date, district: scoped ?? asked, status: query.status, limit: query.limit, offset: query.offset,
      });
      return { items, total, limit: query.limit, offset: query.offset };
    },
  });

  api.add({
    method: 'get', path: '/plans/:id', roles: READ, params: idParams,
    summary: 'A plan: figures, validation report, unserved items with reasons, solution, routes and stops as GeoJSON',
    handler: async ({ params, principal }) => {
      const plan = await deps.plans.get(params.id);
      if (!plan) throw notFound('plan', params.id);
      assertPlanInScope(principal, plan.district);
      const { geometry, ...rest } = plan;
      return { ...rest, routes: geometry };
    },
  });

  /** The stored Problem and Solution of a plan: 404 for an unknown plan, 409 while it has none. */
  const solvedProblemOf = async (planId: string, noSolution: string) => {
    const stored = await deps.plans.problemOf(planId);
    if (stored) return stored;
    if (!(await deps.plans.get(planId))) throw notFound('plan', planId);
    throw new ApiError(409, noSolution, [{ path: 'params.id', message: 'its job has not finished (or failed)' }]);
  };

  api.add({
    method: 'get', path: '/plans/:id/problem', roles: READ, params: idParams,
    summary: 'The solver Problem a plan was solved from (matrices included), its Solution and the mapping of solver indices to places and records, for independent checking and the fleet simulator',
    handler: async ({ params, principal }) => {
      await assertPlanIdInScope(principal, params.id);
      return solvedProblemOf(params.id, 'the plan has no solution yet');
    },
  });

  api.add({
    method: 'post', path: '/plans/:id/publish', roles: WRITE, params: idParams,
    summary: 'Publish a draft: it becomes the plan in force for its date and district (the previous one is superseded)',
    handler: async ({ params, principal }) => {
      await assertPlanIdInScope(principal, params.id);
      let published;
      try {
        published = await deps.plans.publish(params.id, actorOf(principal));
      } catch (err) {
        rethrow(err);
      }
      deps.onChanged?.(params.id, 'publish');
      return published;
    },
  });

  for (const move of ['start', 'close'] as const) {
    api.add({
      method: 'post', path: `/plans/:id/${move}`, roles: WRITE, params: idParams,
      summary: move === 'start' ? 'A published plan is under way (in progress)' : 'Close a plan in progress (the day is over)',
      handler: async ({ params, principal }) => {
        await assertPlanIdInScope(principal, params.id);
        let moved;
        try {
          moved = await deps.plans.transition(params.id, move);
        } catch (err) {
          rethrow(err);
        }
        deps.onChanged?.(params.id, move);
        return moved;
      },
    });
  }

  api.add({
    method: 'post', path: '/plans/:id/revalidate', roles: WRITE, params: idParams,
    summary: 'Run the plan validator again on the stored Problem and Solution; the report is stored',
    handler: async ({ params, principal }) => {
      await assertPlanIdInScope(principal, params.id);
      const stored = await solvedProblemOf(params.id, 'the plan has no solution to validate');
      const report = validateSolution(stored.problem, stored.solution);
      await deps.plans.saveValidation(params.id, report);
      return report;
    },
  });
}
