/**
 * What turns a search result into the Solution: a partition's routes settled (facility
 * capacities, drivers' breaks, timed schedules) and the totals. Shared by the final plan
 * and the plans handed out at checkpoints (checkpoints.ts).
 */
import type { Problem, Route, Solution, Unserved } from './problem.js';
import type { CompiledModel } from './vrp/compile.js';
import type { RouteOut, SearchResult } from './vrp/search.js';
import { buildRoute, diagnose, fitBreak } from './vrp/plan.js';
import { enforceFacilityCapacity } from './vrp/facilityCapacity.js';
import { reinsertTasks } from './vrp/reinsert.js';

/**
 * A partition's search result made into routes of the Solution: facility daily capacities
 * enforced, drivers' breaks fitted (what they push off tried on other busy routes), timed
 * schedules; `usedKg` gains what the routes deliver. Also how a checkpoint's plan is settled.
 */
export function settlePartition(p: Problem, cm: CompiledModel, result: SearchResult, usedKg: Map<string, number>):
  { routes: Route[]; unserved: Unserved[]; takenOut: Unserved[]; repairs: { facilityTrips: number; breakTasks: number } } {
  const fixed = enforceFacilityCapacity(p, cm, result, usedKg);
  const kept: RouteOut[] = [];
  let breakTasks = 0;
  const breakOut: Array<{ task: number; unserved: Unserved }> = [];
  for (const r of fixed.result.routes) {
    const { route, dropped, droppedTasks } = fitBreak(p, cm, r);
    if (route) kept.push(route);
    dropped.forEach((u, i) => breakOut.push({ task: droppedTasks[i], unserved: u }));
    breakTasks += dropped.length;
  }
  // what a break pushed off one route may fit on another busy one
  const placed = breakOut.length ? reinsertTasks(p, cm, kept, breakOut.map((b) => b.task), usedKg) : new Set<number>();
  const takenOut: Unserved[] = [];
  for (const b of breakOut) if (!placed.has(b.task)) takenOut.push(b.unserved);
  takenOut.push(...fixed.unserved);
  return { routes: kept.map((r) => buildRoute(p, cm, r)), unserved: fixed.result.unassigned.map((t) => diagnose(p, cm, t, usedKg)), takenOut,
    // how often the repairs acted (Solution.stats.repairs): the search keeps these limits itself
    repairs: { facilityTrips: fixed.repairedTrips, breakTasks } };
}

/** The Solution of these routes and unserved items, with its totals. */
export function toSolution(p: Problem, routes: Route[], unserved: Unserved[], iterations: number, seed: number): Solution {
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
