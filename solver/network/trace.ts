// Synthetic GPS traces along a known leg: for map-matching tests, benchmarks and replays.
// The vehicle moves along the leg's geometry at the leg's average speed; each fix gets
// Gaussian noise in metres (seeded) and, optionally, some fixes are dropped to make gaps.
import { mulberry32 } from '../random.js';
import { haversineM, metresPerDegree } from '../geo.js';
import type { GpsFix } from './match.js';
import type { Leg } from './network.js';

export interface TraceOptions {
  seed: number;
  intervalS: number;
  /** Standard deviation of the position noise, per axis. */
  noiseM: number;
  startTimeMs?: number;
  /** Share of fixes lost (coverage gaps), 0-1. */
  dropShare?: number;
}

export function simulateTrace(leg: Leg, options: TraceOptions): GpsFix[] {
  const random = mulberry32(options.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const points = leg.geometry;
  const cumulativeM = [0];
  for (let i = 1; i < points.length; i++) {
    cumulativeM.push(cumulativeM[i - 1] + haversineM(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1]));
  }
  const totalM = cumulativeM[cumulativeM.length - 1];
  const speedMs = leg.durationS > 0 ? totalM / leg.durationS : 1;
  const startTimeMs = options.startTimeMs ?? 0;
  const fixes: GpsFix[] = [];
  let i = 0;
  for (let tS = 0; tS <= leg.durationS + 1e-9; tS += options.intervalS) {
    const atM = Math.min(totalM, tS * speedMs);
    while (i + 2 < points.length && cumulativeM[i + 1] < atM) i++;
    const pieceM = cumulativeM[i + 1] - cumulativeM[i];
    const share = points.length < 2 || pieceM <= 0 ? 0 : Math.min(1, (atM - cumulativeM[i]) / pieceM);
    const next = points[Math.min(i + 1, points.length - 1)];
    const lon = points[i][0] + (next[0] - points[i][0]) * share;
    const lat = points[i][1] + (next[1] - points[i][1]) * share;
    const { xM, yM } = metresPerDegree(lat);
    const noisyLon = lon + (gaussian() * options.noiseM) / xM;
    const noisyLat = lat + (gaussian() * options.noiseM) / yM;
    const keep = random() >= (options.dropShare ?? 0);
    if (keep || tS === 0) fixes.push({ lon: noisyLon, lat: noisyLat, timeMs: startTimeMs + Math.round(tS * 1000) });
  }
  return fixes;
}

/** Segments a leg drives on, in order, including the partly driven first and last ones. */
export function legSegments(leg: Leg, arcSegment: Int32Array): number[] {
  const segments = [leg.from.segment, ...leg.arcs.map((arc) => arcSegment[arc]), leg.to.segment];
  return segments.filter((segment, i) => i === 0 || segment !== segments[i - 1]);
}

/**
 * Tallies how well map matching recovered known paths: recall = share of the true
 * segments found, precision = share of the matched segments that are true.
 */
export class MatchScore {
  truth = 0;
  found = 0;
  matched = 0;
  matchedRight = 0;

  add(truthSegments: Iterable<number>, matchedSegments: Iterable<number>): void {
    const truth = new Set(truthSegments);
    const matched = new Set(matchedSegments);
    this.truth += truth.size;
    this.matched += matched.size;
    for (const s of truth) if (matched.has(s)) this.found++;
    for (const s of matched) if (truth.has(s)) this.matchedRight++;
  }

  get recall(): number {
    return this.truth === 0 ? 0 : this.found / this.truth;
  }

  get precision(): number {
    return this.matched === 0 ? 0 : this.matchedRight / this.matched;
  }
}
