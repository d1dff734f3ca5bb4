/**
 * Each task's nearest tasks (granular neighbourhoods, Toth & Vigo 2003): the lists every
 * operator, the ruin and the granular insertion read a prefix of.
 */
import type { Model } from '../model.js';
import { NEIGHBOUR_LIST } from '../parameters.js';

/** Where task t starts (its first node variant). */
export function taskLoc(m: Model, t: number): number {
  return m.nodeStart[m.taskNodes[t][0]];
}

/** Neighbour lists of tasks by travel distance both ways (profile 0), the nearest NEIGHBOUR_LIST. */
export function buildNeighbourLists(m: Model): Int32Array[] {
  const d = m.profileDist[0];
  const cap = Math.min(m.nTasks - 1, NEIGHBOUR_LIST);
  const loc = Int32Array.from({ length: m.nTasks }, (_, t) => taskLoc(m, t));
  const out: Int32Array[] = [];
  const heapK = new Float64Array(cap + 1), heapV = new Int32Array(cap + 1);
  for (let a = 0; a < m.nTasks; a++) {
    const la = loc[a];
    // bounded max-heap of the cap nearest
    let size = 0;
    for (let b = 0; b < m.nTasks; b++) {
      if (b === a) continue;
      const key = d[la * m.nLoc + loc[b]] + d[loc[b] * m.nLoc + la] + b * 1e-9;
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
