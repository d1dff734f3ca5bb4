/** Swap: exchange two tasks of different routes. */
import type { SearchState } from '../state.js';
import { commit, evalWith, joinCost } from './moveEval.js';

/** Exchange tasks u and w (between routes), trying every node variant of each. */
export function trySwap(st: SearchState, u: number, w: number): boolean {
  const m = st.m;
  const vu = st.taskVeh[u], vw = st.taskVeh[w];
  if (vu === vw || st.rgroup[vu] !== st.rgroup[vw]) return false;
  if (!m.taskCompat[u * m.nVeh + vw] || !m.taskCompat[w * m.nVeh + vu]) return false;
  const iu = st.taskPos[u], iw = st.taskPos[w];
  const old = st.rcost[vu] + st.rcost[vw];
  for (const nu of m.taskNodes[u]) {
    if (st.distanceBound && m.taskNodes[w].length === 1) {
      const nw = m.taskNodes[w][0];
      const lb = joinCost(st, vw, st.pre[vw][iw], st.nodeSegs[nu], st.suf[vw][iw + 1]) +
        joinCost(st, vu, st.pre[vu][iu], st.nodeSegs[nw], st.suf[vu][iu + 1]);
      if (lb >= old - 1e-7) continue;
    }
    const cw = evalWith(st, vw, iw, st.nodeSegs[nu], iw + 1);
    if (cw === Infinity) continue;
    for (const nw of m.taskNodes[w]) {
      const cu = evalWith(st, vu, iu, st.nodeSegs[nw], iu + 1);
      if (cu + cw < old - 1e-7) {
        const a = st.nodes[vu].slice(); a[iu] = nw;
        const b = st.nodes[vw].slice(); b[iw] = nu;
        commit(st, vu, a);
        commit(st, vw, b);
        return true;
      }
    }
  }
  return false;
}
