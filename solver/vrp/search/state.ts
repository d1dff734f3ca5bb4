/**
 * The search state every part of the route search works on: the routes (node sequences per
 * vehicle), their prefix and suffix segments for O(1) move evaluation (segment.ts), each
 * route's cost and time warp, which route holds each task and where, the tasks left out,
 * the undo log of one ruin-and-recreate step, the time-warp price, the iteration count and
 * the (optional) wall-clock cap.
 *
 * The modules beside it (construction, ruin and recreate, operators, fleet minimisation, the
 * cost phase) are functions over this state; only this class changes a route's summaries
 * (`update`), so prefix/suffix segments, costs and task positions always match `nodes`.
 */
import type { Model } from '../model.js';
import { Rng } from '../../random.js';
import { Seg, concat, depotSeg, loadExcess, nodeSeg, routeCost } from '../segment.js';
import { CLOCK_CHECK_MASK, DEFAULT_MAX_ITERATIONS, UNASSIGNED_PENALTY } from '../parameters.js';
import { buildNeighbourLists } from './neighbours.js';
import { DayTracker } from './dayLimits.js';
import type { RouteOut, SearchCheckpoints, SearchOptions, SearchProgress, SearchResult } from './types.js';

/** A copy a checkpoint's receiver may keep or change without touching the search. */
function copyResult(s: SearchResult): SearchResult {
  return { routes: s.routes.map((r) => ({ veh: r.veh, nodes: r.nodes.slice() })), unassigned: s.unassigned.slice(), iterations: s.iterations, cost: s.cost };
}

export class SearchState {
  readonly rng: Rng;
  /** the iteration budget */
  readonly maxIt: number;
  /** wall-clock cap (Date.now() ms), Infinity without a time limit */
  readonly deadline: number;
  /** a phase's share of the cap (packing, fleet minimisation); Infinity otherwise */
  phaseDeadline = Infinity;
  it = 0;
  /** the best plan so far (what a checkpoint hands out); the phases keep it with keepBest */
  best: SearchResult | null = null;
  /** the next checkpoint not yet served, by time and by iteration (search/types.ts) */
  private cpMs = 0;
  private cpIt = 0;

  // ---- routes and their segment summaries --------------------------------------------------
  readonly nodeSegs: Seg[];
  readonly startSegs: Seg[];
  readonly endSegs: Seg[];
  readonly nodes: number[][];
  /** pre[v][i]: depot + nodes[v][0..i); suf[v][i]: nodes[v][i..] + depot */
  readonly pre: Seg[][];
  readonly suf: Seg[][];
  /** route cost, plus the time-warp and load penalties while the search is penalised */
  readonly rcost: Float64Array;
  /** route cost without penalty, the route's time warp and its load over capacity */
  readonly rbase: Float64Array;
  readonly rtw: Float64Array;
  readonly rload: Float64Array;
  readonly rdist: Float64Array;
  /** 1 while the route has nodes, and how many do (kept by update: no scan of the fleet per insertion) */
  private readonly used: Uint8Array;
  private usedCount = 0;
  /** what the route carries (task group), -1 while empty */
  readonly rgroup: Int32Array;
  /** route holding the task, -1 when left out */
  readonly taskVeh: Int32Array;
  /** index of the task's node in its route (valid while the task is assigned) */
  readonly taskPos: Int32Array;
  unassigned: number[] = [];
  /** each task's nearest tasks (neighbours.ts) */
  readonly adj: Int32Array[];

  // ---- pricing -----------------------------------------------------------------------------
  /** price of one second of time warp; 0 = time windows are hard */
  twWeight = 0;
  /** price of one unit (kg or m³) of load over capacity; 0 = capacity is hard */
  loadWeight = 0;
  /** price of a task left out */
  unassignedPenalty = UNASSIGNED_PENALTY;
  /** insertion may open an empty route */
  allowNewRoutes = true;
  /** with allowNewRoutes off, routes may still be reopened up to this many (cost phase) */
  maxRoutes = 0;
  /** how often each task was left out (fleet minimisation's absence counters) */
  readonly absence: Float64Array;
  readonly depotLoc: number;
  /** no vehicle prices time: distances give a lower bound of a move's cost */
  readonly distanceBound: boolean;
  /** some group unloads at intermediate facilities */
  readonly hasIFs: boolean;
  /** driver breaks and facility daily capacities, when the problem has them (dayLimits.ts) */
  readonly day: DayTracker | undefined;

