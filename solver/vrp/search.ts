/**
 * The routing search: greedy/regret construction, then Slack Induction by String Removals
 * (SISR, Christiaens & Vanden Berghe 2020) ruin-and-recreate under simulated annealing,
 * with a local-search descent (relocate, or-opt, swap, 2-opt*) on every new best, and for
 * the vehicles-first objective a fleet-minimisation phase driven by absence counters.
 *
 * Every move is checked with O(1) segment concatenation (segment.ts); only feasible
 * solutions are kept, so a task that cannot be placed stays unassigned (the caller turns
 * that into a reason). Work is counted in iterations; the wall-clock limit is only a cap.
 *
 * This file is the driver (the order of the phases); the parts live in solver/vrp/search/
 * (see solver/README.md for the map) and the tuned constants in parameters.ts.
 */
import type { Model } from './model.js';
import { DEFAULT_FLEET_SHARE, PACKING_SHARE } from './parameters.js';
import { SearchState } from './search/state.js';
import { construct } from './search/construction.js';
import { localSearch } from './search/localSearch.js';
import { fleetMinimise } from './search/fleetMinimisation.js';
import { costPhase } from './search/costPhase.js';
import type { SearchOptions, SearchResult } from './search/types.js';

export type { SearchOptions, SearchProgress, RouteOut, SearchResult, SearchCheckpoints } from './search/types.js';
export { RoutePool } from './search/routePool.js';

/** Construction (or the given start), then packing what it left out, fleet minimisation (vehicles first), then the cost phase. */
export function search(m: Model, opts: SearchOptions = {}): SearchResult {
  if (m.nTasks === 0) return { routes: [], unassigned: [], iterations: 0, cost: 0 };
  const st = new SearchState(m, opts);
  if (opts.initial) st.restore(opts.initial);
  else {
    construct(st);
    localSearch(st);
  }
  st.progress('construct', st.totalCost());
  let best = st.keepBest();
  st.poolAdd();
  const fleetIt = m.vehiclesFirst ? Math.floor(st.maxIt * (opts.fleetShare ?? DEFAULT_FLEET_SHARE)) : 0;
  if (st.unassigned.length > 0 && !st.deadlineIsClose()) {
    // construction left tasks out: pack them in (ejections + absence counters) before costs
    if (st.deadline !== Infinity) st.phaseDeadline = Date.now() + (st.deadline - Date.now()) * PACKING_SHARE;
    best = st.best = fleetMinimise(st, best, Math.floor(st.maxIt * PACKING_SHARE), false);
    st.phaseDeadline = Infinity;
    st.restore(best);
  }
  if (fleetIt > 0 && st.unassigned.length === 0) {
    // the wall-clock cap, when given, is shared the same way as the iterations
    if (st.deadline !== Infinity) st.phaseDeadline = Date.now() + (st.deadline - Date.now()) * (opts.fleetShare ?? DEFAULT_FLEET_SHARE);
    best = st.best = fleetMinimise(st, best, fleetIt);
    st.phaseDeadline = Infinity;
  }
  st.restore(best);
  return costPhase(st, best);
}
