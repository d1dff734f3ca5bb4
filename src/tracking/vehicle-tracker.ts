import type { CityProfile } from '../domain/city-profile.js';
import type { Vehicle } from '../domain/model.js';
import type { Motion, VehicleState } from '../domain/vehicle-state.js';
import type { Logger } from 'pino';
import { silentLogger } from '../logger.js';
import type { Db } from '../store/db.js';
import type { FleetEvents, FleetStateSource } from './fleet-events.js';
import { plausibleStepM, STEP_DISTANCE_SQL, STEP_IS_JUMP_SQL, stepRuleParams } from './geo.js';
import { localDayStartMs } from './local-day.js';
import type { StoredFix } from './position-writer.js';

/**
 * Per-vehicle state from committed fixes. The latest fix is the one with the greatest fix
 * time, whatever order fixes arrive in; a late batch (a terminal's blind-area upload)
 * is stored but does not move the vehicle back — instead today's distance is recomputed
 * from the log so it stays right. Implausible fixes (GPS jumps) are left out of both.
 */
const TRIP_BREAK_MS = 5 * 60_000;

interface Internal extends VehicleState {
  lastMovingMs?: number;
}

/** Today's distance per vehicle from the log's plausible fixes, by the same step rule as the live sum ($1 day start, $2 vehicle or null, $3-$4 the step rule). */
const DISTANCE_SQL = `
with steps as (
  select vehicle_id, fix_time, lat, lon,
         lag(lat) over w as plat, lag(lon) over w as plon, lag(fix_time) over w as ptime
  from positions where fix_time >= $1 and ($2::text is null or vehicle_id = $2) and not implausible
  window w as (partition by vehicle_id order by fix_time)
), d as (
  select vehicle_id, fix_time, ptime, ${STEP_DISTANCE_SQL} as m
  from steps where plat is not null
)
select vehicle_id, coalesce(sum(case when ${STEP_IS_JUMP_SQL} then 0 else m end), 0) as meters
from d group by vehicle_id`;

export class VehicleTracker implements FleetStateSource {
  private readonly states = new Map<string, Internal>();
  private readonly recomputeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private sweepTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly db: Db,
    private readonly events: FleetEvents,
    private readonly profile: () => CityProfile,
    private readonly now: () => number = Date.now,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Loads the fleet and each vehicle's latest fix and distance today from the store. */
  async load(vehicles: Vehicle[]): Promise<void> {
    for (const v of vehicles) this.upsertVehicle(v);
    const latest = await this.db.query<{ vehicle_id: string; fix_time: Date; lat: number; lon: number; speed_kmh: number; heading_deg: number; acc_on: boolean | null; positioned: boolean; alarms: string[]; load_state: string | null; cover_closed: boolean | null; body_lifted: boolean | null; load_kg: number | null }>(
      `select distinct on (vehicle_id) vehicle_id, fix_time, lat, lon, speed_kmh, heading_deg, acc_on, positioned, alarms,
              load_state, cover_closed, body_lifted, load_kg
       from positions where not implausible order by vehicle_id, fix_time desc`);
    for (const r of latest.rows) {
      const s = this.states.get(r.vehicle_id);
      if (!s) continue;
      s.latest = { fixTimeMs: new Date(r.fix_time).getTime(), lat: r.lat, lon: r.lon, speedKmh: r.speed_kmh, headingDeg: r.heading_deg, accOn: r.acc_on ?? undefined, positioned: r.positioned, alarms: r.alarms ?? [] };
      s.loadState = (r.load_state ?? undefined) as VehicleState['loadState'];
      s.coverClosed = r.cover_closed ?? undefined;
      s.bodyLifted = r.body_lifted ?? undefined;
      s.loadKg = r.load_kg ?? undefined;
      s.motion = this.motionOf(s);
    }
    const dayStart = localDayStartMs(this.now(), this.profile().timeZone);
    const dist = await this.db.query<{ vehicle_id: string; meters: number }>(DISTANCE_SQL, [new Date(dayStart), null, ...stepRuleParams(this.profile().tracking.maxPlausibleSpeedKmh)]);
    for (const r of dist.rows) {
      const s = this.states.get(r.vehicle_id);
      if (s) s.distanceTodayM = Number(r.meters);
    }
  }

  /** A vehicle was created or changed in the city model. */
  upsertVehicle(v: Vehicle): void {
    const s = this.states.get(v.id);
    if (s) {
      Object.assign(s, { plate: v.plate, kind: v.kind, wasteClasses: v.wasteClasses, district: v.district, contractor: v.contractor });
      return;
    }
    this.states.set(v.id, {
      vehicleId: v.id, plate: v.plate, kind: v.kind, wasteClasses: v.wasteClasses, district: v.district, contractor: v.contractor,
      motion: 'offline', distanceTodayM: 0, tripDistanceM: 0, updatedAtMs: this.now(),
    });
  }

  removeVehicle(vehicleId: string): void {
    this.states.delete(vehicleId);
  }

  snapshot(): VehicleState[] {
    return [...this.states.values()].map(publicState);
  }

  get(vehicleId: string): VehicleState | undefined {
    const s = this.states.get(vehicleId);
    return s && publicState(s);
  }

