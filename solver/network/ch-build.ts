// Contraction hierarchies (Geisberger, Sanders, Schultes & Delling 2008): nodes are contracted
// one by one in order of importance; a shortcut u->w replaces u->v->w whenever no witness path
// as cheap avoids v. A query then only searches upward from both ends. One hierarchy is built
// per weight set (vehicle kind + active restrictions) and cached; see network.ts.
import { MinHeap } from './heap.js';

/** Arc via encoding: >= 0 is the middle node of a shortcut; < 0 is original arc -(via + 1). */
export interface ContractionHierarchy {
  nodeCount: number;
  /** Contraction order: higher rank = more important. */
  rank: Int32Array;
  /** Upward arcs v->w (rank w > rank v), CSR by v. */
  upFirst: Int32Array;
  upHead: Int32Array;
  upKey: Float64Array;
  upVia: Int32Array;
  /** Arcs w->v into v from higher-ranked w, CSR by v, head = w: the backward search's upward graph. */
  downFirst: Int32Array;
  downHead: Int32Array;
  downKey: Float64Array;
  downVia: Int32Array;
}

export interface ChBuildOptions {
  /** Nodes a witness search may settle before it gives up (and a shortcut is added to be safe). */
  witnessSettleLimit?: number;
}

/** Builds a hierarchy over arcs tail[a] -> head[a] with packed cost key[a] (Infinity = unusable). */
export function buildContractionHierarchy(
  nodeCount: number,
  arcTail: Int32Array,
  arcHead: Int32Array,
  arcKey: Float64Array,
  options: ChBuildOptions = {},
): ContractionHierarchy {
  const settleLimit = options.witnessSettleLimit ?? 250;
  const outTo: number[][] = Array.from({ length: nodeCount }, () => []);
  const outKey: number[][] = Array.from({ length: nodeCount }, () => []);
  const outVia: number[][] = Array.from({ length: nodeCount }, () => []);
  const inFrom: number[][] = Array.from({ length: nodeCount }, () => []);
  const inKey: number[][] = Array.from({ length: nodeCount }, () => []);
  const inVia: number[][] = Array.from({ length: nodeCount }, () => []);

  /** Adds u->w or lowers its cost; returns false when an existing arc is already as cheap. */
  const addArc = (u: number, w: number, key: number, via: number): void => {
    const targets = outTo[u];
    for (let i = 0; i < targets.length; i++) {
      if (targets[i] !== w) continue;
      if (outKey[u][i] <= key) return;
      outKey[u][i] = key;
      outVia[u][i] = via;
      const sources = inFrom[w];
      for (let j = 0; j < sources.length; j++) {
        if (sources[j] === u) {
          inKey[w][j] = key;
          inVia[w][j] = via;
          break;
        }
      }
      return;
    }
    targets.push(w);
    outKey[u].push(key);
    outVia[u].push(via);
    inFrom[w].push(u);
    inKey[w].push(key);
    inVia[w].push(via);
  };
  for (let a = 0; a < arcTail.length; a++) {
    if (arcKey[a] === Infinity || arcTail[a] === arcHead[a]) continue;
    addArc(arcTail[a], arcHead[a], arcKey[a], -(a + 1));
  }

  const contracted = new Uint8Array(nodeCount);
  const deletedNeighbours = new Int32Array(nodeCount);
  const level = new Int32Array(nodeCount);
  const witnessKey = new Float64Array(nodeCount).fill(Infinity);
  const touched: number[] = [];
  const heap = new MinHeap(256);

  /** Dijkstra from `source` avoiding `avoid`, until costs exceed `limit` or too many settled. */
  const witnessSearch = (source: number, avoid: number, limit: number): void => {
    for (const node of touched) witnessKey[node] = Infinity;
    touched.length = 0;
    heap.clear();
    witnessKey[source] = 0;
    touched.push(source);
    heap.push(0, source);
    let settled = 0;
    while (heap.size > 0) {
      const d = heap.peekKey();
      const u = heap.pop();
      if (d > witnessKey[u]) continue;
      if (d > limit || ++settled > settleLimit) break;
      const targets = outTo[u];
      const keys = outKey[u];
      for (let i = 0; i < targets.length; i++) {
        const w = targets[i];
        if (w === avoid) continue;
        const nd = d + keys[i];
        if (nd < witnessKey[w]) {
          if (witnessKey[w] === Infinity) touched.push(w);
          witnessKey[w] = nd;
          heap.push(nd, w);
        }
      }
    }
  };

  /** Shortcuts contracting v needs; added to the graph when `apply`, else only counted. */
  const contract = (v: number, apply: boolean): number => {
    let shortcuts = 0;
    const sources = inFrom[v];
    const targets = outTo[v];
    for (let i = 0; i < sources.length; i++) {
      const u = sources[i];
      const toV = inKey[v][i];
      let maxOut = -Infinity;
      for (let j = 0; j < targets.length; j++) if (targets[j] !== u) maxOut = Math.max(maxOut, outKey[v][j]);
      if (maxOut === -Infinity) continue;
      witnessSearch(u, v, toV + maxOut);
      for (let j = 0; j < targets.length; j++) {
        const w = targets[j];
        if (w === u) continue;
        const viaV = toV + outKey[v][j];
        if (witnessKey[w] <= viaV) continue;
        shortcuts++;
        if (apply) addArc(u, w, viaV, v);
      }
    }
    return shortcuts;
  };

  const priority = (v: number): number => {
    const edgeDifference = contract(v, false) - inFrom[v].length - outTo[v].length;
    return 2 * edgeDifference + deletedNeighbours[v] + level[v];
  };

  const queue = new MinHeap(nodeCount + 16);
  for (let v = 0; v < nodeCount; v++) queue.push(priority(v), v);

  const rank = new Int32Array(nodeCount);
  const upLists: Array<{ to: number[]; key: number[]; via: number[] }> = new Array(nodeCount);
  const downLists: Array<{ from: number[]; key: number[]; via: number[] }> = new Array(nodeCount);
  let nextRank = 0;
  while (queue.size > 0) {
    const v = queue.pop();
    if (contracted[v]) continue;
    // Lazy update: the stored priority may be stale; contract only if v is still the cheapest.
    const current = priority(v);
    if (queue.size > 0 && current > queue.peekKey()) {
      queue.push(current, v);
      continue;
    }
    contract(v, true);
    contracted[v] = 1;
    rank[v] = nextRank++;
    upLists[v] = { to: outTo[v], key: outKey[v], via: outVia[v] };
    downLists[v] = { from: inFrom[v], key: inKey[v], via: inVia[v] };
    const neighbours = new Set<number>([...outTo[v], ...inFrom[v]]);
    for (const w of outTo[v]) removeFrom(inFrom[w], inKey[w], inVia[w], v);
    for (const u of inFrom[v]) removeFrom(outTo[u], outKey[u], outVia[u], v);
    for (const w of neighbours) {
      deletedNeighbours[w]++;
      level[w] = Math.max(level[w], level[v] + 1);
      queue.push(priority(w), w);
    }
  }

  const pack = (lists: Array<{ key: number[]; via: number[] }>, ends: (v: number) => number[]) => {
    const first = new Int32Array(nodeCount + 1);
    for (let v = 0; v < nodeCount; v++) first[v + 1] = first[v] + ends(v).length;
    const total = first[nodeCount];
    const head = new Int32Array(total);
    const key = new Float64Array(total);
    const via = new Int32Array(total);
    for (let v = 0; v < nodeCount; v++) {
      const list = lists[v];
      const endsOfV = ends(v);
      for (let i = 0; i < endsOfV.length; i++) {
        head[first[v] + i] = endsOfV[i];
        key[first[v] + i] = list.key[i];
        via[first[v] + i] = list.via[i];
      }
    }
    return { first, head, key, via };
  };
  const up = pack(upLists, (v) => upLists[v].to);
  const down = pack(downLists, (v) => downLists[v].from);
  return {
    nodeCount,
    rank,
    upFirst: up.first,
    upHead: up.head,
    upKey: up.key,
    upVia: up.via,
    downFirst: down.first,
    downHead: down.head,
    downKey: down.key,
    downVia: down.via,
  };
}

function removeFrom(ends: number[], keys: number[], vias: number[], node: number): void {
  for (let i = 0; i < ends.length; i++) {
    if (ends[i] !== node) continue;
    const last = ends.length - 1;
    ends[i] = ends[last];
    keys[i] = keys[last];
    vias[i] = vias[last];
    ends.pop();
    keys.pop();
    vias.pop();
    return;
  }
}
