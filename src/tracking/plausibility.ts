import type { Db } from '../store/db.js';
import { haversineM } from '../../solver/index.js';
import type { StoredFix } from './position-writer.js';

/**
 * Which fixes are physically implausible: a fix is flagged when the speed implied from the
 * vehicle's previous plausible fix (in fix-time order) is above the city's limit — a 1 km
 * jump in 10 s is 360 km/h, a multipath spike, not a truck. Flagged fixes stay in the log
 * as evidence; distance, vehicle state and compliance leave them out.
 *
 * The writer asks before each insert, one batch at a time, so the judgement follows the
 * order of commits. In-order fixes are judged against an anchor kept per vehicle; a late
 * fix (older than the anchor: a blind-area upload) against the store's latest plausible fix
 * before it. A late fix does not re-judge fixes already stored after it: flags are decided
 * when a fix arrives, against what was known then.
 */
export interface FixPoint {
  fixTimeMs: number;
  lat: number;
  lon: number;
}

/**
 * GPS error of a few tens of metres between fixes a second apart would imply hundreds of
 * km/h; a step this short is never a jump.
 */
export const JITTER_TOLERANCE_M = 50;

/**
 * Fixes in a row that agree with each other but not with the anchor: after this many, the
 * vehicle is where they say (the anchor was the wrong one: a bad first fix, a truck towed
 * with its terminal off), and the last of them becomes the anchor. Without it one bad anchor
 * would flag every fix until time alone made the jump look slow.
 */
export const REANCHOR_AFTER_FIXES = 3;

/** Whether `to` follows `from` at a speed a vehicle can drive. */
export function isPlausibleStep(from: FixPoint, to: FixPoint, maxSpeedKmh: number): boolean {
  const m = haversineM(from.lon, from.lat, to.lon, to.lat);
  if (m <= JITTER_TOLERANCE_M) return true;
  const dtS = Math.max(Math.abs(to.fixTimeMs - from.fixTimeMs) / 1000, 0.001);
  return (m / dtS) * 3.6 <= maxSpeedKmh;
}

interface VehicleTrail {
  anchor: FixPoint;
  /** Consecutive implausible fixes that agree with each other. */
  run?: { last: FixPoint; count: number };
}

/**
 * Per vehicle with late fixes in [from, to]: the log's plausible fixes from the latest one
 * before `from` up to `to` (exclusive) — one range scan per vehicle, not one probe per fix.
 */
const STORED_AROUND_SQL = `
with r as (select * from unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) as r(vehicle_id, t_from, t_to))
select r.vehicle_id, p.fix_time, p.lat, p.lon from r
cross join lateral (
  select fix_time, lat, lon from positions p
  where p.vehicle_id = r.vehicle_id and p.fix_time < r.t_from and not p.implausible
  order by p.fix_time desc limit 1) p
union all
select r.vehicle_id, p.fix_time, p.lat, p.lon from r
join positions p on p.vehicle_id = r.vehicle_id and p.fix_time >= r.t_from and p.fix_time < r.t_to and not p.implausible
order by 1, 2`;

export class PlausibilityJudge {
  private readonly trails = new Map<string, VehicleTrail>();

  constructor(private readonly db: Db, private readonly maxSpeedKmh: () => number) {}

  /** The latest plausible fix of a vehicle, e.g. from the tracker's state at start. */
  seed(vehicleId: string, latest: FixPoint): void {
    this.trails.set(vehicleId, { anchor: { fixTimeMs: latest.fixTimeMs, lat: latest.lat, lon: latest.lon } });
  }