  // ---- undo log of one ruin-and-recreate step ----------------------------------------------
  touched: number[] = [];
  saved = new Map<number, number[]>();
  savedUnassigned: number[] = [];

  // ---- the cheapest insertion found last (insertion.ts) ------------------------------------
  bestV = -1;
  bestPos = 0;
  bestA = -1;
  bestB = -1;
  bestDelta = Infinity;
  readonly candKeys = new Set<number>();

  // ---- descent bookkeeping (localSearch.ts) ------------------------------------------------
  /** routes a whole-route descent still has to scan; a move adds the routes it changes */
  lsDirty: Set<number> | null = null;
  /** descents also try the costlier route-pair moves (cross-exchange, SWAP*) */
  richMoves = false;
  /** the two tasks of the move a focused descent made */
  readonly lsMoved: number[] = [];

  // ---- scratch segments (no allocation in move evaluation) ---------------------------------
  readonly t1 = new Seg();
  readonly t2 = new Seg();
  readonly t3 = new Seg();
  readonly tMid = new Seg();
  readonly sFwd = new Seg();
  readonly sRev = new Seg();
  readonly tA = new Seg();
  readonly tB = new Seg();

  constructor(readonly m: Model, readonly opts: SearchOptions) {
    this.rng = new Rng(opts.seed ?? 1);
    this.maxIt = opts.maxIterations ?? DEFAULT_MAX_ITERATIONS;
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
    this.rload = new Float64Array(m.nVeh);
    this.rdist = new Float64Array(m.nVeh);
    this.rgroup = new Int32Array(m.nVeh).fill(-1);
    this.routeVersion = new Uint32Array(m.nVeh);
    this.used = new Uint8Array(m.nVeh);
    this.taskVeh = new Int32Array(m.nTasks).fill(-1);
    this.taskPos = new Int32Array(m.nTasks).fill(-1);
    this.absence = new Float64Array(m.nTasks).fill(1);
    this.depotLoc = m.nVeh > 0 ? m.vehStart[0] : 0;
    this.distanceBound = m.vehCostPerS.every((c) => c === 0);
    this.hasIFs = m.groupIF.some((f) => f.length > 0);
    this.day = opts.dayLimits ? new DayTracker(m, opts.dayLimits, this.nodeSegs) : undefined;
    for (let v = 0; v < m.nVeh; v++) this.update(v);
    this.adj = buildNeighbourLists(m);
  }

  /** the route must deliver its load to an IF before returning to the depot */
  ifMode(v: number): boolean {
    const g = this.rgroup[v];
    return g >= 0 && this.m.groupEndEmpty[g] === 1;
  }

  // ---- SWAP*'s record of route pairs tried (operators/swapStar.ts) --------------------------

  /**
   * A hash of each route's nodes, kept by update: a pair is worth trying again once either
   * route holds other nodes. A hash, not a count of updates: most steps of the walk are undone,
   * and a route put back as it was needs no new try.
   */
  private readonly routeVersion: Uint32Array;
  private swapStarSeen: Uint32Array | null = null;

  /** Has route a or b changed since SWAP* last tried the pair? */
  swapStarDue(a: number, b: number): boolean {
    const seen = this.swapStarSeen;
    if (!seen) return true;
    const k = 2 * (a * this.m.nVeh + b);
    return seen[k] !== this.routeVersion[a] || seen[k + 1] !== this.routeVersion[b];
  }

  swapStarTested(a: number, b: number): void {
    // nVeh^2 pairs, two versions each: allocated on first use (most problems never get here)
    this.swapStarSeen ??= new Uint32Array(2 * this.m.nVeh * this.m.nVeh);
    const k = 2 * (a * this.m.nVeh + b);
    this.swapStarSeen[k] = this.routeVersion[a];
    this.swapStarSeen[k + 1] = this.routeVersion[b];
  }

