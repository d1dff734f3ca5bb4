/** What the route search takes and gives (the public side of solver/vrp/search.ts). */
import type { RoutePool } from './routePool.js';
import type { DayLimits } from './dayLimits.js';

export interface SearchOptions {
  seed?: number;
  /** iterations of ruin-and-recreate (the deterministic work budget) */
  maxIterations?: number;
  /** optional wall-clock safety cap */
  timeLimitMs?: number;
  /** share of iterations spent on removing vehicles when vehiclesFirst (default 0.4) */
  fleetShare?: number;
  onProgress?: (p: SearchProgress) => void;
  /** price time warp in the cost phase instead of refusing it (default: when task windows bind) */
  penaliseTimeWarp?: boolean;
  /** price load over capacity too in a penalised cost phase where the fleet is full (default true) */
  penaliseLoad?: boolean;
  /** restart a stuck route removal from the last complete plan, with another route (default true) */
  fleetRestarts?: boolean;
  /** every route of the best solution found goes here (for set partitioning) */
  routePool?: RoutePool;
  /** driver breaks and facility daily capacities the search respects (dayLimits.ts); none when absent */
  dayLimits?: DayLimits;
  /**
   * the part of the annealing schedule this search walks, as fractions of one long walk
   * (default 0 to 1): a round of the parallel search goes on cooling where the last stopped
   */
  annealFrom?: number;
  annealTo?: number;
  /** start from this solution instead of constructing one (a round of the parallel search) */
  initial?: SearchResult;
  /** hand out the best plan so far at given moments (anytime figures); never changes the search */
  checkpoints?: SearchCheckpoints;
}

/**
 * Moments at which the search hands out a copy of its best plan so far: wall-clock times
 * (for a bench's anytime figures) and iteration counts (deterministic). A moment that passes
 * while one step runs is served at the next clock check (every CLOCK_CHECK_MASK + 1 steps for
 * times, every step for iterations); moments not reached when the search ends are left to
 * the caller. The callback gets a copy and must not touch the state: the search goes on
 * exactly as without it.
 */
export interface SearchCheckpoints {
  /** Date.now() values, ascending */
  atMs?: readonly number[];
  /** iteration counts of this search, ascending */
  atIterations?: readonly number[];
  /** `at` names the moment served (`ms` for a time, else `iteration`) and the iteration the search is at */
  onCheckpoint: (best: SearchResult, at: { ms?: number; iteration: number }) => void;
}

export interface SearchProgress {
  phase: 'construct' | 'fleet' | 'cost';
  iteration: number;
  maxIterations: number;
  vehicles: number;
  unassigned: number;
  cost: number;
}

export interface RouteOut {
  veh: number;
  nodes: number[];
}

export interface SearchResult {
  routes: RouteOut[];
  unassigned: number[];
  iterations: number;
  cost: number;
}
