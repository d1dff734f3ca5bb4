/**
 * The routing search: greedy/regret construction, then Slack Induction by String Removals
 * (SISR, Christiaens & Vanden Berghe 2020) ruin-and-recreate under simulated annealing,
 * with a local-search descent (relocate, or-opt, swap, 2-opt*) on every new best, and for
 * the vehicles-first objective a fleet-minimisation phase driven by absence counters.
 *
 * Every move is checked with O(1) segment concatenation (segment.ts); only feasible
 * solutions are kept, so a task that cannot be placed stays unassigned (the caller turns
 * that into a reason). Work is counted in iterations; the wall-clock limit is only a cap.
 */
import type { Model } from './model.js';
import { Rng } from '../random.js';
import { Seg, concat, depotSeg, isFeasible, loadExcess, nodeSeg, routeCost } from './segment.js';
import { placeIntermediateFacilities } from './ifPlacement.js';

export interface SearchOptions {
  seed?: number;
  /** iterations of ruin-and-recreate (the deterministic work budget) */
  maxIterations?: number;
  /** optional wall-clock safety cap */
  timeLimitMs?: number;
  /** share of iterations spent on removing vehicles when vehiclesFirst (default 0.4) */
  fleetShare?: number;
  onProgress?: (p: SearchProgress) => void;
  /** price time warp in the cost phase instead of refusing it (default: when task windows bind) */
  penaliseTimeWarp?: boolean;
  /** restart a stuck route removal from the last complete plan, with another route (default true) */
  fleetRestarts?: boolean;
  /** every route of the best solution found goes here (for set partitioning) */
  routePool?: RoutePool;
}

export interface SearchProgress {
  phase: 'construct' | 'fleet' | 'cost';
  iteration: number;
  maxIterations: number;
  vehicles: number;
  unassigned: number;
  cost: number;
}

export interface RouteOut {
  veh: number;
  nodes: number[];
}

export interface SearchResult {
  routes: RouteOut[];
  unassigned: number[];
  iterations: number;
  cost: number;
}

/** Routes seen in good solutions, keyed by vehicle type and node sequence. */
export class RoutePool {
  readonly routes = new Map<string, { veh: number; nodes: number[]; cost: number }>();
  constructor(readonly maxSize = 20000) {}
  add(m: Model, veh: number, nodes: number[], cost: number): void {
    if (this.routes.size >= this.maxSize) return;
    const key = m.vehType[veh] + ':' + nodes.join(',');
    if (!this.routes.has(key)) this.routes.set(key, { veh, nodes: nodes.slice(), cost });
  }
}

const UNASSIGNED_PENALTY = 1e9;
/** share of time-warped solutions that get a repair (Vidal 2013 repairs half of them) */
const REPAIR_SHARE = 0.5;
/** steps a penalised walk may stay late (or short of tasks) before it restarts from the best plan */
const RESTART_AFTER = 1000;
/** a repair looks at the late task and this many tasks before it */
const REPAIR_SPAN = 3;
/** the time-warp price starts at this many times a second of driving (measured on Solomon R2/RC2) */
const TW_WEIGHT_START = 10;
/**
 * A route-removal attempt gets this many steps per task before it restarts, and each restart
 * this much longer (measured on the eight hardest Solomon R1/RC1 instances, four seeds: 5
 * vehicles over the best known with restarts, 14 with one attempt to the end).
 */
const FLEET_ATTEMPT_TASKS = 100;
const FLEET_ATTEMPT_GROWTH = 1.5;
/** steps between two adjustments of the time-warp price */
const TW_WEIGHT_PERIOD = 50;

export function search(m: Model, opts: SearchOptions = {}): SearchResult {
  return new Search(m, opts).run();
}

class Search {
  private readonly rng: Rng;
  private readonly maxIt: number;
  private readonly deadline: number;
  private readonly nodeSegs: Seg[];
  private readonly startSegs: Seg[];
  private readonly endSegs: Seg[];
  private readonly nodes: number[][];
  private readonly pre: Seg[][];
  private readonly suf: Seg[][];
  /** route cost, plus the time-warp penalty while the search is penalised */
  private readonly rcost: Float64Array;
  /** route cost without penalty, and the route's time warp */
  private readonly rbase: Float64Array;
  private readonly rtw: Float64Array;
  private readonly rdist: Float64Array;
  /** price of one second of time warp; 0 = time windows are hard */
  private twWeight = 0;
  private readonly rgroup: Int32Array;
  private readonly taskVeh: Int32Array;
  /** index of the task's node in its route (valid while the task is assigned) */
  private readonly taskPos: Int32Array;
  private unassigned: number[] = [];
  private readonly adj: Int32Array[];
  private readonly t1 = new Seg();
  private readonly t2 = new Seg();
  private readonly t3 = new Seg();
  private readonly tMid = new Seg();
  private it = 0;
  private allowNewRoutes = true;
  /** with allowNewRoutes off, routes may still be reopened up to this many (cost phase) */
  private maxRoutes = 0;
  private unassignedPenalty = UNASSIGNED_PENALTY;

  private temperature = 0;
  // undo log of one ruin-and-recreate step
  private touched: number[] = [];
  private saved = new Map<number, number[]>();
  private savedUnassigned: number[] = [];
  private readonly absence: Float64Array;
  private readonly depotLoc: number;
  /** no vehicle prices time: distances give a lower bound of a move's cost */
  private readonly distanceBound: boolean;
  /** some group unloads at intermediate facilities */
  private readonly hasIFs: boolean;

  constructor(private readonly m: Model, private readonly opts: SearchOptions) {
    this.rng = new Rng(opts.seed ?? 1);
    this.maxIt = opts.maxIterations ?? 20000;
    this.deadline = opts.timeLimitMs ? Date.now() + opts.timeLimitMs : Infinity;
    this.nodeSegs = [];
    for (let i = 0; i < m.nNodes; i++) this.nodeSegs.push(nodeSeg(m, i));
    this.startSegs = [];
    this.endSegs = [];
    for (let v = 0; v < m.nVeh; v++) {
      this.startSegs.push(depotSeg(m, v, false));
      this.endSegs.push(depotSeg(m, v, true));
    }
    this.nodes = Array.from({ length: m.nVeh }, () => []);
    this.pre = Array.from({ length: m.nVeh }, () => []);
    this.suf = Array.from({ length: m.nVeh }, () => []);
    this.rcost = new Float64Array(m.nVeh);
    this.rbase = new Float64Array(m.nVeh);
    this.rtw = new Float64Array(m.nVeh);
    this.rdist = new Float64Array(m.nVeh);
    this.rgroup = new Int32Array(m.nVeh).fill(-1);
    this.taskVeh = new Int32Array(m.nTasks).fill(-1);
    this.taskPos = new Int32Array(m.nTasks).fill(-1);
    this.absence = new Float64Array(m.nTasks).fill(1);
    this.depotLoc = m.nVeh > 0 ? m.vehStart[0] : 0;
    this.distanceBound = m.vehCostPerS.every((c) => c === 0);
    this.hasIFs = m.groupIF.some((f) => f.length > 0);
    for (let v = 0; v < m.nVeh; v++) this.update(v);
    this.adj = this.buildAdjacency();
  }

  // ---- bookkeeping ----------------------------------------------------------------------

  private taskLoc(t: number): number {
    return this.m.nodeStart[this.m.taskNodes[t][0]];
  }

