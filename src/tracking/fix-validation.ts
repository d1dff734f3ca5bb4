import { nulTextPath, type Fix } from '../domain/fix.js';

/**
 * Whether a fix may enter the position log. A rejected fix is counted by reason and
 * never stored; the device is still answered (resending it would not make it valid).
 * 'store_refused' is not decided here: it is a fix that passed these checks and that the
 * store still refused, set apart from the others committed with it (see PositionWriter).
 */
export type FixRejectReason =
  | 'nan' | 'lat_range' | 'lon_range' | 'null_island' | 'speed_range' | 'future' | 'stale' | 'unknown_device' | 'foreign_vehicle'
  | 'nul_text' | 'store_refused';

export const MAX_FUTURE_MS = 5 * 60_000;

export function validateFix(fix: Fix, nowMs: number, maxAgeMs: number): FixRejectReason | null {
  const numbers = [fix.lat, fix.lon, fix.speedKmh, fix.headingDeg, fix.altitudeM, fix.fixTimeMs];
  if (numbers.some((n) => typeof n !== 'number' || !Number.isFinite(n))) return 'nan';
  if (fix.lat < -90 || fix.lat > 90) return 'lat_range';
  if (fix.lon < -180 || fix.lon > 180) return 'lon_range';
  // (0, 0) is what an unpositioned terminal reports, not a place a city truck can be.
  if (fix.lat === 0 && fix.lon === 0) return 'null_island';
  if (fix.speedKmh < 0 || fix.speedKmh > 400) return 'speed_range';
  if (fix.fixTimeMs > nowMs + MAX_FUTURE_MS) return 'future';
  if (fix.fixTimeMs < nowMs - maxAgeMs) return 'stale';
  // The edges answer a NUL with a 400 naming the field; this keeps it from the store whatever the protocol.
  if (nulTextPath(fix) !== null) return 'nul_text';
  return null;
}
