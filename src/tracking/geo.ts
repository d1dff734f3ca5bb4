import { EARTH_RADIUS_M, haversineM } from '../../solver/index.js';

/** The distance driven between two plausible fixes; a step implying more than `maxSpeedKmh` is a jump and adds nothing. */
export function plausibleStepM(lat1: number, lon1: number, t1Ms: number, lat2: number, lon2: number, t2Ms: number, maxSpeedKmh: number): number {
  const d = haversineM(lon1, lat1, lon2, lat2);
  const dtS = Math.max((t2Ms - t1Ms) / 1000, 0.001);
  return (d / dtS) * 3.6 > maxSpeedKmh ? 0 : d;
}

/**
 * The same step rule as SQL over the position log (today's distance per vehicle, summed in
 * the store): the radius and the speed limit come in as parameters $3 and $4 (see
 * `stepRuleParams`), so the rule has one source.
 */
export const STEP_DISTANCE_SQL = `
  2 * $3::float8 * asin(least(1, sqrt(power(sin(radians(lat - plat) / 2), 2)
    + cos(radians(plat)) * cos(radians(lat)) * power(sin(radians(lon - plon) / 2), 2))))`;

export const STEP_IS_JUMP_SQL = `m / greatest(extract(epoch from fix_time - ptime), 0.001) * 3.6 > $4::float8`;

export function stepRuleParams(maxPlausibleSpeedKmh: number): [number, number] {
  return [EARTH_RADIUS_M, maxPlausibleSpeedKmh];
}
