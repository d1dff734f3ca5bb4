import type { CityProfile } from '../../domain/city-profile.js';
import type { PlanTargets } from './targets.js';
import { VehicleActual, type ActualFix, type ActualSettings, type Router } from './vehicle-actual.js';

/**
 * A plan against what its vehicles did: each planned stop and street is
 *   pending (not yet due) → done (served in its window / all passes by the deadline)
 *                         → late (served, but after the window / the deadline)
 *                         → missed (the window or deadline has passed unserved; late if served afterwards).
 * The same object serves the live path (fixes as committed, judged at the wall clock) and the
 * batch path (a stored day, `detectDay`).
 */
export type ActualState = 'pending' | 'done' | 'late' | 'missed';

export interface ActualStatus {
  key: string;
  kind: 'stop' | 'segment';
  /** stops: the one vehicle; segments: every vehicle the plan sends over it */
  vehicleIds: string[];
  /** collection point or road segment */
  recordId: string;
  /** solver job or sweep task */
  itemId: string;
  visit?: number;
  seq?: number;
  status: ActualState;
  /** who says it was served: the fixes ('gps'), the driver's mark ('driver'); null while unserved */
  source: 'gps' | 'driver' | null;
  /** window start (stops); first planned pass (segments) */
  fromMs: number;
  /** window end (stops); deadline (segments) */
  dueMs: number;
  plannedStartMs: number;
  arrivalMs?: number;
  /** end of the dwell (stops); end of the pass that completed the requirement (segments) */
  departureMs?: number;
  passes?: number;
  requiredPasses?: number;
  /** segments: the street's length */
  lengthM?: number;
  /** segments: the largest share of the street one working stay covered without making a pass (0: none) */
  partialShare?: number;
}

/** The profile's word on what counts as served. */
export function actualSettings(profile: CityProfile): ActualSettings {
  const a = profile.planning.actual;
  return {
    stopRadiusM: a.stopRadiusM, minDwellS: a.minDwellS, maxFixGapS: a.maxFixGapS, stoppedBelowKmh: profile.tracking.stoppedBelowKmh,
    segmentToleranceM: a.segmentToleranceM, minCoverage: a.minCoverage,
    workSpeedMaxKmh: profile.speedLimitsKmh.sweeperWorking + a.workSpeedToleranceKmh,
    spreadSpeedMaxKmh: profile.winter.spreadSpeedKmh + a.workSpeedToleranceKmh,
    silentGraceMs: a.silentGraceMin * 60_000, gearReportedAtOnce: a.gearReportedAtOnce,
  };
}

export class PlanActual {
  private readonly vehicles = new Map<string, VehicleActual>();
  /** Stops a driver marked done by hand (stop key → when). */
  private readonly marks = new Map<string, number>();

  /** `routerFor`: the road path between a vehicle's fixes (see VehicleActual), per vehicle. */
  constructor(readonly targets: PlanTargets, private readonly settings: ActualSettings, private readonly routerFor?: (vehicleId: string) => Router | undefined) {
    for (const id of this.vehicleIds()) this.vehicles.set(id, this.fresh(id));
  }

  vehicleIds(): string[] {
    const ids = new Set<string>();
    for (const s of this.targets.stops) ids.add(s.vehicleId);
    for (const s of this.targets.segments) for (const v of s.vehicleIds) ids.add(v);
    return [...ids].sort();
  }

  has(vehicleId: string): boolean {
    return this.vehicles.has(vehicleId);
  }

  /** The fix time the vehicle has been judged up to (a fix before it needs `replay`). */
  lastFixMs(vehicleId: string): number {
    return this.vehicles.get(vehicleId)?.lastFixMs ?? -Infinity;
  }

  ingest(vehicleId: string, fix: ActualFix): void {
    this.vehicles.get(vehicleId)?.ingest(fix);
  }

  /** Judges a vehicle again from all its fixes (sorted by time): a late batch arrived. */
  replay(vehicleId: string, fixes: ActualFix[]): void {
    if (!this.vehicles.has(vehicleId)) return;
    const v = this.fresh(vehicleId);
    for (const f of fixes) v.ingest(f);
    this.vehicles.set(vehicleId, v);
  }

  /** The day is over: what the fixes held back and open dwells or passes say is taken in. */
  flush(): void {
    for (const v of this.vehicles.values()) v.flush();
  }

  mark(stopKey: string, atMs: number): void {
    this.marks.set(stopKey, atMs);
  }

  /**
   * Past its due time unserved is missed only on evidence: the vehicles have reported from after
   * it, or have been silent `silentGraceMs` past it (until then it stays pending).
   */
  private overdue(vehicleIds: string[], dueMs: number, nowMs: number): boolean {
    if (nowMs < dueMs) return false;
    if (nowMs >= dueMs + (this.settings.silentGraceMs ?? 0)) return true;
    return vehicleIds.every((id) => (this.vehicles.get(id)?.lastFixMs ?? -Infinity) >= dueMs);
  }

