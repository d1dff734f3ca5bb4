// Map matching of a GPS trace with a hidden Markov model after Newson & Krumm (2009), the scheme
// OSRM and Valhalla use: candidates are road positions near each fix; the emission probability
// falls with the fix-to-road distance (Gaussian, sigma); the transition probability falls with
// the difference between the route distance and the straight distance of consecutive fixes
// (exponential, beta). Viterbi picks the likeliest sequence; the chain restarts where no
// candidate can follow another (gaps, jumps). Routes between matched positions fill in the
// edges driven, with entry and exit times interpolated along the distance.
import { haversineM } from '../geo.js';
import { MinHeap } from './heap.js';
import { portion, type DirectedSeed, type RoadNetwork } from './network.js';
import type { SnappedPosition } from './snap.js';
import { DISTANCE_RADIX, packKey } from './weights.js';

export interface GpsFix {
  lon: number;
  lat: number;
  timeMs: number;
  /** the speed the terminal reported, when known: a vehicle standing between two fixes keeps its road */
  speedKmh?: number;
  /**
   * The course the terminal reported (degrees clockwise from north; JT/T 808 and OsmAnd send it), used
   * only with a speed of at least HEADING_MIN_KMH: a road running across it, or a one-way road against it,
   * is unlikely (a carriageway of a dual road, a side street at a junction).
   */
  headingDeg?: number;
}

/** Below this reported speed (km/h) a vehicle is standing: its fixes scatter by noise alone. */
const STANDING_KMH = 3;
/**
 * Log-likelihood a standing vehicle pays to change road between two fixes. Parked among roads a
 * few metres apart, the noise alone makes the hop as likely as staying (the emissions differ by
 * a tenth and the route lengths by less than the noise); a parked truck does not change road.
 * Measured on the self-check day (test/simulations/self-check.test.ts): a collector parked five
 * hours where two roads lie 8 m off hopped on 115 of 1,108 fixes without it.
 */
const STANDING_SWITCH_PENALTY = 3;
/** A GPS course is reliable only while moving (a standing receiver's course is noise). */
const HEADING_MIN_KMH = 5;
/**
 * A candidate whose road runs `d` degrees off the fix's course pays 0.5 (d / HEADING_SIGMA_DEG)^2, at
 * most HEADING_MAX_PENALTY: as unlikely as a road ~12 m farther at sigma 5 m, so the opposite carriageway
 * 10 m away or a cross street at a junction loses to the road driven, while a road clearly nearer the fix
 * (a course misreported, or turning between the fix and its road) still wins. The sigma covers a course's
 * noise and the bends of a road between its geometry points.
 */
const HEADING_SIGMA_DEG = 25;
const HEADING_MAX_PENALTY = 3;

export interface MatchOptions {
  /** GPS noise (standard deviation of the fix-to-road distance). */
  sigmaM?: number;
  /** How much longer than the straight line a route between fixes may plausibly be (scale). */
  betaM?: number;
  /** Candidate roads are looked for within this distance of a fix. */
  searchRadiusM?: number;
  maxCandidates?: number;
  /** A longer silence between fixes starts a new chain. */
  maxGapS?: number;
  /** Routes implying a faster average speed are not considered. */
  maxSpeedKmh?: number;
}

/** One arc (or part of it) driven, with the fraction of its segment covered. */
export interface MatchedEdge {
  arc: number;
  segment: number;
  wayId: number;
  /** Segment fractions (0 = segment `from` node) where driving on it began and ended. */
  fromFraction: number;
  toFraction: number;
  entryTimeMs: number;
  exitTimeMs: number;
}

export interface MatchResult {
  /** Per input fix (in time order): its matched road position, or null when unmatched. */
  positions: Array<SnappedPosition | null>;
  edges: MatchedEdge[];
  /** Number of times the chain had to restart (gaps, impossible moves). */
  chainBreaks: number;
}

interface Piece {
  arc: number;
  fromFraction: number;
  toFraction: number;
  lengthM: number;
}

export class MapMatcher {
  private readonly sigmaM: number;
  private readonly betaM: number;
  private readonly searchRadiusM: number;
  private readonly maxCandidates: number;
  private readonly maxGapS: number;
  private readonly maxSpeedMs: number;
  private readonly distanceKey: Float64Array;
  private readonly timeKey: Float64Array;
  private readonly key: Float64Array;
  private readonly parent: Int32Array;
  private readonly touched: Int32Array;
  private touchedCount = 0;
  private readonly heap = new MinHeap(256);

