/**
 * Fleet minimisation for the vehicles-first objective: take the smallest route out, then put
 * its tasks back with ruin-and-recreate steps accepted by absence counters (how often each
 * task was left out), interleaved with ejection insertions (Nagata & Bräysy 2009 style). A
 * stuck attempt restarts from the last complete plan with another route and a longer budget.
 * The same loop without route removal packs in the tasks construction left out.
 */
import {
  EJECTION_NEIGHBOURS, EJECTION_STEP_SHARE, FLEET_ATTEMPT_GROWTH, FLEET_ATTEMPT_TASKS, GRANULAR_INSERTION_TASKS,
  PROGRESS_MASK, SISR_BLINK_RATE,
} from '../parameters.js';
import { concat, isFeasible, routeCost } from '../segment.js';
import { cleanRoute } from './facilityTrips.js';
import { applyInsertion, findInsertion } from './insertion.js';
import { localSearch } from './localSearch.js';
import { recreate, ruin } from './ruinRecreate.js';
import type { SearchState } from './state.js';
import type { SearchResult } from './types.js';

/** Remove routes one by one; reinsert their tasks with ruin-and-recreate, no new routes. */
export function fleetMinimise(st: SearchState, best: SearchResult, budget: number, removeRoutes = true): SearchResult {
  const m = st.m;
  st.allowNewRoutes = false;
  const end = st.it + budget;
  // no point removing routes below the load lower bound of each group
  const loadKg = new Map<number, number>();
  for (let t = 0; t < m.nTasks; t++) { const g = m.taskGroup[t]; loadKg.set(g, (loadKg.get(g) ?? 0) + m.nodeKg[m.taskNodes[t][0]]); }
  let lowerBound = 0;
  for (const [g, kg] of loadKg) {
    let cap = 0;
    for (let v = 0; v < m.nVeh; v++) for (let t = 0; t < m.nTasks; t++) if (m.taskGroup[t] === g && m.taskCompat[t * m.nVeh + v]) { cap = Math.max(cap, m.vehCapKg[v]); break; }
    const byLoad = m.groupIF[g].length > 0 || cap <= 0 ? 1 : Math.max(1, Math.ceil(kg / cap - 1e-9));
    lowerBound += Math.max(byLoad, workTimeBound(st, g));
  }
  // packing only (tasks left out by construction): start with the tasks already out
  let packFirst = st.unassigned.length > 0;
  let attempt = 0, attemptIt = FLEET_ATTEMPT_TASKS * m.nTasks;
  while (st.it < end && !st.timeUp() && (packFirst || st.vehiclesUsed() > lowerBound)) {
    if (!packFirst) {
      // drop the route with the fewest tasks; after a failed attempt, the smaller of two random routes
      let vMin = -1, lenMin = Infinity;
      if (attempt === 0) {
        for (let v = 0; v < m.nVeh; v++) if (st.nodes[v].length && st.nodes[v].length < lenMin) { lenMin = st.nodes[v].length; vMin = v; }
      } else {
        const used: number[] = [];
        for (let v = 0; v < m.nVeh; v++) if (st.nodes[v].length) used.push(v);
        const a = used[st.rng.int(used.length)], b = used[st.rng.int(used.length)];
        vMin = st.nodes[a].length <= st.nodes[b].length ? a : b;
      }
      const freed: number[] = [];
      for (const n of st.nodes[vMin]) if (m.nodeTask[n] >= 0) { freed.push(m.nodeTask[n]); st.taskVeh[m.nodeTask[n]] = -1; }
      st.nodes[vMin] = [];
      st.update(vMin);
      st.unassigned = st.unassigned.concat(freed);
    }
    packFirst = false;
    recreate(st, st.unassigned.slice(), 0);
    let absSum = absenceSum(st);
    const attemptEnd = removeRoutes && (st.opts.fleetRestarts ?? true) ? st.it + attemptIt : Infinity;
    while (st.unassigned.length > 0 && st.it < end && st.it < attemptEnd && !st.timeUp()) {
      st.it++;
      if (st.rng.next() < EJECTION_STEP_SHARE) {
        // ejection step (Nagata & Braysy 2009 style): place the latest unassigned task,
        // ejecting the least-often-absent task of a route when it does not fit
        const t = st.unassigned[st.unassigned.length - 1];
        findInsertion(st, t, 0);
        if (st.bestV >= 0) { st.unassigned.pop(); applyInsertion(st, t); }
        else { st.absence[t]++; ejectInsert(st, t); }
        absSum = absenceSum(st);
        continue;
      }
      const beforeN = st.unassigned.length, beforeAbs = absSum;
      st.beginStep();
      const out = new Set(st.unassigned);
      const removed = ruin(st);
      recreate(st, st.unassigned.concat(removed), SISR_BLINK_RATE, m.nTasks > GRANULAR_INSERTION_TASKS ? out : null);
      const nowAbs = absenceSum(st);
      if (st.unassigned.length < beforeN || (st.unassigned.length === beforeN && nowAbs <= beforeAbs) || nowAbs < beforeAbs) absSum = nowAbs;
      else st.undoStep();
      for (const t of st.unassigned) st.absence[t]++;
      if ((st.it & PROGRESS_MASK) === 0) st.progress('fleet', st.totalCost());
    }
    if (st.unassigned.length > 0 && st.it >= attemptEnd && st.it < end && !st.timeUp()) {
      // a stuck attempt: the time to success has a heavy tail, so restart from the last
      // complete plan with another route taken out and a longer attempt (Luby-style)
      st.restore(best);
      attempt++;
      attemptIt *= FLEET_ATTEMPT_GROWTH;
      continue;
    }
    if (st.unassigned.length > 0) {
      if (st.unassigned.length < best.unassigned.length) best = st.keepBest();
      break;
    }
    localSearch(st);
    attempt = 0;
    attemptIt = FLEET_ATTEMPT_TASKS * m.nTasks;
    best = st.keepBest();
    st.poolAdd();
    st.progress('fleet', best.cost);
    if (!removeRoutes) break;
  }
  st.allowNewRoutes = true;
  return best;
}

