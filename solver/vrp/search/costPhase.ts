/**
 * The cost phase: SISR ruin and recreate under simulated annealing with the fleet found,
 * a local-search descent on every new best, unloading trips re-placed on every new best.
 * When task windows bind (and nothing is settled after the search), the walk is penalised:
 * time warp is priced instead of refused (load over capacity too, where the fleet is full),
 * every step gets a focused descent (education; on large problems with cross-exchange and
 * SWAP* too), half of the broken results a repair, each price adapts to keep a share of the
 * steps within its limit, and a walk that stays outside them goes back to the best plan. Only
 * plans without time warp or overload become the best. On long routes of small problems a
 * walk that finds nothing better takes a step whatever it costs now and then (kicks,
 * parameters.ts); on large problems it ruins a whole neighbourhood now and then instead
 * (cluster ruins, parameters.ts).
 */
import {
  ANNEAL_END_TASKS, ANNEAL_START_TASKS, ROUTE_PAIR_MOVES_IN_EDUCATION, ROUTE_PAIR_MOVES_MIN_TASKS, CLUSTER_RUIN_AFTER, CLUSTER_RUIN_MIN_TASKS, CLUSTER_RUIN_SHARE, CLUSTER_RUIN_TASKS, KICK_AFTER, KICK_MAX_TASKS, KICK_ROUTE_TASKS, PROGRESS_MASK, REPAIR_SHARE, RESTART_AFTER, RESTART_PRICE_DIVISOR, SISR_BLINK_RATE,
  TW_WEIGHT_CAP_PENALTIES, TW_WEIGHT_PERIOD, TW_WEIGHT_START,
  UNASSIGNED_PENALTY, UNASSIGNED_TASK_PRICE,
} from '../parameters.js';
import { replanTrips } from './facilityTrips.js';
import { focusedSearch, localSearch } from './localSearch.js';
import { windowsBind } from '../model.js';
import { adjustedPrice, initialLoadWeight, initialTwWeight, loadBinds, repair } from './penalised.js';
import { radialRuin, recreate, ruin } from './ruinRecreate.js';
import type { SearchState } from './state.js';
import type { SearchResult } from './types.js';

