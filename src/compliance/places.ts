import { haversineM, metresPerDegree, pointInPolygon } from '../../solver/index.js';
import type { PolygonGeometry } from '../domain/geo.js';

/**
 * Where a truck may tip or load: facilities (disposal sites, transfer stations…) and
 * construction sites. A disposal site is a fenced area where trucks tip a few metres inside
 * the fence, so "inside" is judged on the place's outline plus a tolerance (a fix near the
 * fence, GPS noise); a place known only by its point gets a radius instead.
 */
export interface Place {
  id: string;
  kind: 'facility' | 'site';
  /** facility kind (construction_disposal, transfer_station, …) or 'construction_site' */
  placeKind: string;
  lon: number;
  lat: number;
  outline?: PolygonGeometry;
}

interface Prepared extends Place {
  /** Outline vertices in metres around the place's point (local projection). */
  rings?: Array<Array<[number, number]>>;
  /** Bounding radius in metres around the point: nothing farther can be inside. */
  reachM: number;
}

export interface PlaceHit {
  place: Place;
  /** 0 inside the outline, else metres from the outline (or from the point when no outline). */
  distanceM: number;
}

const NONE: readonly Place[] = Object.freeze([]);

export class PlaceIndex {
  private readonly places: Prepared[];

  constructor(places: Place[], private readonly toleranceM: number, private readonly pointRadiusM: number) {
    this.places = places.map((p) => prepare(p, toleranceM, pointRadiusM));
  }

  get size(): number {
    return this.places.length;
  }

  /** Every place whose outline (plus tolerance) or point radius holds the position. */
  containing(lon: number, lat: number): readonly Place[] {
    let out: Place[] | undefined;
    for (const p of this.places) {
      const d = haversineM(lon, lat, p.lon, p.lat);
      if (d > p.reachM) continue;
      if (!p.rings || outlineDistanceM(p, lon, lat) <= this.toleranceM) (out ??= []).push(p);
    }
    return out ?? NONE;
  }

  /** The nearest place and how far outside it (0 = inside its outline or radius). */
  nearest(lon: number, lat: number): PlaceHit | undefined {
    let best: PlaceHit | undefined;
    for (const p of this.places) {
      const centre = haversineM(lon, lat, p.lon, p.lat);
      const d = p.rings ? outlineDistanceM(p, lon, lat) : Math.max(0, centre - this.pointRadiusM);
      if (!best || d < best.distanceM) best = { place: p, distanceM: d };
    }
    return best;
  }

  /** Metres from the position to the nearest place's edge (0 inside); Infinity without places. */
  distanceToNearestM(lon: number, lat: number): number {
    return this.nearest(lon, lat)?.distanceM ?? Infinity;
  }
}

function prepare(p: Place, toleranceM: number, pointRadiusM: number): Prepared {
  if (!p.outline) return { ...p, reachM: pointRadiusM };
  const { xM, yM } = metresPerDegree(p.lat);
  const rings = p.outline.coordinates.map((ring) => ring.map((c) => [(c[0]! - p.lon) * xM, (c[1]! - p.lat) * yM] as [number, number]));
  let reachM = 0;
  for (const ring of rings) for (const [x, y] of ring) reachM = Math.max(reachM, Math.hypot(x, y));
  return { ...p, rings, reachM: reachM + toleranceM };
}

/** 0 inside the polygon, else the distance in metres to its nearest edge. */
function outlineDistanceM(p: Prepared, lon: number, lat: number): number {
  if (pointInPolygon(lon, lat, p.outline!.coordinates as number[][][])) return 0;
  const { xM, yM } = metresPerDegree(p.lat);
  const x = (lon - p.lon) * xM;
  const y = (lat - p.lat) * yM;
  let best = Infinity;
  for (const ring of p.rings!) {
    for (let i = 0; i + 1 < ring.length; i++) best = Math.min(best, segmentDistance(x, y, ring[i]!, ring[i + 1]!));
  }
  return best;
}

export function segmentDistance(x: number, y: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((x - a[0]) * dx + (y - a[1]) * dy) / len2)) : 0;
  return Math.hypot(a[0] + t * dx - x, a[1] + t * dy - y);
}
