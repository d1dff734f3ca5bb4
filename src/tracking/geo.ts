const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance between two consecutive fixes (they are 10-30 s apart, so this is the distance driven). */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The distance driven between two plausible fixes; a step implying more than `maxSpeedKmh` is a jump and adds nothing. */
export function plausibleStepM(lat1: number, lon1: number, t1Ms: number, lat2: number, lon2: number, t2Ms: number, maxSpeedKmh: number): number {
  const d = haversineM(lat1, lon1, lat2, lon2);
  const dtS = Math.max((t2Ms - t1Ms) / 1000, 0.001);
  return (d / dtS) * 3.6 > maxSpeedKmh ? 0 : d;
}
