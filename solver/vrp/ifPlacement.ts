/**
 * Unloading trips placed by dynamic programming: for a route's tasks in their order, choose
 * after which tasks to visit an intermediate facility (IF), and which one, at least cost,
 * under the vehicle's kg and m3 capacity, every time window, facility hours and the shift.
 * This is the "split" of a giant tour into trips (Beasley 1983; for IFs, Willemse & Joubert
 * 2016), extended to time windows with labels: at each cut a label is the route so far as a
 * segment (segment.ts), and labels are kept while none is both cheaper and earlier.
 */
import type { Model } from './model.js';
import { Seg, concat, depotSeg, isFeasible, nodeSeg, routeCost } from './segment.js';

/** labels kept per cut (over all facilities): a bound on the work for very long routes */
const MAX_LABELS = 24;
const EPS = 1e-6;

interface Label { seg: Seg; cost: number; finishS: number; prev: Label | null; cut: number; ifNode: number }

/**
 * Best placement of IF visits for vehicle v serving `taskNodes` in this order (IF nodes in
 * the input are ignored). Returns the node sequence and its cost, or null when no placement
 * keeps the route feasible.
 */
export function placeIntermediateFacilities(m: Model, v: number, taskNodes: number[], ifNodes: number[], endEmpty: boolean):
  { nodes: number[]; cost: number } | null {
  const tasks = taskNodes.filter((n) => !m.nodeIsIF[n]);
  const n = tasks.length;
  const segs = tasks.map((x) => nodeSeg(m, x));
  const ifSegs = ifNodes.map((f) => nodeSeg(m, f));
  const endSeg = depotSeg(m, v, true);
  const capKg = m.vehCapKg[v], capM3 = m.vehCapM3[v];
  // labels[k]: the route has just unloaded after its k-th task (k = 0: leaving the depot)
  const labels: Label[][] = Array.from({ length: n + 1 }, () => []);
  const start = new Seg().copyFrom(depotSeg(m, v, false));
  labels[0].push({ seg: start, cost: 0, finishS: start.e, prev: null, cut: 0, ifNode: -1 });
  // the cheapest whole route: the label it extends, where its last trip ends, and its facility
  let best = null as { prev: Label; cut: number; ifNode: number } | null, bestCost = Infinity;
  const cur = new Seg(), withIF = new Seg(), whole = new Seg();
  const consider = (seg: Seg, prev: Label, cut: number, ifNode: number) => {
    concat(whole, seg, endSeg, m, v);
    if (!isFeasible(whole, m, v, false)) return;
    const cost = routeCost(whole, m, v);
    if (cost < bestCost - EPS) { bestCost = cost; best = { prev, cut, ifNode }; }
  };
  for (let i = 0; i < n; i++) {
    for (const from of labels[i]) {
      cur.copyFrom(from.seg);
      let kg = 0, m3 = 0;
      for (let j = i + 1; j <= n; j++) {
        concat(cur, cur, segs[j - 1], m, v);
        kg += m.nodeKg[tasks[j - 1]];
        m3 += m.nodeM3[tasks[j - 1]];
        // loads and lateness only grow along a trip
        if (kg > capKg + EPS || m3 > capM3 + EPS || cur.timeWarpS > EPS) break;
        if (j === n && !endEmpty) consider(cur, from, j, -1);
        for (let f = 0; f < ifSegs.length; f++) {
          concat(withIF, cur, ifSegs[f], m, v);
          if (withIF.timeWarpS > EPS) continue;
          if (j === n) { consider(withIF, from, j, ifNodes[f]); continue; }
          addLabel(labels[j], withIF, routeCost(withIF, m, v), from, j, ifNodes[f]);
        }
      }
    }
  }
  if (best === null) return null;
  const nodes: number[] = [];
  for (let l: { prev: Label | null; cut: number; ifNode: number } = best; l.prev !== null; l = l.prev) {
    const trip: number[] = tasks.slice(l.prev.cut, l.cut);
    if (l.ifNode >= 0) trip.push(l.ifNode);
    nodes.unshift(...trip);
  }
  return { nodes, cost: bestCost };
}

/** Keep a label unless one at the same facility is no dearer and no later; drop those it beats. */
function addLabel(list: Label[], seg: Seg, cost: number, prev: Label, cut: number, ifNode: number): void {
  const finishS = seg.e + seg.durS;
  for (const o of list) {
    if (o.ifNode === ifNode && o.cost <= cost + EPS && o.finishS <= finishS + EPS && o.seg.durS <= seg.durS + EPS) return;
  }
  for (let k = list.length - 1; k >= 0; k--) {
    const o = list[k];
    if (o.ifNode === ifNode && cost <= o.cost + EPS && finishS <= o.finishS + EPS && seg.durS <= o.seg.durS + EPS) list.splice(k, 1);
  }
  list.push({ seg: new Seg().copyFrom(seg), cost, finishS, prev, cut, ifNode });
  if (list.length > MAX_LABELS) {
    list.sort((a, b) => a.cost - b.cost);
    list.length = MAX_LABELS;
  }
}
