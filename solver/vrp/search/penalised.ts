/**
 * The penalised side of the cost phase (the idea of Vidal et al. 2013's HGS-VRPTW inside the
 * SISR walk): its start prices (time warp; load over capacity where the fleet is full), and the
 * repair of a time-warped or overloaded solution (descents at a higher price around the late
 * tasks and in the overloaded routes).
 */
import {
  LOAD_PENALTY_MIN_UTILISATION, LOAD_WEIGHT_START, REPAIR_PRICE_FACTORS, REPAIR_SPAN, TW_FEASIBLE_HIGH, TW_FEASIBLE_LOW, TW_SPEED_SAMPLE,
  TW_WEIGHT_DOWN, TW_WEIGHT_UP,
} from '../parameters.js';
import type { Model } from '../model.js';
import { focusedSearch } from './localSearch.js';
import type { SearchState } from './state.js';

/** One second of time warp priced like one second of driving (Vidal 2013 starts at 1 too). */
export function initialTwWeight(st: SearchState): number {
  const m = st.m;
  const d = m.profileDist[0], t = m.profileDur[0];
  let dist = 0, dur = 0;
  const step = Math.max(1, Math.floor(m.nLoc / TW_SPEED_SAMPLE));
  for (let i = 0; i < m.nLoc; i += step) for (let j = 0; j < m.nLoc; j += step) { dist += d[i * m.nLoc + j]; dur += t[i * m.nLoc + j]; }
  const speed = dur > 0 ? dist / dur : 1;
  return Math.max(1e-6, m.vehCostPerS[0] + m.vehCostPerM[0] * speed);
}

/**
 * Is the fleet full enough that load over capacity is worth pricing (LOAD_PENALTY_MIN_UTILISATION)?
 * Demand over the capacity of the routes in use, kg and m³ alike; never where unloading trips are placed.
 */
export function loadBinds(st: SearchState): boolean {
  const m = st.m;
  if (st.hasIFs) return false;
  const { kg, m3 } = taskDemand(m);
  let capKg = 0, capM3 = 0;
  for (let v = 0; v < m.nVeh; v++) if (st.nodes[v].length) { capKg += m.vehCapKg[v]; capM3 += m.vehCapM3[v]; }
  const share = (load: number, cap: number) => (load > 0 && cap > 0 && Number.isFinite(cap) ? load / cap : 0);
  return Math.max(share(kg, capKg), share(m3, capM3)) >= LOAD_PENALTY_MIN_UTILISATION;
}

/** The start price of a unit over capacity: LOAD_WEIGHT_START times a task's cost per unit of the mean task's demand. */
export function initialLoadWeight(st: SearchState, perTaskCost: number): number {
  const { kg, m3 } = taskDemand(st.m);
  const units = kg + m3;
  return units > 0 ? LOAD_WEIGHT_START * perTaskCost / (units / st.m.nTasks) : 0;
}

/** What all tasks carry (first node variants). */
function taskDemand(m: Model): { kg: number; m3: number } {
  let kg = 0, m3 = 0;
  for (let t = 0; t < m.nTasks; t++) { const n = m.taskNodes[t][0]; kg += m.nodeKg[n]; m3 += m.nodeM3[n]; }
  return { kg, m3 };
}

/**
 * A price after a period of educated steps (time warp and load alike): up, to at most `max`,
 * when fewer than TW_FEASIBLE_LOW of them ended within its limit, down above TW_FEASIBLE_HIGH.
 */
export function adjustedPrice(price: number, shareWithin: number, max: number): number {
  if (shareWithin < TW_FEASIBLE_LOW) return Math.min(price * TW_WEIGHT_UP, max);
  if (shareWithin > TW_FEASIBLE_HIGH) return price * TW_WEIGHT_DOWN;
  return price;
}

/**
 * Descents at 10x then 100x the prices around the late tasks of the late routes this step
 * changed, and over every task of the overloaded ones. Routes late before the step are left
 * alone: repairing every late route on every step made a step's work grow with the number of
 * routes (on a 1,000-customer instance the repair took 69% of the time, around ~100 tasks of
 * ~13 late routes per step, of which ~2 had been touched by the step).
 */
export function repair(st: SearchState): void {
  const w = st.twWeight, lw = st.loadWeight;
  for (const k of REPAIR_PRICE_FACTORS) {
    st.setTwWeight(w * k);
    if (lw > 0) st.setLoadWeight(lw * k);
    const bad: number[] = [];
    // in route order, as when every late route was repaired (a step that touched them all repairs as before)
    const broken = st.touched.filter((v) => st.rtw[v] > 0 || st.rload[v] > 0).sort((a, b) => a - b);
    for (const v of broken) {
      if (st.rtw[v] > 0) timeWarpSpots(st, v, bad);
      // overloaded: any of its tasks may go
      if (st.rload[v] > 0) for (const n of st.nodes[v]) if (st.m.nodeTask[n] >= 0) bad.push(st.m.nodeTask[n]);
    }
    focusedSearch(st, bad);
    if (st.withinLimits()) break;
  }
  st.setTwWeight(w);
  if (lw > 0) st.setLoadWeight(lw);
}

/**
 * The tasks of route v where it arrives after a window closes, with the tasks just before
 * them: moving one of those is what can remove the time warp.
 */
function timeWarpSpots(st: SearchState, v: number, out: number[]): void {
  const m = st.m;
  const ns = st.nodes[v];
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