  constructor(
    private readonly network: RoadNetwork,
    options: MatchOptions = {},
  ) {
    this.sigmaM = options.sigmaM ?? 15;
    this.betaM = options.betaM ?? 40;
    this.searchRadiusM = options.searchRadiusM ?? 100;
    this.maxCandidates = options.maxCandidates ?? 16;
    this.maxGapS = options.maxGapS ?? 180;
    this.maxSpeedMs = (options.maxSpeedKmh ?? 130) / 3.6;
    const graph = network.graph;
    // Distance only (decimetres as keys): the vehicle may drive any road, banned or not.
    this.distanceKey = Float64Array.from(graph.arcDistanceDm);
    // Free-flow time first, distance second (as in routing), to fill in the road between fixes.
    this.timeKey = new Float64Array(graph.arcCount);
    for (let a = 0; a < graph.arcCount; a++) {
      const carMs = graph.arcTimeMs.car[a];
      const truckMs = graph.arcTimeMs.truck[a];
      const timeMs = carMs >= 0 ? carMs : truckMs >= 0 ? truckMs : Math.round(graph.arcDistanceDm[a] * 18);
      this.timeKey[a] = packKey(timeMs, graph.arcDistanceDm[a]);
    }
    this.key = new Float64Array(graph.nodeCount).fill(Infinity);
    this.parent = new Int32Array(graph.nodeCount).fill(-1);
    this.touched = new Int32Array(graph.nodeCount);
  }

