/**
 * Limits of the day inside the search (issue 15, item 3): the driver's break and the
 * facilities' remaining daily capacity. Both span more than a segment can summarise (the
 * break needs a gap somewhere in the route, the capacity is shared by all routes), so they
 * are checked on the route a change would give, after the segments said it is feasible (for
 * insertion: on the cheapest one, see insertion.ts; for descent moves: after the move, undone
 * when refused): the break by trying every place in the route
 * (breakFit.ts), the capacity from the kg each route delivers to each capped facility,
 * kept up to date as routes change. The repairs after the search (facilityCapacity.ts,
 * plan.ts fitBreak) stay as a safety net; solve() counts how often they still fire.
 */
import type { Problem } from '../../problem.js';
import type { CompiledModel } from '../compile.js';
import type { Model } from '../model.js';
import { BreakScratch, breakPlace, type DriverBreak } from '../breakFit.js';
import { nodeSeg, type Seg } from '../segment.js';

/** What the search must respect beyond the segments; plain data (it goes to search threads too). */
export interface DayLimits {
  /** per vehicle of the model: its break, or null */
  breaks: Array<DriverBreak | null>;
  /** per node: the capped facility it delivers to (an unloading visit, a muck load), -1 none */
  nodeFacility: Int32Array;
  /** per node: kg a muck load delivers itself (unloading visits deliver the trip's load) */
  nodeOwnKg: Float64Array;
  /** per capped facility: kg it may still receive this day */
  capKg: Float64Array;
}

/** The day's limits for one compiled model, given what earlier partitions delivered; undefined when there are none. */
export function buildDayLimits(p: Problem, cm: CompiledModel, usedKg: ReadonlyMap<string, number>): DayLimits | undefined {
  const m = cm.model;
  const breaks = cm.vehicles.map((vi) => {
    const b = p.vehicles[vi].break;
    return b ? { durationS: b.durationS, startS: b.window.startS, endS: b.window.endS } : null;
  });
  const capped = p.facilities.map((f, i) => (f.dailyCapacityKg === undefined ? -1 : i)).filter((i) => i >= 0);
  const slot = new Map(capped.map((fi, k) => [fi, k]));
  const nodeFacility = new Int32Array(m.nNodes).fill(-1);
  const nodeOwnKg = new Float64Array(m.nNodes);
  for (let n = 0; n < m.nNodes; n++) {
    const ref = cm.nodeRefs[n];
    if (ref.kind === 'facility') nodeFacility[n] = slot.get(ref.index) ?? -1;
    else if (ref.kind === 'muck') {
      const load = p.muckLoads[ref.index];
      nodeFacility[n] = slot.get(p.facilities.findIndex((f) => f.id === load.disposalFacilityId)) ?? -1;
      nodeOwnKg[n] = load.kg;
    }
  }
  const capKg = Float64Array.from(capped, (fi) => Math.max(0, p.facilities[fi].dailyCapacityKg! - (usedKg.get(p.facilities[fi].id) ?? 0)));
  const used = nodeFacility.some((f) => f >= 0);
  if (!breaks.some((b) => b) && !used) return undefined;
  return { breaks, nodeFacility, nodeOwnKg, capKg: used ? capKg : new Float64Array(0) };
}

const EPS = 1e-6;

/** The search's running account of the limits (one per SearchState). */
export class DayTracker {
  readonly nFac: number;
  /** kg each route delivers to each capped facility (nVeh x nFac) and the totals */
  private readonly routeKg: Float64Array;
  readonly totalKg: Float64Array;
  private readonly cand: Float64Array;
  private readonly scratch = new BreakScratch();
  private readonly before: Float64Array;

  constructor(readonly m: Model, readonly limits: DayLimits, private readonly nodeSegs: readonly Seg[]) {
    this.nFac = limits.capKg.length;
    this.routeKg = new Float64Array(m.nVeh * this.nFac);
    this.totalKg = new Float64Array(this.nFac);
    this.cand = new Float64Array(this.nFac);
    this.before = new Float64Array(this.nFac);
  }

  /** kg the node sequence delivers to each capped facility, into out */
  private deliveries(nodes: readonly number[], out: Float64Array): void {
    out.fill(0);
    const m = this.m, fac = this.limits.nodeFacility;
    let kg = 0;
    for (const n of nodes) {
      const f = fac[n];
      if (m.nodeIsIF[n]) { if (f >= 0) out[f] += kg; kg = 0; }
      else if (f >= 0) out[f] += this.limits.nodeOwnKg[n];
      else kg += m.nodeKg[n];
    }
  }

  /** Route v now holds `nodes` (SearchState.update calls it). */
  routeChanged(v: number, nodes: readonly number[]): void {
    if (this.nFac === 0) return;
    const base = v * this.nFac;
    for (let f = 0; f < this.nFac; f++) this.totalKg[f] -= this.routeKg[base + f];
    this.deliveries(nodes, this.cand);
    for (let f = 0; f < this.nFac; f++) { this.routeKg[base + f] = this.cand[f]; this.totalKg[f] += this.cand[f]; }
  }

  breakFits(v: number, nodes: readonly number[]): boolean {
    const b = this.limits.breaks[v];
    return !b || breakPlace(this.m, v, nodes, b, this.scratch, this.nodeSegs) !== null;
  }

  /** May route v become `nodes` (everything else as it is)? */
  allows(v: number, nodes: readonly number[]): boolean {
    if (!this.breakFits(v, nodes)) return false;
    if (this.nFac === 0) return true;
    this.deliveries(nodes, this.cand);
    const base = v * this.nFac;
    for (let f = 0; f < this.nFac; f++) {
      const change = this.cand[f] - this.routeKg[base + f];
      if (change > EPS && this.totalKg[f] + change > this.limits.capKg[f] + EPS) return false;
    }
    return true;
  }

  /** Remember the totals before a change checked afterwards (okSince). */
  mark(): void {
    this.before.set(this.totalKg);
  }

  /** After a change of routes `vs`: every break still fits, and no facility went over its capacity since mark(). */
  okSince(vs: readonly number[], nodesOf: (v: number) => readonly number[]): boolean {
    for (const v of vs) if (!this.breakFits(v, nodesOf(v))) return false;
    for (let f = 0; f < this.nFac; f++) {
      if (this.totalKg[f] > this.before[f] + EPS && this.totalKg[f] > this.limits.capKg[f] + EPS) return false;
    }
    return true;
  }
}

/**
 * Does a whole plan keep the day's limits? For plans the search did not build route by route
 * (set partitioning's choice of pool routes, which may put routes on other vehicles of a type
 * and add up deliveries that were never together).
 */
export function planKeepsLimits(m: Model, limits: DayLimits, routes: ReadonlyArray<{ veh: number; nodes: readonly number[] }>): boolean {
  const tracker = new DayTracker(m, limits, Array.from({ length: m.nNodes }, (_, n) => nodeSeg(m, n)));
  for (const r of routes) {
    if (!tracker.breakFits(r.veh, r.nodes)) return false;
    tracker.routeChanged(r.veh, r.nodes);
  }
  for (let f = 0; f < tracker.nFac; f++) if (tracker.totalKg[f] > limits.capKg[f] + EPS) return false;
  return true;
}
