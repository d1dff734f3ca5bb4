import type { Queryable } from '../store/db.js';
import type { IncidentEvent } from './incident-event.js';
import type { ComplianceFix } from './vehicle-context.js';

/**
 * What a lane no longer holds about a stretch of a vehicle's past: a blind-area upload older
 * than the history kept (`compliance.historyS`) is judged with the fixes before and after it and
 * reconciled with the incidents already raised there, both read back from the store.
 */
export interface LaneContext {
  /** The vehicle's judged fixes in the range, fix-time order (positioned, plausible). */
  fixes: ComplianceFix[];
  /** Its incidents overlapping the range, as raised (their last event). */
  incidents: Array<{ event: IncidentEvent; closed: boolean }>;
}

export type LaneContextReader = (vehicleId: string, fromMs: number, toMs: number) => Promise<LaneContext>;

interface FixRow {
  fix_time: Date | string;
  lon: number;
  lat: number;
  speed_kmh: number;
  heading_deg: number;
  load_state: ComplianceFix['loadState'] | null;
  load_kg: number | null;
  cover_closed: boolean | null;
  body_lifted: boolean | null;
}

interface IncidentRow {
  key: string;
  type: IncidentEvent['type'];
  permit_id: string | null;
  zone_id: string | null;
  start_at: Date | string;
  end_at: Date | string | null;
  last_event_at: Date | string;
  level: number;
  detection: 'open' | 'closed';
  fix_ids: string[];
  thresholds: IncidentEvent['thresholds'];
  details: IncidentEvent['details'];
}

const ms = (t: Date | string) => new Date(t).getTime();

export function storedLaneContext(db: Queryable): LaneContextReader {
  return async (vehicleId, fromMs, toMs) => {
    const fixes = await db.query<FixRow>(
      `select fix_time, lon, lat, speed_kmh, heading_deg, load_state, load_kg, cover_closed, body_lifted from positions
       where vehicle_id = $1 and fix_time >= $2 and fix_time <= $3 and positioned and not implausible order by fix_time`,
      [vehicleId, new Date(fromMs), new Date(toMs)],
    );
    const incidents = await db.query<IncidentRow>(
      `select key, type, permit_id, zone_id, start_at, end_at, last_event_at, level, detection, fix_ids, thresholds, details from incidents
       where vehicle_id = $1 and start_at <= $3 and (end_at is null or end_at >= $2)`,
      [vehicleId, new Date(fromMs), new Date(toMs)],
    );
    return {
      fixes: fixes.rows.map((r) => ({
        vehicleId, fixTimeMs: ms(r.fix_time), lon: r.lon, lat: r.lat, speedKmh: r.speed_kmh, headingDeg: r.heading_deg, positioned: true,
        loadState: r.load_state ?? undefined, loadKg: r.load_kg ?? undefined, coverClosed: r.cover_closed ?? undefined, bodyLifted: r.body_lifted ?? undefined,
      })),
      incidents: incidents.rows.map((r) => ({
        closed: r.detection === 'closed',
        event: {
          key: r.key, phase: 'open', type: r.type, vehicleId, ...(r.permit_id ? { permitId: r.permit_id } : {}), ...(r.zone_id ? { zoneId: r.zone_id } : {}),
          startMs: ms(r.start_at), ...(r.end_at ? { endMs: ms(r.end_at) } : {}), atMs: ms(r.last_event_at), level: r.level,
          fixIds: r.fix_ids, thresholds: r.thresholds, details: r.details,
        },
      })),
    };
  };
}
