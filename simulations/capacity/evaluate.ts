import type { Facility } from '../../src/domain/model.js';
import type { PlanJobResult } from '../../src/planning/plan-job.js';
import { NOT_ROUTED } from '../../src/planning/plan-model.js';

/** What one simulated day's plan achieved: 日产日清 or not, and what it cost. */
export interface DayOutcome {
  day: number;
  date: string;
  fleet: string;
  rain: boolean;
  /** planned in the winter (snow) mode */
  snow: boolean;
  festivals: string[];
  /** vehicles of the fleet in the workshop that day */
  inRepair: string[];
  /** facility id → capacity factor of the day (0 = closed) */
  facilityFactor: Record<string, number>;
  /** every collection-point visit due that day served, by a plan the validator finds valid */
  cleared: boolean;
  pointVisits: { due: number; unserved: number };
  /** work the plan should do and does not, by reason (points, muck loads, street work) */
  unservedByReason: Record<string, number>;
  vehicles: number;
  vehicleHours: number;
  km: number;
  cost: number;
  /** facility id → kg delivered and the share of its capacity that day */
  facilityLoad: Record<string, { kg: number; share: number | null }>;
  validator: { valid: boolean; violations: number; required: number; served: number };
}

export function evaluateDay(
  base: Omit<DayOutcome, 'cleared' | 'pointVisits' | 'unservedByReason' | 'vehicles' | 'vehicleHours' | 'km' | 'cost' | 'facilityLoad' | 'validator'>,
  result: PlanJobResult, facilities: readonly Facility[],
): DayOutcome {
  const due = (result.problemDoc.jobs ?? []).reduce((n, j) => n + (j.visitsPerDay ?? 1), 0)
    + result.excluded.filter((e) => e.kind === 'point' && !NOT_ROUTED.has(e.reason)).length;
  const unservedPoints = result.unserved.filter((u) => u.kind === 'point' && !NOT_ROUTED.has(u.reason)).length;
  const capacity = new Map(facilities.map((f) => [f.id, f.dailyCapacityKg]));
  const facilityLoad: DayOutcome['facilityLoad'] = {};
  for (const [id, kg] of Object.entries(result.figures.facilityKg)) {
    const cap = capacity.get(id) ?? 0;
    facilityLoad[id] = { kg: Math.round(kg), share: cap > 0 ? Math.round((kg / cap) * 1000) / 1000 : null };
  }
  const r = result.report;
  return {
    ...base,
    cleared: unservedPoints === 0 && r.valid,
    pointVisits: { due, unserved: unservedPoints },
    unservedByReason: result.figures.unservedByReason,
    vehicles: result.figures.vehicles,
    vehicleHours: Math.round((result.figures.durationS / 3600) * 100) / 100,
    km: Math.round(result.figures.distanceM / 10) / 100,
    cost: Math.round(result.figures.cost),
    facilityLoad,
    validator: { valid: r.valid, violations: r.violations.length, required: r.recomputed.required, served: r.recomputed.served },
  };
}
