/**
 * The routing search: greedy/regret construction, then Slack Induction by String Removals
 * (SISR, Christiaens & Vanden Berghe 2020) ruin-and-recreate under simulated annealing,
 * with a local-search descent (relocate, or-opt, swap, 2-opt*) on every new best, and for
 * the vehicles-first objective a fleet-minimisation phase driven by absence counters.
 *
 * Every move is checked with O(1) segment concatenation (segment.ts); only feasible
 * solutions are kept, so a task that cannot be placed stays unassigned (the caller turns
 * that into a reason). Work is counted in iterations; the wall-clock limit is only a cap.
 */
import type { Model } from './model.js';
import { Seg, concat, isFeasible, routeCost } from './segment.js';
import {
  ANNEAL_END_TASKS, ANNEAL_START_TASKS, CLOCK_CHECK_MASK, DEFAULT_FLEET_SHARE, DEFAULT_MAX_ITERATIONS, EJECTION_NEIGHBOURS,
  EJECTION_STEP_SHARE, FLEET_ATTEMPT_GROWTH, FLEET_ATTEMPT_TASKS, GRANULAR_INSERTION_NEIGHBOURS, GRANULAR_INSERTION_TASKS,
  INTRA_RELOCATE_MAX_SPAN, LS_MAX_MOVES_PER_TASK, LS_NEIGHBOURS, NEIGHBOUR_LIST, OR_OPT_MAX_STRING, PACKING_SHARE,
  PROGRESS_MASK, REGRET_MAX_TASKS, REPAIR_PRICE_FACTORS, REPAIR_SHARE, REPAIR_SPAN, RESTART_AFTER, RESTART_PRICE_DIVISOR,
  ROUTE_POOL_MAX, SISR_AVG_REMOVED, SISR_BLINK_RATE, SISR_MAX_STRING, SISR_ORDER_WEIGHTS, SISR_SPLIT_BETA, SISR_SPLIT_SHARE,
  TW_FEASIBLE_HIGH, TW_FEASIBLE_LOW, TW_SPEED_SAMPLE, TW_WEIGHT_CAP_PENALTIES, TW_WEIGHT_DOWN, TW_WEIGHT_PERIOD, TW_WEIGHT_START,
  TW_WEIGHT_UP, UNASSIGNED_PENALTY, UNASSIGNED_TASK_PRICE,
} from './parameters.js';

import { SearchState } from './search/state.js';
import { applyInsertion, evalInsert, findInsertion } from './search/insertion.js';
import { cleanRoute, replanTrips } from './search/facilityTrips.js';
import { recreate, ruin } from './search/ruinRecreate.js';
import { construct } from './search/construction.js';
import { focusedSearch, localSearch } from './search/localSearch.js';
import { taskLoc } from './search/neighbours.js';
import type { SearchOptions, SearchResult } from './search/types.js';

export type { SearchOptions, SearchProgress, RouteOut, SearchResult } from './search/types.js';
export { RoutePool } from './search/routePool.js';

export function search(m: Model, opts: SearchOptions = {}): SearchResult {
  return new Search(m, opts).run();
}

class Search extends SearchState {
  private temperature = 0;

  // ---- recreate -------------------------------------------------------------------------


  // ---- ruin (SISR) ----------------------------------------------------------------------

  // ---- local search (feasible descent) --------------------------------------------------

  // ---- main loops -----------------------------------------------------------------------

