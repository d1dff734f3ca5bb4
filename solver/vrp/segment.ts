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

/** out = a ⊕ b for vehicle v (out may alias a or b). */
export function concat(out: Seg, a: Seg, b: Seg, m: Model, v: number): Seg {
  const p = m.vehProfile[v];
  const ij = a.last * m.nLoc + b.first;
  const t = m.profileDur[p][ij];
  const delta = a.durS - a.timeWarpS + t;
  const wait = Math.max(b.e - delta - a.l, 0);
  const dtw = Math.max(a.e + delta - b.l, 0);
  const durS = a.durS + b.durS + t + wait;
  const tw = a.timeWarpS + b.timeWarpS + dtw;
  const e = Math.max(b.e - delta, a.e) - wait;
  const l = Math.min(b.l - delta, a.l) + dtw;
  const distM = a.distM + b.distM + m.profileDist[p][ij];
  let kgHead: number, kgTail: number, kgExcess: number, m3Head: number, m3Tail: number, m3Excess: number;
  if (!a.hasIF) {
    kgHead = a.kgHead + b.kgHead; m3Head = a.m3Head + b.m3Head;
    kgTail = b.kgTail; m3Tail = b.m3Tail; kgExcess = b.kgExcess; m3Excess = b.m3Excess;
  } else if (!b.hasIF) {
    kgHead = a.kgHead; m3Head = a.m3Head;
    kgTail = a.kgTail + b.kgHead; m3Tail = a.m3Tail + b.m3Head; kgExcess = a.kgExcess; m3Excess = a.m3Excess;
  } else {
    kgHead = a.kgHead; m3Head = a.m3Head; kgTail = b.kgTail; m3Tail = b.m3Tail;
    kgExcess = a.kgExcess + b.kgExcess + Math.max(0, a.kgTail + b.kgHead - m.vehCapKg[v]);
    m3Excess = a.m3Excess + b.m3Excess + Math.max(0, a.m3Tail + b.m3Head - m.vehCapM3[v]);
  }
  out.first = a.first; out.last = b.last; out.distM = distM; out.durS = durS; out.e = e; out.l = l;
  out.timeWarpS = tw; out.hasIF = a.hasIF || b.hasIF;
  out.kgHead = kgHead; out.kgTail = kgTail; out.kgExcess = kgExcess;
  out.m3Head = m3Head; out.m3Tail = m3Tail; out.m3Excess = m3Excess;
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

export function routeCost(s: Seg, m: Model, v: number): number {
  return m.vehFixed[v] + m.vehCostPerM[v] * s.distM + m.vehCostPerS[v] * s.durS;
}
