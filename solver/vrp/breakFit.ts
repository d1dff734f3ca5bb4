/**
 * Where a driver's break fits in a route, by segment concatenation (segment.ts): the break
 * is a stop of its own at the place the driver is (after stop k, or at the depot before the
 * first), starting inside its window; the route fits when, for some k, depot + stops before
 * k + break + stops from k + depot has no time warp against the whole shift. Every place is
 * tried, O(route length). The search asks it before a change (search/dayLimits.ts), and the
 * plan takes the break where it says (plan.ts), so the two agree.
 */
import type { Model } from './model.js';
import { Seg, concat, nodeSeg } from './segment.js';

export interface DriverBreak {
  durationS: number;
  /** the break must start inside [startS, endS] */
  startS: number;
  endS: number;
}

export interface BreakPlace {
  /** the break is taken after this many stops (0 = before the first) */
  after: number;
  /** a departure from the depot that keeps every window with the break there */
  departS: number;
}

const EPS = 1e-6;

/** Scratch for breakPlace (segments reused across calls; one per search or plan). */
export class BreakScratch {
  readonly suf: Seg[] = [];
  readonly pre = new Seg();
  readonly brk = new Seg();
  readonly x = new Seg();
  nodeSegs: Seg[] | undefined;
}

const EMPTY = new Seg();

function endSeg(out: Seg, m: Model, v: number, b: DriverBreak, atEnd: boolean): Seg {
  out.copyFrom(EMPTY);
  out.first = out.last = atEnd ? m.vehEnd[v] : m.vehStart[v];
  out.e = m.vehE[v];
  // the model's shift is shortened by the break (vehL); with the break in the route, the whole shift
  out.l = m.vehL[v] + b.durationS;
  return out;
}

/** The first place (fewest stops before it) the break fits in route v over `nodes`, or null. */
export function breakPlace(m: Model, v: number, nodes: readonly number[], b: DriverBreak, sc: BreakScratch = new BreakScratch(),
  nodeSegs?: readonly Seg[]): BreakPlace | null {
  const len = nodes.length;
  const seg = (n: number) => nodeSegs ? nodeSegs[n] : nodeSeg(m, n);
  while (sc.suf.length < len + 1) sc.suf.push(new Seg());
  endSeg(sc.suf[len], m, v, b, true);
  for (let i = len - 1; i >= 0; i--) concat(sc.suf[i], seg(nodes[i]), sc.suf[i + 1], m, v);
  const pre = endSeg(sc.pre, m, v, b, false);
  const brk = sc.brk;
  for (let k = 0; k <= len; k++) {
    brk.copyFrom(EMPTY);
    // taken where the driver is: no travel to it
    brk.first = brk.last = pre.last;
    brk.durS = b.durationS;
    brk.e = b.startS;
    brk.l = b.endS;
    concat(sc.x, pre, brk, m, v);
    concat(sc.x, sc.x, sc.suf[k], m, v);
    if (sc.x.timeWarpS <= EPS) return { after: k, departS: sc.x.e };
    if (k < len) concat(pre, pre, seg(nodes[k]), m, v);
    // the driver cannot be free before the window closes at any later place either
    if (pre.e + pre.durS - pre.timeWarpS > b.endS + EPS) return null;
  }
  return null;
}
