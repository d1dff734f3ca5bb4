/**
 * SWAP* (Vidal 2022, "Hybrid genetic search for the CVRP: open-source implementation and
 * SWAP* neighborhood"): exchange a task u of route A with a task v of route B, each going to
 * its best place in the other route rather than into the other's place. The places are
 * preselected on distances alone (each task's three cheapest insertions in the other route,
 * or the other task's place), then the few cheapest candidates are priced exactly on segments
 * (time windows, loads, time-warp price): with windows, the distance-best is often late, as
 * Kool et al. 2022 found when they took SWAP* to the VRPTW.
 *
 * One route pair costs O(|A| x |B|), so a pair is tried again only after one of its routes
 * changed (HGS keeps the same record).
 */
import { concat } from '../../segment.js';
import { SWAP_STAR_CANDIDATES } from '../../parameters.js';
import type { SearchState } from '../state.js';
import { commit } from './moveEval.js';

/** The three cheapest insertion places (before position p) of each task of one route into another, by distance. */
interface Top3 { cost: Float64Array; pos: Int32Array }

/** Scratch space reused across calls (slot 0: route A's tasks, slot 1: route B's), grown as routes grow. */
const tops: Top3[] = [];
const removals: Float64Array[] = [];
function topScratch(slot: number, tasks: number): Top3 {
  const cur = tops[slot];
  if (cur && cur.pos.length >= 3 * tasks) return cur;
  const size = Math.max(3 * tasks, 96);
  return (tops[slot] = { cost: new Float64Array(size), pos: new Int32Array(size) });
}
function removalScratch(slot: number, positions: number): Float64Array {
  const cur = removals[slot];
  if (cur && cur.length >= positions) return cur;
  return (removals[slot] = new Float64Array(Math.max(positions, 32)));
}

function topInsertions(st: SearchState, from: number, into: number, out: Top3): void {
  const m = st.m;
  const d = m.profileDist[m.vehProfile[into]], nl = m.nLoc;
  const src = st.nodes[from], dst = st.nodes[into];
  out.cost.fill(Infinity, 0, 3 * src.length);
  out.pos.fill(-1, 0, 3 * src.length);
  for (let i = 0; i < src.length; i++) {
    const n = src[i];
    if (m.nodeTask[n] < 0) continue;
    const s = m.nodeStart[n], e = m.nodeEnd[n];
    let prev = m.vehStart[into];
    for (let p = 0; p <= dst.length; p++) {
      const next = p < dst.length ? m.nodeStart[dst[p]] : m.vehEnd[into];
      const c = d[prev * nl + s] + m.nodeDist[n] + d[e * nl + next] - d[prev * nl + next];
      // keep the three cheapest, sorted
      const k = 3 * i;
      if (c < out.cost[k + 2]) {
        let j = 2;
        while (j > 0 && c < out.cost[k + j - 1]) { out.cost[k + j] = out.cost[k + j - 1]; out.pos[k + j] = out.pos[k + j - 1]; j--; }
        out.cost[k + j] = c; out.pos[k + j] = p;
      }
      if (p < dst.length) prev = m.nodeEnd[dst[p]];
    }
  }
}

/** Distance saved by taking each position out of route v (negative: a gain), into out. */
function removalDeltas(st: SearchState, v: number, out: Float64Array): void {
  const m = st.m;
  const d = m.profileDist[m.vehProfile[v]], nl = m.nLoc;
  const ns = st.nodes[v];
  for (let i = 0; i < ns.length; i++) {
    const prev = i > 0 ? m.nodeEnd[ns[i - 1]] : m.vehStart[v];
    const next = i + 1 < ns.length ? m.nodeStart[ns[i + 1]] : m.vehEnd[v];
    const n = ns[i];
    out[i] = d[prev * nl + next] - d[prev * nl + m.nodeStart[n]] - m.nodeDist[n] - d[m.nodeEnd[n] * nl + next];
  }
}

/**
 * Cheapest place, by distance, for node n (at index i of its own route's preselection) in
 * route `into` once the task at position j leaves it: the first of its three preselected
 * places not next to j, or j's own place. The distance delta; the position in PLACE[0].
 */
