/**
 * Cheapest insertion of one task (the "recreate" of ruin and recreate, also used by
 * construction and fleet minimisation): every route of the task's group, every position,
 * every node variant of the task, and an extra unloading trip (IF visit) before or after it
 * when only the load is in the way. Above GRANULAR_INSERTION_TASKS tasks, only positions
 * next to the task's nearest assigned tasks are tried first. The choice is left in the
 * state (bestV, bestPos, bestA, bestB, bestDelta); applyInsertion makes it.
 */
import { concat } from '../segment.js';
import { GRANULAR_INSERTION_NEIGHBOURS, GRANULAR_INSERTION_TASKS } from '../parameters.js';
import type { SearchState } from './state.js';

function consider(st: SearchState, v: number, pos: number, a: number, b: number, delta: number): void {
  if (delta < st.bestDelta) {
    if (checkEach && st.day && !st.day.allows(v, withInserted(st.nodes[v], pos, a, b))) return;
    st.bestDelta = delta;
    st.bestV = v;
    st.bestPos = pos;
    st.bestA = a;
    st.bestB = b;
  }
}

function withInserted(ns: readonly number[], pos: number, a: number, b: number): number[] {
  const out = ns.slice(0, pos);
  out.push(a);
  if (b >= 0) out.push(b);
  for (let i = pos; i < ns.length; i++) out.push(ns[i]);
  return out;
}

/**
 * Cost of route v with node a (then b, when b >= 0) inserted before position pos:
 * Infinity if infeasible by load only, -Infinity if the time windows break.
 */
export function evalInsert(st: SearchState, v: number, pos: number, a: number, b: number, ifm: boolean): number {
  const m = st.m;
  let s = concat(st.t1, st.pre[v][pos], st.nodeSegs[a], m, v);
  if (b >= 0) s = concat(st.t1, s, st.nodeSegs[b], m, v);
  concat(st.t2, s, st.suf[v][pos], m, v);
  return st.segCost(st.t2, v, ifm);
}

/** Try every variant of t (and an extra IF trip when only the load is in the way) at position p of route v. */
function tryPosition(st: SearchState, v: number, p: number, variants: number[], ifs: number[], ifm: boolean, old: number): void {
  for (const n of variants) {
    const c = evalInsert(st, v, p, n, -1, ifm);
    if (c > -Infinity && c < Infinity) { consider(st, v, p, n, -1, c - old); continue; }
    if (ifs.length === 0 || c === -Infinity) continue;
    for (const f of ifs) {
      const c1 = evalInsert(st, v, p, n, f, ifm);
      if (c1 > -Infinity && c1 < Infinity) consider(st, v, p, n, f, c1 - old);
      const c2 = evalInsert(st, v, p, f, n, ifm);
      if (c2 > -Infinity && c2 < Infinity) consider(st, v, p, f, n, c2 - old);
    }
  }
}

/**
 * The day's limits (breaks, facility capacity) are checked on the cheapest insertion only; when
 * they refuse it, the scan runs again checking every candidate that would be the best so far
 * (the check costs a pass over the route, the cheapest insertion usually passes).
 */
let checkEach = false;

/** Find the cheapest feasible insertion of task t (routes, positions, variants, IF visits). */
export function findInsertion(st: SearchState, t: number, blink: number, wide = true): void {
  scanInsertions(st, t, blink, wide);
  if (!st.day || st.bestV < 0 || st.day.allows(st.bestV, withInserted(st.nodes[st.bestV], st.bestPos, st.bestA, st.bestB))) return;
  checkEach = true;
  try {
    scanInsertions(st, t, blink, wide);
  } finally {
    checkEach = false;
  }
}

function scanInsertions(st: SearchState, t: number, blink: number, wide: boolean): void {
  const m = st.m;
  st.bestV = -1;
  st.bestDelta = Infinity;
  const g = m.taskGroup[t];
  const ifs = m.groupIF[g];
  const variants = m.taskNodes[t];
  const endEmpty = m.groupEndEmpty[g] === 1;
  const seenType = new Set<number>();
  // no scan of the fleet for an empty vehicle when no route may be opened (most steps)
  const mayOpen = st.allowNewRoutes || st.vehiclesUsed() < st.maxRoutes;
  for (let v = 0; mayOpen && v < m.nVeh; v++) {
    if (!m.taskCompat[t * m.nVeh + v] || st.nodes[v].length > 0) continue;
    if (seenType.has(m.vehType[v])) continue;
    seenType.add(m.vehType[v]);
    for (const n of variants) {
      if (!endEmpty) {
        const c = evalInsert(st, v, 0, n, -1, false);
        if (c > -Infinity && c < Infinity) consider(st, v, 0, n, -1, c);
      } else {
        for (const f of ifs) {
          const c = evalInsert(st, v, 0, n, f, true);
          if (c > -Infinity && c < Infinity) consider(st, v, 0, n, f, c);
        }
      }
    }
  }
  if (m.nTasks > GRANULAR_INSERTION_TASKS) {
    // positions next to the nearest assigned tasks; a wider ring of routes only if none fits
    const keys = st.candKeys;
    keys.clear();
    const near = st.adj[t];
    const lim = Math.min(near.length, GRANULAR_INSERTION_NEIGHBOURS);
    const before = st.bestDelta;
    for (let k = 0; k < lim; k++) {
      const w = near[k];
      const v = st.taskVeh[w];
      if (v < 0 || st.rgroup[v] !== g || !m.taskCompat[t * m.nVeh + v]) continue;
      const old = st.rcost[v];
      for (const p of [st.taskPos[w], st.taskPos[w] + 1]) {
        const key = v * 1048576 + p;
        if (keys.has(key)) continue;
        keys.add(key);
        if (blink > 0 && st.rng.next() < blink) continue;
        tryPosition(st, v, p, variants, ifs, endEmpty, old);
      }
    }
    if (st.bestDelta < before || !wide) return;
    const routes = new Set<number>();
    for (const w of near) { const v = st.taskVeh[w]; if (v >= 0) routes.add(v); }
    for (const v of routes) scanRoute(st, t, v, blink, variants, ifs, endEmpty);
    return;
  }
  for (let v = 0; v < m.nVeh; v++) scanRoute(st, t, v, blink, variants, ifs, endEmpty);
}

function scanRoute(st: SearchState, t: number, v: number, blink: number, variants: number[], ifs: number[], endEmpty: boolean): void {
  const m = st.m;
  const len = st.nodes[v].length;
  if (len === 0 || !m.taskCompat[t * m.nVeh + v] || st.rgroup[v] !== m.taskGroup[t]) return;
  const old = st.rcost[v];
  for (let p = 0; p <= len; p++) {
    if (blink > 0 && st.rng.next() < blink) continue;
    tryPosition(st, v, p, variants, ifs, endEmpty, old);
  }
}

export function applyInsertion(st: SearchState, t: number): void {
  const v = st.bestV;
  st.touch(v);
  if (st.bestB >= 0) st.nodes[v].splice(st.bestPos, 0, st.bestA, st.bestB);
  else st.nodes[v].splice(st.bestPos, 0, st.bestA);
  st.taskVeh[t] = v;
  st.update(v);
}