  /**
   * Sets `implausible` on every row of a batch about to be inserted. Anchors move with the
   * batch's in-order fixes at once: a row the store then refuses (rare) still counts as seen,
   * which is harmless — it was a real, plausible position.
   */
  async judge(rows: StoredFix[]): Promise<void> {
    const limit = this.maxSpeedKmh();
    // In fix-time order across the batch is in fix-time order for each vehicle: one sort, no grouping.
    const ordered = rows.slice().sort((a, b) => a.fixTimeMs - b.fixTimeMs);
    const late: StoredFix[] = [];
    for (const f of ordered) {
      // An anchor only moves forward to fixes before this one, so this is the anchor the batch started with.
      const anchorMs = this.trails.get(f.vehicleId)?.anchor.fixTimeMs ?? -Infinity;
      if (f.fixTimeMs <= anchorMs) late.push(f);
      else f.implausible = !this.advance(f.vehicleId, f, limit);
    }
    if (late.length > 0) {
      // judgeLate walks each vehicle's late fixes together, in time order (a stable sort keeps it).
      late.sort((a, b) => (a.vehicleId < b.vehicleId ? -1 : a.vehicleId > b.vehicleId ? 1 : 0));
      await this.judgeLate(late, limit);
    }
  }

  /** Judges an in-order fix against the vehicle's trail and moves the trail on; true when plausible. */
  private advance(vehicleId: string, f: FixPoint, limit: number): boolean {
    const point = { fixTimeMs: f.fixTimeMs, lat: f.lat, lon: f.lon };
    const trail = this.trails.get(vehicleId);
    if (!trail) {
      this.trails.set(vehicleId, { anchor: point });
      return true;
    }
    if (isPlausibleStep(trail.anchor, point, limit)) {
      trail.anchor = point;
      trail.run = undefined;
      return true;
    }
    if (trail.run && isPlausibleStep(trail.run.last, point, limit)) {
      trail.run.last = point;
      trail.run.count++;
    } else {
      trail.run = { last: point, count: 1 };
    }
    if (trail.run.count >= REANCHOR_AFTER_FIXES) {
      trail.anchor = point;
      trail.run = undefined;
      return true;
    }
    return false;
  }

  /** Late fixes (sorted per vehicle): each against the latest plausible fix before it, from the log or the batch. */
  private async judgeLate(late: StoredFix[], limit: number): Promise<void> {
    const ranges = new Map<string, { fromMs: number; toMs: number }>();
    for (const f of late) {
      const r = ranges.get(f.vehicleId);
      if (!r) ranges.set(f.vehicleId, { fromMs: f.fixTimeMs, toMs: f.fixTimeMs });
      else r.toMs = Math.max(r.toMs, f.fixTimeMs);
    }
    const ids = [...ranges.keys()];
    const res = await this.db.query<{ vehicle_id: string; fix_time: Date | string; lat: number; lon: number }>(STORED_AROUND_SQL, [
      ids, ids.map((id) => new Date(ranges.get(id)!.fromMs).toISOString()), ids.map((id) => new Date(ranges.get(id)!.toMs).toISOString()),
    ]);
    const stored = new Map<string, FixPoint[]>();
    for (const r of res.rows) {
      let list = stored.get(r.vehicle_id);
      if (!list) stored.set(r.vehicle_id, (list = []));
      list.push({ fixTimeMs: new Date(r.fix_time).getTime(), lat: r.lat, lon: r.lon });
    }
    let vehicleId: string | undefined;
    let log: FixPoint[] = [];
    let next = 0;
    let previous: FixPoint | undefined;
    for (const f of late) {
      if (f.vehicleId !== vehicleId) {
        vehicleId = f.vehicleId;
        log = stored.get(vehicleId) ?? [];
        next = 0;
        previous = undefined;
      }
      // The log's plausible fixes before this one, merged in time order with the batch's.
      while (next < log.length && log[next]!.fixTimeMs < f.fixTimeMs) {
        if (!previous || log[next]!.fixTimeMs > previous.fixTimeMs) previous = log[next];
        next++;
      }
      f.implausible = previous !== undefined && !isPlausibleStep(previous, f, limit);
      if (!f.implausible) previous = f;
    }
  }
}
