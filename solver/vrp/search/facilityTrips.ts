/**
 * Unloading trips (intermediate-facility visits) inside the search: IF visits that stopped
 * paying are dropped after every change of a route, and on every new best each route's
 * trips are placed again at least cost for its task order (ifPlacement.ts, dynamic
 * programming). Insertion adds an IF visit with a task when the load needs a new trip
 * (insertion.ts).
 */
import { concat } from '../segment.js';
import { placeIntermediateFacilities } from '../ifPlacement.js';
import type { SearchState } from './state.js';

/** Drop IF visits that no longer serve a purpose, keep the route's end IF. */
export function cleanRoute(st: SearchState, v: number): void {
  const m = st.m;
  const ns = st.nodes[v];
  let hasTask = false;
  for (const n of ns) if (m.nodeTask[n] >= 0) { hasTask = true; break; }
  if (!hasTask) { ns.length = 0; st.update(v); return; }
  // leading IFs and doubled IFs are pure detours
  const out: number[] = [];
  for (const n of ns) {
    if (m.nodeIsIF[n] && (out.length === 0 || m.nodeIsIF[out[out.length - 1]])) continue;
    out.push(n);
  }
  st.nodes[v] = out;
  st.update(v);
  // then any IF whose removal keeps the route feasible and is cheaper
  const ifm = st.ifMode(v);
  for (let i = out.length - 2; i >= 0; i--) {
    if (!m.nodeIsIF[out[i]]) continue;
    concat(st.t2, st.pre[v][i], st.suf[v][i + 1], m, v);
    if (st.lsCost(st.t2, v, ifm) < st.rcost[v] && (!st.day || st.day.allows(v, [...out.slice(0, i), ...out.slice(i + 1)]))) {
      out.splice(i, 1);
      st.update(v);
    }
  }
}

/**
 * Re-place route v's unloading trips at least cost for its task order (ifPlacement.ts);
 * insertion adds an IF visit only where the load forces one, and may leave a dearer one.
 */
export function replanTrips(st: SearchState, v: number): void {
  const m = st.m;
  const g = st.rgroup[v];
  if (g < 0 || m.groupIF[g].length === 0 || st.twWeight > 0) return;
  const res = placeIntermediateFacilities(m, v, st.nodes[v], m.groupIF[g], m.groupEndEmpty[g] === 1);
  if (!res || res.cost >= st.rbase[v] - 1e-6) return;
  if (st.day && !st.day.allows(v, res.nodes)) return;
  st.touch(v);
  st.nodes[v] = res.nodes;
  st.update(v);
}