  /**
   * `prior`: a log-likelihood added to a candidate's emission (fix index in `trace`, network
   * segment), for what else is known of where the vehicle was (e.g. the streets it is working).
   */
  match(trace: GpsFix[], prior?: (fix: number, segment: number) => number): MatchResult {
    const order = trace.map((_, i) => i).sort((a, b) => trace[a].timeMs - trace[b].timeMs || a - b);
    const fixes = order.map((i) => trace[i]);
    const positions: Array<SnappedPosition | null> = new Array(fixes.length).fill(null);
    const candidates = fixes.map((fix) =>
      this.network.snapIndex.within(fix.lon, fix.lat, this.searchRadiusM).slice(0, this.maxCandidates),
    );

    // Viterbi over the fixes that have candidates, restarting the chain where it breaks.
    type Step = { fix: number; score: Float64Array; back: Int32Array };
    const emissionOf = (f: number) => {
      const fix = fixes[f];
      const course = fix.headingDeg !== undefined && (fix.speedKmh ?? 0) >= HEADING_MIN_KMH ? fix.headingDeg : undefined;
      return Float64Array.from(candidates[f], (c) => -0.5 * (c.distanceM / this.sigmaM) ** 2 + (prior?.(order[f]!, c.segment) ?? 0)
        - (course === undefined ? 0 : this.headingPenalty(c, course)));
    };
    /** Scores of fix f's candidates reached from `previous`; null when none can be reached. */
    const step = (previous: Step, f: number): Step | null => {
      const here = candidates[f];
      const from = fixes[previous.fix];
      const to = fixes[f];
      const dtS = (to.timeMs - from.timeMs) / 1000;
      if (dtS > this.maxGapS) return null;
      const emission = emissionOf(f);
      const score = new Float64Array(here.length).fill(-Infinity);
      const back = new Int32Array(here.length).fill(-1);
      const straightM = haversineM(from.lon, from.lat, to.lon, to.lat);
      const standing = (from.speedKmh ?? Infinity) < STANDING_KMH && (to.speedKmh ?? Infinity) < STANDING_KMH;
      const boundM = this.routeBoundM(dtS);
      const prevCandidates = candidates[previous.fix];
      for (let i = 0; i < prevCandidates.length; i++) {
        if (previous.score[i] === -Infinity) continue;
        const routeM = this.routeDistancesM(prevCandidates[i], here, boundM);
        for (let j = 0; j < here.length; j++) {
          if (routeM[j] === Infinity) continue;
          const switched = standing && prevCandidates[i].segment !== here[j].segment ? STANDING_SWITCH_PENALTY : 0;
          const s = previous.score[i] - Math.abs(routeM[j] - straightM) / this.betaM + emission[j] - switched;
          if (s > score[j]) {
            score[j] = s;
            back[j] = i;
          }
        }
      }
      return score.some((x) => x > -Infinity) ? { fix: f, score, back } : null;
    };
    const nextWithCandidates = (f: number): number => {
      let g = f + 1;
      while (g < fixes.length && candidates[g].length === 0) g++;
      return g;
    };
    let chainBreaks = 0;
    let chain: Step[] = [];
    const chains: Step[][] = [];
    for (let f = 0; f < fixes.length; f++) {
      if (candidates[f].length === 0) continue;
      const previous = chain[chain.length - 1];
      if (previous) {
        const from = fixes[previous.fix];
        const to = fixes[f];
        if (to.timeMs === from.timeMs && from.lon === to.lon && from.lat === to.lat) continue; // a duplicate
        const next = step(previous, f);
        if (next) {
          chain.push(next);
          continue;
        }
        // An outlier (a reflection off a building, a jump) rather than a real break: drop this
        // fix if the one after it still follows on from the chain.
        const after = nextWithCandidates(f);
        if (after < fixes.length && fixes[after].timeMs - from.timeMs <= this.maxGapS * 1000) {
          const skipped = step(previous, after);
          if (skipped) {
            chain.push(skipped);
            f = after;
            continue;
          }
        }
        chains.push(chain);
        chainBreaks++;
      }
      chain = [{ fix: f, score: emissionOf(f), back: new Int32Array(candidates[f].length).fill(-1) }];
    }
    if (chain.length > 0) chains.push(chain);

    const edges: MatchedEdge[] = [];
    for (const c of chains) {
      // Backtrack from the best final state.
      let best = 0;
      const last = c[c.length - 1];
      for (let j = 1; j < last.score.length; j++) if (last.score[j] > last.score[best]) best = j;
      const picks: number[] = new Array(c.length);
      for (let k = c.length - 1; k >= 0; k--) {
        picks[k] = best;
        best = c[k].back[best];
      }
      for (let k = 0; k < c.length; k++) positions[order[c[k].fix]] = candidates[c[k].fix][picks[k]];
      for (let k = 0; k + 1 < c.length; k++) {
        const a = candidates[c[k].fix][picks[k]];
        const b = candidates[c[k + 1].fix][picks[k + 1]];
        const t0 = fixes[c[k].fix].timeMs;
        const t1 = fixes[c[k + 1].fix].timeMs;
        const dtS = (t1 - t0) / 1000;
        this.appendEdges(edges, this.path(a, b, this.routeBoundM(dtS), dtS), t0, t1);
      }
      if (c.length === 1) {
        const p = candidates[c[0].fix][picks[0]];
        const { forward, backward } = this.network.segmentArcs();
        const arc = forward[p.segment] >= 0 ? forward[p.segment] : backward[p.segment];
        const t = fixes[c[0].fix].timeMs;
        const piece = { arc, fromFraction: p.fraction, toFraction: p.fraction, lengthM: 0 };
        this.appendEdges(edges, [piece], t, t);
      }
    }
    return { positions, edges, chainBreaks };
  }

  /** What a candidate pays for its road's direction against the fix's course (see HEADING_SIGMA_DEG). */
  private headingPenalty(c: SnappedPosition, courseDeg: number): number {
    const bearing = this.bearingAt(c.segment, c.offsetM);
    if (bearing === undefined) return 0;
    const { forward, backward } = this.network.segmentArcs();
    const off = (deg: number) => { const d = Math.abs((((courseDeg - deg) % 360) + 540) % 360 - 180); return d; };
    let d = 180;
    if (forward[c.segment] >= 0) d = Math.min(d, off(bearing));
    if (backward[c.segment] >= 0) d = Math.min(d, off(bearing + 180));
    return Math.min(HEADING_MAX_PENALTY, 0.5 * (d / HEADING_SIGMA_DEG) ** 2);
  }

  /** The bearing (degrees clockwise from north) of a segment's geometry from `from` to `to` at `offsetM` along it. */
  private bearingAt(segment: number, offsetM: number): number | undefined {
    const g = this.network.graph;
    const first = g.segmentGeometryStart[segment];
    const last = g.segmentGeometryStart[segment + 1] - 1;
    let doneM = 0;
    for (let p = first; p < last; p++) {
      const pieceM = haversineM(g.pointLon[p], g.pointLat[p], g.pointLon[p + 1], g.pointLat[p + 1]);
      if (pieceM < 1e-6) continue;
      if (doneM + pieceM >= offsetM || p === last - 1) {
        const dx = (g.pointLon[p + 1] - g.pointLon[p]) * Math.cos((g.pointLat[p] * Math.PI) / 180);
        const dy = g.pointLat[p + 1] - g.pointLat[p];
        return ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
      }
      doneM += pieceM;
    }
    return undefined;
  }