  /** Neighbour lists of tasks by travel distance both ways (profile 0), the nearest 150. */
  private buildAdjacency(): Int32Array[] {
    const m = this.m;
    const d = m.profileDist[0];
    const cap = Math.min(m.nTasks - 1, 150);
    const loc = Int32Array.from({ length: m.nTasks }, (_, t) => this.taskLoc(t));
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

  /** the route must deliver its load to an IF before returning to the depot */
  private ifMode(v: number): boolean {
    const g = this.rgroup[v];
    return g >= 0 && this.m.groupEndEmpty[g] === 1;
  }

  private update(v: number): void {
    const m = this.m;
    const ns = this.nodes[v];
    const pre = this.pre[v], suf = this.suf[v];
    while (pre.length < ns.length + 1) { pre.push(new Seg()); suf.push(new Seg()); }
    pre[0].copyFrom(this.startSegs[v]);
    for (let i = 0; i < ns.length; i++) {
      concat(pre[i + 1], pre[i], this.nodeSegs[ns[i]], m, v);
      const t = m.nodeTask[ns[i]];
      if (t >= 0) this.taskPos[t] = i;
    }
    suf[ns.length].copyFrom(this.endSegs[v]);
    for (let i = ns.length - 1; i >= 0; i--) concat(suf[i], this.nodeSegs[ns[i]], suf[i + 1], m, v);
    if (ns.length === 0) {
      this.rcost[v] = this.rbase[v] = this.rtw[v] = this.rdist[v] = 0;
      this.rgroup[v] = -1;
    } else {
      concat(this.t3, pre[ns.length], suf[ns.length], m, v);
      this.rbase[v] = routeCost(this.t3, m, v);
      this.rtw[v] = this.t3.timeWarpS > 1e-6 ? this.t3.timeWarpS : 0;
      this.rdist[v] = this.t3.distM;
      this.rcost[v] = this.rbase[v] + this.twWeight * this.rtw[v];
      let g = -1;
      for (const n of ns) if (m.nodeTask[n] >= 0) { g = m.taskGroup[m.nodeTask[n]]; break; }
      this.rgroup[v] = g;
    }
  }

  private touch(v: number): void {
    if (!this.saved.has(v)) {
      this.saved.set(v, this.nodes[v].slice());
      this.touched.push(v);
    }
  }

  private beginStep(): void {
    this.saved.clear();
    this.touched.length = 0;
    this.savedUnassigned = this.unassigned.slice();
  }

  private undoStep(): void {
    for (const t of this.unassigned) this.taskVeh[t] = -1;
    for (const v of this.touched) {
      for (const n of this.nodes[v]) if (this.m.nodeTask[n] >= 0) this.taskVeh[this.m.nodeTask[n]] = -1;
    }
    for (const v of this.touched) {
      this.nodes[v] = this.saved.get(v)!;
      this.update(v);
      for (const n of this.nodes[v]) if (this.m.nodeTask[n] >= 0) this.taskVeh[this.m.nodeTask[n]] = v;
    }
    this.unassigned = this.savedUnassigned;
  }

  private totalCost(): number {
    let c = this.unassigned.length * this.unassignedPenalty;
    for (let v = 0; v < this.m.nVeh; v++) c += this.rcost[v];
    return c;
  }

  private vehiclesUsed(): number {
    let k = 0;
    for (let v = 0; v < this.m.nVeh; v++) if (this.nodes[v].length > 0) k++;
    return k;
  }

  private snapshot(): SearchResult {
    const routes: RouteOut[] = [];
    for (let v = 0; v < this.m.nVeh; v++) if (this.nodes[v].length) routes.push({ veh: v, nodes: this.nodes[v].slice() });
    return { routes, unassigned: this.unassigned.slice(), iterations: this.it, cost: this.totalCost() };
  }

  private restore(s: SearchResult): void {
    this.taskVeh.fill(-1);
    for (let v = 0; v < this.m.nVeh; v++) { this.nodes[v] = []; }
    for (const r of s.routes) {
      this.nodes[r.veh] = r.nodes.slice();
      for (const n of r.nodes) if (this.m.nodeTask[n] >= 0) this.taskVeh[this.m.nodeTask[n]] = r.veh;
    }
    for (let v = 0; v < this.m.nVeh; v++) this.update(v);
    this.unassigned = s.unassigned.slice();
  }

  private phaseDeadline = Infinity;

  private timeUp(): boolean {
    return (this.it & 31) === 0 && Date.now() > Math.min(this.deadline, this.phaseDeadline);
  }

  // ---- recreate -------------------------------------------------------------------------

  private bestV = -1;
  private bestPos = 0;
  private bestA = -1;
  private bestB = -1;
  private bestDelta = Infinity;

  private consider(v: number, pos: number, a: number, b: number, delta: number): void {
    if (delta < this.bestDelta) {
      this.bestDelta = delta;
      this.bestV = v;
      this.bestPos = pos;
      this.bestA = a;
      this.bestB = b;
    }
  }

  /**
   * Insertion semantics: -Infinity = time windows break, Infinity = load only. While the
   * search is penalised, time warp is priced instead (load stays a hard limit).
   */
  private segCost(s: Seg, v: number, ifm: boolean): number {
    const tw = s.timeWarpS > 1e-6 ? s.timeWarpS : 0;
    if (tw > 0 && this.twWeight === 0) return -Infinity;
    if (loadExcess(s, this.m, v, ifm) > 1e-6) return Infinity;
    return routeCost(s, this.m, v) + this.twWeight * tw;
  }

  /** Price time warp at w per second (0 = hard windows) and reprice every route. */
  private setTwWeight(w: number): void {
    this.twWeight = w;
    for (let v = 0; v < this.m.nVeh; v++) this.rcost[v] = this.rbase[v] + w * this.rtw[v];
  }

  private totalTw(): number {
    let tw = 0;
    for (let v = 0; v < this.m.nVeh; v++) tw += this.rtw[v];
    return tw;
  }

  /** Local-search semantics: Infinity for any infeasibility. */
  private lsCost(s: Seg, v: number, ifm: boolean): number {
    const c = this.segCost(s, v, ifm);
    return c === -Infinity ? Infinity : c;
  }

  /**
   * Cost of route v with node a (then b, when b >= 0) inserted before position pos:
   * Infinity if infeasible by load only, -Infinity if the time windows break.
   */
  private evalInsert(v: number, pos: number, a: number, b: number, ifm: boolean): number {
    const m = this.m;
    let s = concat(this.t1, this.pre[v][pos], this.nodeSegs[a], m, v);
    if (b >= 0) s = concat(this.t1, s, this.nodeSegs[b], m, v);
    concat(this.t2, s, this.suf[v][pos], m, v);
    return this.segCost(this.t2, v, ifm);
  }

  /** Try every variant of t (and an extra IF trip when only the load is in the way) at position p of route v. */
  private tryPosition(v: number, p: number, variants: number[], ifs: number[], ifm: boolean, old: number): void {
    for (const n of variants) {
      const c = this.evalInsert(v, p, n, -1, ifm);
      if (c > -Infinity && c < Infinity) { this.consider(v, p, n, -1, c - old); continue; }
      if (ifs.length === 0 || c === -Infinity) continue;
      for (const f of ifs) {
        const c1 = this.evalInsert(v, p, n, f, ifm);
        if (c1 > -Infinity && c1 < Infinity) this.consider(v, p, n, f, c1 - old);
        const c2 = this.evalInsert(v, p, f, n, ifm);
        if (c2 > -Infinity && c2 < Infinity) this.consider(v, p, f, n, c2 - old);
      }
    }
  }

  /** Granular insertion above this many tasks: only next to the task's nearest neighbours. */
  private static readonly GRANULAR_TASKS = 400;
  private readonly candKeys = new Set<number>();

  /** Find the cheapest feasible insertion of task t (routes, positions, variants, IF visits). */
  private findInsertion(t: number, blink: number, wide = true): void {
    const m = this.m;
    this.bestV = -1;
    this.bestDelta = Infinity;
    const g = m.taskGroup[t];
    const ifs = m.groupIF[g];
    const variants = m.taskNodes[t];
    const endEmpty = m.groupEndEmpty[g] === 1;
    const seenType = new Set<number>();
    const mayOpen = this.allowNewRoutes || this.vehiclesUsed() < this.maxRoutes;
    for (let v = 0; v < m.nVeh; v++) {
      if (!m.taskCompat[t * m.nVeh + v] || this.nodes[v].length > 0) continue;
      if (!mayOpen || seenType.has(m.vehType[v])) continue;
      seenType.add(m.vehType[v]);
      for (const n of variants) {
        if (!endEmpty) {
          const c = this.evalInsert(v, 0, n, -1, false);
          if (c > -Infinity && c < Infinity) this.consider(v, 0, n, -1, c);
        } else {
          for (const f of ifs) {
            const c = this.evalInsert(v, 0, n, f, true);
            if (c > -Infinity && c < Infinity) this.consider(v, 0, n, f, c);
          }
        }
      }
    }
    if (m.nTasks > Search.GRANULAR_TASKS) {
      // positions next to the 40 nearest assigned tasks; a wider ring of routes only if none fits
      const keys = this.candKeys;
      keys.clear();
      const near = this.adj[t];
      const lim = Math.min(near.length, 40);
      const before = this.bestDelta;
      for (let k = 0; k < lim; k++) {
        const w = near[k];
        const v = this.taskVeh[w];
        if (v < 0 || this.rgroup[v] !== g || !m.taskCompat[t * m.nVeh + v]) continue;
        const old = this.rcost[v];
        for (const p of [this.taskPos[w], this.taskPos[w] + 1]) {
          const key = v * 1048576 + p;
          if (keys.has(key)) continue;
          keys.add(key);
          if (blink > 0 && this.rng.next() < blink) continue;
          this.tryPosition(v, p, variants, ifs, endEmpty, old);
        }
      }
      if (this.bestDelta < before || !wide) return;
      const routes = new Set<number>();
      for (const w of near) { const v = this.taskVeh[w]; if (v >= 0) routes.add(v); }
      for (const v of routes) this.scanRoute(t, v, blink, variants, ifs, endEmpty);
      return;
    }
    for (let v = 0; v < m.nVeh; v++) this.scanRoute(t, v, blink, variants, ifs, endEmpty);
  }

  private scanRoute(t: number, v: number, blink: number, variants: number[], ifs: number[], endEmpty: boolean): void {
    const m = this.m;
    const len = this.nodes[v].length;
    if (len === 0 || !m.taskCompat[t * m.nVeh + v] || this.rgroup[v] !== m.taskGroup[t]) return;
    const old = this.rcost[v];
    for (let p = 0; p <= len; p++) {
      if (blink > 0 && this.rng.next() < blink) continue;
      this.tryPosition(v, p, variants, ifs, endEmpty, old);
    }
  }

  private applyInsertion(t: number): void {
    const v = this.bestV;
    this.touch(v);
    if (this.bestB >= 0) this.nodes[v].splice(this.bestPos, 0, this.bestA, this.bestB);
    else this.nodes[v].splice(this.bestPos, 0, this.bestA);
    this.taskVeh[t] = v;
    this.update(v);
  }

  private sortRemoved(tasks: number[]): void {
    const m = this.m;
    const r = this.rng.next() * 11;
    if (r < 4) {
      for (let i = tasks.length - 1; i > 0; i--) { const j = this.rng.int(i + 1); [tasks[i], tasks[j]] = [tasks[j], tasks[i]]; }
    } else if (r < 8) {
      const dem = (t: number) => m.nodeKg[m.taskNodes[t][0]] + m.nodeM3[m.taskNodes[t][0]];
      tasks.sort((a, b) => dem(b) - dem(a));
    } else {
      const d = m.profileDist[0];
      const far = (t: number) => d[this.depotLoc * m.nLoc + this.taskLoc(t)];
      if (r < 10) tasks.sort((a, b) => far(b) - far(a));
      else tasks.sort((a, b) => far(a) - far(b));
    }
  }

  private recreate(tasks: number[], blink: number, stillOut: Set<number> | null = null): void {
    this.sortRemoved(tasks);
    const left: number[] = [];
    for (const t of tasks) {
      // tasks that were already out get only the granular look, or large problems crawl
      this.findInsertion(t, blink, !stillOut?.has(t));
      if (this.bestV >= 0) this.applyInsertion(t);
      else left.push(t);
    }
    this.unassigned = left;
  }

  /** Regret-2 construction: insert first the task whose best and second-best routes differ most. */
  private construct(): void {
    const m = this.m;
    const pending = new Set<number>();
    for (let t = 0; t < m.nTasks; t++) pending.add(t);
    const left: number[] = [];
    // Above a few hundred tasks regret is quadratic in practice; plain greedy keeps construction fast.
    const useRegret = m.nTasks <= 400;
    // large problems: plain greedy, tightest deadlines first
    const lateOf = (t: number) => Math.max(...m.taskNodes[t].map((n) => m.nodeL[n]));
    const order = Array.from({ length: m.nTasks }, (_, t) => t).sort((a, b) => lateOf(a) - lateOf(b) || a - b);
    let orderAt = 0;
    while (pending.size) {
      let pick = -1, pickScore = -Infinity;
      if (useRegret) {
        for (const t of pending) {
          const { best, second } = this.bestTwo(t);
          if (best === Infinity) { pick = t; pickScore = Infinity; break; }
          const score = (second === Infinity ? 1e12 : second - best);
          if (score > pickScore) { pickScore = score; pick = t; }
        }
      } else {
        pick = order[orderAt++];
      }
      pending.delete(pick);
      this.findInsertion(pick, 0);
      if (this.bestV >= 0) this.applyInsertion(pick);
      else left.push(pick);
    }
    this.unassigned = left;
  }

  /** Best insertion delta per route, the two best routes' values. */
  private bestTwo(t: number): { best: number; second: number } {
    const m = this.m;
    let best = Infinity, second = Infinity;
    const g = m.taskGroup[t];
    const ifs = m.groupIF[g];
    const seenType = new Set<number>();
    for (let v = 0; v < m.nVeh; v++) {
      if (!m.taskCompat[t * m.nVeh + v]) continue;
      const len = this.nodes[v].length;
      if (len === 0) {
        if (seenType.has(m.vehType[v])) continue;
        seenType.add(m.vehType[v]);
      } else if (this.rgroup[v] !== g) continue;
      let rb = Infinity;
      const old = this.rcost[v];
      for (let p = 0; p <= len; p++) {
        for (const n of m.taskNodes[t]) {
          const endEmpty = m.groupEndEmpty[g] === 1;
          const c = this.evalInsert(v, p, n, endEmpty && len === 0 ? ifs[0] : -1, endEmpty);
          if (c > -Infinity && c < Infinity && c - old < rb) rb = c - old;
        }
      }
      if (rb < best) { second = best; best = rb; } else if (rb < second) second = rb;
    }
    if (best === Infinity) {
      // maybe only feasible through an extra IF trip
      this.findInsertion(t, 0);
      if (this.bestV >= 0) best = this.bestDelta;
    }
    return { best, second };
  }

  // ---- ruin (SISR) ----------------------------------------------------------------------

  private removeTask(t: number): void {
    const v = this.taskVeh[t];
    const ns = this.nodes[v];
    const i = ns.findIndex((n) => this.m.nodeTask[n] === t);
    ns.splice(i, 1);
    this.taskVeh[t] = -1;
    // positions after i shift; keep taskPos exact without a full update
    for (let k = i; k < ns.length; k++) { const u = this.m.nodeTask[ns[k]]; if (u >= 0) this.taskPos[u] = k; }
  }

  /** Drop IF visits that no longer serve a purpose, keep the route's end IF. */
  private cleanRoute(v: number): void {
    const m = this.m;
    const ns = this.nodes[v];
    let hasTask = false;
    for (const n of ns) if (m.nodeTask[n] >= 0) { hasTask = true; break; }
    if (!hasTask) { ns.length = 0; this.update(v); return; }
    // leading IFs and doubled IFs are pure detours
    const out: number[] = [];
    for (const n of ns) {
      if (m.nodeIsIF[n] && (out.length === 0 || m.nodeIsIF[out[out.length - 1]])) continue;
      out.push(n);
    }
    this.nodes[v] = out;
    this.update(v);
    // then any IF whose removal keeps the route feasible and is cheaper
    const ifm = this.ifMode(v);
    for (let i = out.length - 2; i >= 0; i--) {
      if (!m.nodeIsIF[out[i]]) continue;
      concat(this.t2, this.pre[v][i], this.suf[v][i + 1], m, v);
      if (this.lsCost(this.t2, v, ifm) < this.rcost[v]) {
        out.splice(i, 1);
        this.update(v);
      }
    }
  }

  private ruin(): number[] {
    const m = this.m;
    const cBar = 10, lMax = 10;
    let assigned = 0, used = 0;
    for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length) used++;
    assigned = m.nTasks - this.unassigned.length;
    if (assigned === 0) return [];
    const avgLen = assigned / Math.max(1, used);
    const lsMax = Math.min(lMax, avgLen);
    const ksMax = (4 * cBar) / (1 + lsMax) - 1;
    const ks = Math.floor(this.rng.next() * ksMax) + 1;
    let seed = this.rng.int(m.nTasks);
    while (this.taskVeh[seed] < 0) seed = this.rng.int(m.nTasks);
    const ruined = new Set<number>();
    const removed: number[] = [];
    const visit = (c: number): boolean => {
      const v = this.taskVeh[c];
      if (v < 0 || ruined.has(v)) return false;
      ruined.add(v);
      this.touch(v);
      const taskPos: number[] = [];
      this.nodes[v].forEach((n) => { if (m.nodeTask[n] >= 0) taskPos.push(m.nodeTask[n]); });
      const card = taskPos.length;
      const lmaxT = Math.min(card, lsMax);
      const l = Math.floor(this.rng.next() * lmaxT) + 1;
      const k = taskPos.indexOf(c);
      let start = k - this.rng.int(l);
      start = Math.max(0, Math.min(start, card - l));
      // "split string": keep a random substring inside the removed string (SISR's second variant)
      let keepFrom = -1, keepLen = 0;
      if (l > 1 && l < card && this.rng.next() < 0.5) {
        keepLen = 1;
        while (l + keepLen < card && this.rng.next() > 0.01) keepLen++;
        keepLen = Math.min(keepLen, card - l);
        keepFrom = start + 1 + this.rng.int(l - 1);
      }
      for (let i = 0; i < l + (keepFrom >= 0 ? keepLen : 0); i++) {
        const idx = start + i;
        if (idx >= card) break;
        if (keepFrom >= 0 && idx >= keepFrom && idx < keepFrom + keepLen) continue;
        const t = taskPos[idx];
        this.removeTask(t);
        removed.push(t);
      }
      return true;
    };
    visit(seed);
    for (const c of this.adj[seed]) {
      if (ruined.size >= ks) break;
      visit(c);
    }
    for (const v of ruined) this.cleanRoute(v);
    return removed;
  }