/** Simulated-annealing ruin-and-recreate on cost (SISR), local search on each new best; the best plan found. */
export function costPhase(st: SearchState, best: SearchResult): SearchResult {
  const m = st.m;
  // With vehicles first, only the routes kept by fleet minimisation may be used.
  st.allowNewRoutes = !m.vehiclesFirst || st.unassigned.length > 0;
  st.maxRoutes = best.routes.length;
  let cur = st.totalCost();
  let bestCost = best.cost;
  let variable = 0;
  for (let v = 0; v < m.nVeh; v++) if (st.nodes[v].length) variable += st.rcost[v] - m.vehFixed[v];
  const perTask = Math.max(1e-9, variable / Math.max(1, m.nTasks - st.unassigned.length));
  // SISR-style annealing from about one task's cost down to 1% of it (tuned on Solomon R2/RC2)
  const t0 = ANNEAL_START_TASKS * perTask, tf = ANNEAL_END_TASKS * perTask;
  // A tight fleet rejects most ruin-and-recreate steps if a task left out costs "infinity":
  // price it at a few tasks' cost so the walk can pass through, but only complete
  // solutions (or ones with fewer tasks out) become the best.
  st.unassignedPenalty = UNASSIGNED_TASK_PRICE * perTask;
  let bestOut = best.unassigned.length;
  cur = st.totalCost();
  bestCost = cur;
  const startIt = st.it;
  const span = Math.max(1, st.maxIt - startIt);
  const startMs = Date.now();
  const spanMs = st.deadline === Infinity ? Infinity : st.deadline - startMs;
  const penalised = st.opts.penaliseTimeWarp ?? windowsBind(st.m);
  let twW = penalised ? TW_WEIGHT_START * initialTwWeight(st) : 0;
  // past this price a second of lateness costs more than leaving a task out: no use going higher
  const twMax = Math.max(twW, TW_WEIGHT_CAP_PENALTIES * st.unassignedPenalty);
  let feasibleSeen = 0, educated = 0, lastFeasibleIt = st.it;
  const twStart = twW;
  // where the fleet is full, load over capacity is priced too (LOAD_PENALTY_MIN_UTILISATION)
  const loadPenalised = penalised && (st.opts.penaliseLoad ?? true) && loadBinds(st);
  let loadW = loadPenalised ? initialLoadWeight(st, perTask) : 0;
  const loadStart = loadW;
  const loadMax = Math.max(loadW, TW_WEIGHT_CAP_PENALTIES * st.unassignedPenalty);
  let loadFeasibleSeen = 0;
  if (loadPenalised) st.setLoadWeight(loadW);
  // kicks (see KICK_AFTER): only on small problems where a ruin's strings cover a small part of a route
  const kicks = penalised && m.nTasks <= KICK_MAX_TASKS && (m.nTasks - st.unassigned.length) / Math.max(1, st.vehiclesUsed()) > KICK_ROUTE_TASKS;
  let lastBestIt = st.it, lastKickIt = st.it;
  // cluster ruins (see CLUSTER_RUIN_AFTER): only on large problems, where kicks hurt
  const clusterRuins = penalised && m.nTasks > CLUSTER_RUIN_MIN_TASKS;
  // cross-exchange and SWAP* in the education (see ROUTE_PAIR_MOVES_IN_EDUCATION): only on large problems
  const routePairMoves = ROUTE_PAIR_MOVES_IN_EDUCATION && m.nTasks > ROUTE_PAIR_MOVES_MIN_TASKS;
  st.setTwWeight(twW);
  while (st.it < st.maxIt && !st.timeUp()) {
    st.it++;
    const frac = Math.max((st.it - startIt) / span, spanMs === Infinity ? 0 : (Date.now() - startMs) / spanMs);
    const from = st.opts.annealFrom ?? 0;
    const temperature = t0 * Math.pow(tf / t0, Math.min(1, from + ((st.opts.annealTo ?? 1) - from) * frac));
    st.beginStep();
    const out = new Set(st.unassigned);
    // a walk that has found nothing better for a while sometimes ruins a whole neighbourhood
    const cluster = clusterRuins && st.it - lastBestIt > CLUSTER_RUIN_AFTER && st.rng.next() < CLUSTER_RUIN_SHARE;
    const removed = cluster ? radialRuin(st, CLUSTER_RUIN_TASKS) : ruin(st);
    recreate(st, st.unassigned.concat(removed), SISR_BLINK_RATE, out);
    if (penalised) {
      // education (Vidal 2013): a penalised descent, then a repair when windows are broken
      st.richMoves = routePairMoves;
      focusedSearch(st, removed);
      st.richMoves = false;
      educated++;
      const onTime = st.totalTw() === 0, withinCapacity = st.totalLoadExcess() === 0;
      if (onTime) feasibleSeen++;
      if (withinCapacity) loadFeasibleSeen++;
      if ((!onTime || !withinCapacity) && st.rng.next() < REPAIR_SHARE) repair(st);
    }
    const c = st.totalCost();
    // a walk on long routes that has found nothing better for a while takes the step whatever it costs
    const kick = kicks && st.it - lastBestIt > KICK_AFTER && st.it - lastKickIt > KICK_AFTER;
    if (kick) lastKickIt = st.it;
    if (kick || c < cur - temperature * Math.log(st.rng.next())) {
      cur = c;
      const out = st.unassigned.length;
      const feasible = !penalised || st.withinLimits();
      if (feasible && (out < bestOut || (out === bestOut && c < bestCost - 1e-9))) {
        if (!penalised) localSearch(st, st.touched.slice());
        if (st.hasIFs) for (const v of st.touched) replanTrips(st, v);
        st.unassignedPenalty = UNASSIGNED_TASK_PRICE * perTask;
        cur = st.totalCost();
        bestCost = cur;
        bestOut = out;
        lastBestIt = st.it;
        best = st.keepBest();
        if (out === 0) st.poolAdd();
      }
    } else {
      st.undoStep();
    }
    if (penalised && educated === TW_WEIGHT_PERIOD) {
      // keep about a fifth to two fifths of the educated solutions feasible. After the step is
      // taken or undone: repricing the candidate and calling that the current cost accepted
      // every 50th candidate whatever it was, and the walk drifted deep into time warp (on
      // Homberger C1_4_2 the current plan carried 500-1,000 s of it at the capped price)
      twW = adjustedPrice(twW, feasibleSeen / educated, twMax);
      if (loadPenalised) {
        // the load price keeps the same share of steps within capacity
        loadW = adjustedPrice(loadW, loadFeasibleSeen / educated, loadMax);
        st.setLoadWeight(loadW);
      }
      educated = feasibleSeen = loadFeasibleSeen = 0;
      st.setTwWeight(twW);
      cur = st.totalCost();
    }
    if (penalised) {
      // a walk that stays on the wrong side of the windows (or the capacity) goes back to the best solution
      if (st.withinLimits() && st.unassigned.length <= bestOut) lastFeasibleIt = st.it;
      else if (st.it - lastFeasibleIt > RESTART_AFTER) {
        st.restore(best);
        twW = Math.max(twStart, twW / RESTART_PRICE_DIVISOR);
        st.setTwWeight(twW);
        if (loadPenalised) {
          loadW = Math.max(loadStart, loadW / RESTART_PRICE_DIVISOR);
          st.setLoadWeight(loadW);
        }
        cur = st.totalCost();
        lastFeasibleIt = st.it;
      }
    }
    if ((st.it & PROGRESS_MASK) === 0) st.progress('cost', bestCost);
  }
  st.setTwWeight(0);
  st.setLoadWeight(0);
  st.unassignedPenalty = UNASSIGNED_PENALTY;
  st.restore(best);
  if (st.hasIFs) for (let v = 0; v < m.nVeh; v++) replanTrips(st, v);
  best = st.keepBest();
  best.iterations = st.it;
  st.progress('cost', best.cost);
  return best;
}
