/**
 * Local-search descents over granular neighbourhoods (each task against its LS_NEIGHBOURS
 * nearest tasks), first improvement, with the operators in solver/vrp/search/operators/.
 * Cross-exchange and SWAP* cost more per try and run only where the caller asks (the state's
 * richMoves: the cost phase's education of each step).
 * Two drivers: a descent over whole routes that rescans only the routes a move changed, and
 * a descent focused on a few tasks (those a ruin-and-recreate step reinserted, or the late
 * tasks a repair looks at).
 */
import { LS_MAX_MOVES_PER_TASK, LS_NEIGHBOURS } from '../parameters.js';
import type { SearchState } from './state.js';
import { tryRelocate } from './operators/relocate.js';
import { tryOrOpt } from './operators/orOpt.js';
import { trySwap } from './operators/swap.js';
import { tryTwoOptStar } from './operators/twoOptStar.js';
import { tryCrossExchange } from './operators/crossExchange.js';
import { trySwapStar } from './operators/swapStar.js';

/**
 * First-improvement descent with relocate, or-opt (strings of 2-3 tasks, both orientations),
 * swap and 2-opt* over granular neighbourhoods (LS_NEIGHBOURS nearest tasks). Only routes changed
 * since the last descent are scanned ("dirty"), and routes changed by a move become dirty.
 */
export function localSearch(st: SearchState, dirtyInit?: Iterable<number>): void {
  const m = st.m;
  const dirty = new Set<number>(dirtyInit ?? Array.from({ length: m.nVeh }, (_, v) => v));
  st.lsDirty = dirty;
  let moves = 0;
  st.lsMoved.length = 0;
  const maxMoves = LS_MAX_MOVES_PER_TASK * m.nTasks;
  while (dirty.size && moves < maxMoves) {
    const v = dirty.values().next().value as number;
    dirty.delete(v);
    const tasks: number[] = [];
    for (const n of st.nodes[v]) if (m.nodeTask[n] >= 0) tasks.push(m.nodeTask[n]);
    for (const u of tasks) {
      if (st.taskVeh[u] !== v) continue;
      moves += improveAround(st, u, false);
    }
  }
  st.lsDirty = null;
}

/**
 * Try moves between u and its LS_NEIGHBOURS nearest tasks; the number of moves made. With firstOnly
 * it stops at the first move and records the two tasks in lsMoved; otherwise it goes on
 * through the list (a descent over whole routes converges better that way on Solomon C2).
 */
export function improveAround(st: SearchState, u: number, firstOnly: boolean): number {
  const lim = Math.min(st.adj[u].length, LS_NEIGHBOURS);
  let moves = 0;
  for (let k = 0; k < lim; k++) {
    const w = st.adj[u][k];
    if (st.taskVeh[w] < 0 || st.taskVeh[u] < 0) continue;
    const vu = st.taskVeh[u], vw = st.taskVeh[w];
    // the operators give routes new arrays: the old ones are the undo of a move the day's limits refuse
    const nu = st.nodes[vu], nw = st.nodes[vw];
    const dirtyU = st.lsDirty?.has(vu) ?? false, dirtyW = st.lsDirty?.has(vw) ?? false;
    st.day?.mark();
    if (tryRelocate(st, u, w) || tryOrOpt(st, u, w) || trySwap(st, u, w) || tryTwoOptStar(st, u, w) || (st.richMoves && (tryCrossExchange(st, u, w) || trySwapStar(st, vu, vw)))) {
      if (st.day && !st.day.okSince(vu === vw ? [vu] : [vu, vw], (v) => st.nodes[v])) {
        undoMove(st, vu, nu, vw, nw);
        // a refused move leaves the routes as they were: not to be scanned again for it
        if (!dirtyU) st.lsDirty?.delete(vu);
        if (!dirtyW) st.lsDirty?.delete(vw);
        continue;
      }
      moves++;
      if (firstOnly) { st.lsMoved.push(u, w); return 1; }
    }
  }
  return moves;
}

/** Put routes vu and vw back as they were before a move. */
function undoMove(st: SearchState, vu: number, nu: number[], vw: number, nw: number[]): void {
  const m = st.m;
  for (const [v, ns] of [[vu, nu], [vw, nw]] as const) {
    st.nodes[v] = ns;
    for (const n of ns) if (m.nodeTask[n] >= 0) st.taskVeh[m.nodeTask[n]] = v;
    st.update(v);
  }
}

/**
 * Descent focused on a few tasks (those just reinserted): each is tried against its
 * neighbours, and the two tasks of every move made are tried again. Much cheaper than a
 * descent over whole routes when a step changed only a handful of tasks.
 */
export function focusedSearch(st: SearchState, focus: number[]): void {
  const m = st.m;
  const queued = new Uint8Array(m.nTasks);
  const queue: number[] = [];
  for (const t of focus) if (!queued[t]) { queued[t] = 1; queue.push(t); }
  let moves = 0;
  const maxMoves = LS_MAX_MOVES_PER_TASK * m.nTasks;
  while (queue.length && moves < maxMoves) {
    const u = queue.pop()!;
    queued[u] = 0;
    if (st.taskVeh[u] < 0) continue;
    st.lsMoved.length = 0;
    if (improveAround(st, u, true) === 0) continue;
    moves++;
    for (const t of st.lsMoved) if (!queued[t]) { queued[t] = 1; queue.push(t); }
  }
}
