/**
 * Route segments summarised for O(1) concatenation (Vidal, Crainic, Gendreau & Prins 2013,
 * "A hybrid genetic algorithm with adaptive diversity management for a large class of
 * vehicle routing problems with time-windows"): duration, time warp and the start window
 * of a whole sequence, plus loads that reset at intermediate facilities.
 */
import type { Model } from './model.js';

export class Seg {
  first = 0;
  last = 0;
  distM = 0;
  durS = 0;
  /** earliest / latest start of the segment's first service with minimal duration */
  e = 0;
  l = 0;
  timeWarpS = 0;
  /** has an IF visit inside */
  hasIF = false;
  /** load before the first IF (or total when no IF), after the last IF, excess of inner trips */
  kgHead = 0;
  kgTail = 0;
  kgExcess = 0;
  m3Head = 0;
  m3Tail = 0;
  m3Excess = 0;

  copyFrom(s: Seg): this {
    this.first = s.first; this.last = s.last; this.distM = s.distM; this.durS = s.durS; this.e = s.e; this.l = s.l;
    this.timeWarpS = s.timeWarpS; this.hasIF = s.hasIF; this.kgHead = s.kgHead; this.kgTail = s.kgTail;
    this.kgExcess = s.kgExcess; this.m3Head = s.m3Head; this.m3Tail = s.m3Tail; this.m3Excess = s.m3Excess;
    return this;
  }
}

export function nodeSeg(m: Model, node: number): Seg {
  const s = new Seg();
  s.first = m.nodeStart[node];
  s.last = m.nodeEnd[node];
  s.distM = m.nodeDist[node];
  s.durS = m.nodeDur[node];
  s.e = m.nodeE[node];
  s.l = m.nodeL[node];
  if (m.nodeIsIF[node]) {
    s.hasIF = true;
  } else {
    s.kgHead = m.nodeKg[node];
    s.m3Head = m.nodeM3[node];
  }
  return s;
}

export function depotSeg(m: Model, v: number, atEnd: boolean): Seg {
  const s = new Seg();
  s.first = s.last = atEnd ? m.vehEnd[v] : m.vehStart[v];
  s.e = m.vehE[v];
  s.l = m.vehL[v];
  return s;
}

/** out = a ⊕ b for vehicle v (out may alias a or b). Hot path: locals and no Math calls. */
export function concat(out: Seg, a: Seg, b: Seg, m: Model, v: number): Seg {
  const p = m.vehProfile[v];
  const ij = a.last * m.nLoc + b.first;
  const t = m.profileDur[p][ij];
  const aDur = a.durS, aTw = a.timeWarpS, aE = a.e, aL = a.l, bE = b.e, bL = b.l;
  const delta = aDur - aTw + t;
  let wait = bE - delta - aL;
  if (wait < 0) wait = 0;
  let dtw = aE + delta - bL;
  if (dtw < 0) dtw = 0;
  const e1 = bE - delta, l1 = bL - delta;
  const distM = a.distM + b.distM + m.profileDist[p][ij];
  const aIF = a.hasIF, bIF = b.hasIF;
  if (!aIF) {
    const kgHead = a.kgHead + b.kgHead, m3Head = a.m3Head + b.m3Head;
    out.kgTail = b.kgTail; out.m3Tail = b.m3Tail; out.kgExcess = b.kgExcess; out.m3Excess = b.m3Excess;
    out.kgHead = kgHead; out.m3Head = m3Head;
  } else if (!bIF) {
    const kgTail = a.kgTail + b.kgHead, m3Tail = a.m3Tail + b.m3Head;
    out.kgHead = a.kgHead; out.m3Head = a.m3Head; out.kgExcess = a.kgExcess; out.m3Excess = a.m3Excess;
    out.kgTail = kgTail; out.m3Tail = m3Tail;
  } else {
    const xKg = a.kgTail + b.kgHead - m.vehCapKg[v], xM3 = a.m3Tail + b.m3Head - m.vehCapM3[v];
    const kgExcess = a.kgExcess + b.kgExcess + (xKg > 0 ? xKg : 0);
    const m3Excess = a.m3Excess + b.m3Excess + (xM3 > 0 ? xM3 : 0);
    out.kgHead = a.kgHead; out.m3Head = a.m3Head; out.kgTail = b.kgTail; out.m3Tail = b.m3Tail;
    out.kgExcess = kgExcess; out.m3Excess = m3Excess;
  }
  out.durS = aDur + b.durS + t + wait;
  out.timeWarpS = aTw + b.timeWarpS + dtw;
  out.e = (e1 > aE ? e1 : aE) - wait;
  out.l = (l1 < aL ? l1 : aL) + dtw;
  out.distM = distM;
  out.first = a.first; out.last = b.last; out.hasIF = aIF || bIF;
  return out;
}

const EPS = 1e-6;

/** Capacity excess of a whole route (depot to depot). */
export function loadExcess(s: Seg, m: Model, v: number, ifMode: boolean): number {
  const capKg = m.vehCapKg[v], capM3 = m.vehCapM3[v];
  let x = s.kgExcess + s.m3Excess + Math.max(0, s.kgHead - capKg) + Math.max(0, s.m3Head - capM3);
  if (s.hasIF) {
    // anything collected after the last IF would be carried back to the depot
    x += ifMode ? s.kgTail + s.m3Tail : Math.max(0, s.kgTail - capKg) + Math.max(0, s.m3Tail - capM3);
  } else if (ifMode) {
    x += s.kgHead + s.m3Head;
  }
  return x;
}

export function isFeasible(s: Seg, m: Model, v: number, ifMode: boolean): boolean {
  return s.timeWarpS <= EPS && loadExcess(s, m, v, ifMode) <= EPS;
}

/** The whole route of vehicle v over `nodes`, depot to depot, as one segment. */
export function routeSeg(m: Model, v: number, nodes: readonly number[]): Seg {
  const s = new Seg().copyFrom(depotSeg(m, v, false));
  for (const n of nodes) concat(s, s, nodeSeg(m, n), m, v);
  return concat(s, s, depotSeg(m, v, true), m, v);
}

export function routeCost(s: Seg, m: Model, v: number): number {
  return m.vehFixed[v] + m.vehCostPerM[v] * s.distM + m.vehCostPerS[v] * s.durS;
}