  /** The longest route a vehicle can plausibly drive between two fixes `dtS` apart. */
  private routeBoundM(dtS: number): number {
    return this.maxSpeedMs * Math.max(dtS, 1) + 2 * this.searchRadiusM;
  }

  /** Route distance from `from` to each of `targets` (Infinity beyond `boundM` or unreachable). */
  private routeDistancesM(from: SnappedPosition, targets: SnappedPosition[], boundM: number): Float64Array {
    const result = new Float64Array(targets.length).fill(Infinity);
    const boundDm = boundM * 10;
    this.search(this.network.sourceSeeds(from, this.distanceKey), boundDm, this.distanceKey);
    targets.forEach((target, j) => {
      let best = Infinity;
      for (const seed of this.network.targetSeeds(target, this.distanceKey)) {
        best = Math.min(best, this.key[seed.node] + seed.key);
      }
      const direct = this.isJitter(from, target)
        ? (from.offsetM - target.offsetM) * 10
        : this.directKey(from, target, this.distanceKey);
      const routeDm = Math.min(best, direct);
      result[j] = routeDm <= boundDm ? routeDm / 10 : Infinity;
    });
    return result;
  }

  /** Cost of moving along one segment from `from` to `to` without passing a node (Infinity if not allowed). */
  private directKey(from: SnappedPosition, to: SnappedPosition, arcKey: Float64Array): number {
    if (from.segment !== to.segment) return Infinity;
    const { forward, backward } = this.network.segmentArcs();
    const f = forward[from.segment];
    const b = backward[from.segment];
    if (to.fraction >= from.fraction && f >= 0) return portion(arcKey[f], to.fraction - from.fraction);
    if (to.fraction <= from.fraction && b >= 0) return portion(arcKey[b], from.fraction - to.fraction);
    return Infinity;
  }

  /** GPS jitter of a standing or slow vehicle: a small step back against a one-way street. */
  private isJitter(from: SnappedPosition, to: SnappedPosition): boolean {
    return from.segment === to.segment && to.offsetM < from.offsetM && from.offsetM - to.offsetM <= this.sigmaM;
  }

  /** Bounded Dijkstra on distance from the seeds; results stay in this.key / this.parent. */
  private search(seeds: DirectedSeed[], bound: number, arcKey: Float64Array): void {
    for (let i = 0; i < this.touchedCount; i++) {
      this.key[this.touched[i]] = Infinity;
      this.parent[this.touched[i]] = -1;
    }
    this.touchedCount = 0;
    const heap = this.heap;
    heap.clear();
    for (const seed of seeds) {
      if (seed.key < this.key[seed.node]) {
        if (this.key[seed.node] === Infinity) this.touched[this.touchedCount++] = seed.node;
        this.key[seed.node] = seed.key;
        this.parent[seed.node] = -1;
        heap.push(seed.key, seed.node);
      }
    }
    const { firstArc, arcHead } = this.network.graph;
    while (heap.size > 0) {
      const d = heap.peekKey();
      const u = heap.pop();
      if (d > this.key[u]) continue;
      if (d > bound) break;
      for (let a = firstArc[u]; a < firstArc[u + 1]; a++) {
        const v = arcHead[a];
        const nd = d + arcKey[a];
        if (nd < this.key[v]) {
          if (this.key[v] === Infinity) this.touched[this.touchedCount++] = v;
          this.key[v] = nd;
          this.parent[v] = a;
          heap.push(nd, v);
        }
      }
    }
  }

  /**
   * The pieces of road driven from position a to position b: the fastest route (as drivers and
   * the route planner choose), or the shortest one if no route is fast enough for the time taken.
   */
  private path(a: SnappedPosition, b: SnappedPosition, boundM: number, dtS: number): Piece[] {
    if (this.isJitter(a, b) && this.directKey(a, b, this.distanceKey) === Infinity) return [];
    const timeBoundMs = Math.max(4 * dtS, dtS + 120) * 1000;
    const byTime = this.cheapest(a, b, this.timeKey, timeBoundMs * DISTANCE_RADIX);
    return byTime ?? this.cheapest(a, b, this.distanceKey, boundM * 10) ?? [];
  }

