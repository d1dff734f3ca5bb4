import type { Db } from '../store/db.js';

/**
 * A vehicle's track for a time range as GeoJSON: one LineString of the whole path plus a
 * Point per fix with its attributes — the replay an enforcement officer files as
 * evidence. Downsampling on request keeps the shape (Ramer-Douglas-Peucker in metres)
 * and always keeps the first and last fix and every fix carrying an alarm. Implausible fixes
 * (GPS jumps) are points flagged `implausible`, kept on downsampling, and left out of the line.
 */
export interface TrackOptions {
  fromMs: number;
  toMs: number;
  /** Drop fixes closer than this to the simplified line (metres); 0 = keep all. */
  simplifyM?: number;
  /** Hard cap on points after simplification (evenly thinned beyond it). */
  maxPoints?: number;
}

interface Row {
  fix_time: Date;
  lat: number;
  lon: number;
  speed_kmh: number;
  heading_deg: number;
  altitude_m: number;
  positioned: boolean;
  acc_on: boolean | null;
  load_state: string | null;
  cover_closed: boolean | null;
  body_lifted: boolean | null;
  load_kg: number | null;
  alarms: string[];
  source: string;
  blind_area: boolean;
  implausible: boolean;
  received_at: Date;
}

export const MAX_TRACK_ROWS = 200_000;

export async function queryTrack(db: Db, vehicleId: string, opts: TrackOptions) {
  const res = await db.query<Row>(
    `select fix_time, lat, lon, speed_kmh, heading_deg, altitude_m, positioned, acc_on, load_state, cover_closed, body_lifted,
            load_kg, alarms, source, blind_area, implausible, received_at
     from positions where vehicle_id = $1 and fix_time >= $2 and fix_time < $3 order by fix_time limit ${MAX_TRACK_ROWS + 1}`,
    [vehicleId, new Date(opts.fromMs), new Date(opts.toMs)],
  );
  const truncated = res.rows.length > MAX_TRACK_ROWS;
  let rows = truncated ? res.rows.slice(0, MAX_TRACK_ROWS) : res.rows;
  const totalFixes = rows.length;
  const implausibleFixes = rows.reduce((n, r) => n + (r.implausible ? 1 : 0), 0);
  if (opts.simplifyM && opts.simplifyM > 0) {
    // The shape is the plausible path's; a jump would only bend it.
    const plausible = rows.filter((r) => !r.implausible);
    if (plausible.length > 2) {
      const keep = rdpKeep(plausible, opts.simplifyM);
      const kept = new Set(plausible.filter((r, i) => keep[i] || (r.alarms?.length ?? 0) > 0));
      rows = rows.filter((r) => r.implausible || kept.has(r));
    }
  }
  if (opts.maxPoints && rows.length > opts.maxPoints) {
    const stride = (rows.length - 1) / (opts.maxPoints - 1);
    const thinned: Row[] = [];
    for (let k = 0; k < opts.maxPoints; k++) thinned.push(rows[Math.round(k * stride)]!);
    rows = thinned;
  }
  const coords = rows.filter((r) => !r.implausible).map((r) => [r.lon, r.lat]);
  return {
    type: 'FeatureCollection' as const,
    properties: { vehicleId, from: new Date(opts.fromMs).toISOString(), to: new Date(opts.toMs).toISOString(), totalFixes, returnedFixes: rows.length, implausibleFixes, truncated },
    features: [
      ...(coords.length >= 2 ? [{ type: 'Feature' as const, properties: { kind: 'path', vehicleId }, geometry: { type: 'LineString' as const, coordinates: coords } }] : []),
      ...rows.map((r) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [r.lon, r.lat] },
        properties: {
          kind: 'fix', fixTime: new Date(r.fix_time).toISOString(), receivedAt: new Date(r.received_at).toISOString(),
          speedKmh: r.speed_kmh, headingDeg: r.heading_deg, altitudeM: r.altitude_m, positioned: r.positioned,
          accOn: r.acc_on, loadState: r.load_state, coverClosed: r.cover_closed, bodyLifted: r.body_lifted, loadKg: r.load_kg,
          alarms: r.alarms ?? [], source: r.source, blindArea: r.blind_area, implausible: r.implausible,
        },
      })),
    ],
  };
}

/** Iterative RDP over an equirectangular projection (fine at city scale). */
function rdpKeep(rows: Row[], toleranceM: number): boolean[] {
  const lat0 = (rows[0]!.lat * Math.PI) / 180;
  const mPerDegLat = 111_320;
  const mPerDegLon = 111_320 * Math.cos(lat0);
  const x = rows.map((r) => r.lon * mPerDegLon);
  const y = rows.map((r) => r.lat * mPerDegLat);
  const keep = new Array<boolean>(rows.length).fill(false);
  keep[0] = true;
  keep[rows.length - 1] = true;
  const stack: Array<[number, number]> = [[0, rows.length - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    let maxD = -1;
    let idx = -1;
    const dx = x[b]! - x[a]!;
    const dy = y[b]! - y[a]!;
    const len2 = dx * dx + dy * dy;
    for (let i = a + 1; i < b; i++) {
      let t = len2 > 0 ? ((x[i]! - x[a]!) * dx + (y[i]! - y[a]!) * dy) / len2 : 0;
      t = Math.max(0, Math.min(1, t));
      const px = x[a]! + t * dx - x[i]!;
      const py = y[a]! + t * dy - y[i]!;
      const d = Math.sqrt(px * px + py * py);
      if (d > maxD) { maxD = d; idx = i; }
    }
    if (maxD > toleranceM && idx > 0) {
      keep[idx] = true;
      stack.push([a, idx], [idx, b]);
    }
  }
  return keep;
}