  /** Recompute route v's segments, cost, time warp, group and task positions from its nodes. */
  update(v: number): void {
    const m = this.m;
    const ns = this.nodes[v];
    let hash = 0x811c9dc5;
    const pre = this.pre[v], suf = this.suf[v];
    while (pre.length < ns.length + 1) { pre.push(new Seg()); suf.push(new Seg()); }
    pre[0].copyFrom(this.startSegs[v]);
    for (let i = 0; i < ns.length; i++) {
      concat(pre[i + 1], pre[i], this.nodeSegs[ns[i]], m, v);
      hash = Math.imul(hash ^ ns[i], 16777619);
      const t = m.nodeTask[ns[i]];
      if (t >= 0) this.taskPos[t] = i;
    }
    this.routeVersion[v] = hash;
    this.day?.routeChanged(v, ns);
    const used = ns.length > 0 ? 1 : 0;
    if (used !== this.used[v]) { this.usedCount += used ? 1 : -1; this.used[v] = used; }
    suf[ns.length].copyFrom(this.endSegs[v]);
    for (let i = ns.length - 1; i >= 0; i--) concat(suf[i], this.nodeSegs[ns[i]], suf[i + 1], m, v);
    if (ns.length === 0) {
      this.rcost[v] = this.rbase[v] = this.rtw[v] = this.rload[v] = this.rdist[v] = 0;
      this.rgroup[v] = -1;
    } else {
      let g = -1;
      for (const n of ns) if (m.nodeTask[n] >= 0) { g = m.taskGroup[m.nodeTask[n]]; break; }
      this.rgroup[v] = g;
      concat(this.t3, pre[ns.length], suf[ns.length], m, v);
      this.rbase[v] = routeCost(this.t3, m, v);
      this.rtw[v] = this.t3.timeWarpS > 1e-6 ? this.t3.timeWarpS : 0;
      // only a penalised walk makes routes over capacity: the hard search never builds one
      if (this.loadWeight > 0) {
        const x = loadExcess(this.t3, m, v, this.ifMode(v));
        this.rload[v] = x > 1e-6 ? x : 0;
      } else {
        this.rload[v] = 0;
      }
      this.rdist[v] = this.t3.distM;
      this.rcost[v] = this.rbase[v] + this.twWeight * this.rtw[v] + this.loadWeight * this.rload[v];
    }
  }

  // ---- undo log ----------------------------------------------------------------------------

  /** Route v is about to change: keep its nodes so the step can be undone. */
  touch(v: number): void {
    if (!this.saved.has(v)) {
      this.saved.set(v, this.nodes[v].slice());
      this.touched.push(v);
    }
  }

  beginStep(): void {
    this.saved.clear();
    this.touched.length = 0;
    this.savedUnassigned = this.unassigned.slice();
  }

