import { z } from 'zod';
import { haversineM } from '../../solver/index.js';

/**
 * GeoJSON geometry schemas (RFC 7946, WGS84 lon/lat). Every geometry that enters the
 * service passes through one of these, so nothing downstream has to re-check ranges,
 * NaN or ring closure.
 */
const longitude = z.number().finite().min(-180, 'longitude must be >= -180').max(180, 'longitude must be <= 180');
const latitude = z.number().finite().min(-90, 'latitude must be >= -90').max(90, 'latitude must be <= 90');

/** [lon, lat] or [lon, lat, altitude]. */
export const position = z.union([
  z.tuple([longitude, latitude]),
  z.tuple([longitude, latitude, z.number().finite()]),
]);
export type Position = z.infer<typeof position>;

export const pointGeometry = z.strictObject({
  type: z.literal('Point'),
  coordinates: position,
});
export type PointGeometry = z.infer<typeof pointGeometry>;

export const lineStringGeometry = z.strictObject({
  type: z.literal('LineString'),
  coordinates: z.array(position).min(2, 'a LineString needs at least 2 positions').max(100_000),
}).superRefine((line, ctx) => {
  const distinct = new Set(line.coordinates.map((p) => `${p[0]},${p[1]}`));
  if (distinct.size < 2) ctx.addIssue({ code: 'custom', path: ['coordinates'], message: 'a LineString needs two distinct positions' });
});
export type LineStringGeometry = z.infer<typeof lineStringGeometry>;

const linearRing = z.array(position).min(4, 'a polygon ring needs at least 4 positions').max(100_000).superRefine((ring, ctx) => {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) {
    ctx.addIssue({ code: 'custom', message: 'a polygon ring must be closed (first position equals last)' });
  }
  if (Math.abs(signedRingArea(ring)) === 0) {
    ctx.addIssue({ code: 'custom', message: 'a polygon ring must enclose an area' });
  }
});

export const polygonGeometry = z.strictObject({
  type: z.literal('Polygon'),
  coordinates: z.array(linearRing).min(1, 'a Polygon needs an outer ring').max(1000),
});
export type PolygonGeometry = z.infer<typeof polygonGeometry>;

/** Shoelace area in degree² — only its sign and zero-ness are used. */
function signedRingArea(ring: Position[]): number {
  let area = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    area += a[0] * b[1] - b[0] * a[1];
  }
  return area / 2;
}

/** Great-circle distance in metres between two GeoJSON positions ([lon, lat, …]). */
export function distanceM(a: readonly number[], b: readonly number[]): number {
  return haversineM(a[0]!, a[1]!, b[0]!, b[1]!);
}
