// Queries on a contraction hierarchy: bidirectional upward search with stall-on-demand for one
// pair, and bucket-based many-to-many (Knopp, Sanders, Schultes, Schulz & Wagner 2007) for
// matrices: one backward upward search per target fills buckets, one forward upward search per
// source scans them. Costs are the packed keys of weights.ts, so results equal plain Dijkstra.
import type { ContractionHierarchy } from './ch-build.js';
import type { Seed } from './dijkstra.js';
import { MinHeap } from './heap.js';

export interface ChRoute {
  key: number;
  /** Original arc ids in driving order (empty when source and target seeds meet at one node). */
  arcs: number[];
  /** Node where the route enters the graph (one of the source seeds) and leaves it. */
  firstNode: number;
  lastNode: number;
}

/** Scratch space for searches on one hierarchy; not safe to share between concurrent callers. */
export class ChSearch {
  private readonly forwardKey: Float64Array;
  private readonly backwardKey: Float64Array;
  private readonly forwardParent: Int32Array;
  private readonly backwardParent: Int32Array;
  private readonly forwardTouched: Int32Array;
  private readonly backwardTouched: Int32Array;
  private forwardTouchedCount = 0;
  private backwardTouchedCount = 0;
  private readonly forwardHeap = new MinHeap(256);
  private readonly backwardHeap = new MinHeap(256);

  constructor(private readonly ch: ContractionHierarchy) {
    const n = ch.nodeCount;
    this.forwardKey = new Float64Array(n).fill(Infinity);
    this.backwardKey = new Float64Array(n).fill(Infinity);
    this.forwardParent = new Int32Array(n).fill(-1);
    this.backwardParent = new Int32Array(n).fill(-1);
    this.forwardTouched = new Int32Array(n);
    this.backwardTouched = new Int32Array(n);
  }

  /** Cheapest route from any source seed to any target seed; null when none exists. */
  route(sources: Seed[], targets: Seed[], withPath = true): ChRoute | null {
    const ch = this.ch;
    this.reset();
    const fKey = this.forwardKey;
    const bKey = this.backwardKey;
    const fHeap = this.forwardHeap;
    const bHeap = this.backwardHeap;
    for (const seed of sources) this.seedForward(seed);
    for (const seed of targets) this.seedBackward(seed);
    let best = Infinity;
    let meet = -1;
    while (fHeap.size > 0 || bHeap.size > 0) {
      const fMin = fHeap.size > 0 ? fHeap.peekKey() : Infinity;
      const bMin = bHeap.size > 0 ? bHeap.peekKey() : Infinity;
      if (Math.min(fMin, bMin) >= best) break;
      if (fMin <= bMin) {
        const u = fHeap.pop();
        if (fMin > fKey[u]) continue;
        if (bKey[u] !== Infinity && fMin + bKey[u] < best) {
          best = fMin + bKey[u];
          meet = u;
        }
        if (this.stalled(u, fMin, fKey, ch.downFirst, ch.downHead, ch.downKey)) continue;
        this.relax(u, fMin, fKey, this.forwardParent, fHeap, ch.upFirst, ch.upHead, ch.upKey, true);
      } else {
        const u = bHeap.pop();
        if (bMin > bKey[u]) continue;
        if (fKey[u] !== Infinity && bMin + fKey[u] < best) {
          best = bMin + fKey[u];
          meet = u;
        }
        if (this.stalled(u, bMin, bKey, ch.upFirst, ch.upHead, ch.upKey)) continue;
        this.relax(u, bMin, bKey, this.backwardParent, bHeap, ch.downFirst, ch.downHead, ch.downKey, false);
      }
    }
    if (meet < 0) return null;
    if (!withPath) return { key: best, arcs: [], firstNode: -1, lastNode: -1 };
    // Walk parents from the meeting node to each end, then expand shortcuts.
    const chArcsForward: number[] = [];
    let node = meet;
    while (this.forwardParent[node] >= 0) {
      const chArc = this.forwardParent[node];
      chArcsForward.push(chArc);
      node = this.upTail[chArc];
    }
    const firstNode = node;
    chArcsForward.reverse();
    const arcs: number[] = [];
    for (const chArc of chArcsForward) this.unpackUp(chArc, arcs);
    node = meet;
    while (this.backwardParent[node] >= 0) {
      const chArc = this.backwardParent[node];
      this.unpackDown(chArc, arcs);
      node = this.downTail[chArc];
    }
    return { key: best, arcs, firstNode, lastNode: node };
  }