  // ---- local search (feasible descent) --------------------------------------------------

  /**
   * First-improvement descent with relocate (strings of 1-3 tasks, both orientations: or-opt),
   * swap and 2-opt* over granular neighbourhoods (20 nearest tasks). Only routes changed
   * since the last descent are scanned ("dirty"), and routes changed by a move become dirty.
   */
  private localSearch(dirtyInit?: Iterable<number>): void {
    const m = this.m;
    const dirty = new Set<number>(dirtyInit ?? Array.from({ length: m.nVeh }, (_, v) => v));
    this.lsDirty = dirty;
    let moves = 0;
    this.lsMoved.length = 0;
    const maxMoves = 20 * m.nTasks;
    while (dirty.size && moves < maxMoves) {
      const v = dirty.values().next().value as number;
      dirty.delete(v);
      const tasks: number[] = [];
      for (const n of this.nodes[v]) if (m.nodeTask[n] >= 0) tasks.push(m.nodeTask[n]);
      for (const u of tasks) {
        if (this.taskVeh[u] !== v) continue;
        moves += this.improveAround(u, false);
      }
    }
    this.lsDirty = null;
  }

  /**
   * Try moves between u and its 20 nearest tasks; the number of moves made. With firstOnly
   * it stops at the first move and records the two tasks in lsMoved; otherwise it goes on
   * through the list (a descent over whole routes converges better that way on Solomon C2).
   */
  private improveAround(u: number, firstOnly: boolean): number {
    const lim = Math.min(this.adj[u].length, 20);
    let moves = 0;
    for (let k = 0; k < lim; k++) {
      const w = this.adj[u][k];
      if (this.taskVeh[w] < 0 || this.taskVeh[u] < 0) continue;
      if (this.tryRelocate(u, w) || this.trySwap(u, w) || this.tryTwoOptStar(u, w)) {
        moves++;
        if (firstOnly) { this.lsMoved.push(u, w); return 1; }
      }
    }
    return moves;
  }

