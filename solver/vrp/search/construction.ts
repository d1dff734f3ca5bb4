/**
 * The first solution: regret-2 insertion (the task whose best and second-best routes differ
 * most goes first) up to REGRET_MAX_TASKS tasks, greedy by deadline above it.
 */
import { REGRET_MAX_TASKS } from '../parameters.js';
import { applyInsertion, evalInsert, findInsertion } from './insertion.js';
import type { SearchState } from './state.js';

/** Regret-2 construction: insert first the task whose best and second-best routes differ most. */
export function construct(st: SearchState): void {
  const m = st.m;
  const pending = new Set<number>();
  for (let t = 0; t < m.nTasks; t++) pending.add(t);
  const left: number[] = [];
  // Above a few hundred tasks regret is quadratic in practice; plain greedy keeps construction fast.
  const useRegret = m.nTasks <= REGRET_MAX_TASKS;
  // large problems: plain greedy, tightest deadlines first
  const lateOf = (t: number) => Math.max(...m.taskNodes[t].map((n) => m.nodeL[n]));
  const order = Array.from({ length: m.nTasks }, (_, t) => t).sort((a, b) => lateOf(a) - lateOf(b) || a - b);
  let orderAt = 0;
  // Each task's cheapest insertion per route, kept between picks: an insertion changes one
  // route, so only that route's column is priced again (NaN = to price). Without it regret
  // priced every pending task on every route at every pick, the solver's largest cost on the
  // city's small plans; the picks are the same.
  const perRoute = useRegret ? new Float64Array(m.nTasks * m.nVeh).fill(NaN) : undefined;
  while (pending.size) {
    let pick = -1, pickScore = -Infinity;
    if (perRoute) {
      for (const t of pending) {
        const { best, second } = bestTwo(st, t, perRoute);
        if (best === Infinity) { pick = t; pickScore = Infinity; break; }
        const score = (second === Infinity ? 1e12 : second - best);
        if (score > pickScore) { pickScore = score; pick = t; }
      }
    } else {
      pick = order[orderAt++];
    }
    pending.delete(pick);
    findInsertion(st, pick, 0);
    if (st.bestV >= 0) {
      const v = st.bestV;
      applyInsertion(st, pick);
      if (perRoute) for (let t = 0; t < m.nTasks; t++) perRoute[t * m.nVeh + v] = NaN;
    } else left.push(pick);
  }
  st.unassigned = left;
}

/** Best insertion delta per route (priced once per route state, in perRoute), the two best routes' values. */
function bestTwo(st: SearchState, t: number, perRoute: Float64Array): { best: number; second: number } {
  const m = st.m;
  let best = Infinity, second = Infinity;
  const g = m.taskGroup[t];
  const ifs = m.groupIF[g];
  const seenType = new Set<number>();
  for (let v = 0; v < m.nVeh; v++) {
    if (!m.taskCompat[t * m.nVeh + v]) continue;
    const len = st.nodes[v].length;
    if (len === 0) {
      if (seenType.has(m.vehType[v])) continue;
      seenType.add(m.vehType[v]);
    } else if (st.rgroup[v] !== g) continue;
    let rb = perRoute[t * m.nVeh + v];
    if (rb !== rb) {
      rb = Infinity;
      const old = st.rcost[v];
      for (let p = 0; p <= len; p++) {
        for (const n of m.taskNodes[t]) {
          const endEmpty = m.groupEndEmpty[g] === 1;
          const c = evalInsert(st, v, p, n, endEmpty && len === 0 ? ifs[0] : -1, endEmpty);
          if (c > -Infinity && c < Infinity && c - old < rb) rb = c - old;
        }
      }
      perRoute[t * m.nVeh + v] = rb;
    }
    if (rb < best) { second = best; best = rb; } else if (rb < second) second = rb;
  }
  if (best === Infinity) {
    // maybe only feasible through an extra IF trip
    findInsertion(st, t, 0);
    if (st.bestV >= 0) best = st.bestDelta;
  }
  return { best, second };
}
