import type { RoadFeature } from './map-routes.js';

/**
 * The road layer by viewport and zoom, so a city of 200,000 segments opens with what the
 * screen can show: at low zoom only the major grades, at high zoom every road in the
 * view, never more than a cap (the most important first, `truncated` says so).
 * Coordinates are rounded to about a pixel at the zoom, and the view's box is snapped
 * outward to the web-map tile grid of that zoom, so small pans ask for the same view
 * (same ETag, same cached answer).
 */
export const MAX_VIEW_FEATURES = 10_000;

/** Road grades drawn at a zoom: 1 (motorway, trunk, primary) from afar, all four from street level. */
export function gradesForZoom(zoom: number): number[] {
  if (zoom <= 11) return [1];
  if (zoom <= 13) return [1, 2];
  if (zoom === 14) return [1, 2, 3];
  return [1, 2, 3, 4];
}

/** Up to this zoom the view draws streets merged from their segments (one line per run). */
export const MERGED_UP_TO_ZOOM = 13;

/** One 256 px tile pixel at this zoom, in degrees of longitude. */
export function pixelDegrees(zoom: number): number {
  return 360 / (256 * 2 ** zoom);
}

/** Decimal places that keep a coordinate within about one 256 px tile pixel at this zoom. */
export function decimalsForZoom(zoom: number): number {
  const pixelsPerDegree = (2 ** zoom * 256) / 360;
  return Math.min(6, Math.max(2, Math.ceil(Math.log10(pixelsPerDegree))));
}

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

const MAX_MERCATOR_LAT = 85.05112878;

function tileX(lon: number, z: number): number {
  return ((lon + 180) / 360) * 2 ** z;
}
function tileY(lat: number, z: number): number {
  const φ = (Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lat)) * Math.PI) / 180;
  return ((1 - Math.log(Math.tan(φ) + 1 / Math.cos(φ)) / Math.PI) / 2) * 2 ** z;
}
function lonOf(x: number, z: number): number {
  return (x / 2 ** z) * 360 - 180;
}
function latOf(y: number, z: number): number {
  const n = Math.PI - (2 * Math.PI * y) / 2 ** z;
  return (180 / Math.PI) * Math.atan(Math.sinh(n));
}
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The box grown outward to whole tiles of the zoom (never smaller than asked). */
export function snapToTiles(bbox: BBox, zoom: number): BBox {
  const n = 2 ** zoom;
  const x0 = Math.max(0, Math.floor(tileX(bbox[0], zoom)));
  const x1 = Math.min(n, Math.max(x0 + 1, Math.ceil(tileX(bbox[2], zoom))));
  // Tile rows count from the north.
  const y0 = Math.max(0, Math.floor(tileY(bbox[3], zoom)));
  const y1 = Math.min(n, Math.max(y0 + 1, Math.ceil(tileY(bbox[1], zoom))));
  // Rounding to 6 decimals must not shrink the box below what was asked.
  return [
    Math.min(round6(lonOf(x0, zoom)), bbox[0]), Math.min(round6(latOf(y1, zoom)), bbox[1]),
    Math.max(round6(lonOf(x1, zoom)), bbox[2]), Math.max(round6(latOf(y0, zoom)), bbox[3]),
  ];
}

/** The road layer in memory: features with their boxes and grades, for linear scans (a few ms over 200k). */
export class RoadIndex {
  private readonly boxes: Float64Array;
  private readonly grades: Uint8Array;
  /** Feature positions ordered by grade, then id: the cap keeps the most important roads. */
  private readonly order: Uint32Array;

  constructor(readonly features: RoadFeature[]) {
    this.boxes = new Float64Array(features.length * 4);
    this.grades = new Uint8Array(features.length);
    features.forEach((f, i) => {
      let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
      for (const [lon, lat] of f.geometry.coordinates as Array<[number, number]>) {
        if (lon < minLon) minLon = lon;
        if (lon > maxLon) maxLon = lon;
        if (lat < minLat) minLat = lat;
        if (lat > maxLat) maxLat = lat;
      }
      this.boxes.set([minLon, minLat, maxLon, maxLat], i * 4);
      this.grades[i] = f.properties.grade;
    });
    // Features arrive sorted by id; a stable sort by grade keeps that order within a grade.
    this.order = Uint32Array.from([...features.keys()].sort((a, b) => this.grades[a]! - this.grades[b]!));
  }

