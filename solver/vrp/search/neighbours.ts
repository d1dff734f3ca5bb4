/**
 * Each task's nearest tasks (granular neighbourhoods, Toth & Vigo 2003): the lists every
 * operator, the ruin and the granular insertion read a prefix of. Where windows bind on a
 * problem of more than WINDOW_NEIGHBOURS_MIN_TASKS tasks, "near" is HGS's correlation (Vidal
 * et al. 2013): the travel time plus a share of the wait and the lateness that serving one
 * after the other would cost, so a task's list holds tasks it can be served next to, not only
 * tasks next door at another hour.
 */
import { type Model, windowsBind } from '../model.js';
import { NEIGHBOUR_LIST, NEIGHBOUR_WAIT_WEIGHT, NEIGHBOUR_WARP_WEIGHT, WINDOW_NEIGHBOURS_MIN_TASKS } from '../parameters.js';

/** Where task t starts (its first node variant). */
export function taskLoc(m: Model, t: number): number {
  return m.nodeStart[m.taskNodes[t][0]];
}

/**
 * Neighbour lists of tasks (profile 0), the nearest NEIGHBOUR_LIST: by travel distance both
 * ways, or where windows bind on a large problem by the smaller of the two directions' correlations.
 */
export function buildNeighbourLists(m: Model): Int32Array[] {
  const d = m.profileDist[0];
  const cap = Math.min(m.nTasks - 1, NEIGHBOUR_LIST);
  const loc = Int32Array.from({ length: m.nTasks }, (_, t) => taskLoc(m, t));
  const correlation = m.nTasks > WINDOW_NEIGHBOURS_MIN_TASKS && windowsBind(m) ? windowCorrelation(m) : null;
  const out: Int32Array[] = [];
  const heapK = new Float64Array(cap + 1), heapV = new Int32Array(cap + 1);
  for (let a = 0; a < m.nTasks; a++) {
    const la = loc[a];
    // bounded max-heap of the cap nearest
    let size = 0;
    for (let b = 0; b < m.nTasks; b++) {
      if (b === a) continue;
      const key = (correlation ? Math.min(correlation(a, b), correlation(b, a)) : d[la * m.nLoc + loc[b]] + d[loc[b] * m.nLoc + la]) + b * 1e-9;
      if (size < cap) {
        let i = size++;
        heapK[i] = key; heapV[i] = b;
        while (i > 0) { const p = (i - 1) >> 1; if (heapK[p] >= heapK[i]) break; swapHeap(heapK, heapV, i, p); i = p; }
      } else if (cap > 0 && key < heapK[0]) {
        heapK[0] = key; heapV[0] = b;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1, r = l + 1;
          let big = i;
          if (l < size && heapK[l] > heapK[big]) big = l;
          if (r < size && heapK[r] > heapK[big]) big = r;
          if (big === i) break;
          swapHeap(heapK, heapV, i, big); i = big;
        }
      }
    }
    const idx = Array.from({ length: size }, (_, i) => i).sort((x, y) => heapK[x] - heapK[y]);
    out.push(Int32Array.from(idx.map((i) => heapV[i])));
  }
  return out;
}

function swapHeap(k: Float64Array, v: Int32Array, i: number, j: number): void {
  const tk = k[i]; k[i] = k[j]; k[j] = tk;
  const tv = v[i]; v[i] = v[j]; v[j] = tv;
}

/**
 * How well task b follows task a: travel time from a to b, plus NEIGHBOUR_WAIT_WEIGHT of the
 * wait at b when a is served as late as it may be, plus NEIGHBOUR_WARP_WEIGHT of the lateness
 * at b when a is served as early as it may be (seconds; first node variants).
 */
function windowCorrelation(m: Model): (a: number, b: number) => number {
  const tt = m.profileDur[0];
  const node = Int32Array.from({ length: m.nTasks }, (_, t) => m.taskNodes[t][0]);
  return (a, b) => {
    const na = node[a], nb = node[b];
    const t = tt[m.nodeEnd[na] * m.nLoc + m.nodeStart[nb]];
    const wait = m.nodeE[nb] - t - m.nodeDur[na] - m.nodeL[na];
    const warp = m.nodeE[na] + m.nodeDur[na] + t - m.nodeL[nb];
    return t + NEIGHBOUR_WAIT_WEIGHT * (wait > 0 ? wait : 0) + NEIGHBOUR_WARP_WEIGHT * (warp > 0 ? warp : 0);
  };
}
