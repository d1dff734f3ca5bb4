import { z } from 'zod';

/**
 * A normalized GPS fix, whatever protocol it arrived on. Times are UTC epoch ms
 * (JT/T 808 terminals report GMT+8; decoders convert before building a Fix).
 */
export type LoadState = 'empty' | 'half' | 'full';

export type FixSource = 'jt808' | 'osmand' | 'json';

export interface Fix {
  /** Device identity as reported: JT/T 808 terminal phone number, OsmAnd `id`, or integrator device id. */
  deviceId: string;
  /** Resolved by the pipeline from the device binding; decoders leave it undefined. */
  vehicleId?: string;
  fixTimeMs: number;
  lat: number;
  lon: number;
  speedKmh: number;
  headingDeg: number;
  altitudeM: number;
  /** GNSS says the position is valid. */
  positioned: boolean;
  accOn?: boolean;
  loadState?: LoadState;
  coverClosed?: boolean;
  bodyLifted?: boolean;
  /** Sweeping / washing gear on (a sweeper's or washer's terminal, by its model's profile); undefined = not reported. */
  working?: boolean;
  loadKg?: number;
  /** Named alarm flags that are set (e.g. 'sos', 'overspeed', 'routeDeviation'). */
  alarms: string[];
  alarmWord?: number;
  statusWord?: number;
  odometerM?: number;
  satellites?: number;
  source: FixSource;
  /** Re-upload of stored points after a coverage gap (JT/T 808 0x0704 type 1). */
  blindArea?: boolean;
  /** Everything else a decoder found, with stable key names. */
  attributes?: Record<string, number | string | boolean>;
}

/**
 * PostgreSQL stores no U+0000 in text or jsonb (errors 22021 / 22P05), so a NUL in any
 * string of a fix is refused where the fix enters, as a field error, never at the store.
 */
export const NUL_MESSAGE = 'must not contain U+0000 (NUL)';

export function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/** A string field of a fix as the edge schemas accept it. */
export const fixText = z.string().refine((s) => !hasNul(s), NUL_MESSAGE);

/** The path of the first string of a fix holding a NUL (deviceId, alarms.2, attributes.note), or null. */
export function nulTextPath(fix: Fix): string | null {
  if (hasNul(fix.deviceId)) return 'deviceId';
  if (fix.vehicleId !== undefined && hasNul(fix.vehicleId)) return 'vehicleId';
  for (let i = 0; i < fix.alarms.length; i++) if (hasNul(fix.alarms[i]!)) return `alarms.${i}`;
  if (fix.attributes) {
    for (const key in fix.attributes) {
      const value = fix.attributes[key];
      if (hasNul(key) || (typeof value === 'string' && hasNul(value))) return `attributes.${key}`;
    }
  }
  return null;
}
