/**
 * The solver's public entry: Problem JSON in, Solution JSON out. Pure and deterministic
 * for a seed and an iteration budget (the optional time limit is only a safety cap).
 */
import { parseProblem, type Problem, type Solution, type Unserved, type Route } from './problem.js';
import { compileProblem, visitWindows } from './vrp/compile.js';
import { search, RoutePool, type SearchProgress, type SearchResult } from './vrp/search.js';
import { allocateFacilities } from './lp/allocation.js';
import { selectRoutes } from './lp/setPartition.js';
import { parallelSearch } from './vrp/parallel/parallelSearch.js';
import { SearchThread } from './vrp/parallel/threads.js';
import { buildDayLimits, planKeepsLimits } from './vrp/search/dayLimits.js';
import { settlePartition, toSolution } from './settle.js';
import { Checkpoints, type SolveCheckpoints } from './checkpoints.js';

export * from './problem.js';
export { validateSolution, rules, ruleDescriptions, FIGURE_TOLERANCE, type Rule, type Violation, type ValidationReport } from './validate.js';
export { fleetLowerBound } from './lp/fleetBound.js';
export { allocateFacilities } from './lp/allocation.js';
export { mulberry32, Rng } from './random.js';
export { EARTH_RADIUS_M, haversineM, metresPerDegree, pointInPolygon } from './geo.js';

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
  /**
   * in a penalised cost phase, price load over capacity too where the routes kept are at least
   * 95 % full (default true; false keeps capacity a hard limit throughout)
   */
  penaliseLoad?: boolean;
  /** restart a stuck route removal from the last complete plan with another route (default true) */
  fleetRestarts?: boolean;
  /** internal: no second try for items taken out after the search (the second try itself) */
  noRetry?: boolean;
  /** polish with set partitioning over the routes found (default true) */
  setPartitioning?: boolean;
  /**
   * search threads for one problem (default 1: the search runs on the calling thread). With
   * more, each thread runs `maxIterations` in rounds with its own seed, their routes are
   * pooled and set partitioning picks the plan (vrp/parallel/); deterministic for a seed, a
   * thread count and an iteration budget.
   */
  threads?: number;
  /**
   * the search respects driver breaks and facility daily capacities itself (default true);
   * off: only the repairs after the search do (the behaviour before issue 15, item 3)
   */
  dayLimitsInSearch?: boolean;
  /**
   * the plan as it stands at given times or iteration counts of this solve, each validated by
   * the caller if it wants figures (checkpoints.ts); never changes the plan returned; with
   * several threads, the calling thread's search hands them out
   */
  checkpoints?: SolveCheckpoints;
  /** 0..1 progress for a progress bar, with what the search is doing */
  onProgress?: (fraction: number, detail: SearchProgress & { partition: string }) => void;
}

/**
 * Driver breaks and facility daily capacities are settled after the search: they need slack
 * in the schedule (plans pressed against the windows by the penalised phase left none on the
 * city day: a break outside its window, 44 points dropped for facility capacity), and what
 * they take out gets a second try.
 */
function settledAfterSearch(p: Problem): boolean {
  return p.vehicles.some((v) => v.break) || p.facilities.some((f) => f.dailyCapacityKg !== undefined);
}

/** share of the time cap kept for the second try of items taken out after the search */
const RETRY_TIME_SHARE = 0.08;

