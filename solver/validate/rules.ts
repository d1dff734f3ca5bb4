/** The validator's vocabulary: rule ids, a violation, the tolerances it states. */

/** Every rule id the validator reports, with what breaks it (solver/README.md lists them too). */
export const ruleDescriptions = {
  schema: 'the problem does not parse, or the solution does not have the Solution shape (a number that is NaN or infinite, a missing field, an unknown stop type, a location outside the matrices)',
  unknown_id: 'a route names a vehicle, job, muck load, sweep task or facility the problem does not have, a visit or pass number out of range, or an unserved entry names such a thing',
  duplicate: 'a vehicle with two routes, a task visit served twice, listed unserved twice, or both served and listed unserved',
  depot: 'a route does not start at the vehicle\'s start depot or end at its end depot (or has a start/end stop in the middle)',
  shift: 'a route leaves before the shift starts or returns after it ends',
  travel_time: 'a stop reached faster than the matrix allows, work started before arriving, or left before the work is done',
  time_window: 'a collection starts outside the point\'s windows',
  break: 'a vehicle with a break rule has not exactly one break, a break outside its window or away from the previous stop, or a break on a vehicle without one',
  capacity: 'the load after a stop exceeds the vehicle\'s kg or m3 capacity (or a muck load bigger than the truck)',
  unload_before_return: 'a route returns to the depot with waste of a class some facility accepts',
  mixed_classes: 'a route carries more than one class',
  vehicle_class: 'a collector serves a class it is not allowed to carry, a non-collector serves a collection point, or a vehicle the point does not name serves it',
  facility_accepts: 'unloading at a facility that does not accept the class, at the wrong location, or muck not taken to its designated disposal site',
  facility_hours: 'unloading starts outside the facility\'s opening hours',
  facility_capacity: 'a facility receives more kg in the day than its remaining daily capacity',
  sealed: 'food or construction waste on a vehicle that is not sealed or whose cover sensor is faulty',
  hazardous: 'hazardous waste on a vehicle that is not hazardous-rated',
  permit_vehicle: 'a muck load carried by a vehicle not on its permit (or not a muck truck)',
  permit_hours: 'a muck trip (loading to the end of unloading) outside the permit\'s window',
  permit_corridor: 'the loaded leg of a muck trip does not end at the disposal site of the corridor',
  sweep_direction: 'a one-way segment swept against its direction, or a pass that does not follow the segment',
  sweep_deadline: 'a pass starts before the segment may be swept or ends after its deadline',
  sweep_kind: 'a street task done by a vehicle of another kind, or by one the segment does not name',
  coverage: 'a required task visit neither served nor listed unserved, or a collection served at the wrong location',
  visit_gap: 'two visits of one point start closer together than its minimum gap',
  cost: 'a route\'s stated distanceM, durationS or cost differs from the recomputation',
  load: 'a stop\'s stated loadKg or loadM3 differs from the recomputed load after that stop',
  carries: 'a route\'s stated `carries` is not the class of the work on it',
  totals: 'the solution\'s `cost` block (vehicles, distanceM, durationS, fixed, total) differs from the sum over its routes',
  unserved_reason: 'an unserved entry without a known reason or without a detail',
  unserved_servable: 'a task visit is listed unserved while an idle vehicle (one with no route) could serve it alone, keeping every rule',
} as const;

export type Rule = keyof typeof ruleDescriptions;
export const rules = Object.keys(ruleDescriptions) as Rule[];

export interface Violation {
  rule: Rule;
  vehicleId?: string;
  stop?: number;
  id?: string;
  detail: string;
}

/** Slack on times (s): schedules are sums of matrix entries and may carry rounding. */
export const EPS_S = 1e-3;
/** Slack on loads (kg, m3) against capacities. */
export const EPS_LOAD = 1e-6;
/**
 * Stated figures (distances, durations, costs, loads, totals) must equal the recomputation
 * within this share of the larger of 1 and the recomputed value: summation order is the
 * only difference allowed.
 */
export const FIGURE_TOLERANCE = 1e-6;

export function sameFigure(stated: number, recomputed: number): boolean {
  return Math.abs(stated - recomputed) <= FIGURE_TOLERANCE * Math.max(1, Math.abs(recomputed));
}

export function inAnyWindow(t: number, windows: ReadonlyArray<{ startS: number; endS: number }>): boolean {
  return windows.some((w) => t >= w.startS - EPS_S && t <= w.endS + EPS_S);
}