const PLACE = new Int32Array(1);
function bestPlace(st: SearchState, top: Top3, i: number, n: number, into: number, j: number): number {
  const m = st.m;
  const d = m.profileDist[m.vehProfile[into]], nl = m.nLoc;
  const dst = st.nodes[into];
  const prev = j > 0 ? m.nodeEnd[dst[j - 1]] : m.vehStart[into];
  const next = j + 1 < dst.length ? m.nodeStart[dst[j + 1]] : m.vehEnd[into];
  // in j's place, priced against the route without j
  let best = d[prev * nl + m.nodeStart[n]] + m.nodeDist[n] + d[m.nodeEnd[n] * nl + next] - d[prev * nl + next];
  PLACE[0] = j;
  for (let k = 3 * i; k < 3 * i + 3; k++) {
    const p = top.pos[k];
    // places p = j and p = j + 1 border the leaving task: priced above as its own place
    if (p < 0 || p === j || p === j + 1) continue;
    if (top.cost[k] < best) { best = top.cost[k]; PLACE[0] = p; }
    break;
  }
  return best;
}

/** Route v's nodes with position `out` removed and node n inserted before position `at` (positions of the old route). */
function rebuilt(ns: readonly number[], out: number, n: number, at: number): number[] {
  const r: number[] = [];
  for (let p = 0; p <= ns.length; p++) {
    if (p === at) r.push(n);
    if (p < ns.length && p !== out) r.push(ns[p]);
  }
  return r;
}

/** Exact cost of route v over `seq` (time-warp price included; Infinity when a load breaks). */
function seqCost(st: SearchState, v: number, seq: readonly number[]): number {
  const m = st.m;
  const s = st.tMid.copyFrom(st.startSegs[v]);
  for (const n of seq) concat(s, s, st.nodeSegs[n], m, v);
  concat(st.tB, s, st.endSegs[v], m, v);
  return st.lsCost(st.tB, v, st.ifMode(v));
}

/** The route pair's cheapest exchanges by distance, kept sorted: gain, positions out, places in. */
const K = SWAP_STAR_CANDIDATES;
const candGain = new Float64Array(K), candI = new Int32Array(K), candJ = new Int32Array(K), candInB = new Int32Array(K), candInA = new Int32Array(K);

/** Best SWAP* between routes a and b; true when an improving one was made. */
export function trySwapStar(st: SearchState, a: number, b: number): boolean {
  const m = st.m;
  // the move is the same both ways round: one record per pair
  if (a > b) { const t = a; a = b; b = t; }
  if (a === b || st.rgroup[a] !== st.rgroup[b] || st.rgroup[a] < 0) return false;
  if (!st.swapStarDue(a, b)) return false;
  st.swapStarTested(a, b);
  const A = st.nodes[a], B = st.nodes[b];
  const topAinB = topScratch(0, A.length), topBinA = topScratch(1, B.length);
  topInsertions(st, a, b, topAinB);
  topInsertions(st, b, a, topBinA);
  const remA = removalScratch(0, A.length), remB = removalScratch(1, B.length);
  removalDeltas(st, a, remA);
  removalDeltas(st, b, remB);
  let found = 0;
  for (let i = 0; i < A.length; i++) {
    const u = m.nodeTask[A[i]];
    if (u < 0 || !m.taskCompat[u * m.nVeh + b]) continue;
    for (let j = 0; j < B.length; j++) {
      const v = m.nodeTask[B[j]];
      if (v < 0 || !m.taskCompat[v * m.nVeh + a]) continue;
      const delta = remA[i] + remB[j] + bestPlace(st, topAinB, i, A[i], b, j);
      const inB = PLACE[0];
      const gain = delta + bestPlace(st, topBinA, j, B[j], a, i);
      if (gain >= -1e-9 || (found === K && gain >= candGain[K - 1])) continue;
      // insertion into the sorted list of the K cheapest
      let k = found < K ? found++ : K - 1;
      while (k > 0 && gain < candGain[k - 1]) {
        candGain[k] = candGain[k - 1]; candI[k] = candI[k - 1]; candJ[k] = candJ[k - 1]; candInB[k] = candInB[k - 1]; candInA[k] = candInA[k - 1];
        k--;
      }
      candGain[k] = gain; candI[k] = i; candJ[k] = j; candInB[k] = inB; candInA[k] = PLACE[0];
    }
  }
  const old = st.rcost[a] + st.rcost[b];
  for (let k = 0; k < found; k++) {
    const newA = rebuilt(A, candI[k], B[candJ[k]], candInA[k]);
    const ca = seqCost(st, a, newA);
    if (ca === Infinity || ca >= old) continue;
    const newB = rebuilt(B, candJ[k], A[candI[k]], candInB[k]);
    const cb = seqCost(st, b, newB);
    if (ca + cb < old - 1e-7) {
      commit(st, a, newA);
      commit(st, b, newB);
      return true;
    }
  }
  return false;
}
