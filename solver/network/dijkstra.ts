// Plain Dijkstra over the arcs of the graph: the reference every faster search is tested against,
// and the tool for one-to-all questions (isochrones, reachability).
import type { RoadGraph } from './graph.js';
import { MinHeap } from './heap.js';

/** A place to start or end a search: a graph node with the cost already spent to get there. */
export interface Seed {
  node: number;
  key: number;
}

export interface ShortestPathTree {
  /** Packed cost (see weights.ts) from the nearest seed; Infinity where unreachable. */
  key: Float64Array;
  /** Arc used to reach each node; -1 at seeds and unreached nodes. */
  parentArc: Int32Array;
}

/** One-to-all (or many-to-all, from several seeds) shortest paths under `arcKey`. */
export function dijkstra(graph: RoadGraph, arcKey: Float64Array, seeds: Seed[]): ShortestPathTree {
  const key = new Float64Array(graph.nodeCount).fill(Infinity);
  const parentArc = new Int32Array(graph.nodeCount).fill(-1);
  const heap = new MinHeap(Math.max(16, graph.nodeCount >> 2));
  for (const seed of seeds) {
    if (seed.key < key[seed.node]) {
      key[seed.node] = seed.key;
      heap.push(seed.key, seed.node);
    }
  }
  const { firstArc, arcHead } = graph;
  while (heap.size > 0) {
    const d = heap.peekKey();
    const u = heap.pop();
    if (d > key[u]) continue;
    for (let a = firstArc[u]; a < firstArc[u + 1]; a++) {
      const nd = d + arcKey[a];
      const v = arcHead[a];
      if (nd < key[v]) {
        key[v] = nd;
        parentArc[v] = a;
        heap.push(nd, v);
      }
    }
  }
  return { key, parentArc };
}

/** Arcs from a seed to `node` in the tree, in driving order. */
export function treePath(graph: RoadGraph, tree: ShortestPathTree, node: number): number[] {
  const arcs: number[] = [];
  for (let a = tree.parentArc[node]; a >= 0; a = tree.parentArc[graph.arcTail[a]]) arcs.push(a);
  return arcs.reverse();
}
