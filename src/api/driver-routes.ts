import { z } from 'zod';
import type { CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import type { Principal, Role } from '../domain/principal.js';
import type { Db } from '../store/db.js';
import { emptyRoute, parseStopId, planInForceFor, stopMarks, storedPlan, vehicleRoute, type VehicleRoute } from '../planning/driver-route.js';
import { PlanClock, planDate } from '../planning/plan-clock.js';
import { reportKinds, type DriverReport, type RouteActions, type StopDone } from '../planning/route-actions.js';
import type { TerminalMessage } from '../jobs/route-texts.js';
import { describeFleetScope, fleetScopeOf, inFleetScope, type ScopedVehicle } from '../domain/fleet-scope.js';
import { ApiError, notFound } from './errors.js';
import { actorOf } from './plan-routes.js';
import type { ApiRoutes } from './routes.js';

/**
 * Routes reach drivers (issue 12, item 4): the signed-in driver's route of the day, any
 * vehicle's route for the staff, problem reports, stops marked done by hand, and the route
 * texts sent to the in-cab terminals with their replies.
 */
export interface DriverRouteDeps {
  db: Db;
  actions: RouteActions;
  profile(): CityProfile;
  vehicleExists(id: string): boolean;
  /** The fleet's vehicles with their district and contractor, for accounts scoped to them (fleet-scope.ts). */
  fleet(): Array<{ vehicleId: string } & ScopedVehicle>;
  /** The route texts of a plan (undefined without the JT/T 808 gateway). */
  terminalMessages?: (filter: { planId: string; vehicleId?: string }) => Promise<TerminalMessage[]>;
  onReport(report: DriverReport): void;
  onStopDone(mark: StopDone): void;
  now?: () => number;
}

const STAFF_READ: readonly Role[] = ['admin', 'dispatcher', 'enforcement', 'planner'];
const routeQuery = z.strictObject({ date: planDate.optional() });
const noteSchema = z.string().trim().min(1).max(500);

const reportBody = z.strictObject({
  kind: z.enum(reportKinds),
  note: noteSchema.optional(),
  position: z.strictObject({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) }).optional(),
  /** the stop it concerns (`<vehicleId>.<seq>` of today's route), if any */
  stopId: z.string().min(3).max(80).optional(),
});

