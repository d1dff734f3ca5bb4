/**
 * The penalised side of the cost phase (the idea of Vidal et al. 2013's HGS-VRPTW inside the
 * SISR walk): its start price, and the repair of a
 * time-warped solution (descents at a higher price around the late tasks).
 */
import { REPAIR_PRICE_FACTORS, REPAIR_SPAN, TW_SPEED_SAMPLE } from '../parameters.js';
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
 * Descents at 10x then 100x the time-warp price around the late tasks of the late routes this
 * step changed. Routes late before the step are left alone: repairing every late route on
 * every step made a step's work grow with the number of routes (on a 1,000-customer instance
 * the repair took 69% of the time, around ~100 tasks of ~13 late routes per step, of which
 * ~2 had been touched by the step).
 */
export function repair(st: SearchState): void {
  const w = st.twWeight;
  for (const k of REPAIR_PRICE_FACTORS) {
    st.setTwWeight(w * k);
    const bad: number[] = [];
    // in route order, as when every late route was repaired (a step that touched them all repairs as before)
    const late = st.touched.filter((v) => st.rtw[v] > 0).sort((a, b) => a - b);
    for (const v of late) timeWarpSpots(st, v, bad);
    focusedSearch(st, bad);
    if (st.totalTw() === 0) break;
  }
  st.setTwWeight(w);
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
