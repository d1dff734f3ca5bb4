/**
 * What the local-search operators share: evaluating a route rebuilt from a prefix, a middle
 * segment and a suffix (O(1) by segment concatenation), a lower bound from distances alone
 * (when no vehicle prices time, to skip the segment work), and making a move (undoable, and
 * marking the route for the descent).
 */
import { Seg, concat } from '../../segment.js';
import { cleanRoute } from '../facilityTrips.js';
import type { SearchState } from '../state.js';

export function commit(st: SearchState, v: number, seq: number[]): void {
  // a descent inside a ruin-and-recreate step must be undoable with it
  st.touch(v);
  st.lsDirty?.add(v);
  st.nodes[v] = seq;
  for (const n of seq) if (st.m.nodeTask[n] >= 0) st.taskVeh[st.m.nodeTask[n]] = v;
  st.update(v);
  cleanRoute(st, v);
}

/**
 * Fixed plus distance cost of the route a + s + b for vehicle v, from matrix lookups only:
 * a lower bound of its cost when time has no price (time warp and waiting only add).
 */
export function joinCost(st: SearchState, v: number, a: Seg, s: Seg | null, b: Seg): number {
  const m = st.m;
  const d = m.profileDist[m.vehProfile[v]], n = m.nLoc;
  const dist = s
    ? a.distM + d[a.last * n + s.first] + s.distM + d[s.last * n + b.first] + b.distM
    : a.distM + d[a.last * n + b.first] + b.distM;
  return m.vehFixed[v] + m.vehCostPerM[v] * dist;
}

/** Cost of the route pre[v][i] + s + suf[v][j] (s may be null); Infinity if infeasible. */
export function evalWith(st: SearchState, v: number, i: number, s: Seg | null, j: number): number {
  const m = st.m;
  let x: Seg = st.pre[v][i];
  if (s) x = concat(st.tA, x, s, m, v);
  concat(st.tB, x, st.suf[v][j], m, v);
  return st.lsCost(st.tB, v, st.ifMode(v));
}

/** Does node range [i, j) of route v hold a task (not only IF visits)? */
export function hasTaskIn(st: SearchState, v: number, i: number, j: number): boolean {
  const ns = st.nodes[v];
  for (let k = i; k < j; k++) if (st.m.nodeTask[ns[k]] >= 0) return true;
  return false;
}