/**
 * Vehicles a group needs at least by working time: every task takes its service plus the
 * shortest drive into it from anywhere, and no shift is longer than the longest one. Stops
 * fleet minimisation from spending its budget on a fleet that cannot exist (Solomon R2/C2).
 */
function workTimeBound(st: SearchState, g: number): number {
  const m = st.m;
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
function ejectInsert(st: SearchState, t: number): boolean {
  const m = st.m;
  const g = m.taskGroup[t];
  const routes = new Set<number>();
  const lim = Math.min(st.adj[t].length, EJECTION_NEIGHBOURS);
  for (let k = 0; k < lim; k++) { const v = st.taskVeh[st.adj[t][k]]; if (v >= 0) routes.add(v); }
  let bestAbs = Infinity, bestCost = Infinity, bv = -1, bi = 0, bj = 0, be = -1;
  let bseq: number[] = [];
  const mid = st.tMid, x = st.t1, y = st.t2;
  for (const v of routes) {
    if (!m.taskCompat[t * m.nVeh + v] || st.rgroup[v] !== g) continue;
    const ns = st.nodes[v];
    const len = ns.length;
    const ifm = st.ifMode(v);
    const pre = st.pre[v], suf = st.suf[v];
    for (let k = 0; k < len; k++) {
      const e = m.nodeTask[ns[k]];
      if (e < 0 || st.absence[e] > bestAbs) continue;
      const a = st.absence[e];
      for (const n of m.taskNodes[t]) {
        const sn = st.nodeSegs[n];
        // insert before the ejected position: pre[p] + n + nodes[p..k) + suf[k+1]
        let hasMid = false;
        for (let p = k; p >= 0; p--) {
          if (p < k) { if (hasMid) concat(mid, st.nodeSegs[ns[p]], mid, m, v); else { mid.copyFrom(st.nodeSegs[ns[p]]); hasMid = true; } }
          concat(x, pre[p], sn, m, v);
          if (hasMid) concat(x, x, mid, m, v);
          concat(y, x, suf[k + 1], m, v);
          if (!isFeasible(y, m, v, ifm)) continue;
          const d = routeCost(y, m, v) - st.rcost[v] + st.rng.next() * 1e-9;
          if ((a < bestAbs || d < bestCost) && allowed(st, v, ns, p, k + 1, [n, ...ns.slice(p, k)])) { bestAbs = a; bestCost = d; bv = v; bi = p; bj = k + 1; be = e; bseq = [n, ...ns.slice(p, k)]; }
        }
        // insert after it: pre[k] + nodes(k..p) + n + suf[p]
        hasMid = false;
        for (let p = k + 2; p <= len; p++) {
          if (hasMid) concat(mid, mid, st.nodeSegs[ns[p - 1]], m, v); else { mid.copyFrom(st.nodeSegs[ns[p - 1]]); hasMid = true; }
          concat(x, pre[k], mid, m, v);
          concat(x, x, sn, m, v);
          concat(y, x, suf[p], m, v);
          if (!isFeasible(y, m, v, ifm)) continue;
          const d = routeCost(y, m, v) - st.rcost[v] + st.rng.next() * 1e-9;
          if ((a < bestAbs || d < bestCost) && allowed(st, v, ns, k, p, [...ns.slice(k + 1, p), n])) { bestAbs = a; bestCost = d; bv = v; bi = k; bj = p; be = e; bseq = [...ns.slice(k + 1, p), n]; }
        }
      }
    }
  }
  if (bv < 0) return false;
  const ns = st.nodes[bv];
  st.nodes[bv] = [...ns.slice(0, bi), ...bseq, ...ns.slice(bj)];
  st.taskVeh[t] = bv;
  st.taskVeh[be] = -1;
  st.update(bv);
  cleanRoute(st, bv);
  st.unassigned.pop();
  st.unassigned.unshift(be);
  return true;
}

/** The day's limits (breaks, facility capacity) allow route v with nodes [i, j) replaced by seq. */
function allowed(st: SearchState, v: number, ns: number[], i: number, j: number, seq: number[]): boolean {
  return !st.day || st.day.allows(v, [...ns.slice(0, i), ...seq, ...ns.slice(j)]);
}

function absenceSum(st: SearchState): number {
  let s = 0;
  for (const t of st.unassigned) s += st.absence[t];
  return s;
}
