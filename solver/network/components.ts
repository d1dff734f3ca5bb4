// Strongly connected components (iterative Tarjan). Extracts are cut at a boundary and carry
// private courtyards and one-way stubs: snapping onto such islands would make trips impossible,
// so snapping keeps to the largest component a vehicle kind can drive both into and out of.
import type { RoadGraph } from './graph.js';

/** 1 for nodes in the largest strongly connected component over arcs with usable[a] true. */
export function largestStrongComponent(graph: RoadGraph, usable: (arc: number) => boolean): Uint8Array {
  const n = graph.nodeCount;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const callNode: number[] = [];
  const callArc: number[] = [];
  let counter = 0;
  let componentCount = 0;
  const sizes: number[] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    callNode.push(root);
    callArc.push(graph.firstArc[root]);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top];
      const a = callArc[top];
      if (a < graph.firstArc[v + 1]) {
        callArc[top] = a + 1;
        if (!usable(a)) continue;
        const w = graph.arcHead[a];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callArc.push(graph.firstArc[w]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      callNode.pop();
      callArc.pop();
      if (callNode.length > 0) {
        const parent = callNode[callNode.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        let size = 0;
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          component[w] = componentCount;
          size++;
          if (w === v) break;
        }
        sizes.push(size);
        componentCount++;
      }
    }
  }
  let largest = 0;
  for (let c = 1; c < sizes.length; c++) if (sizes[c] > sizes[largest]) largest = c;
  const inLargest = new Uint8Array(n);
  for (let v = 0; v < n; v++) inLargest[v] = component[v] === largest ? 1 : 0;
  return inLargest;
}