  /**
   * Packed costs from every source to every target, row-major (sources x targets); Infinity where
   * unreachable. Each source/target is a list of seeds (a snapped position has one or two).
   */
  matrix(sources: Seed[][], targets: Seed[][]): Float64Array {
    const ch = this.ch;
    const n = ch.nodeCount;
    const targetCount = targets.length;
    // Backward searches: collect (node, target, key) triples, then bucket them by node.
    let entryNode: Int32Array = new Int32Array(1024);
    let entryTarget: Int32Array = new Int32Array(1024);
    let entryKey: Float64Array = new Float64Array(1024);
    let entryCount = 0;
    const bKey = this.backwardKey;
    for (let t = 0; t < targetCount; t++) {
      this.reset();
      for (const seed of targets[t]) this.seedBackward(seed);
      const heap = this.backwardHeap;
      while (heap.size > 0) {
        const d = heap.peekKey();
        const u = heap.pop();
        if (d > bKey[u]) continue;
        if (this.stalled(u, d, bKey, ch.upFirst, ch.upHead, ch.upKey)) continue;
        if (entryCount === entryNode.length) {
          const capacity = entryCount * 2;
          entryNode = growInt(entryNode, capacity);
          entryTarget = growInt(entryTarget, capacity);
          entryKey = growFloat(entryKey, capacity);
        }
        entryNode[entryCount] = u;
        entryTarget[entryCount] = t;
        entryKey[entryCount] = d;
        entryCount++;
        this.relax(u, d, bKey, null, heap, ch.downFirst, ch.downHead, ch.downKey, false);
      }
    }
    const bucketFirst = new Int32Array(n + 1);
    for (let i = 0; i < entryCount; i++) bucketFirst[entryNode[i] + 1]++;
    for (let v = 0; v < n; v++) bucketFirst[v + 1] += bucketFirst[v];
    const fill = bucketFirst.slice(0, n);
    const bucketTarget = new Int32Array(entryCount);
    const bucketKey = new Float64Array(entryCount);
    for (let i = 0; i < entryCount; i++) {
      const slot = fill[entryNode[i]]++;
      bucketTarget[slot] = entryTarget[i];
      bucketKey[slot] = entryKey[i];
    }

    const result = new Float64Array(sources.length * targetCount).fill(Infinity);
    const fKey = this.forwardKey;
    for (let s = 0; s < sources.length; s++) {
      this.reset();
      for (const seed of sources[s]) this.seedForward(seed);
      const heap = this.forwardHeap;
      const rowStart = s * targetCount;
      while (heap.size > 0) {
        const d = heap.peekKey();
        const u = heap.pop();
        if (d > fKey[u]) continue;
        if (this.stalled(u, d, fKey, ch.downFirst, ch.downHead, ch.downKey)) continue;
        for (let i = bucketFirst[u], end = bucketFirst[u + 1]; i < end; i++) {
          const candidate = d + bucketKey[i];
          const cell = rowStart + bucketTarget[i];
          if (candidate < result[cell]) result[cell] = candidate;
        }
        this.relax(u, d, fKey, null, heap, ch.upFirst, ch.upHead, ch.upKey, true);
      }
    }
    return result;
  }

  private seedForward(seed: Seed): void {
    if (seed.key < this.forwardKey[seed.node]) {
      if (this.forwardKey[seed.node] === Infinity) this.forwardTouched[this.forwardTouchedCount++] = seed.node;
      this.forwardKey[seed.node] = seed.key;
      this.forwardHeap.push(seed.key, seed.node);
    }
  }

  private seedBackward(seed: Seed): void {
    if (seed.key < this.backwardKey[seed.node]) {
      if (this.backwardKey[seed.node] === Infinity) this.backwardTouched[this.backwardTouchedCount++] = seed.node;
      this.backwardKey[seed.node] = seed.key;
      this.backwardHeap.push(seed.key, seed.node);
    }
  }

