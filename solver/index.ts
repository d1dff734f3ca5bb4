/**
 * The solver's public entry: Problem JSON in, Solution JSON out. Pure and deterministic
 * for a seed and an iteration budget (the optional time limit is only a safety cap).
 */
import { parseProblem, type Problem, type Solution, type Unserved, type Route } from './problem.js';
import { compileProblem } from './vrp/compile.js';
import { search, RoutePool, type SearchProgress, type SearchResult } from './vrp/search.js';
import { buildRoute, diagnose, fitBreak } from './vrp/plan.js';
import { allocateFacilities } from './lp/allocation.js';
import { selectRoutes } from './lp/setPartition.js';
import { enforceFacilityCapacity } from './vrp/facilityCapacity.js';

export * from './problem.js';
export { validateSolution, type Violation, type ValidationReport } from './validate.js';
export { fleetLowerBound } from './lp/fleetBound.js';
export { allocateFacilities } from './lp/allocation.js';

export interface SolveOptions {
  seed?: number;
  /** ruin-and-recreate iterations over the whole problem (shared by the partitions by task count) */
  maxIterations?: number;
  /** wall-clock safety cap in ms (makes the result depend on machine speed when it bites) */
  timeLimitMs?: number;
  /** share of iterations spent removing vehicles when the objective is vehicles first */
  fleetShare?: number;
  /**
   * price time warp during the cost phase instead of refusing it (penalised education and
   * repair); default: on when some task's window is narrower than the shifts, the routes
   * make no unloading trips, and no driver break or facility daily capacity is planned after
   */
  penaliseTimeWarp?: boolean;
  /** restart a stuck route removal from the last complete plan with another route (default true) */
  fleetRestarts?: boolean;
  /** polish with set partitioning over the routes found (default true) */
  setPartitioning?: boolean;
  /** 0..1 progress for a progress bar, with what the search is doing */
  onProgress?: (fraction: number, detail: SearchProgress & { partition: string }) => void;
}

export async function solve(input: unknown, opts: SolveOptions = {}): Promise<Solution> {
  const p: Problem = parseProblem(input);
  const seed = opts.seed ?? 1;
  const maxIterations = opts.maxIterations ?? 20000;
  const allocation = p.facilities.length && (p.jobs.length || p.sweepTasks.length) ? await allocateFacilities(p) : null;
  const compiled = compileProblem(p, { facilitiesByClass: allocation?.facilitiesByClass });
  const unserved: Unserved[] = [...compiled.unserved];
  const routes: Route[] = [];
  // Driver breaks, facility daily capacities and the facility of each unloading trip are
  // settled after the search and need slack in the schedule; plans pressed against the
  // windows by the penalised phase left none on the city day (a break outside its window,
  // 44 points dropped for facility capacity). Those keep the plain walk.
  const settledAfter = p.vehicles.some((v) => v.break) || p.facilities.some((f) => f.dailyCapacityKg !== undefined);
  const totalTasks = compiled.models.reduce((a, c) => a + c.model.nTasks, 0);
  let done = 0;
  let iterations = 0;
  const usedKg = new Map<string, number>();
  const start = Date.now();
  for (const cm of compiled.models) {
    const share = cm.model.nTasks / Math.max(1, totalTasks);
    const its = Math.max(50, Math.round(maxIterations * share));
    const timeLimitMs = opts.timeLimitMs ? Math.max(1, (opts.timeLimitMs - (Date.now() - start)) * share / Math.max(share, 1 - done / Math.max(1, totalTasks))) : undefined;
    const pool = opts.setPartitioning === false ? undefined : new RoutePool();
    const partStartMs = Date.now();
    let result: SearchResult = search(cm.model, {
      seed, maxIterations: its, timeLimitMs, fleetShare: opts.fleetShare, fleetRestarts: opts.fleetRestarts, penaliseTimeWarp: opts.penaliseTimeWarp ?? (settledAfter || cm.model.nodeIsIF.includes(1) ? false : undefined), routePool: pool,
      // progress only (never a decision): whichever of the work and the time cap is further along
      onProgress: (sp) => {
        const byTime = timeLimitMs ? (Date.now() - partStartMs) / timeLimitMs : 0;
        const f = Math.min(1, Math.max(sp.iteration / its, byTime));
        opts.onProgress?.((done + cm.model.nTasks * f) / Math.max(1, totalTasks), { ...sp, partition: cm.partition });
      },
    });
    iterations += result.iterations;
    if (pool && result.unassigned.length === 0 && pool.routes.size > result.routes.length) {
      // a few percent of the partition's time cap (set partitioning is a polish, not the search)
      const spLimitS = timeLimitMs ? Math.max(0.2, Math.min(5, (timeLimitMs / 1000) * 0.05)) : 10;
      const better = await selectRoutes(cm.model, [...pool.routes.values()], result, 'highs', spLimitS);
      if (better) result = better;
    }
    done += cm.model.nTasks;
    const fixed = enforceFacilityCapacity(p, cm, result, usedKg);
    for (const r of fixed.result.routes) {
      const { route, dropped } = fitBreak(p, cm, r);
      if (route) routes.push(buildRoute(p, cm, route));
      unserved.push(...dropped);
    }
    for (const t of fixed.result.unassigned) unserved.push(diagnose(p, cm, t));
    unserved.push(...fixed.unserved);
  }
  opts.onProgress?.(1, { phase: 'cost', iteration: iterations, maxIterations, vehicles: routes.length, unassigned: unserved.length, cost: 0, partition: 'all' });
  const distanceM = routes.reduce((a, r) => a + r.distanceM, 0);
  const durationS = routes.reduce((a, r) => a + r.durationS, 0);
  const fixedCost = routes.reduce((a, r) => a + (p.vehicles.find((v) => v.id === r.vehicleId)?.fixedCost ?? 0), 0);
  return {
    problem: p.name,
    routes,
    unserved,
    cost: { vehicles: routes.length, distanceM, durationS, fixed: fixedCost, total: routes.reduce((a, r) => a + r.cost, 0) },
    stats: { iterations, seed },
  };
}
