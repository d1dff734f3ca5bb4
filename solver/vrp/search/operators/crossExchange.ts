/**
 * Cross-exchange (Taillard, Badeau, Gendreau, Guertin & Potvin 1997): two routes trade strings
 * of up to CROSS_EXCHANGE_MAX_STRING tasks each. Granular form: the string starting at u goes
 * to just after its neighbour w, and the string that followed w goes where u's was, so the
 * move creates the edge w -> u. Swap (one task each, in place) and or-opt (a string one way)
 * are its cheaper special cases and run first.
 */
import { type Seg, concat } from '../../segment.js';
import { CROSS_EXCHANGE_MAX_STRING } from '../../parameters.js';
import type { SearchState } from '../state.js';
import { commit, evalWith, joinCost } from './moveEval.js';

/**
 * Grow `out` by the node at position i of route `from`, priced on vehicle v's roads; false
 * when that node cannot travel on v (an unloading visit, a task v may not serve, no node).
 */
function grow(st: SearchState, out: Seg, len: number, from: number, i: number, v: number): boolean {
  const m = st.m;
  const ns = st.nodes[from];
  if (i >= ns.length) return false;
  const n = ns[i];
  if (m.nodeIsIF[n] || !m.taskCompat[m.nodeTask[n] * m.nVeh + v]) return false;
  if (len === 0) out.copyFrom(st.nodeSegs[n]);
  else concat(out, out, st.nodeSegs[n], m, v);
  return true;
}

/** Trade the string starting at u for the string after w (lengths 1 to the maximum each); true when made. */
export function tryCrossExchange(st: SearchState, u: number, w: number): boolean {
  const m = st.m;
  const vu = st.taskVeh[u], vw = st.taskVeh[w];
  if (vu === vw || st.rgroup[vu] !== st.rgroup[vw]) return false;
  const iu = st.taskPos[u], jw = st.taskPos[w] + 1;
  const old = st.rcost[vu] + st.rcost[vw];
  const strU = st.sFwd, strW = st.sRev;
  for (let a = 0; a < CROSS_EXCHANGE_MAX_STRING; a++) {
    // the string of u's route, priced on w's vehicle
    if (!grow(st, strU, a, vu, iu + a, vw)) break;
    for (let b = 0; b < CROSS_EXCHANGE_MAX_STRING; b++) {
      // the string after w, priced on u's vehicle (rebuilt for each a: one concatenation per length)
      if (!grow(st, strW, b, vw, jw + b, vu)) break;
      if (st.distanceBound &&
        joinCost(st, vu, st.pre[vu][iu], strW, st.suf[vu][iu + a + 1]) +
        joinCost(st, vw, st.pre[vw][jw], strU, st.suf[vw][jw + b + 1]) >= old - 1e-7) continue;
      const cu = evalWith(st, vu, iu, strW, iu + a + 1);
      if (cu === Infinity || cu >= old) continue;
      const cw = evalWith(st, vw, jw, strU, jw + b + 1);
      if (cu + cw < old - 1e-7) {
        const nu = st.nodes[vu], nw = st.nodes[vw];
        const newU = nu.slice(0, iu).concat(nw.slice(jw, jw + b + 1), nu.slice(iu + a + 1));
        const newW = nw.slice(0, jw).concat(nu.slice(iu, iu + a + 1), nw.slice(jw + b + 1));
        commit(st, vu, newU);
        commit(st, vw, newW);
        return true;
      }
    }
  }
  return false;
}