const reportsQuery = z.strictObject({
  vehicleId: entityId.optional(),
  planId: entityId.optional(),
  kind: z.enum(reportKinds).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

function ownVehicle(principal: Principal | undefined): string {
  if (principal?.role !== 'driver' || !principal.vehicleId) {
    throw new ApiError(403, 'forbidden', [{ path: 'headers.authorization', message: 'only a driver bound to a vehicle has a route of their own' }], 'auth.forbidden');
  }
  return principal.vehicleId;
}

export function addDriverRoutes(api: ApiRoutes, deps: DriverRouteDeps): void {
  const now = deps.now ?? Date.now;
  /** Which vehicles a scoped account sees; undefined = all. */
  const visibleVehicles = (principal: Principal | undefined): Set<string> | undefined => {
    const scope = fleetScopeOf(principal);
    return scope && new Set(deps.fleet().filter((v) => inFleetScope(scope, v)).map((v) => v.vehicleId));
  };
  const assertVehicleVisible = (principal: Principal | undefined, vehicleId: string, path: string): void => {
    const visible = visibleVehicles(principal);
    if (visible && !visible.has(vehicleId)) {
      throw new ApiError(403, 'forbidden', [{ path, message: `this account sees only the vehicles of ${describeFleetScope(fleetScopeOf(principal)!)}` }], 'auth.forbidden');
    }
  };
  const today = () => PlanClock.localDate(now(), deps.profile().timeZone);

  const routeFor = async (vehicleId: string, date: string): Promise<VehicleRoute> => {
    const plan = await planInForceFor(deps.db, vehicleId, date);
    if (!plan) return emptyRoute(vehicleId, date);
    return vehicleRoute(plan, vehicleId, await stopMarks(deps.db, plan.id, vehicleId)) ?? emptyRoute(vehicleId, date);
  };
  /**
   * The route for a date, or without one the route the driver is on now: yesterday's while it
   * has not ended (a night shift, 22:00-06:00, is yesterday's plan at 02:00), else today's.
   */
  const routeOf = async (vehicleId: string, date: string | undefined): Promise<VehicleRoute> => {
    if (date) return routeFor(vehicleId, date);
    const todayDate = today();
    const earlier = await routeFor(vehicleId, PlanClock.previousDate(todayDate));
    if (earlier.route && Date.parse(earlier.route.end) > now()) return earlier;
    return routeFor(vehicleId, todayDate);
  };

  api.add({
    method: 'get', path: '/driver/route', roles: ['driver'], query: routeQuery,
    summary: "The signed-in driver's route (date: local; default the route under way: yesterday's night shift until it ends, else today's): the plan in force for their vehicle, stops with windows, planned times and what to do, the path along the roads; plan null = no plan yet",
    handler: async ({ principal, query }) => routeOf(ownVehicle(principal), query.date),
  });

  api.add({
    method: 'get', path: '/vehicles/:id/route', roles: [...STAFF_READ, 'driver'], params: z.strictObject({ id: entityId }), query: routeQuery,
    summary: "A vehicle's route from the plan in force (date as for /driver/route; driver: own vehicle only); plan null = no plan yet",
    handler: async ({ principal, params, query }) => {
      if (principal?.role === 'driver' && principal.vehicleId !== params.id) {
        throw new ApiError(403, 'forbidden', [{ path: 'params.id', message: "a driver may only read their own vehicle's route" }], 'auth.forbidden');
      }
      if (!deps.vehicleExists(params.id)) throw notFound('vehicle', params.id);
      assertVehicleVisible(principal, params.id, 'params.id');
      return routeOf(params.id, query.date);
    },
  });

  api.add({
    method: 'post', path: '/plans/:id/stops/:stopId/done', roles: ['admin', 'dispatcher', 'driver'],
    params: z.strictObject({ id: entityId, stopId: z.string().min(3).max(80) }), body: z.strictObject({ note: noteSchema.optional() }),
    summary: 'Mark a stop of a plan in force done by hand (where automatic detection could not); a driver marks only stops of their own route. Marking again keeps the first mark',
    handler: async ({ principal, params, body }) => {
      const plan = await storedPlan(deps.db, params.id);
      if (!plan) throw notFound('plan', params.id);
      const parsed = parseStopId(params.stopId);
      const route = parsed && plan.solution.routes.find((r) => r.vehicleId === parsed.vehicleId);
      if (!parsed || !route || parsed.seq >= route.stops.length) {
        throw new ApiError(404, 'stop not found', [{ path: 'params.stopId', message: `plan ${params.id} has no stop "${params.stopId}" (stop ids are <vehicleId>.<seq>)` }], 'not_found');
      }
      if (principal?.role === 'driver' && principal.vehicleId !== parsed.vehicleId) {
        throw new ApiError(403, 'forbidden', [{ path: 'params.stopId', message: 'a driver may only mark stops of their own route' }], 'auth.forbidden');
      }
      assertVehicleVisible(principal, parsed.vehicleId, 'params.stopId');
      if (plan.status !== 'published' && plan.status !== 'in_progress') {
        throw new ApiError(409, 'the plan is not in force', [{ path: 'params.id', message: `plan ${params.id} is ${plan.status}; stops are marked on a published or in-progress plan` }]);
      }
      const { mark, created } = await deps.actions.markDone({ planId: plan.id, stopId: params.stopId, vehicleId: parsed.vehicleId, seq: parsed.seq, note: body.note ?? null, by: actorOf(principal) });
      if (created) deps.onStopDone(mark);
      return { status: created ? 201 : 200, body: mark };
    },
  });

  api.add({
    method: 'post', path: '/driver/reports', roles: ['driver'], body: reportBody, successStatus: 201,
    summary: "Report a problem from the road (vehicle breakdown, blocked road, bin overflow, point not accessible) with an optional note, position and stop; the dispatchers see it at once",
    handler: async ({ principal, body }) => {
      const vehicleId = ownVehicle(principal);
      // the report belongs to the route the driver is on now
      const route = await routeOf(vehicleId, undefined);
      if (body.stopId !== undefined && !route.stops.some((s) => s.id === body.stopId)) {
        throw new ApiError(404, 'stop not found', [{ path: 'body.stopId', message: `your route of ${route.date} has no stop "${body.stopId}"` }], 'not_found');
      }
      const report = await deps.actions.report({
        vehicleId, planId: route.plan?.id ?? null, stopId: body.stopId ?? null, kind: body.kind, note: body.note ?? null, position: body.position ?? null, by: actorOf(principal),
      });
      deps.onReport(report);
      return { status: 201, body: report };
    },
  });

  api.add({
    method: 'get', path: '/driver-reports', roles: ['admin', 'dispatcher', 'enforcement'], query: reportsQuery,
    summary: "Drivers' problem reports, newest first, by vehicle, plan, kind and time",
    handler: async ({ query, principal }) => {
      const visible = visibleVehicles(principal);
      const { items, total } = await deps.actions.reports({ ...query, ...(visible ? { vehicleIds: [...visible] } : {}) });
      return { items, total, limit: query.limit, offset: query.offset };
    },
  });

  if (deps.terminalMessages) {
    const terminalMessages = deps.terminalMessages;
    api.add({
      method: 'get', path: '/plans/:id/terminal-messages', roles: STAFF_READ, params: z.strictObject({ id: entityId }), query: z.strictObject({ vehicleId: entityId.optional() }),
      summary: "The plan's route texts to in-cab terminals (JT/T 808 0x8300), per vehicle and chunk: queued / sent / replied (with the terminal's 0x0001 result) / cancelled",
      handler: async ({ params, query, principal }) => {
        if (!(await storedPlan(deps.db, params.id))) throw notFound('plan', params.id);
        const visible = visibleVehicles(principal);
        const items = (await terminalMessages({ planId: params.id, vehicleId: query.vehicleId })).filter((m) => !visible || visible.has(m.vehicleId));
        return { items, total: items.length };
      },
    });
  }
}
