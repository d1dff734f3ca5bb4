import { z } from 'zod';
import type { Role } from '../domain/principal.js';
import { entityId, type Vehicle } from '../domain/model.js';
import { fleetVehicles } from '../../simulations/capacity/perturb.js';
import type { CapacityRuns } from '../../simulations/capacity/runs.js';
import { scenarioSchema } from '../../simulations/capacity/scenario.js';
import { ApiError, notFound } from './errors.js';
import { actorOf } from './plan-routes.js';
import type { ApiRoutes } from './routes.js';

/**
 * Capacity runs (issue 14): a planner asks for a Monte Carlo study of the city (202, queued),
 * follows its progress and reads the result: per fleet the share of days cleared with its
 * interval, the smallest fleet reaching the target, and every simulated day's outcome.
 */
export interface CapacityRouteDeps {
  runs: CapacityRuns;
  /** the city's vehicles now (fleet keys are checked against them) */
  vehicles(): Promise<Vehicle[]>;
  /** Why no study can run now (no road network, no runner), or null. */
  cannotRun(): string | null;
  onQueued(): void;
}

const ROLES: readonly Role[] = ['admin', 'planner'];

/** A study through the API: bounded so one request cannot hold the machine for days. */
const MAX_JOBS = 2000;
const runRequest = scenarioSchema.superRefine((s, ctx) => {
  if (s.days * s.fleets.length > MAX_JOBS) {
    ctx.addIssue({ code: 'custom', path: ['days'], message: `days × fleets is ${s.days * s.fleets.length}; at most ${MAX_JOBS} plans per run` });
  }
});

export function addCapacityRoutes(api: ApiRoutes, deps: CapacityRouteDeps): void {
  api.add({
    method: 'post', path: '/capacity-runs', roles: ROLES, body: runRequest,
    summary: 'Start a Monte Carlo capacity study of the city: queued, answers 202 with the run id',
    handler: async ({ body, principal }) => {
      const why = deps.cannotRun();
      if (why) throw new ApiError(503, 'capacity studies unavailable', [{ path: 'config.OSM_FILE', message: why }]);
      const vehicles = await deps.vehicles();
      body.fleets.forEach((fleet, i) => {
        try {
          fleetVehicles(vehicles, fleet);
        } catch (e) {
          throw new ApiError(422, 'unknown fleet', [{ path: `body.fleets.${i}`, message: (e as Error).message }]);
        }
      });
      const run = await deps.runs.create(body, 'store', actorOf(principal));
      deps.onQueued();
      return { status: 202, headers: { location: `/api/v1/capacity-runs/${run.id}` }, body: { id: run.id, status: run.status, progress: run.progress } };
    },
  });

  api.add({
    method: 'get', path: '/capacity-runs', roles: ROLES, query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    summary: 'Capacity runs, newest first (without the days): status, progress, recommendation',
    handler: async ({ query }) => ({ items: await deps.runs.list(query.limit) }),
  });

  api.add({
    method: 'get', path: '/capacity-runs/:id', roles: ROLES, params: z.strictObject({ id: entityId }),
    summary: 'A capacity run: status, progress (plans done of all), and when done the share of days cleared per fleet with its 95 % interval, the recommended fleet and every day',
    handler: async ({ params }) => {
      const run = await deps.runs.get(params.id);
      if (!run) throw notFound('capacity run', params.id);
      return run;
    },
  });
}
