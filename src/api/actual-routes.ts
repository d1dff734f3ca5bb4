import { z } from 'zod';
import type { RoadNetwork } from '../../solver/network/index.js';
import type { CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import { roles, type Role } from '../domain/principal.js';
import type { ActualStore } from '../planning/actual/actual-store.js';
import { dailyFigures, type DailyFigures } from '../planning/actual/daily-figures.js';
import { rankContractors } from '../planning/actual/contractor-figures.js';
import { judgeStoredPlan } from '../planning/actual/monitor.js';
import { PlanClock, planDate } from '../planning/plan-clock.js';
import type { Queryable } from '../store/db.js';
import type { ActualStatus } from '../planning/actual/plan-actual.js';
import type { PlanStore } from '../planning/plan-store.js';
import { ApiError, notFound } from './errors.js';
import { assertPlanInScope, districtScopeOf } from './plan-routes.js';
import type { Principal } from '../domain/principal.js';
import type { ApiRoutes } from './routes.js';

/**
 * Plan against actual (issue 12, item 5): each planned stop and street done / late / missed with
 * its times, per vehicle; judging a stored day again; the plan events (missed collection,
 * sweeping gap). Read like plans (admin, dispatcher, enforcement, planner); re-judging is a
 * dispatcher's act.
 */
export interface ActualRouteDeps {
  db: Queryable;
  plans: PlanStore;
  actual: ActualStore;
  profile(): CityProfile;
  network(): RoadNetwork | undefined;
  /** The live judge re-reads what is being driven (after a re-judged day). */
  onJudged?(): void;
}

const WRITE: readonly Role[] = ['admin', 'dispatcher'];
const READ: readonly Role[] = roles.filter((r) => (['admin', 'dispatcher', 'enforcement', 'planner'] as string[]).includes(r));
const idParams = z.strictObject({ id: entityId });
/** a month of days at most: each day judges its plans again when they were never judged */
const MAX_RANGE_DAYS = 31;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const instant = z.iso.datetime({ offset: true });

const eventQuery = z.strictObject({
  planId: entityId.optional(),
  type: z.enum(['missed_collection', 'sweeping_gap']).optional(),
  vehicleId: entityId.optional(),
  /** events due at or after this instant */
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const iso = (x: number | undefined) => (x === undefined ? null : new Date(x).toISOString());

function view(s: ActualStatus) {
  return {
    key: s.key, recordId: s.recordId, itemId: s.itemId, ...(s.visit === undefined ? {} : { visit: s.visit }), ...(s.seq === undefined ? {} : { seq: s.seq }),
    status: s.status, source: s.source, ...(s.kind === 'segment' ? { vehicleIds: s.vehicleIds, passes: s.passes ?? 0, requiredPasses: s.requiredPasses ?? 0 } : {}),
    [s.kind === 'stop' ? 'windowStart' : 'plannedStart']: iso(s.kind === 'stop' ? s.fromMs : s.plannedStartMs),
    [s.kind === 'stop' ? 'windowEnd' : 'deadline']: iso(s.dueMs),
    ...(s.kind === 'stop' ? { plannedStart: iso(s.plannedStartMs), arrival: iso(s.arrivalMs), departure: iso(s.departureMs) } : { completed: iso(s.departureMs) }),
  };
}

function answer(plan: { id: string; date: string; status: string }, statuses: ActualStatus[]) {
  const totals = { stops: { pending: 0, done: 0, late: 0, missed: 0 }, segments: { pending: 0, done: 0, late: 0, missed: 0 } };
  const vehicles = new Map<string, { vehicleId: string; stops: unknown[]; segments: unknown[] }>();
  const of = (id: string) => vehicles.get(id) ?? vehicles.set(id, { vehicleId: id, stops: [], segments: [] }).get(id)!;
  for (const s of statuses) {
    totals[s.kind === 'stop' ? 'stops' : 'segments'][s.status]++;
    if (s.kind === 'stop') of(s.vehicleIds[0]!).stops.push(view(s));
    else for (const v of s.vehicleIds) of(v).segments.push(view(s));
  }
  for (const v of vehicles.values()) (v.stops as Array<{ seq: number }>).sort((a, b) => a.seq - b.seq);
  return { planId: plan.id, date: plan.date, planStatus: plan.status, totals, vehicles: [...vehicles.values()].sort((a, b) => a.vehicleId.localeCompare(b.vehicleId)) };
}

export function addActualRoutes(api: ApiRoutes, deps: ActualRouteDeps): void {
  // a person scoped to a district reads the plans of that district only (as the plan routes)
  const judged = async (id: string, again: boolean, principal: Principal | undefined) => {
    const plan = await deps.plans.get(id);
    if (!plan) throw notFound('plan', id);
    assertPlanInScope(principal, plan.district);
    if (!['published', 'in_progress', 'closed'].includes(plan.status)) {
      if (again) throw new ApiError(409, 'only a published plan is driven', [{ path: 'params.id', message: `plan ${id} is ${plan.status}` }]);
      return answer(plan, []);
    }
    let statuses = again ? [] : await deps.actual.statuses(id);
    if (statuses.length === 0) {
      statuses = (await judgeStoredPlan(deps.actual, id, deps.profile(), deps.network()))?.statuses ?? [];
      if (again) deps.onJudged?.();
    }
    return answer(plan, statuses);
  };

  api.add({
    method: 'get', path: '/plans/:id/actual', roles: READ, params: idParams,
    summary: 'Plan against actual: per vehicle, each planned stop (window, arrival, departure) and street (passes by the deadline) pending / done / late / missed',
    handler: ({ params, principal }) => judged(params.id, false, principal),
  });

  api.add({
    method: 'post', path: '/plans/:id/actual/judge', roles: WRITE, params: idParams,
    summary: "Judge a published plan's day again from the stored fixes (the same judging as live); events not yet raised are raised",
    handler: ({ params, principal }) => judged(params.id, true, principal),
  });

  api.add({
    method: 'get', path: '/reports/daily', roles: READ,
    query: z.strictObject({ date: planDate, district: z.string().min(1).max(100).optional() }),
    summary: "The day's figures for a date and district (or every plan of the date): clearance rate, 日产日清 met, on-time rate, plan adherence, streets, km and hours per vehicle",
    handler: async ({ query, principal }) => {
      const scope = districtScopeOf(principal);
      if (scope !== undefined && query.district !== scope) {
        throw new ApiError(403, 'forbidden', [{ path: 'query.district', message: `this account sees only the figures of district "${scope}"` }], 'auth.forbidden');
      }
      return dailyFigures(deps.db, deps.actual, deps.profile(), query,
        async (planId) => (await judgeStoredPlan(deps.actual, planId, deps.profile(), deps.network()))?.statuses ?? []);
    },
  });

  api.add({
    method: 'get', path: '/reports/daily-range', roles: READ,
    query: z.strictObject({ from: planDate, to: planDate, district: z.string().min(1).max(100).optional() })
      .superRefine((q, ctx) => {
        const days = daysBetween(q.from, q.to);
        if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' });
        else if (days >= MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_RANGE_DAYS} days` });
      }),
    summary: `The daily figures of every date from \`from\` to \`to\` (inclusive, at most ${MAX_RANGE_DAYS} days), as /reports/daily gives one`,
    handler: async ({ query, principal }) => {
      const scope = districtScopeOf(principal);
      if (scope !== undefined && query.district !== scope) {
        throw new ApiError(403, 'forbidden', [{ path: 'query.district', message: `this account sees only the figures of district "${scope}"` }], 'auth.forbidden');
      }
      const days: DailyFigures[] = [];
      for (let date = query.from; date <= query.to; date = PlanClock.nextDate(date)) {
        days.push(await dailyFigures(deps.db, deps.actual, deps.profile(), { date, ...(query.district ? { district: query.district } : {}) },
          async (planId) => (await judgeStoredPlan(deps.actual, planId, deps.profile(), deps.network()))?.statuses ?? []));
      }
      return { from: query.from, to: query.to, district: query.district ?? null, days };
    },
  });

  api.add({
    method: 'get', path: '/reports/monthly', roles: READ,
    query: z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM'), district: z.string().min(1).max(100).optional() }),
    summary: 'The month\'s ranking of contractors (月排名): collection stops of their vehicles summed over the days of the month, ranked by clearance rate, then on-time rate',
    handler: async ({ query, principal }) => {
      const scope = districtScopeOf(principal);
      if (scope !== undefined && query.district !== scope) {
        throw new ApiError(403, 'forbidden', [{ path: 'query.district', message: `this account sees only the figures of district "${scope}"` }], 'auth.forbidden');
      }
      const days = [];
      for (let date = `${query.month}-01`; date.startsWith(query.month); date = PlanClock.nextDate(date)) {
        const figures = await dailyFigures(deps.db, deps.actual, deps.profile(), { date, ...(query.district ? { district: query.district } : {}) },
          async (planId) => (await judgeStoredPlan(deps.actual, planId, deps.profile(), deps.network()))?.statuses ?? []);
        days.push(figures.contractors);
      }
      return { month: query.month, district: query.district ?? null, ranking: rankContractors(days) };
    },
  });

  api.add({
    method: 'get', path: '/plan-events', roles: READ, query: eventQuery,
    summary: 'Plan events, newest first: a missed collection (a window ended unserved), a sweeping gap (a street short of its passes at its deadline)',
    handler: async ({ query, principal }) => {
      const { items, total } = await deps.actual.events({ ...query, district: districtScopeOf(principal) });
      return { items, total, limit: query.limit, offset: query.offset };
    },
  });
}