  run(): SearchResult {
    const m = this.m;
    if (m.nTasks === 0) return { routes: [], unassigned: [], iterations: 0, cost: 0 };
    construct(this);
    localSearch(this);
    this.progress('construct', this.totalCost());
    let best = this.snapshot();
    this.poolAdd();
    const fleetIt = m.vehiclesFirst ? Math.floor(this.maxIt * (this.opts.fleetShare ?? DEFAULT_FLEET_SHARE)) : 0;
    if (this.unassigned.length > 0 && !this.deadlineIsClose()) {
      // construction left tasks out: pack them in (ejections + absence counters) before costs
      if (this.deadline !== Infinity) this.phaseDeadline = Date.now() + (this.deadline - Date.now()) * PACKING_SHARE;
      best = this.fleetMinimise(best, Math.floor(this.maxIt * PACKING_SHARE), false);
      this.phaseDeadline = Infinity;
      this.restore(best);
    }
    if (fleetIt > 0 && this.unassigned.length === 0) {
      // the wall-clock cap, when given, is shared the same way as the iterations
      if (this.deadline !== Infinity) this.phaseDeadline = Date.now() + (this.deadline - Date.now()) * (this.opts.fleetShare ?? DEFAULT_FLEET_SHARE);
      best = this.fleetMinimise(best, fleetIt);
      this.phaseDeadline = Infinity;
    }
    this.restore(best);
    this.costPhase(best);
    return this.bestOut!;
  }

  private bestOut: SearchResult | null = null;