export async function solve(input: unknown, opts: SolveOptions = {}): Promise<Solution> {
  const p: Problem = parseProblem(input);
  const seed = opts.seed ?? 1;
  const maxIterations = opts.maxIterations ?? 20000;
  const startMs = Date.now();
  // part of the time cap is kept for the second try on the idle vehicles
  const mayRetry = !opts.noRetry && settledAfterSearch(p);
  const firstOpts = mayRetry && opts.timeLimitMs ? { ...opts, timeLimitMs: opts.timeLimitMs * (1 - RETRY_TIME_SHARE) } : opts;
  const checkpoints = opts.checkpoints ? new Checkpoints(p, opts.checkpoints, startMs, seed) : undefined;
  const nThreads = Math.max(1, Math.floor(opts.threads ?? 1));
  const threads = Array.from({ length: nThreads - 1 }, (_, i) => new SearchThread(`solver-search-${i + 1}`));
  let first: PartialPlan;
  try {
    first = await solvePartitions(p, firstOpts, seed, maxIterations, threads, checkpoints);
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  if (mayRetry && first.takenOut.length) {
    const timeLeftMs = opts.timeLimitMs ? Math.max(500, opts.timeLimitMs - (Date.now() - startMs)) : undefined;
    await retryTakenOut(p, first, { ...opts, timeLimitMs: timeLeftMs, seed }, maxIterations);
  }
  const { routes, unserved, iterations, repairs } = first;
  opts.onProgress?.(1, { phase: 'cost', iteration: iterations, maxIterations, vehicles: routes.length, unassigned: unserved.length, cost: 0, partition: 'all' });
  const solution = toSolution(p, routes, unserved, iterations, seed);
  if (settledAfterSearch(p)) solution.stats.repairs = repairs;
  checkpoints?.finish(solution);
  return solution;
}

interface PartialPlan {
  routes: Route[];
  unserved: Unserved[];
  /** unserved items taken out after the search (facility capacity, no room for a break) */
  takenOut: Unserved[];
  /** kg delivered to each facility by the routes */
  usedKg: Map<string, number>;
  iterations: number;
  /** how often the repairs after the search acted (see Solution.stats.repairs) */
  repairs: { facilityTrips: number; breakTasks: number };
}

async function solvePartitions(p: Problem, opts: SolveOptions, seed: number, maxIterations: number, threads: SearchThread[], checkpoints?: Checkpoints): Promise<PartialPlan> {
  // when the search keeps the facilities' daily capacities itself, it may unload at any facility
  // of the class (the allocation LP's choice of facilities left tasks with no room at them)
  const capsInSearch = opts.dayLimitsInSearch !== false && p.facilities.some((f) => f.dailyCapacityKg !== undefined);
  const allocation = !capsInSearch && p.facilities.length && (p.jobs.length || p.sweepTasks.length) ? await allocateFacilities(p) : null;
  const compiled = compileProblem(p, { facilitiesByClass: allocation?.facilitiesByClass });
  const unserved: Unserved[] = [...compiled.unserved];
  const takenOut: Unserved[] = [];
  const routes: Route[] = [];
  // work settled after the search, and unloading trips, keep the plain walk (no time warp priced)
  const settledAfter = settledAfterSearch(p);
  const totalTasks = compiled.models.reduce((a, c) => a + c.model.nTasks, 0);
  let done = 0;
  let iterations = 0;
  const usedKg = new Map<string, number>();
  const repairs = { facilityTrips: 0, breakTasks: 0 };
  const start = Date.now();
  for (const [k, cm] of compiled.models.entries()) {
    const share = cm.model.nTasks / Math.max(1, totalTasks);
    const its = Math.max(50, Math.round(maxIterations * share));
    const timeLimitMs = opts.timeLimitMs ? Math.max(1, (opts.timeLimitMs - (Date.now() - start)) * share / Math.max(share, 1 - done / Math.max(1, totalTasks))) : undefined;
    const partStartMs = Date.now();
    const dayLimits = opts.dayLimitsInSearch === false ? undefined : buildDayLimits(p, cm, usedKg);
    const searchOpts = {
      dayLimits, seed, maxIterations: its, timeLimitMs, fleetShare: opts.fleetShare, fleetRestarts: opts.fleetRestarts, penaliseLoad: opts.penaliseLoad, penaliseTimeWarp: opts.penaliseTimeWarp ?? (settledAfter || cm.model.nodeIsIF.includes(1) ? false : undefined),
      checkpoints: checkpoints?.forPartition(compiled, k, { routes: routes.slice(), unserved: [...unserved, ...takenOut], usedKg, iterations }),
      // progress only (never a decision): whichever of the work and the time cap is further along
      onProgress: (sp: SearchProgress) => {
        const byTime = timeLimitMs ? (Date.now() - partStartMs) / timeLimitMs : 0;
        const f = Math.min(1, Math.max(sp.iteration / its, byTime));
        opts.onProgress?.((done + cm.model.nTasks * f) / Math.max(1, totalTasks), { ...sp, partition: cm.partition });
      },
    };
    // a few percent of the partition's time cap (set partitioning is a polish, not the search);
    // without a time cap it is bounded by work (nodes), so the plan never depends on the machine
    const spLimitS = timeLimitMs ? Math.max(0.2, Math.min(5, (timeLimitMs / 1000) * 0.05)) : undefined;
    let result: SearchResult;
    if (threads.length > 0) {
      // several threads: set partitioning runs after every round of the parallel search
      result = await parallelSearch(cm.model, { ...searchOpts, threads, setPartitioning: opts.setPartitioning, spTimeLimitS: spLimitS });
    } else {
      const pool = opts.setPartitioning === false ? undefined : new RoutePool();
      result = search(cm.model, { ...searchOpts, routePool: pool });
      if (pool && result.unassigned.length === 0 && pool.routes.size > result.routes.length) {
        const better = await selectRoutes(cm.model, [...pool.routes.values()], result, 'highs', spLimitS);
        if (better && (!dayLimits || planKeepsLimits(cm.model, dayLimits, better.routes))) result = better;
      }
    }
    iterations += result.iterations;
    done += cm.model.nTasks;
    const settled = settlePartition(p, cm, result, usedKg);
    repairs.facilityTrips += settled.repairs.facilityTrips;
    repairs.breakTasks += settled.repairs.breakTasks;
    routes.push(...settled.routes);
    unserved.push(...settled.unserved);
    takenOut.push(...settled.takenOut);
  }
  unserved.push(...takenOut);
  return { routes, unserved, takenOut, usedKg, iterations, repairs };
}

/** joins an item's id and visit (or pass) number into the id of a one-visit item of the retry */
const VISIT_SEP = '\u0001';

/**
 * Second try for items taken out after the search (日产日清 wants them served): a plan of
 * their own on the vehicles the first plan left idle, against what each facility has left
 * of its daily capacity. Each visit taken out becomes a one-visit item inside its own slice
 * of the point's windows (the slices keep the gap to the point's other visits, wherever
 * those are planned); the retry's stops are given back their item's id and visit number.
 * What it serves leaves the unserved list; the rest keeps the first reason.
 */
async function retryTakenOut(p: Problem, plan: PartialPlan, opts: SolveOptions, maxIterations: number): Promise<void> {
  const key = (id: string, visit: number | undefined) => id + VISIT_SEP + (visit ?? 0);
  const out = new Set(plan.takenOut.map((u) => key(u.id, u.visit)));
  const jobs: Problem['jobs'] = [];
  for (const j of p.jobs) {
    for (let v = 0; v < j.visitsPerDay; v++) {
      if (!out.has(key(j.id, v))) continue;
      jobs.push({ ...j, id: key(j.id, v), visitsPerDay: 1, minGapS: 0, kg: j.kg / j.visitsPerDay, m3: j.m3 / j.visitsPerDay, windows: visitWindows(j, v) });
    }
  }
  const sweepTasks: Problem['sweepTasks'] = [];
  for (const t of p.sweepTasks) {
    for (let v = 0; v < Math.min(t.passes, t.mechanicalPasses); v++) {
      if (out.has(key(t.id, v))) sweepTasks.push({ ...t, id: key(t.id, v), passes: 1, mechanicalPasses: 1 });
    }
  }
  const muckLoads = p.muckLoads.filter((l) => out.has(key(l.id, undefined))).map((l) => ({ ...l, id: key(l.id, undefined) }));
  const busy = new Set(plan.routes.map((r) => r.vehicleId));
  const vehicles = p.vehicles.filter((v) => !busy.has(v.id));
  const items = jobs.length + muckLoads.length + sweepTasks.length;
  if (items === 0 || vehicles.length === 0) return;
  const facilities = p.facilities.map((f) => f.dailyCapacityKg === undefined ? f
    : { ...f, dailyCapacityKg: Math.max(0, f.dailyCapacityKg - (plan.usedKg.get(f.id) ?? 0)) });
  const total = p.jobs.length + p.muckLoads.length + p.sweepTasks.length;
  const retry = await solve({ ...p, jobs, muckLoads, sweepTasks, vehicles, facilities }, {
    ...opts, noRetry: true, onProgress: undefined, checkpoints: undefined,
    maxIterations: Math.max(2000, Math.round(maxIterations * items / Math.max(1, total))),
  });
  const served = new Set<string>();
  for (const r of retry.routes) {
    for (const s of r.stops) {
      if (s.id === undefined || !s.id.includes(VISIT_SEP) || s.type === 'facility') continue;
      const [id, visit] = s.id.split(VISIT_SEP);
      s.id = id;
      if (s.type !== 'muck') s.visit = Number(visit);
      served.add(key(id, s.type === 'muck' ? undefined : s.visit));
    }
  }
  if (served.size === 0) return;
  plan.routes.push(...retry.routes);
  plan.unserved = plan.unserved.filter((u) => !served.has(key(u.id, u.visit)));
  plan.takenOut = plan.takenOut.filter((u) => !served.has(key(u.id, u.visit)));
  plan.iterations += retry.stats.iterations;
  plan.repairs.facilityTrips += retry.stats.repairs?.facilityTrips ?? 0;
  plan.repairs.breakTasks += retry.stats.repairs?.breakTasks ?? 0;
}