  private cheapest(a: SnappedPosition, b: SnappedPosition, arcKey: Float64Array, bound: number): Piece[] | null {
    const graph = this.network.graph;
    const { forward, backward } = this.network.segmentArcs();
    const direct = this.directKey(a, b, arcKey);
    const sourceSeeds = this.network.sourceSeeds(a, arcKey);
    const targetSeeds = this.network.targetSeeds(b, arcKey);
    this.search(sourceSeeds, bound, arcKey);
    let bestSeed: DirectedSeed | null = null;
    let bestKey = Infinity;
    for (const seed of targetSeeds) {
      if (this.key[seed.node] + seed.key < bestKey) {
        bestKey = this.key[seed.node] + seed.key;
        bestSeed = seed;
      }
    }
    if (Math.min(direct, bestKey) > bound) return null;
    const lengthOf = (segment: number, share: number) => graph.segmentLengthM[segment] * Math.abs(share);
    if (direct <= bestKey || !bestSeed) {
      if (direct === Infinity) return [];
      const arc = b.fraction >= a.fraction ? forward[a.segment] : backward[a.segment];
      return [{ arc, fromFraction: a.fraction, toFraction: b.fraction, lengthM: lengthOf(a.segment, b.fraction - a.fraction) }];
    }
    const arcs: number[] = [];
    let node = bestSeed.node;
    while (this.parent[node] >= 0) {
      arcs.push(this.parent[node]);
      node = graph.arcTail[this.parent[node]];
    }
    arcs.reverse();
    // Which way the start segment was left: the cheapest source seed at the node the path starts from.
    let startSeed: DirectedSeed | null = null;
    for (const seed of sourceSeeds) if (seed.node === node && (!startSeed || seed.key < startSeed.key)) startSeed = seed;
    const pieces: Piece[] = [];
    if (startSeed) {
      const arc = startSeed.forward ? forward[a.segment] : backward[a.segment];
      const end = startSeed.forward ? 1 : 0;
      pieces.push({ arc, fromFraction: a.fraction, toFraction: end, lengthM: lengthOf(a.segment, end - a.fraction) });
    }
    for (const arc of arcs) {
      const reversed = graph.arcReversed[arc] === 1;
      pieces.push({
        arc,
        fromFraction: reversed ? 1 : 0,
        toFraction: reversed ? 0 : 1,
        lengthM: graph.segmentLengthM[graph.arcSegment[arc]],
      });
    }
    const arc = bestSeed.forward ? forward[b.segment] : backward[b.segment];
    const start = bestSeed.forward ? 0 : 1;
    pieces.push({ arc, fromFraction: start, toFraction: b.fraction, lengthM: lengthOf(b.segment, b.fraction - start) });
    return pieces;
  }

  /** Adds pieces driven between times t0 and t1 (time shared by distance), merging same-arc runs. */
  private appendEdges(edges: MatchedEdge[], pieces: Piece[], t0: number, t1: number): void {
    const graph = this.network.graph;
    const totalM = pieces.reduce((sum, p) => sum + p.lengthM, 0);
    let doneM = 0;
    const { forward, backward } = this.network.segmentArcs();
    for (const piece of pieces) {
      if (piece.arc < 0) continue;
      // Report one arc per segment direction, whichever clone of a split junction was used.
      const segmentOfArc = graph.arcSegment[piece.arc];
      piece.arc = graph.arcReversed[piece.arc] ? backward[segmentOfArc] : forward[segmentOfArc];
      const entry = totalM > 0 ? t0 + ((t1 - t0) * doneM) / totalM : t0;
      doneM += piece.lengthM;
      const exit = totalM > 0 ? t0 + ((t1 - t0) * doneM) / totalM : t1;
      const last = edges[edges.length - 1];
      if (last && last.arc === piece.arc && Math.abs(last.toFraction - piece.fromFraction) < 1e-9) {
        last.toFraction = piece.toFraction;
        last.exitTimeMs = Math.round(exit);
        continue;
      }
      if (piece.lengthM === 0 && last) continue;
      const segment = graph.arcSegment[piece.arc];
      edges.push({
        arc: piece.arc,
        segment,
        wayId: graph.segmentWayId[segment],
        fromFraction: piece.fromFraction,
        toFraction: piece.toFraction,
        entryTimeMs: Math.round(entry),
        exitTimeMs: Math.round(exit),
      });
    }
  }
}
