import { type Leg, type RoadNetwork, type SnappedPosition } from '../../solver/network/index.js';
import { haversineM } from '../../solver/index.js';

/**
 * A permit's approved corridor (按规定路线) as a set of road segments: a segment belongs to it
 * when every point along it (sampled every few metres) lies within the buffer — half the
 * corridor's width plus a tolerance for the gap between the permit's drawing and the road's —
 * of the corridor line. The site and the disposal site may lie off the line's ends (the city
 * accepts up to `corridor.endpointToleranceM`): a disk around each, just wide enough to reach
 * the line's end plus the buffer, joins them to it. Nothing else is admitted.
 */
export interface CorridorShape {
  line: Array<[number, number]>;
  bufferM: number;
  disks: Array<{ lon: number; lat: number; radiusM: number }>;
}

type Projected = { x: number; y: number };

export class CorridorGeometry {
  private readonly lon0: number;
  private readonly lat0: number;
  private readonly xM: number;
  private readonly yM: number;
  private readonly pts: Projected[];
  private readonly minX: number;
  private readonly maxX: number;
  private readonly minY: number;
  private readonly maxY: number;

  constructor(readonly shape: CorridorShape) {
    [this.lon0, this.lat0] = shape.line[0]!;
    this.yM = 111_320;
    this.xM = 111_320 * Math.cos((this.lat0 * Math.PI) / 180);
    this.pts = shape.line.map(([lon, lat]) => this.project(lon, lat));
    const reach = [
      ...this.pts.map((p) => ({ ...p, r: shape.bufferM })),
      ...shape.disks.map((d) => ({ ...this.project(d.lon, d.lat), r: d.radiusM })),
    ];
    this.minX = Math.min(...reach.map((p) => p.x - p.r));
    this.maxX = Math.max(...reach.map((p) => p.x + p.r));
    this.minY = Math.min(...reach.map((p) => p.y - p.r));
    this.maxY = Math.max(...reach.map((p) => p.y + p.r));
  }

  private project(lon: number, lat: number): Projected {
    return { x: (lon - this.lon0) * this.xM, y: (lat - this.lat0) * this.yM };
  }

  /** Distance in metres from a point to the corridor line. */
  distanceToLineM(lon: number, lat: number): number {
    const { x, y } = this.project(lon, lat);
    let best = Infinity;
    for (let i = 0; i + 1 < this.pts.length; i++) {
      const a = this.pts[i]!;
      const b = this.pts[i + 1]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      const t = len2 > 0 ? Math.min(1, Math.max(0, ((x - a.x) * dx + (y - a.y) * dy) / len2)) : 0;
      best = Math.min(best, Math.hypot(a.x + t * dx - x, a.y + t * dy - y));
    }
    return best;
  }

  /** Inside the buffer around the line, or inside an endpoint disk. */
  contains(lon: number, lat: number, slackM = 0): boolean {
    if (this.distanceToLineM(lon, lat) <= this.shape.bufferM + slackM) return true;
    return this.shape.disks.some((d) => haversineM(lon, lat, d.lon, d.lat) <= d.radiusM + slackM);
  }

  /** Every point of a polyline (and points every `stepM` between them) is contained. */
  containsLine(points: Array<[number, number]>, stepM = 5): boolean {
    for (const p of points) {
      const { x, y } = this.project(p[0], p[1]);
      if (x < this.minX || x > this.maxX || y < this.minY || y > this.maxY) return false;
    }
    for (let i = 0; i < points.length; i++) {
      const [lon, lat] = points[i]!;
      if (!this.contains(lon, lat)) return false;
      if (i + 1 < points.length) {
        const [lon2, lat2] = points[i + 1]!;
        const n = Math.ceil(haversineM(lon, lat, lon2, lat2) / stepM);
        for (let k = 1; k < n; k++) {
          if (!this.contains(lon + ((lon2 - lon) * k) / n, lat + ((lat2 - lat) * k) / n)) return false;
        }
      }
    }
    return true;
  }
}

export interface CorridorLeg {
  /** The loaded trip site → disposal along the corridor; null when the corridor is not drivable. */
  leg: Leg | null;
  /** The fastest trip with no corridor, for comparison (null when none exists at all). */
  unrestricted: { distanceM: number; durationS: number } | null;
  shape: CorridorShape;
  /** Road segments inside the corridor. */
  segmentCount: number;
}

/**
 * Routes a muck truck's loaded trip on the corridor's segments only (the fastest such path,
 * costs of `restrictionIndices` — the bans in force during the permit's hours).
 */
export function routeOnCorridor(
  network: RoadNetwork,
  from: SnappedPosition,
  to: SnappedPosition,
  corridor: { line: Array<[number, number]>; widthM: number },
  opts: { toleranceM: number; site: [number, number]; disposal: [number, number]; restrictionIndices: number[] },
): CorridorLeg {
  const bufferM = corridor.widthM / 2 + opts.toleranceM;
  const first = corridor.line[0]!;
  const last = corridor.line[corridor.line.length - 1]!;
  const disk = (p: [number, number], end: [number, number]) => ({
    lon: p[0], lat: p[1], radiusM: haversineM(p[0], p[1], end[0], end[1]) + bufferM,
  });
  const shape: CorridorShape = { line: corridor.line, bufferM, disks: [disk(opts.site, first), disk(opts.disposal, last)] };
  const geometry = new CorridorGeometry(shape);
  const inside = new Uint8Array(network.graph.segmentCount);
  let segmentCount = 0;
  for (let s = 0; s < network.graph.segmentCount; s++) {
    if (geometry.containsLine(network.segmentGeometry(s))) {
      inside[s] = 1;
      segmentCount++;
    }
  }
  const travel = { vehicleKind: 'truck' as const, restrictionIndices: opts.restrictionIndices };
  const leg = network.routeWithin(from, to, (s) => inside[s] === 1, travel);
  const plain = network.route(from, to, travel);
  return { leg, unrestricted: plain ? { distanceM: plain.distanceM, durationS: plain.durationS } : null, shape, segmentCount };
}
