import { EARTH_RADIUS_M, haversineM } from '../../solver/index.js';

/** A step implying more than this is a GPS jump, not driving: it adds no distance. */
export const MAX_PLAUSIBLE_SPEED_KMH = 200;

/** Distance driven between two consecutive fixes (10-30 s apart): the great-circle step, or 0 for a jump. */
export function plausibleStepM(lat1: number, lon1: number, t1Ms: number, lat2: number, lon2: number, t2Ms: number): number {
  const d = haversineM(lon1, lat1, lon2, lat2);
  const dtS = Math.max((t2Ms - t1Ms) / 1000, 0.001);
  return (d / dtS) * 3.6 > MAX_PLAUSIBLE_SPEED_KMH ? 0 : d;
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

export function stepRuleParams(): [number, number] {
  return [EARTH_RADIUS_M, MAX_PLAUSIBLE_SPEED_KMH];
}