  private readonly lsMoved: number[] = [];

  /**
   * Descent focused on a few tasks (those just reinserted): each is tried against its
   * neighbours, and the two tasks of every move made are tried again. Much cheaper than a
   * descent over whole routes when a step changed only a handful of tasks.
   */
  private focusedSearch(focus: number[]): void {
    const m = this.m;
    const queued = new Uint8Array(m.nTasks);
    const queue: number[] = [];
    for (const t of focus) if (!queued[t]) { queued[t] = 1; queue.push(t); }
    let moves = 0;
    const maxMoves = 20 * m.nTasks;
    while (queue.length && moves < maxMoves) {
      const u = queue.pop()!;
      queued[u] = 0;
      if (this.taskVeh[u] < 0) continue;
      this.lsMoved.length = 0;
      if (this.improveAround(u, true) === 0) continue;
      moves++;
      for (const t of this.lsMoved) if (!queued[t]) { queued[t] = 1; queue.push(t); }
    }
  }

  private lsDirty: Set<number> | null = null;

  private commit(v: number, seq: number[]): void {
    // a descent inside a ruin-and-recreate step must be undoable with it
    this.touch(v);
    this.lsDirty?.add(v);
    this.nodes[v] = seq;
    for (const n of seq) if (this.m.nodeTask[n] >= 0) this.taskVeh[this.m.nodeTask[n]] = v;
    this.update(v);
    this.cleanRoute(v);
  }

  private readonly sFwd = new Seg();
  private readonly sRev = new Seg();
  private readonly tA = new Seg();
  private readonly tB = new Seg();

  /**
   * Fixed plus distance cost of the route a + s + b for vehicle v, from matrix lookups only:
   * a lower bound of its cost when time has no price (time warp and waiting only add).
   */
  private joinCost(v: number, a: Seg, s: Seg | null, b: Seg): number {
    const m = this.m;
    const d = m.profileDist[m.vehProfile[v]], n = m.nLoc;
    const dist = s
      ? a.distM + d[a.last * n + s.first] + s.distM + d[s.last * n + b.first] + b.distM
      : a.distM + d[a.last * n + b.first] + b.distM;
    return m.vehFixed[v] + m.vehCostPerM[v] * dist;
  }

