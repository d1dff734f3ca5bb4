/** 2-opt*: exchange the tails of two routes (Potvin & Rousseau 1995). */
import { concat } from '../../segment.js';
import type { SearchState } from '../state.js';
import { commit, hasTaskIn, joinCost } from './moveEval.js';

/** 2-opt*: route(u) keeps its head up to u and takes route(w)'s tail after w, and vice versa. */
export function tryTwoOptStar(st: SearchState, u: number, w: number): boolean {
  const m = st.m;
  const vu = st.taskVeh[u], vw = st.taskVeh[w];
  if (vu === vw || m.vehType[vu] !== m.vehType[vw] || st.rgroup[vu] !== st.rgroup[vw]) return false;
  const iu = st.taskPos[u], iw = st.taskPos[w];
  const old = st.rcost[vu] + st.rcost[vw];
  const nu = st.nodes[vu], nw = st.nodes[vw];
  const ifm = st.ifMode(vu);
  for (let k = 0; k < 2; k++) {
    const a = k === 0 ? iu + 1 : iu, b = k === 0 ? iw + 1 : iw;
    // new u-route: pre_u[a] + suf_w[b]; new w-route: pre_w[b] + suf_u[a]
    const uHas = hasTaskIn(st, vu, 0, a) || hasTaskIn(st, vw, b, nw.length);
    const wHas = hasTaskIn(st, vw, 0, b) || hasTaskIn(st, vu, a, nu.length);
    if (st.distanceBound &&
      (uHas ? joinCost(st, vu, st.pre[vu][a], null, st.suf[vw][b]) : 0) +
      (wHas ? joinCost(st, vw, st.pre[vw][b], null, st.suf[vu][a]) : 0) >= old - 1e-7) continue;
    let c1 = 0, c2 = 0;
    if (uHas) {
      concat(st.t1, st.pre[vu][a], st.suf[vw][b], m, vu);
      c1 = st.lsCost(st.t1, vu, ifm);
      if (c1 === Infinity) continue;
    }
    if (wHas) {
      concat(st.t2, st.pre[vw][b], st.suf[vu][a], m, vw);
      c2 = st.lsCost(st.t2, vw, ifm);
      if (c2 === Infinity) continue;
    }
    if (c1 + c2 < old - 1e-7) {
      const newU = nu.slice(0, a).concat(nw.slice(b));
      const newW = nw.slice(0, b).concat(nu.slice(a));
      commit(st, vu, newU);
      commit(st, vw, newW);
      return true;
    }
  }
  return false;
}