  /** Stall-on-demand: u is reached more cheaply through a higher node, so expanding it is useless. */
  private stalled(u: number, d: number, key: Float64Array, first: Int32Array, head: Int32Array, arcKey: Float64Array) {
    for (let i = first[u], end = first[u + 1]; i < end; i++) {
      if (key[head[i]] + arcKey[i] < d) return true;
    }
    return false;
  }

  private relax(
    u: number,
    d: number,
    key: Float64Array,
    parent: Int32Array | null,
    heap: MinHeap,
    first: Int32Array,
    head: Int32Array,
    arcKey: Float64Array,
    forward: boolean,
  ): void {
    for (let i = first[u], end = first[u + 1]; i < end; i++) {
      const w = head[i];
      const nd = d + arcKey[i];
      if (nd < key[w]) {
        if (key[w] === Infinity) {
          if (forward) this.forwardTouched[this.forwardTouchedCount++] = w;
          else this.backwardTouched[this.backwardTouchedCount++] = w;
        }
        key[w] = nd;
        if (parent) parent[w] = i;
        heap.push(nd, w);
      }
    }
  }

  private reset(): void {
    for (let i = 0; i < this.forwardTouchedCount; i++) {
      const v = this.forwardTouched[i];
      this.forwardKey[v] = Infinity;
      this.forwardParent[v] = -1;
    }
    for (let i = 0; i < this.backwardTouchedCount; i++) {
      const v = this.backwardTouched[i];
      this.backwardKey[v] = Infinity;
      this.backwardParent[v] = -1;
    }
    this.forwardTouchedCount = 0;
    this.backwardTouchedCount = 0;
    this.forwardHeap.clear();
    this.backwardHeap.clear();
  }

  // Tail node of each CH arc (the CSR stores heads only); computed once on first path request.
  private upTailCache: Int32Array | null = null;
  private downTailCache: Int32Array | null = null;
  private get upTail(): Int32Array {
    return (this.upTailCache ??= tails(this.ch.upFirst));
  }
  private get downTail(): Int32Array {
    return (this.downTailCache ??= tails(this.ch.downFirst));
  }

  /** Appends the original arcs of upward CH arc `chArc` (tail -> head) to `out`. */
  private unpackUp(chArc: number, out: number[]): void {
    const via = this.ch.upVia[chArc];
    if (via < 0) {
      out.push(-via - 1);
      return;
    }
    this.expandShortcut(this.upTail[chArc], this.ch.upHead[chArc], via, this.ch.upKey[chArc], out);
  }

  /** Appends the original arcs of CH arc `chArc` stored at node v for w -> v (head field = w). */
  private unpackDown(chArc: number, out: number[]): void {
    const via = this.ch.downVia[chArc];
    if (via < 0) {
      out.push(-via - 1);
      return;
    }
    this.expandShortcut(this.ch.downHead[chArc], this.downTail[chArc], via, this.ch.downKey[chArc], out);
  }

  /** Shortcut from -> to through middle node `via` (contracted before both ends). */
  private expandShortcut(from: number, to: number, via: number, key: number, out: number[]): void {
    const ch = this.ch;
    // from -> via is stored at via among its arcs from higher nodes; via -> to among its upward arcs.
    for (let i = ch.downFirst[via]; i < ch.downFirst[via + 1]; i++) {
      if (ch.downHead[i] !== from) continue;
      for (let j = ch.upFirst[via]; j < ch.upFirst[via + 1]; j++) {
        if (ch.upHead[j] === to && ch.downKey[i] + ch.upKey[j] === key) {
          this.unpackDown(i, out);
          this.unpackUp(j, out);
          return;
        }
      }
    }
    throw new Error(`contraction hierarchy is inconsistent: cannot expand shortcut ${from}->${to} via ${via}`);
  }
}

function tails(first: Int32Array): Int32Array {
  const tail = new Int32Array(first[first.length - 1]);
  for (let v = 0; v + 1 < first.length; v++) tail.fill(v, first[v], first[v + 1]);
  return tail;
}

function growInt(array: Int32Array, capacity: number): Int32Array {
  const bigger = new Int32Array(capacity);
  bigger.set(array);
  return bigger;
}

function growFloat(array: Float64Array, capacity: number): Float64Array {
  const bigger = new Float64Array(capacity);
  bigger.set(array);
  return bigger;
}