  /** Remove routes one by one; reinsert their tasks with ruin-and-recreate, no new routes. */
  private fleetMinimise(best: SearchResult, budget: number, removeRoutes = true): SearchResult {
    const m = this.m;
    this.allowNewRoutes = false;
    const end = this.it + budget;
    // no point removing routes below the load lower bound of each group
    const loadKg = new Map<number, number>();
    for (let t = 0; t < m.nTasks; t++) { const g = m.taskGroup[t]; loadKg.set(g, (loadKg.get(g) ?? 0) + m.nodeKg[m.taskNodes[t][0]]); }
    let lowerBound = 0;
    for (const [g, kg] of loadKg) {
      let cap = 0;
      for (let v = 0; v < m.nVeh; v++) for (let t = 0; t < m.nTasks; t++) if (m.taskGroup[t] === g && m.taskCompat[t * m.nVeh + v]) { cap = Math.max(cap, m.vehCapKg[v]); break; }
      const byLoad = m.groupIF[g].length > 0 || cap <= 0 ? 1 : Math.max(1, Math.ceil(kg / cap - 1e-9));
      lowerBound += Math.max(byLoad, this.workTimeBound(g));
    }
    // packing only (tasks left out by construction): start with the tasks already out
    let packFirst = this.unassigned.length > 0;
    let attempt = 0, attemptIt = FLEET_ATTEMPT_TASKS * m.nTasks;
    while (this.it < end && !this.timeUp() && (packFirst || this.vehiclesUsed() > lowerBound)) {
      if (!packFirst) {
        // drop the route with the fewest tasks; after a failed attempt, the smaller of two random routes
        let vMin = -1, lenMin = Infinity;
        if (attempt === 0) {
          for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length && this.nodes[v].length < lenMin) { lenMin = this.nodes[v].length; vMin = v; }
        } else {
          const used: number[] = [];
          for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length) used.push(v);
          const a = used[this.rng.int(used.length)], b = used[this.rng.int(used.length)];
          vMin = this.nodes[a].length <= this.nodes[b].length ? a : b;
        }
        const freed: number[] = [];
        for (const n of this.nodes[vMin]) if (m.nodeTask[n] >= 0) { freed.push(m.nodeTask[n]); this.taskVeh[m.nodeTask[n]] = -1; }
        this.nodes[vMin] = [];
        this.update(vMin);
        this.unassigned = this.unassigned.concat(freed);
      }
      packFirst = false;
      recreate(this, this.unassigned.slice(), 0);
      let absSum = this.absenceSum();
      const attemptEnd = removeRoutes && (this.opts.fleetRestarts ?? true) ? this.it + attemptIt : Infinity;
      while (this.unassigned.length > 0 && this.it < end && this.it < attemptEnd && !this.timeUp()) {
        this.it++;
        if (this.rng.next() < EJECTION_STEP_SHARE) {
          // ejection step (Nagata & Braysy 2009 style): place the latest unassigned task,
          // ejecting the least-often-absent task of a route when it does not fit
          const t = this.unassigned[this.unassigned.length - 1];
          findInsertion(this, t, 0);
          if (this.bestV >= 0) { this.unassigned.pop(); applyInsertion(this, t); }
          else { this.absence[t]++; this.ejectInsert(t); }
          absSum = this.absenceSum();
          continue;
        }
        const beforeN = this.unassigned.length, beforeAbs = absSum;
        this.beginStep();
        const out = new Set(this.unassigned);
        const removed = ruin(this);
        recreate(this, this.unassigned.concat(removed), SISR_BLINK_RATE, m.nTasks > GRANULAR_INSERTION_TASKS ? out : null);
        const nowAbs = this.absenceSum();
        if (this.unassigned.length < beforeN || (this.unassigned.length === beforeN && nowAbs <= beforeAbs) || nowAbs < beforeAbs) absSum = nowAbs;
        else this.undoStep();
        for (const t of this.unassigned) this.absence[t]++;
        if ((this.it & PROGRESS_MASK) === 0) this.progress('fleet', this.totalCost());
      }
      if (this.unassigned.length > 0 && this.it >= attemptEnd && this.it < end && !this.timeUp()) {
        // a stuck attempt: the time to success has a heavy tail, so restart from the last
        // complete plan with another route taken out and a longer attempt (Luby-style)
        this.restore(best);
        attempt++;
        attemptIt *= FLEET_ATTEMPT_GROWTH;
        continue;
      }
      if (this.unassigned.length > 0) {
        if (this.unassigned.length < best.unassigned.length) best = this.snapshot();
        break;
      }
      localSearch(this);
      attempt = 0;
      attemptIt = FLEET_ATTEMPT_TASKS * m.nTasks;
      best = this.snapshot();
      this.poolAdd();
      this.progress('fleet', best.cost);
      if (!removeRoutes) break;
    }
    this.allowNewRoutes = true;
    return best;
  }

  /**
   * Vehicles a group needs at least by working time: every task takes its service plus the
   * shortest drive into it from anywhere, and no shift is longer than the longest one. Stops
   * fleet minimisation from spending its budget on a fleet that cannot exist (Solomon R2/C2).
   */
  private workTimeBound(g: number): number {
    const m = this.m;
    const tasks: number[] = [];
    for (let t = 0; t < m.nTasks; t++) if (m.taskGroup[t] === g) tasks.push(t);
    let shiftS = 0;
    const profiles = new Set<number>();
    const from = new Map<number, number>();
    const addFrom = (loc: number) => from.set(loc, (from.get(loc) ?? 0) + 1);
    for (let v = 0; v < m.nVeh; v++) {
      if (!tasks.some((t) => m.taskCompat[t * m.nVeh + v])) continue;
      shiftS = Math.max(shiftS, m.vehL[v] - m.vehE[v]);
      profiles.add(m.vehProfile[v]);
      addFrom(m.vehStart[v]);
    }
    if (shiftS <= 0 || tasks.length === 0) return 1;
    for (const t of tasks) for (const n of m.taskNodes[t]) addFrom(m.nodeEnd[n]);
    for (const n of m.groupIFAll[g]) addFrom(m.nodeEnd[n]);
    const fromLocs = Int32Array.from(from.keys());
    let totalS = 0;
    for (const t of tasks) {
      let best = Infinity;
      for (const n of m.taskNodes[t]) {
        const to = m.nodeStart[n];
        // a place shared with another task or the depot can be arrived at from zero distance
        let minIn = (from.get(to) ?? 0) > (m.nodeEnd[n] === to ? 1 : 0) ? 0 : Infinity;
        for (const p of profiles) {
          const dur = m.profileDur[p];
          for (const loc of fromLocs) if (loc !== to && dur[loc * m.nLoc + to] < minIn) minIn = dur[loc * m.nLoc + to];
        }
        if (minIn === Infinity) minIn = 0;
        best = Math.min(best, m.nodeDur[n] + minIn);
      }
      totalS += best;
    }
    return Math.max(1, Math.ceil(totalS / shiftS - 1e-9));
  }

  /** Insert t by ejecting one task from a nearby route: least absence first, then least cost. */
  private ejectInsert(t: number): boolean {
    const m = this.m;
    const g = m.taskGroup[t];
    const routes = new Set<number>();
    const lim = Math.min(this.adj[t].length, EJECTION_NEIGHBOURS);
    for (let k = 0; k < lim; k++) { const v = this.taskVeh[this.adj[t][k]]; if (v >= 0) routes.add(v); }
    let bestAbs = Infinity, bestCost = Infinity, bv = -1, bi = 0, bj = 0, be = -1;
    let bseq: number[] = [];
    const mid = this.tMid, x = this.t1, y = this.t2;
    for (const v of routes) {
      if (!m.taskCompat[t * m.nVeh + v] || this.rgroup[v] !== g) continue;
      const ns = this.nodes[v];
      const len = ns.length;
      const ifm = this.ifMode(v);
      const pre = this.pre[v], suf = this.suf[v];
      for (let k = 0; k < len; k++) {
        const e = m.nodeTask[ns[k]];
        if (e < 0 || this.absence[e] > bestAbs) continue;
        const a = this.absence[e];
        for (const n of m.taskNodes[t]) {
          const sn = this.nodeSegs[n];
          // insert before the ejected position: pre[p] + n + nodes[p..k) + suf[k+1]
          let hasMid = false;
          for (let p = k; p >= 0; p--) {
            if (p < k) { if (hasMid) concat(mid, this.nodeSegs[ns[p]], mid, m, v); else { mid.copyFrom(this.nodeSegs[ns[p]]); hasMid = true; } }
            concat(x, pre[p], sn, m, v);
            if (hasMid) concat(x, x, mid, m, v);
            concat(y, x, suf[k + 1], m, v);
            if (!isFeasible(y, m, v, ifm)) continue;
            const d = routeCost(y, m, v) - this.rcost[v] + this.rng.next() * 1e-9;
            if (a < bestAbs || d < bestCost) { bestAbs = a; bestCost = d; bv = v; bi = p; bj = k + 1; be = e; bseq = [n, ...ns.slice(p, k)]; }
          }
          // insert after it: pre[k] + nodes(k..p) + n + suf[p]
          hasMid = false;
          for (let p = k + 2; p <= len; p++) {
            if (hasMid) concat(mid, mid, this.nodeSegs[ns[p - 1]], m, v); else { mid.copyFrom(this.nodeSegs[ns[p - 1]]); hasMid = true; }
            concat(x, pre[k], mid, m, v);
            concat(x, x, sn, m, v);
            concat(y, x, suf[p], m, v);
            if (!isFeasible(y, m, v, ifm)) continue;
            const d = routeCost(y, m, v) - this.rcost[v] + this.rng.next() * 1e-9;
            if (a < bestAbs || d < bestCost) { bestAbs = a; bestCost = d; bv = v; bi = k; bj = p; be = e; bseq = [...ns.slice(k + 1, p), n]; }
          }
        }
      }
    }
    if (bv < 0) return false;
    const ns = this.nodes[bv];
    this.nodes[bv] = [...ns.slice(0, bi), ...bseq, ...ns.slice(bj)];
    this.taskVeh[t] = bv;
    this.taskVeh[be] = -1;
    this.update(bv);
    cleanRoute(this, bv);
    this.unassigned.pop();
    this.unassigned.unshift(be);
    return true;
  }

  /**
   * Does any task have a window narrower than the shifts? Without one, time warp can only
   * come from the shift itself and the plain walk does as well for less work (CVRP, CARP).
   */
  private windowsBind(): boolean {
    const m = this.m;
    let minE = Infinity, maxL = -Infinity;
    for (let v = 0; v < m.nVeh; v++) { minE = Math.min(minE, m.vehE[v]); maxL = Math.max(maxL, m.vehL[v]); }
    for (let n = 0; n < m.nNodes; n++) {
      if (m.nodeTask[n] >= 0 && (m.nodeE[n] > minE + 1e-6 || m.nodeL[n] + m.nodeDur[n] < maxL - 1e-6)) return true;
    }
    return false;
  }

  /** One second of time warp priced like one second of driving (Vidal 2013 starts at 1 too). */
  private initialTwWeight(): number {
    const m = this.m;
    const d = m.profileDist[0], t = m.profileDur[0];
    let dist = 0, dur = 0;
    const step = Math.max(1, Math.floor(m.nLoc / TW_SPEED_SAMPLE));
    for (let i = 0; i < m.nLoc; i += step) for (let j = 0; j < m.nLoc; j += step) { dist += d[i * m.nLoc + j]; dur += t[i * m.nLoc + j]; }
    const speed = dur > 0 ? dist / dur : 1;
    return Math.max(1e-6, m.vehCostPerS[0] + m.vehCostPerM[0] * speed);
  }

  /** Descents at 10x then 100x the time-warp price around the late tasks of every late route. */
  private repair(): void {
    const w = this.twWeight;
    for (const k of REPAIR_PRICE_FACTORS) {
      this.setTwWeight(w * k);
      const bad: number[] = [];
      for (let v = 0; v < this.m.nVeh; v++) if (this.rtw[v] > 0) this.timeWarpSpots(v, bad);
      focusedSearch(this, bad);
      if (this.totalTw() === 0) break;
    }
    this.setTwWeight(w);
  }

  /**
   * The tasks of route v where it arrives after a window closes, with the tasks just before
   * them: moving one of those is what can remove the time warp.
   */
  private timeWarpSpots(v: number, out: number[]): void {
    const m = this.m;
    const ns = this.nodes[v];
    const dur = m.profileDur[m.vehProfile[v]];
    let t = m.vehE[v], at = m.vehStart[v];
    for (let i = 0; i < ns.length; i++) {
      const n = ns[i];
      let arrive = t + dur[at * m.nLoc + m.nodeStart[n]];
      if (arrive > m.nodeL[n] + 1e-6) {
        for (let k = Math.max(0, i - REPAIR_SPAN); k <= i; k++) if (m.nodeTask[ns[k]] >= 0) out.push(m.nodeTask[ns[k]]);
        arrive = m.nodeL[n];
      }
      t = Math.max(arrive, m.nodeE[n]) + m.nodeDur[n];
      at = m.nodeEnd[n];
    }
    if (t + dur[at * m.nLoc + m.vehEnd[v]] > m.vehL[v] + 1e-6) {
      // late back at the depot: any of the last tasks may go
      for (let k = Math.max(0, ns.length - 1 - REPAIR_SPAN); k < ns.length; k++) if (m.nodeTask[ns[k]] >= 0) out.push(m.nodeTask[ns[k]]);
    }
  }

  private absenceSum(): number {
    let s = 0;
    for (const t of this.unassigned) s += this.absence[t];
    return s;
  }

  /** Simulated-annealing ruin-and-recreate on cost (SISR), local search on each new best. */
  private costPhase(best: SearchResult): void {
    const m = this.m;
    // With vehicles first, only the routes kept by fleet minimisation may be used.
    this.allowNewRoutes = !m.vehiclesFirst || this.unassigned.length > 0;
    this.maxRoutes = best.routes.length;
    let cur = this.totalCost();
    let bestCost = best.cost;
    let variable = 0;
    for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length) variable += this.rcost[v] - m.vehFixed[v];
    const perTask = Math.max(1e-9, variable / Math.max(1, m.nTasks - this.unassigned.length));
    // SISR-style annealing from about one task's cost down to 1% of it (tuned on Solomon R2/RC2)
    const t0 = ANNEAL_START_TASKS * perTask, tf = ANNEAL_END_TASKS * perTask;
    // A tight fleet rejects most ruin-and-recreate steps if a task left out costs "infinity":
    // price it at a few tasks' cost so the walk can pass through, but only complete
    // solutions (or ones with fewer tasks out) become the best.
    this.unassignedPenalty = UNASSIGNED_TASK_PRICE * perTask;
    let bestOut = best.unassigned.length;
    cur = this.totalCost();
    bestCost = cur;
    const startIt = this.it;
    const span = Math.max(1, this.maxIt - startIt);
    const startMs = Date.now();
    const spanMs = this.deadline === Infinity ? Infinity : this.deadline - startMs;
    const penalised = this.opts.penaliseTimeWarp ?? this.windowsBind();
    let twW = penalised ? TW_WEIGHT_START * this.initialTwWeight() : 0;
    // past this price a second of lateness costs more than leaving a task out: no use going higher
    const twMax = Math.max(twW, TW_WEIGHT_CAP_PENALTIES * this.unassignedPenalty);
    let feasibleSeen = 0, educated = 0, lastFeasibleIt = this.it;
    const twStart = twW;
    this.setTwWeight(twW);
    while (this.it < this.maxIt && !this.timeUp()) {
      this.it++;
      const frac = Math.max((this.it - startIt) / span, spanMs === Infinity ? 0 : (Date.now() - startMs) / spanMs);
      this.temperature = t0 * Math.pow(tf / t0, Math.min(1, frac));
      this.beginStep();
      const out = new Set(this.unassigned);
      const removed = ruin(this);
      recreate(this, this.unassigned.concat(removed), SISR_BLINK_RATE, out);
      if (penalised) {
        // education (Vidal 2013): a penalised descent, then a repair when windows are broken
        focusedSearch(this, removed);
        educated++;
        if (this.totalTw() === 0) feasibleSeen++;
        else if (this.rng.next() < REPAIR_SHARE) this.repair();
        if (educated === TW_WEIGHT_PERIOD) {
          // keep about a fifth to two fifths of the educated solutions feasible
          const share = feasibleSeen / educated;
          if (share < TW_FEASIBLE_LOW) twW = Math.min(twW * TW_WEIGHT_UP, twMax); else if (share > TW_FEASIBLE_HIGH) twW *= TW_WEIGHT_DOWN;
          educated = feasibleSeen = 0;
          this.setTwWeight(twW);
          cur = this.totalCost();
        }
      }
      const c = this.totalCost();
      if (c < cur - this.temperature * Math.log(this.rng.next())) {
        cur = c;
        const out = this.unassigned.length;
        const feasible = !penalised || this.totalTw() === 0;
        if (feasible && (out < bestOut || (out === bestOut && c < bestCost - 1e-9))) {
          if (!penalised) localSearch(this, this.touched.slice());
          if (this.hasIFs) for (const v of this.touched) replanTrips(this, v);
          this.unassignedPenalty = UNASSIGNED_TASK_PRICE * perTask;
          cur = this.totalCost();
          bestCost = cur;
          bestOut = out;
          best = this.snapshot();
          if (out === 0) this.poolAdd();
        }
      } else {
        this.undoStep();
      }
      if (penalised) {
        // a walk that stays on the wrong side of the windows goes back to the best solution
        if (this.totalTw() === 0 && this.unassigned.length <= bestOut) lastFeasibleIt = this.it;
        else if (this.it - lastFeasibleIt > RESTART_AFTER) {
          this.restore(best);
          twW = Math.max(twStart, twW / RESTART_PRICE_DIVISOR);
          this.setTwWeight(twW);
          cur = this.totalCost();
          lastFeasibleIt = this.it;
        }
      }
      if ((this.it & PROGRESS_MASK) === 0) this.progress('cost', bestCost);
    }
    this.setTwWeight(0);
    this.unassignedPenalty = UNASSIGNED_PENALTY;
    this.restore(best);
    if (this.hasIFs) for (let v = 0; v < m.nVeh; v++) replanTrips(this, v);
    best = this.snapshot();
    best.iterations = this.it;
    this.progress('cost', best.cost);
    this.bestOut = best;
  }

}


