/**
 * One problem on several cores: independent searches (one per thread, each with its own
 * seed derived from the caller's) feed one pool of routes, and the set-partitioning MIP
 * (lp/setPartition.ts) picks the best combination of them. The budget is cut into rounds;
 * after each round every thread restarts from the best plan (the threads' best or the set
 * partitioning's, whichever is better), so a fleet or a good route found by one thread
 * reaches all of them.
 *
 * Deterministic for a seed, a thread count and an iteration budget: each thread's search is
 * deterministic, results are taken in thread order whatever order they arrive in, and the
 * MIP is bounded by nodes when there is no time limit. Thread 0 runs on the calling thread.
 */
import type { Model } from '../model.js';
import { DEFAULT_FLEET_SHARE, DEFAULT_MAX_ITERATIONS, PARALLEL_ROUNDS } from '../parameters.js';
import { routeCost, routeSeg } from '../segment.js';
import { RoutePool, search, type SearchOptions, type SearchResult } from '../search.js';
import { poolKey } from '../search/routePool.js';
import { selectRoutes } from '../../lp/setPartition.js';
import type { SearchThread } from './threads.js';
import { planKeepsLimits } from '../search/dayLimits.js';

export interface ParallelSearchOptions extends Omit<SearchOptions, 'routePool' | 'initial'> {
  /** the other threads (thread 0 is the caller's) */
  threads: SearchThread[];
  /** choose plans from the pooled routes by set partitioning (default true) */
  setPartitioning?: boolean;
  /** wall-clock cap of each set-partitioning MIP; without it the MIP is bounded by nodes */
  spTimeLimitS?: number;
  rounds?: number;
}

export interface ParallelSearchResult extends SearchResult {
  /** iterations of every thread, summed */
  iterations: number;
  /** for each thread, how many routes of the plan it found first */
  routesByThread: number[];
}

/** The seed of a thread's search in a round; thread 0's first round keeps the caller's seed. */
export function threadSeed(seed: number, thread: number, round: number): number {
  if (thread === 0 && round === 0) return seed;
  // splitmix32-style mixing: nearby (seed, thread, round) give unrelated streams
  let h = (seed ^ Math.imul(thread + 1, 0x9e3779b1) ^ Math.imul(round + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** a better than b: fewer tasks out, then (vehicles first) fewer routes, then cheaper */
function better(m: Model, a: SearchResult, b: SearchResult): boolean {
  if (a.unassigned.length !== b.unassigned.length) return a.unassigned.length < b.unassigned.length;
  if (m.vehiclesFirst && a.routes.length !== b.routes.length) return a.routes.length < b.routes.length;
  return a.cost < b.cost - 1e-9;
}

export async function parallelSearch(m: Model, opts: ParallelSearchOptions): Promise<ParallelSearchResult> {
  const nThreads = opts.threads.length + 1;
  if (m.nTasks === 0) return { routes: [], unassigned: [], iterations: 0, cost: 0, routesByThread: new Array(nThreads).fill(0) };
  const seed = opts.seed ?? 1;
  const its = opts.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const rounds = Math.max(1, Math.min(opts.rounds ?? PARALLEL_ROUNDS, its));
  const startMs = Date.now();
  for (const t of opts.threads) t.setModel(m);
  const pool = new RoutePool();
  const origin = new Map<string, number>();
  let best: SearchResult | undefined;
  let iterations = 0;
  // vehicles first: the first round removes routes with its share of the whole budget, then
  // every round walks its part of one cooling schedule on cost (a restart does not reheat)
  const fleetShare = m.vehiclesFirst ? (opts.fleetShare ?? DEFAULT_FLEET_SHARE) : 0;
  const upTo = (r: number) => (r === 0 ? 0 : fleetShare + ((1 - fleetShare) * r) / rounds);
  for (let r = 0; r < rounds; r++) {
    const roundIts = Math.floor(its * upTo(r + 1)) - Math.floor(its * upTo(r));
    const roundMs = opts.timeLimitMs === undefined ? undefined
      : Math.max(1, startMs + opts.timeLimitMs * upTo(r + 1) - Date.now());
    const common = { maxIterations: roundIts, timeLimitMs: roundMs, fleetShare: r === 0 ? fleetShare / upTo(1) : 0,
      penaliseTimeWarp: opts.penaliseTimeWarp, penaliseLoad: opts.penaliseLoad, fleetRestarts: opts.fleetRestarts, dayLimits: opts.dayLimits, initial: best,
      annealFrom: r / rounds, annealTo: (r + 1) / rounds };
    const deadlineAtMs = roundMs === undefined ? undefined : Date.now() + roundMs;
    const others = opts.threads.map((t, i) => t.run({ ...common, seed: threadSeed(seed, i + 1, r) }, deadlineAtMs));
    const pool0 = new RoutePool();
    const doneIts = Math.floor(its * upTo(r));
    // anytime checkpoints come from the calling thread's search, in the first round only (a later
    // round starts its own iteration count): a snapshot of one thread's best, never a decision
    const mine = search(m, { ...common, seed: threadSeed(seed, 0, r), routePool: pool0, checkpoints: r === 0 ? opts.checkpoints : undefined,
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ ...p, iteration: doneIts + p.iteration, maxIterations: its })) });
    const results = [{ result: mine, pool: [...pool0.routes.values()] }, ...await Promise.all(others)];
    results.forEach(({ result, pool: routes }, thread) => {
      iterations += result.iterations;
      // the thread's plan joins the pool too (its last routes may postdate its pool), so the
      // set partitioning can always take the best thread's plan as it is
      const planRoutes = result.unassigned.length === 0
        ? result.routes.map((x) => ({ ...x, cost: routeCost(routeSeg(m, x.veh, x.nodes), m, x.veh) })) : [];
      for (const route of [...routes, ...planRoutes]) {
        const key = poolKey(m, route.veh, route.nodes);
        if (!origin.has(key)) origin.set(key, thread);
        pool.add(m, route.veh, route.nodes, route.cost);
      }
      if (!best || better(m, result, best)) best = result;
    });
    if (opts.setPartitioning !== false && best!.unassigned.length === 0 && pool.routes.size > best!.routes.length) {
      const chosen = await selectRoutes(m, [...pool.routes.values()], best!, 'highs', opts.spTimeLimitS);
      if (chosen && (!opts.dayLimits || planKeepsLimits(m, opts.dayLimits, chosen.routes))) best = chosen;
    }
    if (opts.timeLimitMs !== undefined && Date.now() - startMs > opts.timeLimitMs) break;
  }
  const plan = best!;
  const routesByThread = new Array(nThreads).fill(0);
  for (const route of plan.routes) routesByThread[origin.get(poolKey(m, route.veh, route.nodes)) ?? 0]++;
  return { ...plan, iterations, routesByThread };
}