  undoStep(): void {
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

  // ---- whole solution ----------------------------------------------------------------------

  totalCost(): number {
    let c = this.unassigned.length * this.unassignedPenalty;
    for (let v = 0; v < this.m.nVeh; v++) c += this.rcost[v];
    return c;
  }

  /** Routes with nodes (as of their last update). */
  vehiclesUsed(): number {
    return this.usedCount;
  }

  snapshot(): SearchResult {
    const routes: RouteOut[] = [];
    for (let v = 0; v < this.m.nVeh; v++) if (this.nodes[v].length) routes.push({ veh: v, nodes: this.nodes[v].slice() });
    return { routes, unassigned: this.unassigned.slice(), iterations: this.it, cost: this.totalCost() };
  }

  /** Snapshot the current plan as the best so far. */
  keepBest(): SearchResult {
    this.best = this.snapshot();
    return this.best;
  }

  restore(s: SearchResult): void {
    this.taskVeh.fill(-1);
    for (let v = 0; v < this.m.nVeh; v++) { this.nodes[v] = []; }
    for (const r of s.routes) {
      this.nodes[r.veh] = r.nodes.slice();
      for (const n of r.nodes) if (this.m.nodeTask[n] >= 0) this.taskVeh[this.m.nodeTask[n]] = r.veh;
    }
    for (let v = 0; v < this.m.nVeh; v++) this.update(v);
    this.unassigned = s.unassigned.slice();
  }

  // ---- pricing -----------------------------------------------------------------------------

  /**
   * Insertion semantics: -Infinity = time windows break, Infinity = load only. While the
   * search is penalised, time warp is priced instead, and so is load over capacity when its
   * price is set.
   */
  segCost(s: Seg, v: number, ifm: boolean): number {
    const tw = s.timeWarpS > 1e-6 ? s.timeWarpS : 0;
    if (tw > 0 && this.twWeight === 0) return -Infinity;
    const x = loadExcess(s, this.m, v, ifm);
    if (x > 1e-6) {
      if (this.loadWeight === 0) return Infinity;
      return routeCost(s, this.m, v) + this.twWeight * tw + this.loadWeight * x;
    }
    return routeCost(s, this.m, v) + this.twWeight * tw;
  }

  /** Local-search semantics: Infinity for any infeasibility. */
  lsCost(s: Seg, v: number, ifm: boolean): number {
    const c = this.segCost(s, v, ifm);
    return c === -Infinity ? Infinity : c;
  }

  /** Price time warp at w per second (0 = hard windows) and reprice every route. */
  setTwWeight(w: number): void {
    this.twWeight = w;
    for (let v = 0; v < this.m.nVeh; v++) this.rcost[v] = this.rbase[v] + w * this.rtw[v] + this.loadWeight * this.rload[v];
  }

  /**
   * Price load over capacity at w per unit (0 = capacity is hard) and reprice every route. A
   * route over capacity is kept only while the price is set: set it to 0 with none left.
   */
  setLoadWeight(w: number): void {
    const was = this.loadWeight;
    this.loadWeight = w;
    // the excess is measured only while priced: measure it when the price is first set
    if (was === 0 && w > 0) for (let v = 0; v < this.m.nVeh; v++) this.update(v);
    else for (let v = 0; v < this.m.nVeh; v++) this.rcost[v] = this.rbase[v] + this.twWeight * this.rtw[v] + w * this.rload[v];
  }

  totalTw(): number {
    let tw = 0;
    for (let v = 0; v < this.m.nVeh; v++) tw += this.rtw[v];
    return tw;
  }

  totalLoadExcess(): number {
    let x = 0;
    for (let v = 0; v < this.m.nVeh; v++) x += this.rload[v];
    return x;
  }

  /** No time warp and no load over capacity (what a penalised walk may call a plan). */
  withinLimits(): boolean {
    return this.totalTw() === 0 && this.totalLoadExcess() === 0;
  }

  // ---- budget, progress, pool --------------------------------------------------------------

  /**
   * The wall-clock cap (or the phase's share of it) has passed; never true without a time limit.
   * Also where due checkpoints are served, since every phase's loop asks it once per step.
   */
  timeUp(): boolean {
    const cp = this.opts.checkpoints;
    if (cp) this.serveCheckpoints(cp);
    return (this.it & CLOCK_CHECK_MASK) === 0 && Date.now() > Math.min(this.deadline, this.phaseDeadline);
  }

  private serveCheckpoints(cp: SearchCheckpoints): void {
    const its = cp.atIterations, times = cp.atMs;
    while (its && this.cpIt < its.length && this.it >= its[this.cpIt] && this.best) {
      cp.onCheckpoint(copyResult(this.best), { iteration: its[this.cpIt++] });
    }
    if (!times || this.cpMs >= times.length || (this.it & CLOCK_CHECK_MASK) !== 0 || !this.best) return;
    const now = Date.now();
    while (this.cpMs < times.length && now >= times[this.cpMs]) cp.onCheckpoint(copyResult(this.best), { ms: times[this.cpMs++], iteration: this.it });
  }

  deadlineIsClose(): boolean {
    return Date.now() > this.deadline;
  }

  progress(phase: SearchProgress['phase'], cost: number): void {
    this.opts.onProgress?.({ phase, iteration: this.it, maxIterations: this.maxIt, vehicles: this.vehiclesUsed(),
      unassigned: this.unassigned.length, cost });
  }

  /** Every route of the current solution goes to the pool for set partitioning. */
  poolAdd(): void {
    const pool = this.opts.routePool;
    if (!pool) return;
    for (let v = 0; v < this.m.nVeh; v++) if (this.nodes[v].length) pool.add(this.m, v, this.nodes[v], this.rcost[v]);
  }
}
