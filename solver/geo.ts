// Spherical helpers in metres, plus a local equirectangular projection: within a city the
// projection error (< 0.1% over 50 km) is far below GPS noise, and it keeps snapping cheap.
// The project's one great-circle distance: src/ takes it (and the radius, for the one SQL
// aggregate that sums distances in the store) through solver/index.ts.

/** Mean earth radius (IUGG), the one turf and OSRM use. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres; arguments in GeoJSON order (lon before lat). */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Metres per degree of longitude and latitude around `lat0`. */
export function metresPerDegree(lat0: number): { xM: number; yM: number } {
  const yM = EARTH_RADIUS_M * RAD;
  return { xM: yM * Math.cos(lat0 * RAD), yM };
}

/** Ray casting on a GeoJSON ring (lon/lat pairs); the ring may or may not repeat its first point. */
export function pointInRing(lon: number, lat: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** GeoJSON polygon rule: inside the outer ring and outside every hole. */
export function pointInPolygon(lon: number, lat: number, rings: number[][][]): boolean {
  if (rings.length === 0 || !pointInRing(lon, lat, rings[0])) return false;
  for (let h = 1; h < rings.length; h++) if (pointInRing(lon, lat, rings[h])) return false;
  return true;
}
