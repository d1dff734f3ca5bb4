import { haversineM, pointInPolygon } from '../../solver/index.js';
import type { PolygonGeometry } from '../domain/geo.js';
import { CorridorGeometry } from '../planning/corridor.js';

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
  /** The outline's rings as lines (distance to the fence, in metres). */
  rings?: CorridorGeometry[];
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
  const rings = p.outline.coordinates.map((ring) => new CorridorGeometry({ line: ring.map((c) => [c[0]!, c[1]!] as [number, number]), bufferM: 0, disks: [] }));
  let reachM = 0;
  for (const ring of p.outline.coordinates) for (const c of ring) reachM = Math.max(reachM, haversineM(p.lon, p.lat, c[0]!, c[1]!));
  return { ...p, rings, reachM: reachM + toleranceM };
}

/** 0 inside the polygon, else the distance in metres to its nearest edge. */
function outlineDistanceM(p: Prepared, lon: number, lat: number): number {
  if (pointInPolygon(lon, lat, p.outline!.coordinates as number[][][])) return 0;
  return Math.min(...p.rings!.map((ring) => ring.distanceToLineM(lon, lat)));
}