  /** Every stop and street as of `nowMs`. */
  evaluate(nowMs: number): ActualStatus[] {
    const out: ActualStatus[] = [];
    for (const s of this.targets.stops) {
      const v = this.vehicles.get(s.vehicleId)!;
      const visit = v.visits.get(s.key);
      const marked = this.marks.get(s.key);
      const base = {
        key: s.key, kind: 'stop' as const, vehicleIds: [s.vehicleId], recordId: s.pointId, itemId: s.jobId, visit: s.visit, seq: s.seq,
        fromMs: s.windowStartMs, dueMs: s.windowEndMs, plannedStartMs: s.plannedStartMs,
      };
      if (visit) {
        out.push({ ...base, status: visit.arrivalMs <= s.windowEndMs ? 'done' : 'late', source: 'gps', arrivalMs: visit.arrivalMs, departureMs: visit.departureMs });
      } else if (marked !== undefined) {
        out.push({ ...base, status: marked <= s.windowEndMs ? 'done' : 'late', source: 'driver', arrivalMs: marked });
      } else {
        const missed = this.overdue([s.vehicleId], s.windowEndMs, nowMs) && !v.dwellingAt(s.key);
        out.push({ ...base, status: missed ? 'missed' : 'pending', source: null });
      }
    }
    for (const g of this.targets.segments) {
      const times = g.vehicleIds.flatMap((id) => this.vehicles.get(id)?.passes.get(g.key) ?? []).sort((a, b) => a - b);
      const completedMs = times.length >= g.requiredPasses ? times[g.requiredPasses - 1] : undefined;
      const status: ActualState = completedMs !== undefined ? (completedMs <= g.deadlineMs ? 'done' : 'late') : this.overdue(g.vehicleIds, g.deadlineMs, nowMs) ? 'missed' : 'pending';
      out.push({
        key: g.key, kind: 'segment', vehicleIds: g.vehicleIds, recordId: g.segmentId, itemId: g.taskId, status, source: completedMs !== undefined ? 'gps' : null,
        fromMs: g.plannedStartMs, dueMs: g.deadlineMs, plannedStartMs: g.plannedStartMs,
        ...(completedMs !== undefined ? { departureMs: completedMs } : {}), passes: times.length, requiredPasses: g.requiredPasses,
        lengthM: g.lengthM,
        ...(status === 'missed' ? { partialShare: Math.max(0, ...g.vehicleIds.map((id) => this.vehicles.get(id)?.partialShares.get(g.key) ?? 0)) } : {}),
      });
    }
    return out;
  }

  private fresh(vehicleId: string): VehicleActual {
    const segments = this.targets.segments.filter((s) => s.vehicleIds.includes(vehicleId));
    // a spreader's streets are all salt spreading (one kind of work per route): its own speed limit
    const spreads = segments.length > 0 && segments.every((s) => s.taskId.startsWith('spread:'));
    return new VehicleActual(
      vehicleId,
      this.targets.stops.filter((s) => s.vehicleId === vehicleId),
      segments,
      spreads && this.settings.spreadSpeedMaxKmh !== undefined ? { ...this.settings, workSpeedMaxKmh: this.settings.spreadSpeedMaxKmh } : this.settings,
      this.routerFor?.(vehicleId),
      (this.targets.places ?? []).filter((p) => p.vehicleId === vehicleId),
    );
  }
}

/**
 * The batch path: a plan and a stored day's fixes (per vehicle, any order; implausible ones
 * already left out) → every stop's and street's status at `atMs` (default: after the last due time and the silent grace).
 */
export function detectDay(targets: PlanTargets, fixesByVehicle: Map<string, ActualFix[]>, settings: ActualSettings, atMs?: number, routerFor?: (vehicleId: string) => Router | undefined): ActualStatus[] {
  const actual = new PlanActual(targets, settings, routerFor);
  for (const [vehicleId, fixes] of fixesByVehicle) {
    const sorted = [...fixes].sort((a, b) => a.timeMs - b.timeMs);
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i]!.timeMs !== sorted[i - 1]!.timeMs) actual.ingest(vehicleId, sorted[i]!);
  }
  actual.flush();
  const lastDue = Math.max(0, ...targets.stops.map((s) => s.windowEndMs), ...targets.segments.map((s) => s.deadlineMs));
  // by default the day is over: every due time and the silent grace after it have passed
  return actual.evaluate(atMs ?? lastDue + (settings.silentGraceMs ?? 0));
}
