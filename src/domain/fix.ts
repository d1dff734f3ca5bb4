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