  /** Features in the box (or everywhere) of the given grades, at most `max`, rounded and simplified to `toleranceDeg`. */
  view(options: { bbox?: BBox; grades: number[]; decimals: number; max: number; toleranceDeg?: number }): { features: RoadFeature[]; truncated: boolean } {
    const wanted = new Uint8Array(8);
    for (const g of options.grades) wanted[g] = 1;
    const b = options.bbox;
    const scale = 10 ** options.decimals;
    const features: RoadFeature[] = [];
    let truncated = false;
    for (const i of this.order) {
      if (!wanted[this.grades[i]!]) continue;
      const o = i * 4;
      if (b && (this.boxes[o]! > b[2] || this.boxes[o + 2]! < b[0] || this.boxes[o + 1]! > b[3] || this.boxes[o + 3]! < b[1])) continue;
      if (features.length >= options.max) {
        truncated = true;
        break;
      }
      const f = this.features[i]!;
      const coordinates: number[][] = [];
      for (const [lon, lat] of f.geometry.coordinates as Array<[number, number]>) {
        const p = [Math.round(lon * scale) / scale, Math.round(lat * scale) / scale];
        const last = coordinates[coordinates.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) coordinates.push(p);
      }
      // A road shorter than a pixel at this zoom draws nothing.
      if (coordinates.length < 2) continue;
      const drawn = options.toleranceDeg ? simplify(coordinates, options.toleranceDeg) : coordinates;
      features.push({ ...f, geometry: { type: 'LineString', coordinates: drawn } });
    }
    return { features, truncated };
  }
}

/**
 * Douglas-Peucker: the fewest points that stay within `tolerance` (degrees) of the line.
 * Iterative, so a street of thousands of points cannot overflow the stack.
 */
export function simplify(points: number[][], tolerance: number): number[][] {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: Array<[number, number]> = [[0, points.length - 1]];
  const t2 = tolerance * tolerance;
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = points[a] as [number, number];
    const [bx, by] = points[b] as [number, number];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD2 = t2;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = points[i] as [number, number];
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - py;
      const d2 = ex * ex + ey * ey;
      if (d2 > worstD2) {
        worstD2 = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

/**
 * Streets as the eye sees them from afar: segments of the same grade, name and class
 * that meet end to end are chained into one line (a city stored block by block has
 * hundreds of thousands of segments, most too short to see at low zoom). A merged line
 * takes the id of its first segment and counts its segments in `properties.segments`.
 */
export function mergeRuns(features: RoadFeature[]): RoadFeature[] {
  const keyOf = (p: number[]) => `${p[0]},${p[1]}`;
  const groupOf = (f: RoadFeature) => `${f.properties.grade}|${f.properties.highway ?? ''}|${f.properties.name ?? ''}`;
  const groups = new Map<string, RoadFeature[]>();
  for (const f of features) {
    const g = groupOf(f);
    const list = groups.get(g);
    if (list) list.push(f);
    else groups.set(g, [f]);
  }
  const merged: RoadFeature[] = [];
  for (const list of groups.values()) {
    // Endpoint -> segments touching it; a run continues only through a point shared by exactly two.
    const atPoint = new Map<string, number[]>();
    list.forEach((f, i) => {
      const c = f.geometry.coordinates;
      for (const k of [keyOf(c[0]!), keyOf(c[c.length - 1]!)]) {
        const at = atPoint.get(k);
        if (at) at.push(i);
        else atPoint.set(k, [i]);
      }
    });
    const used = new Uint8Array(list.length);
    const next = (point: number[], from: number): number | undefined => {
      const at = atPoint.get(keyOf(point))!;
      if (at.length !== 2) return undefined;
      const other = at[0] === from ? at[1]! : at[0]!;
      return used[other] ? undefined : other;
    };
    /** The run's points walking away from `point` through segment i, oriented to start there. */
    const oriented = (i: number, point: number[]): number[][] => {
      const c = list[i]!.geometry.coordinates;
      return keyOf(c[0]!) === keyOf(point) ? c : [...c].reverse();
    };
    for (let start = 0; start < list.length; start++) {
      if (used[start]) continue;
      used[start] = 1;
      const first = list[start]!;
      let line = [...first.geometry.coordinates];
      let count = 1;
      // Grow forward from the last point, then backward from the first.
      for (const forward of [true, false]) {
        let current = start;
        for (;;) {
          const end = forward ? line[line.length - 1]! : line[0]!;
          const n = next(end, current);
          if (n === undefined) break;
          used[n] = 1;
          count++;
          const pts = oriented(n, end);
          line = forward ? [...line, ...pts.slice(1)] : [...[...pts].reverse().slice(0, -1), ...line];
          current = n;
        }
      }
      merged.push(count === 1 ? first : { ...first, geometry: { type: 'LineString', coordinates: line }, properties: { ...first.properties, segments: count } });
    }
  }
  return merged;
}
