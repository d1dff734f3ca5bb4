// Arc costs for one vehicle kind at one hour. A cost is the pair (travel time ms, distance dm)
// packed into one exact integer key = timeMs * 2^26 + distanceDm: comparing keys compares time
// first and breaks ties by distance, so every search (plain Dijkstra, CH, matrices) finds the same
// unique optimum and returns bit-identical times and distances. Exact while a path stays under
// 2^27 ms (37 h) and 2^26 dm (6,700 km), far beyond any city trip.
import { pointInPolygon } from '../geo.js';
import type { RoadGraph } from './graph.js';
import { restrictionActiveAt, type NetworkProfile, type Restriction, type VehicleKind } from './profile.js';

export const DISTANCE_RADIX = 2 ** 26;

export function packKey(timeMs: number, distanceDm: number): number {
  return timeMs * DISTANCE_RADIX + distanceDm;
}
export function keyTimeMs(key: number): number {
  return Math.floor(key / DISTANCE_RADIX);
}
export function keyDistanceDm(key: number): number {
  return key - Math.floor(key / DISTANCE_RADIX) * DISTANCE_RADIX;
}

export interface WeightSet {
  /** Identifies the (vehicle kind, active restrictions) combination: equal ids, equal costs. */
  id: string;
  vehicleKind: VehicleKind;
  /** Packed cost per arc; Infinity where the arc may not be used. */
  arcKey: Float64Array;
}

/** Indices of the profile's restrictions that bind `vehicleKind` at local `hour` (0-23). */
export function activeRestrictions(profile: NetworkProfile, vehicleKind: VehicleKind, hour: number): number[] {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new RangeError(`hour must be an integer 0-23, got ${hour}`);
  const active: number[] = [];
  profile.restrictions.forEach((restriction, index) => {
    if (restriction.vehicleKinds.includes(vehicleKind) && restrictionActiveAt(restriction, hour)) active.push(index);
  });
  return active;
}

export function weightSetId(vehicleKind: VehicleKind, restrictionIndices: number[]): string {
  return restrictionIndices.length === 0 ? vehicleKind : `${vehicleKind}+r${restrictionIndices.join('.')}`;
}

/** Costs for `vehicleKind` with the given restrictions of `profile` in force. */
export function buildWeightSet(
  graph: RoadGraph,
  profile: NetworkProfile,
  vehicleKind: VehicleKind,
  restrictionIndices: number[],
): WeightSet {
  const timeMs = graph.arcTimeMs[vehicleKind];
  const segmentFactor = new Float64Array(graph.segmentCount).fill(1);
  for (const index of restrictionIndices) {
    const restriction = profile.restrictions[index];
    const factor = restriction.mode === 'ban' ? Infinity : (restriction.penaltyFactor ?? 2);
    markSegmentsInside(graph, restriction, (segment) => {
      segmentFactor[segment] = Math.max(segmentFactor[segment], factor);
    });
  }
  const arcKey = new Float64Array(graph.arcCount);
  for (let a = 0; a < graph.arcCount; a++) {
    const factor = segmentFactor[graph.arcSegment[a]];
    if (timeMs[a] < 0 || factor === Infinity) arcKey[a] = Infinity;
    else arcKey[a] = packKey(factor === 1 ? timeMs[a] : Math.round(timeMs[a] * factor), graph.arcDistanceDm[a]);
  }
  return { id: weightSetId(vehicleKind, restrictionIndices), vehicleKind, arcKey };
}

/** Calls `mark` for every segment with a geometry point inside the restriction's zone. */
function markSegmentsInside(graph: RoadGraph, restriction: Restriction, mark: (segment: number) => void): void {
  const polygons =
    restriction.polygon.type === 'Polygon' ? [restriction.polygon.coordinates] : restriction.polygon.coordinates;
  for (const rings of polygons) {
    let minLon = Infinity;
    let minLat = Infinity;
    let maxLon = -Infinity;
    let maxLat = -Infinity;
    for (const [lon, lat] of rings[0] ?? []) {
      minLon = Math.min(minLon, lon);
      maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    }
    // Shape points and the midpoints between them: a long straight piece crossing a small
    // zone without a vertex inside it is still caught (pieces are rarely over 100 m in cities).
    const inside = (lon: number, lat: number) =>
      lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat && pointInPolygon(lon, lat, rings);
    for (let s = 0; s < graph.segmentCount; s++) {
      for (let p = graph.segmentGeometryStart[s]; p < graph.segmentGeometryStart[s + 1]; p++) {
        const hit =
          inside(graph.pointLon[p], graph.pointLat[p]) ||
          (p + 1 < graph.segmentGeometryStart[s + 1] &&
            inside((graph.pointLon[p] + graph.pointLon[p + 1]) / 2, (graph.pointLat[p] + graph.pointLat[p + 1]) / 2));
        if (hit) {
          mark(s);
          break;
        }
      }
    }
  }
}