  /** Applies committed fixes (any order) and emits one state per vehicle that changed. */
  apply(fixes: StoredFix[]): void {
    const byVehicle = new Map<string, StoredFix[]>();
    for (const f of fixes) {
      if (f.implausible) continue; // evidence in the log, not a place the vehicle was
      if (!byVehicle.has(f.vehicleId)) byVehicle.set(f.vehicleId, []);
      byVehicle.get(f.vehicleId)!.push(f);
    }
    const profile = this.profile();
    const nowMs = this.now();
    const todayStart = localDayStartMs(nowMs, profile.timeZone);
    for (const [vehicleId, list] of byVehicle) {
      const s = this.states.get(vehicleId);
      if (!s) continue;
      list.sort((a, b) => a.fixTimeMs - b.fixTimeMs);
      let late = false;
      for (const f of list) {
        const prev = s.latest;
        if (prev && f.fixTimeMs <= prev.fixTimeMs) {
          late = late || f.fixTimeMs >= todayStart;
          continue;
        }
        if (prev && localDayStartMs(prev.fixTimeMs, profile.timeZone) !== localDayStartMs(f.fixTimeMs, profile.timeZone)) {
          s.distanceTodayM = 0;
        }
        const stepM = prev ? plausibleStepM(prev.lat, prev.lon, prev.fixTimeMs, f.lat, f.lon, f.fixTimeMs, profile.tracking.maxPlausibleSpeedKmh) : 0;
        if (f.fixTimeMs >= todayStart) s.distanceTodayM += stepM;
        const moving = f.speedKmh >= profile.tracking.stoppedBelowKmh;
        if (moving) {
          if (s.tripStartedAtMs === undefined || (s.lastMovingMs !== undefined && f.fixTimeMs - s.lastMovingMs > TRIP_BREAK_MS)) {
            s.tripStartedAtMs = f.fixTimeMs;
            s.tripDistanceM = 0;
          } else {
            s.tripDistanceM += stepM;
          }
          s.lastMovingMs = f.fixTimeMs;
        }
        s.latest = { fixTimeMs: f.fixTimeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, headingDeg: f.headingDeg, accOn: f.accOn, positioned: f.positioned, alarms: f.alarms };
        if (f.loadState !== undefined) s.loadState = f.loadState;
        if (f.coverClosed !== undefined) s.coverClosed = f.coverClosed;
        if (f.bodyLifted !== undefined) s.bodyLifted = f.bodyLifted;
        if (f.loadKg !== undefined) s.loadKg = f.loadKg;
      }
      s.motion = this.motionOf(s);
      s.updatedAtMs = nowMs;
      this.events.emit('state', publicState(s));
      if (late) this.scheduleRecompute(vehicleId, todayStart);
    }
  }

  /** Marks vehicles offline as their last fix ages; call periodically. */
  sweep(): void {
    for (const s of this.states.values()) {
      const motion = this.motionOf(s);
      if (motion !== s.motion) {
        s.motion = motion;
        s.updatedAtMs = this.now();
        this.events.emit('state', publicState(s));
      }
    }
  }

  startSweeping(intervalMs = 10_000): void {
    this.sweepTimer = setInterval(() => this.sweep(), intervalMs);
    this.sweepTimer.unref();
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const t of this.recomputeTimers.values()) clearTimeout(t);
    this.recomputeTimers.clear();
  }

  /** Waits for pending distance recomputations (tests, shutdown). */
  async settle(): Promise<void> {
    const ids = [...this.recomputeTimers.keys()];
    for (const id of ids) {
      clearTimeout(this.recomputeTimers.get(id)!);
      this.recomputeTimers.delete(id);
      await this.recomputeDistance(id, localDayStartMs(this.now(), this.profile().timeZone));
    }
  }

  private motionOf(s: Internal): Motion {
    if (!s.latest) return 'offline';
    const { offlineAfterS, stoppedBelowKmh } = this.profile().tracking;
    if (this.now() - s.latest.fixTimeMs > offlineAfterS * 1000) return 'offline';
    return s.latest.speedKmh >= stoppedBelowKmh ? 'moving' : 'stopped';
  }

  private scheduleRecompute(vehicleId: string, dayStartMs: number): void {
    if (this.recomputeTimers.has(vehicleId)) return;
    const t = setTimeout(() => {
      this.recomputeTimers.delete(vehicleId);
      // The live sum stands until the next late fix tries again.
      this.recomputeDistance(vehicleId, dayStartMs).catch((err: unknown) => this.logger.warn({ err, vehicleId }, "tracker: today's distance not recomputed after late fixes"));
    }, 1000);
    t.unref();
    this.recomputeTimers.set(vehicleId, t);
  }

  private async recomputeDistance(vehicleId: string, dayStartMs: number): Promise<void> {
    const res = await this.db.query<{ meters: number }>(DISTANCE_SQL, [new Date(dayStartMs), vehicleId, ...stepRuleParams(this.profile().tracking.maxPlausibleSpeedKmh)]);
    const s = this.states.get(vehicleId);
    if (!s) return;
    s.distanceTodayM = Number(res.rows[0]?.meters ?? 0);
    s.updatedAtMs = this.now();
    this.events.emit('state', publicState(s));
  }
}

function publicState(s: Internal): VehicleState {
  const { lastMovingMs: _m, ...rest } = s;
  return { ...rest, distanceTodayM: Math.round(rest.distanceTodayM), tripDistanceM: Math.round(rest.tripDistanceM) };
}