  /** Cost of the route pre[v][i] + s + suf[v][j] (s may be null); Infinity if infeasible. */
  private evalWith(v: number, i: number, s: Seg | null, j: number): number {
    const m = this.m;
    let x: Seg = this.pre[v][i];
    if (s) x = concat(this.tA, x, s, m, v);
    concat(this.tB, x, this.suf[v][j], m, v);
    return this.lsCost(this.tB, v, this.ifMode(v));
  }

  /** Does node range [i, j) of route v hold a task (not only IF visits)? */
  private hasTaskIn(v: number, i: number, j: number): boolean {
    const ns = this.nodes[v];
    for (let k = i; k < j; k++) if (this.m.nodeTask[ns[k]] >= 0) return true;
    return false;
  }

  /**
   * Move a string of 1-3 tasks starting at u (either orientation) to just after w, or before w.
   * Evaluated on segments only; arrays are built just for the move that is made.
   */
  private tryRelocate(u: number, w: number): boolean {
    const m = this.m;
    const vu = this.taskVeh[u], vw = this.taskVeh[w];
    const iu = this.taskPos[u], iw = this.taskPos[w];
    const nsU = this.nodes[vu];
    const sF = this.sFwd, sR = this.sRev;
    if (vu !== vw && (this.rgroup[vw] !== this.rgroup[vu])) return false;
    for (let len = 1; len <= 3; len++) {
      if (iu + len > nsU.length) break;
      const n = nsU[iu + len - 1];
      if (m.nodeIsIF[n]) break;
      if (vu !== vw && !m.taskCompat[m.nodeTask[n] * m.nVeh + vw]) break;
      if (len === 1) { sF.copyFrom(this.nodeSegs[n]); sR.copyFrom(this.nodeSegs[n]); }
      else { concat(sF, sF, this.nodeSegs[n], m, vw); concat(sR, this.nodeSegs[n], sR, m, vw); }
      if (vu !== vw) {
        const oldCost = this.rcost[vu] + this.rcost[vw];
        const uKeeps = this.hasTaskIn(vu, 0, iu) || this.hasTaskIn(vu, iu + len, nsU.length);
        let costU = -1;
        for (let k = 0; k < 2; k++) {
          const at = k === 0 ? iw + 1 : iw;
          for (let o = 0; o < (len > 1 ? 2 : 1); o++) {
            const str = o === 0 ? sF : sR;
            if (this.distanceBound) {
              // distances alone, plus the time warp route w keeps (an insertion cannot remove any),
              // already lose: skip the segment work
              const lb = (uKeeps ? this.joinCost(vu, this.pre[vu][iu], null, this.suf[vu][iu + len]) : 0) +
                this.joinCost(vw, this.pre[vw][at], str, this.suf[vw][at]) + this.twWeight * this.rtw[vw];
              if (lb >= oldCost - 1e-7) continue;
            }
            if (costU < 0) costU = uKeeps ? this.evalWith(vu, iu, null, iu + len) : 0;
            if (costU === Infinity) break;
            const costW = this.evalWith(vw, at, str, at);
            if (costW + costU < oldCost - 1e-7) {
              const str = nsU.slice(iu, iu + len);
              if (o === 1) str.reverse();
              const newU = nsU.slice(); newU.splice(iu, len);
              const newW = this.nodes[vw].slice(); newW.splice(at, 0, ...str);
              this.commit(vu, newU);
              this.commit(vw, newW);
              return true;
            }
          }
          if (costU === Infinity) break;
        }
      } else {
        if (iw >= iu && iw < iu + len) continue;
        for (let k = 0; k < 2; k++) {
          const at = k === 0 ? iw + 1 : iw;
          // only the stretch between the old and new place changes
          const lo = Math.min(iu, at), hi = Math.max(iu + len, at);
          if (hi - lo > 16 || (at >= iu && at <= iu + len)) continue;
          for (let o = 0; o < (len > 1 ? 2 : 1); o++) {
            const str = o === 0 ? sF : sR;
            if (this.distanceBound) {
              const d = m.profileDist[m.vehProfile[vu]], nl = m.nLoc;
              const P = this.pre[vu][iu].last, N = this.suf[vu][iu + len].first;
              const A = this.pre[vu][at].last, B = this.suf[vu][at].first;
              const dist = this.rdist[vu] - (d[P * nl + sF.first] + sF.distM + d[sF.last * nl + N] - d[P * nl + N]) +
                (d[A * nl + str.first] + str.distM + d[str.last * nl + B] - d[A * nl + B]);
              if (m.vehFixed[vu] + m.vehCostPerM[vu] * dist >= this.rcost[vu] - 1e-7) continue;
            }
            // at < iu: pre[at] + str + nodes[at..iu) + suf[iu+len]; else pre[iu] + nodes[iu+len..at) + str + suf[at]
            let x: Seg;
            if (at < iu) {
              x = concat(this.tMid, this.pre[vu][at], str, m, vu);
              for (let q = at; q < iu; q++) x = concat(this.tMid, x, this.nodeSegs[nsU[q]], m, vu);
              concat(this.tB, x, this.suf[vu][iu + len], m, vu);
            } else {
              x = this.pre[vu][iu];
              for (let q = iu + len; q < at; q++) x = concat(this.tMid, x, this.nodeSegs[nsU[q]], m, vu);
              x = concat(this.tMid, x, str, m, vu);
              concat(this.tB, x, this.suf[vu][at], m, vu);
            }
            const c = this.lsCost(this.tB, vu, this.ifMode(vu));
            if (c < this.rcost[vu] - 1e-7) {
              const s = nsU.slice(iu, iu + len);
              if (o === 1) s.reverse();
              const mid = at < iu ? [...s, ...nsU.slice(at, iu)] : [...nsU.slice(iu + len, at), ...s];
              this.commit(vu, [...nsU.slice(0, lo), ...mid, ...nsU.slice(hi)]);
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /** Exchange tasks u and w (between routes), trying every node variant of each. */
  private trySwap(u: number, w: number): boolean {
    const m = this.m;
    const vu = this.taskVeh[u], vw = this.taskVeh[w];
    if (vu === vw || this.rgroup[vu] !== this.rgroup[vw]) return false;
    if (!m.taskCompat[u * m.nVeh + vw] || !m.taskCompat[w * m.nVeh + vu]) return false;
    const iu = this.taskPos[u], iw = this.taskPos[w];
    const old = this.rcost[vu] + this.rcost[vw];
    for (const nu of m.taskNodes[u]) {
      if (this.distanceBound && m.taskNodes[w].length === 1) {
        const nw = m.taskNodes[w][0];
        const lb = this.joinCost(vw, this.pre[vw][iw], this.nodeSegs[nu], this.suf[vw][iw + 1]) +
          this.joinCost(vu, this.pre[vu][iu], this.nodeSegs[nw], this.suf[vu][iu + 1]);
        if (lb >= old - 1e-7) continue;
      }
      const cw = this.evalWith(vw, iw, this.nodeSegs[nu], iw + 1);
      if (cw === Infinity) continue;
      for (const nw of m.taskNodes[w]) {
        const cu = this.evalWith(vu, iu, this.nodeSegs[nw], iu + 1);
        if (cu + cw < old - 1e-7) {
          const a = this.nodes[vu].slice(); a[iu] = nw;
          const b = this.nodes[vw].slice(); b[iw] = nu;
          this.commit(vu, a);
          this.commit(vw, b);
          return true;
        }
      }
    }
    return false;
  }

  /** 2-opt*: route(u) keeps its head up to u and takes route(w)'s tail after w, and vice versa. */
  private tryTwoOptStar(u: number, w: number): boolean {
    const m = this.m;
    const vu = this.taskVeh[u], vw = this.taskVeh[w];
    if (vu === vw || m.vehType[vu] !== m.vehType[vw] || this.rgroup[vu] !== this.rgroup[vw]) return false;
    const iu = this.taskPos[u], iw = this.taskPos[w];
    const old = this.rcost[vu] + this.rcost[vw];
    const nu = this.nodes[vu], nw = this.nodes[vw];
    const ifm = this.ifMode(vu);
    for (let k = 0; k < 2; k++) {
      const a = k === 0 ? iu + 1 : iu, b = k === 0 ? iw + 1 : iw;
      // new u-route: pre_u[a] + suf_w[b]; new w-route: pre_w[b] + suf_u[a]
      const uHas = this.hasTaskIn(vu, 0, a) || this.hasTaskIn(vw, b, nw.length);
      const wHas = this.hasTaskIn(vw, 0, b) || this.hasTaskIn(vu, a, nu.length);
      if (this.distanceBound &&
        (uHas ? this.joinCost(vu, this.pre[vu][a], null, this.suf[vw][b]) : 0) +
        (wHas ? this.joinCost(vw, this.pre[vw][b], null, this.suf[vu][a]) : 0) >= old - 1e-7) continue;
      let c1 = 0, c2 = 0;
      if (uHas) {
        concat(this.t1, this.pre[vu][a], this.suf[vw][b], m, vu);
        c1 = this.lsCost(this.t1, vu, ifm);
        if (c1 === Infinity) continue;
      }
      if (wHas) {
        concat(this.t2, this.pre[vw][b], this.suf[vu][a], m, vw);
        c2 = this.lsCost(this.t2, vw, ifm);
        if (c2 === Infinity) continue;
      }
      if (c1 + c2 < old - 1e-7) {
        const newU = nu.slice(0, a).concat(nw.slice(b));
        const newW = nw.slice(0, b).concat(nu.slice(a));
        this.commit(vu, newU);
        this.commit(vw, newW);
        return true;
      }
    }
    return false;
  }

  // ---- main loops -----------------------------------------------------------------------

  private progress(phase: SearchProgress['phase'], cost: number): void {
    this.opts.onProgress?.({ phase, iteration: this.it, maxIterations: this.maxIt, vehicles: this.vehiclesUsed(),
      unassigned: this.unassigned.length, cost });
  }

  private poolAdd(): void {
    const pool = this.opts.routePool;
    if (!pool) return;
    for (let v = 0; v < this.m.nVeh; v++) if (this.nodes[v].length) pool.add(this.m, v, this.nodes[v], this.rcost[v]);
  }

  run(): SearchResult {
    const m = this.m;
    if (m.nTasks === 0) return { routes: [], unassigned: [], iterations: 0, cost: 0 };
    this.construct();
    this.localSearch();
    this.progress('construct', this.totalCost());
    let best = this.snapshot();
    this.poolAdd();
    const fleetIt = m.vehiclesFirst ? Math.floor(this.maxIt * (this.opts.fleetShare ?? 0.4)) : 0;
    if (this.unassigned.length > 0 && !this.deadlineIsClose()) {
      // construction left tasks out: pack them in (ejections + absence counters) before costs
      if (this.deadline !== Infinity) this.phaseDeadline = Date.now() + (this.deadline - Date.now()) * 0.3;
      best = this.fleetMinimise(best, Math.floor(this.maxIt * 0.3), false);
      this.phaseDeadline = Infinity;
      this.restore(best);
    }
    if (fleetIt > 0 && this.unassigned.length === 0) {
      // the wall-clock cap, when given, is shared the same way as the iterations
      if (this.deadline !== Infinity) this.phaseDeadline = Date.now() + (this.deadline - Date.now()) * (this.opts.fleetShare ?? 0.4);
      best = this.fleetMinimise(best, fleetIt);
      this.phaseDeadline = Infinity;
    }
    this.restore(best);
    this.costPhase(best);
    return this.bestOut!;
  }

  private bestOut: SearchResult | null = null;

  /** Remove routes one by one; reinsert their tasks with ruin-and-recreate, no new routes. */
  private fleetMinimise(best: SearchResult, budget: number, removeRoutes = true): SearchResult {
    const m = this.m;
    this.allowNewRoutes = false;
    const end = this.it + budget;
    // no point removing routes below the load lower bound of each group
    const loadKg = new Map<number, number>();
    for (let t = 0; t < m.nTasks; t++) { const g = m.taskGroup[t]; loadKg.set(g, (loadKg.get(g) ?? 0) + m.nodeKg[m.taskNodes[t][0]]); }
    let lowerBound = 0;
    for (const [g, kg] of loadKg) {
      let cap = 0;
      for (let v = 0; v < m.nVeh; v++) for (let t = 0; t < m.nTasks; t++) if (m.taskGroup[t] === g && m.taskCompat[t * m.nVeh + v]) { cap = Math.max(cap, m.vehCapKg[v]); break; }
      const byLoad = m.groupIF[g].length > 0 || cap <= 0 ? 1 : Math.max(1, Math.ceil(kg / cap - 1e-9));
      lowerBound += Math.max(byLoad, this.workTimeBound(g));
    }
    // packing only (tasks left out by construction): start with the tasks already out
    let packFirst = this.unassigned.length > 0;
    let attempt = 0, attemptIt = FLEET_ATTEMPT_TASKS * m.nTasks;
    while (this.it < end && !this.timeUp() && (packFirst || this.vehiclesUsed() > lowerBound)) {
      if (!packFirst) {
        // drop the route with the fewest tasks; after a failed attempt, the smaller of two random routes
        let vMin = -1, lenMin = Infinity;
        if (attempt === 0) {
          for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length && this.nodes[v].length < lenMin) { lenMin = this.nodes[v].length; vMin = v; }
        } else {
          const used: number[] = [];
          for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length) used.push(v);
          const a = used[this.rng.int(used.length)], b = used[this.rng.int(used.length)];
          vMin = this.nodes[a].length <= this.nodes[b].length ? a : b;
        }
        const freed: number[] = [];
        for (const n of this.nodes[vMin]) if (m.nodeTask[n] >= 0) { freed.push(m.nodeTask[n]); this.taskVeh[m.nodeTask[n]] = -1; }
        this.nodes[vMin] = [];
        this.update(vMin);
        this.unassigned = this.unassigned.concat(freed);
      }
      packFirst = false;
      this.recreate(this.unassigned.slice(), 0);
      let absSum = this.absenceSum();
      const attemptEnd = removeRoutes && (this.opts.fleetRestarts ?? true) ? this.it + attemptIt : Infinity;
      while (this.unassigned.length > 0 && this.it < end && this.it < attemptEnd && !this.timeUp()) {
        this.it++;
        if (this.rng.next() < 0.5) {
          // ejection step (Nagata & Braysy 2009 style): place the latest unassigned task,
          // ejecting the least-often-absent task of a route when it does not fit
          const t = this.unassigned[this.unassigned.length - 1];
          this.findInsertion(t, 0);
          if (this.bestV >= 0) { this.unassigned.pop(); this.applyInsertion(t); }
          else { this.absence[t]++; this.ejectInsert(t); }
          absSum = this.absenceSum();
          continue;
        }
        const beforeN = this.unassigned.length, beforeAbs = absSum;
        this.beginStep();
        const out = new Set(this.unassigned);
        const removed = this.ruin();
        this.recreate(this.unassigned.concat(removed), 0.01, m.nTasks > 400 ? out : null);
        const nowAbs = this.absenceSum();
        if (this.unassigned.length < beforeN || (this.unassigned.length === beforeN && nowAbs <= beforeAbs) || nowAbs < beforeAbs) absSum = nowAbs;
        else this.undoStep();
        for (const t of this.unassigned) this.absence[t]++;
        if ((this.it & 255) === 0) this.progress('fleet', this.totalCost());
      }
      if (this.unassigned.length > 0 && this.it >= attemptEnd && this.it < end && !this.timeUp()) {
        // a stuck attempt: the time to success has a heavy tail, so restart from the last
        // complete plan with another route taken out and a longer attempt (Luby-style)
        this.restore(best);
        attempt++;
        attemptIt *= FLEET_ATTEMPT_GROWTH;
        continue;
      }
      if (this.unassigned.length > 0) {
        if (this.unassigned.length < best.unassigned.length) best = this.snapshot();
        break;
      }
      this.localSearch();
      attempt = 0;
      attemptIt = FLEET_ATTEMPT_TASKS * m.nTasks;
      best = this.snapshot();
      this.poolAdd();
      this.progress('fleet', best.cost);
      if (!removeRoutes) break;
    }
    this.allowNewRoutes = true;
    return best;
  }

  /**
   * Vehicles a group needs at least by working time: every task takes its service plus the
   * shortest drive into it from anywhere, and no shift is longer than the longest one. Stops
   * fleet minimisation from spending its budget on a fleet that cannot exist (Solomon R2/C2).
   */
  private workTimeBound(g: number): number {
    const m = this.m;
    const tasks: number[] = [];
    for (let t = 0; t < m.nTasks; t++) if (m.taskGroup[t] === g) tasks.push(t);
    let shiftS = 0;
    const profiles = new Set<number>();
    const from = new Map<number, number>();
    const addFrom = (loc: number) => from.set(loc, (from.get(loc) ?? 0) + 1);
    for (let v = 0; v < m.nVeh; v++) {
      if (!tasks.some((t) => m.taskCompat[t * m.nVeh + v])) continue;
      shiftS = Math.max(shiftS, m.vehL[v] - m.vehE[v]);
      profiles.add(m.vehProfile[v]);
      addFrom(m.vehStart[v]);
    }
    if (shiftS <= 0 || tasks.length === 0) return 1;
    for (const t of tasks) for (const n of m.taskNodes[t]) addFrom(m.nodeEnd[n]);
    for (const n of m.groupIFAll[g]) addFrom(m.nodeEnd[n]);
    const fromLocs = Int32Array.from(from.keys());
    let totalS = 0;
    for (const t of tasks) {
      let best = Infinity;
      for (const n of m.taskNodes[t]) {
        const to = m.nodeStart[n];
        // a place shared with another task or the depot can be arrived at from zero distance
        let minIn = (from.get(to) ?? 0) > (m.nodeEnd[n] === to ? 1 : 0) ? 0 : Infinity;
        for (const p of profiles) {
          const dur = m.profileDur[p];
          for (const loc of fromLocs) if (loc !== to && dur[loc * m.nLoc + to] < minIn) minIn = dur[loc * m.nLoc + to];
        }
        if (minIn === Infinity) minIn = 0;
        best = Math.min(best, m.nodeDur[n] + minIn);
      }
      totalS += best;
    }
    return Math.max(1, Math.ceil(totalS / shiftS - 1e-9));
  }

  /** Insert t by ejecting one task from a nearby route: least absence first, then least cost. */
  private ejectInsert(t: number): boolean {
    const m = this.m;
    const g = m.taskGroup[t];
    const routes = new Set<number>();
    const lim = Math.min(this.adj[t].length, 30);
    for (let k = 0; k < lim; k++) { const v = this.taskVeh[this.adj[t][k]]; if (v >= 0) routes.add(v); }
    let bestAbs = Infinity, bestCost = Infinity, bv = -1, bi = 0, bj = 0, be = -1;
    let bseq: number[] = [];
    const mid = this.tMid, x = this.t1, y = this.t2;
    for (const v of routes) {
      if (!m.taskCompat[t * m.nVeh + v] || this.rgroup[v] !== g) continue;
      const ns = this.nodes[v];
      const len = ns.length;
      const ifm = this.ifMode(v);
      const pre = this.pre[v], suf = this.suf[v];
      for (let k = 0; k < len; k++) {
        const e = m.nodeTask[ns[k]];
        if (e < 0 || this.absence[e] > bestAbs) continue;
        const a = this.absence[e];
        for (const n of m.taskNodes[t]) {
          const sn = this.nodeSegs[n];
          // insert before the ejected position: pre[p] + n + nodes[p..k) + suf[k+1]
          let hasMid = false;
          for (let p = k; p >= 0; p--) {
            if (p < k) { if (hasMid) concat(mid, this.nodeSegs[ns[p]], mid, m, v); else { mid.copyFrom(this.nodeSegs[ns[p]]); hasMid = true; } }
            concat(x, pre[p], sn, m, v);
            if (hasMid) concat(x, x, mid, m, v);
            concat(y, x, suf[k + 1], m, v);
            if (!isFeasible(y, m, v, ifm)) continue;
            const d = routeCost(y, m, v) - this.rcost[v] + this.rng.next() * 1e-9;
            if (a < bestAbs || d < bestCost) { bestAbs = a; bestCost = d; bv = v; bi = p; bj = k + 1; be = e; bseq = [n, ...ns.slice(p, k)]; }
          }
          // insert after it: pre[k] + nodes(k..p) + n + suf[p]
          hasMid = false;
          for (let p = k + 2; p <= len; p++) {
            if (hasMid) concat(mid, mid, this.nodeSegs[ns[p - 1]], m, v); else { mid.copyFrom(this.nodeSegs[ns[p - 1]]); hasMid = true; }
            concat(x, pre[k], mid, m, v);
            concat(x, x, sn, m, v);
            concat(y, x, suf[p], m, v);
            if (!isFeasible(y, m, v, ifm)) continue;
            const d = routeCost(y, m, v) - this.rcost[v] + this.rng.next() * 1e-9;
            if (a < bestAbs || d < bestCost) { bestAbs = a; bestCost = d; bv = v; bi = k; bj = p; be = e; bseq = [...ns.slice(k + 1, p), n]; }
          }
        }
      }
    }
    if (bv < 0) return false;
    const ns = this.nodes[bv];
    this.nodes[bv] = [...ns.slice(0, bi), ...bseq, ...ns.slice(bj)];
    this.taskVeh[t] = bv;
    this.taskVeh[be] = -1;
    this.update(bv);
    this.cleanRoute(bv);
    this.unassigned.pop();
    this.unassigned.unshift(be);
    return true;
  }

  /**
   * Does any task have a window narrower than the shifts? Without one, time warp can only
   * come from the shift itself and the plain walk does as well for less work (CVRP, CARP).
   */
  private windowsBind(): boolean {
    const m = this.m;
    let minE = Infinity, maxL = -Infinity;
    for (let v = 0; v < m.nVeh; v++) { minE = Math.min(minE, m.vehE[v]); maxL = Math.max(maxL, m.vehL[v]); }
    for (let n = 0; n < m.nNodes; n++) {
      if (m.nodeTask[n] >= 0 && (m.nodeE[n] > minE + 1e-6 || m.nodeL[n] + m.nodeDur[n] < maxL - 1e-6)) return true;
    }
    return false;
  }

  /** One second of time warp priced like one second of driving (Vidal 2013 starts at 1 too). */
  private initialTwWeight(): number {
    const m = this.m;
    const d = m.profileDist[0], t = m.profileDur[0];
    let dist = 0, dur = 0;
    const step = Math.max(1, Math.floor(m.nLoc / 50));
    for (let i = 0; i < m.nLoc; i += step) for (let j = 0; j < m.nLoc; j += step) { dist += d[i * m.nLoc + j]; dur += t[i * m.nLoc + j]; }
    const speed = dur > 0 ? dist / dur : 1;
    return Math.max(1e-6, m.vehCostPerS[0] + m.vehCostPerM[0] * speed);
  }

  /** Descents at 10x then 100x the time-warp price around the late tasks of every late route. */
  private repair(): void {
    const w = this.twWeight;
    for (const k of [10, 100]) {
      this.setTwWeight(w * k);
      const bad: number[] = [];
      for (let v = 0; v < this.m.nVeh; v++) if (this.rtw[v] > 0) this.timeWarpSpots(v, bad);
      this.focusedSearch(bad);
      if (this.totalTw() === 0) break;
    }
    this.setTwWeight(w);
  }

  /**
   * The tasks of route v where it arrives after a window closes, with the tasks just before
   * them: moving one of those is what can remove the time warp.
   */
  private timeWarpSpots(v: number, out: number[]): void {
    const m = this.m;
    const ns = this.nodes[v];
    const dur = m.profileDur[m.vehProfile[v]];
    let t = m.vehE[v], at = m.vehStart[v];
    for (let i = 0; i < ns.length; i++) {
      const n = ns[i];
      let arrive = t + dur[at * m.nLoc + m.nodeStart[n]];
      if (arrive > m.nodeL[n] + 1e-6) {
        for (let k = Math.max(0, i - REPAIR_SPAN); k <= i; k++) if (m.nodeTask[ns[k]] >= 0) out.push(m.nodeTask[ns[k]]);
        arrive = m.nodeL[n];
      }
      t = Math.max(arrive, m.nodeE[n]) + m.nodeDur[n];
      at = m.nodeEnd[n];
    }
    if (t + dur[at * m.nLoc + m.vehEnd[v]] > m.vehL[v] + 1e-6) {
      // late back at the depot: any of the last tasks may go
      for (let k = Math.max(0, ns.length - 1 - REPAIR_SPAN); k < ns.length; k++) if (m.nodeTask[ns[k]] >= 0) out.push(m.nodeTask[ns[k]]);
    }
  }

  private deadlineIsClose(): boolean {
    return Date.now() > this.deadline;
  }

  private absenceSum(): number {
    let s = 0;
    for (const t of this.unassigned) s += this.absence[t];
    return s;
  }

  /** Simulated-annealing ruin-and-recreate on cost (SISR), local search on each new best. */
  private costPhase(best: SearchResult): void {
    const m = this.m;
    // With vehicles first, only the routes kept by fleet minimisation may be used.
    this.allowNewRoutes = !m.vehiclesFirst || this.unassigned.length > 0;
    this.maxRoutes = best.routes.length;
    let cur = this.totalCost();
    let bestCost = best.cost;
    let variable = 0;
    for (let v = 0; v < m.nVeh; v++) if (this.nodes[v].length) variable += this.rcost[v] - m.vehFixed[v];
    const perTask = Math.max(1e-9, variable / Math.max(1, m.nTasks - this.unassigned.length));
    // SISR-style annealing from about one task's cost down to 1% of it (tuned on Solomon R2/RC2)
    const t0 = perTask, tf = 0.01 * perTask;
    // A tight fleet rejects most ruin-and-recreate steps if a task left out costs "infinity":
    // price it at a few tasks' cost so the walk can pass through, but only complete
    // solutions (or ones with fewer tasks out) become the best.
    this.unassignedPenalty = 10 * perTask;
    let bestOut = best.unassigned.length;
    cur = this.totalCost();
    bestCost = cur;
    const startIt = this.it;
    const span = Math.max(1, this.maxIt - startIt);
    const startMs = Date.now();
    const spanMs = this.deadline === Infinity ? Infinity : this.deadline - startMs;
    const penalised = this.opts.penaliseTimeWarp ?? this.windowsBind();
    let twW = penalised ? TW_WEIGHT_START * this.initialTwWeight() : 0;
    // past this price a second of lateness costs more than leaving a task out: no use going higher
    const twMax = Math.max(twW, 10 * this.unassignedPenalty);
    let feasibleSeen = 0, educated = 0, lastFeasibleIt = this.it;
    const twStart = twW;
    this.setTwWeight(twW);
    while (this.it < this.maxIt && !this.timeUp()) {
      this.it++;
      const frac = Math.max((this.it - startIt) / span, spanMs === Infinity ? 0 : (Date.now() - startMs) / spanMs);
      this.temperature = t0 * Math.pow(tf / t0, Math.min(1, frac));
      this.beginStep();
      const out = new Set(this.unassigned);
      const removed = this.ruin();
      this.recreate(this.unassigned.concat(removed), 0.01, out);
      if (penalised) {
        // education (Vidal 2013): a penalised descent, then a repair when windows are broken
        this.focusedSearch(removed);
        educated++;
        if (this.totalTw() === 0) feasibleSeen++;
        else if (this.rng.next() < REPAIR_SHARE) this.repair();
        if (educated === TW_WEIGHT_PERIOD) {
          // keep about a fifth to two fifths of the educated solutions feasible
          const share = feasibleSeen / educated;
          if (share < 0.2) twW = Math.min(twW * 1.2, twMax); else if (share > 0.4) twW *= 0.85;
          educated = feasibleSeen = 0;
          this.setTwWeight(twW);
          cur = this.totalCost();
        }
      }
      const c = this.totalCost();
      if (c < cur - this.temperature * Math.log(this.rng.next())) {
        cur = c;
        const out = this.unassigned.length;
        const feasible = !penalised || this.totalTw() === 0;
        if (feasible && (out < bestOut || (out === bestOut && c < bestCost - 1e-9))) {
          if (!penalised) this.localSearch(this.touched.slice());
          if (this.hasIFs) for (const v of this.touched) this.replanTrips(v);
          this.unassignedPenalty = 10 * perTask;
          cur = this.totalCost();
          bestCost = cur;
          bestOut = out;
          best = this.snapshot();
          if (out === 0) this.poolAdd();
        }
      } else {
        this.undoStep();
      }
      if (penalised) {
        // a walk that stays on the wrong side of the windows goes back to the best solution
        if (this.totalTw() === 0 && this.unassigned.length <= bestOut) lastFeasibleIt = this.it;
        else if (this.it - lastFeasibleIt > RESTART_AFTER) {
          this.restore(best);
          twW = Math.max(twStart, twW / 10);
          this.setTwWeight(twW);
          cur = this.totalCost();
          lastFeasibleIt = this.it;
        }
      }
      if ((this.it & 255) === 0) this.progress('cost', bestCost);
    }
    this.setTwWeight(0);
    this.unassignedPenalty = UNASSIGNED_PENALTY;
    this.restore(best);
    if (this.hasIFs) for (let v = 0; v < m.nVeh; v++) this.replanTrips(v);
    best = this.snapshot();
    best.iterations = this.it;
    this.progress('cost', best.cost);
    this.bestOut = best;
  }

  /**
   * Re-place route v's unloading trips at least cost for its task order (ifPlacement.ts);
   * insertion adds an IF visit only where the load forces one, and may leave a dearer one.
   */
  private replanTrips(v: number): void {
    const m = this.m;
    const g = this.rgroup[v];
    if (g < 0 || m.groupIF[g].length === 0 || this.twWeight > 0) return;
    const res = placeIntermediateFacilities(m, v, this.nodes[v], m.groupIF[g], m.groupEndEmpty[g] === 1);
    if (!res || res.cost >= this.rbase[v] - 1e-6) return;
    this.touch(v);
    this.nodes[v] = res.nodes;
    this.update(v);
  }
}

function swapHeap(k: Float64Array, v: Int32Array, i: number, j: number): void {
  const tk = k[i]; k[i] = k[j]; k[j] = tk;
  const tv = v[i]; v[i] = v[j]; v[j] = tv;
}

export { loadExcess };
