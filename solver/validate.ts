/**
 * The independent plan checker: recomputes a Solution from the Problem alone (it shares the
 * Problem's parser and the Solution's shape with the solver, no search code) and reports every
 * hard rule of the domain that the plan breaks, and every number the plan states that the
 * recomputation does not give back.
 *
 *   valid          the plan breaks no rule (no violations)
 *   complete       every required task visit is served by a route
 *   unservedCount  required task visits no route serves (counted from the routes, not the list)
 * An incomplete plan can be valid: only when every visit left out is listed with a known reason
 * and a detail, and no idle vehicle could have served it alone (`unserved_servable`).
 */
import { parseProblem, solutionSchema, unservedReasons, type Problem, type Route, type Vehicle } from './problem.js';
import { checkRoute, indexProblem, jobKey, muckKey, sweepKey, sweepPasses, type ProblemIndex } from './validate/route.js';
import { idleVehicleFor, type TaskVisit } from './validate/idle.js';
import { EPS_LOAD, EPS_S, sameFigure, type Violation } from './validate/rules.js';

export { rules, ruleDescriptions, FIGURE_TOLERANCE, type Rule, type Violation } from './validate/rules.js';

export interface ValidationReport {
  valid: boolean;
  complete: boolean;
  unservedCount: number;
  violations: Violation[];
  /** from the routes' stops and the Problem alone; all zero when the problem or the solution cannot be read */
  recomputed: { vehicles: number; distanceM: number; durationS: number; fixed: number; cost: number; required: number; served: number };
}

const MAX_SCHEMA_ISSUES = 20;

function unreadable(violations: Violation[], required: number): ValidationReport {
  return { valid: false, complete: false, unservedCount: required, violations,
    recomputed: { vehicles: 0, distanceM: 0, durationS: 0, fixed: 0, cost: 0, required, served: 0 } };
}

/** Every task visit the plan must serve or list unserved. */
function requiredVisits(p: Problem): Map<string, TaskVisit> {
  const required = new Map<string, TaskVisit>();
  for (const j of p.jobs) for (let k = 0; k < j.visitsPerDay; k++) required.set(jobKey(j.id, k), { kind: 'job', id: j.id, visit: k });
  for (const l of p.muckLoads) required.set(muckKey(l.id), { kind: 'muck', id: l.id });
  for (const w of p.sweepTasks) for (let k = 0; k < sweepPasses(w); k++) required.set(sweepKey(w.id, k), { kind: 'sweep', id: w.id, pass: k });
  return required;
}

/** The required-visit key an unserved entry names, or why it names none. */
function unservedKey(ix: ProblemIndex, id: string, visit: number | undefined): { key: string } | { unknown: string } {
  const j = ix.jobs.get(id);
  if (j) return (visit ?? 0) < j.visitsPerDay ? { key: jobKey(id, visit ?? 0) } : { unknown: `visit ${visit} of a point visited ${j.visitsPerDay} times a day` };
  if (ix.loads.has(id)) return (visit ?? 0) === 0 ? { key: muckKey(id) } : { unknown: `visit ${visit} of a muck load (one trip each)` };
  const w = ix.sweeps.get(id);
  if (w) return (visit ?? 0) < sweepPasses(w) ? { key: sweepKey(id, visit ?? 0) } : { unknown: `pass ${visit} of a segment with ${sweepPasses(w)} mechanical passes` };
  return { unknown: `no job, muck load or sweep task ${id}` };
}

export function validateSolution(problemInput: unknown, solutionInput: unknown): ValidationReport {
  let p: Problem;
  try {
    p = parseProblem(problemInput);
  } catch (e) {
    return unreadable([{ rule: 'schema', detail: (e as Error).message }], 0);
  }
  const required = requiredVisits(p);
  const parsed = solutionSchema.safeParse(solutionInput);
  if (!parsed.success) {
    return unreadable(parsed.error.issues.slice(0, MAX_SCHEMA_ISSUES).map((issue) =>
      ({ rule: 'schema' as const, detail: `solution.${issue.path.join('.')}: ${issue.message}` })), required.size);
  }
  const solution = parsed.data;
  const ix = indexProblem(p);
  const violations: Violation[] = [];
  const report = (v: Violation) => violations.push(v);

  // ---- each route on its own ----
  const routedVehicles = new Set<string>();
  const served = new Map<string, number>();
  const jobStarts = new Map<string, number[]>();
  const delivered = new Map<string, number>();
  const totals = { vehicles: 0, distanceM: 0, durationS: 0, fixed: 0, cost: 0 };
  solution.routes.forEach((route: Route) => {
    if (routedVehicles.has(route.vehicleId)) report({ rule: 'duplicate', vehicleId: route.vehicleId, detail: 'vehicle has more than one route' });
    routedVehicles.add(route.vehicleId);
    const figures = checkRoute(ix, route, report, { statedFigures: true });
    if (!figures) return;
    totals.vehicles++;
    totals.distanceM += figures.distanceM;
    totals.durationS += figures.durationS;
    totals.fixed += figures.vehicle.fixedCost;
    totals.cost += figures.cost;
    for (const { key } of figures.served) served.set(key, (served.get(key) ?? 0) + 1);
    for (const { jobId, startS } of figures.jobStarts) (jobStarts.get(jobId) ?? jobStarts.set(jobId, []).get(jobId)!).push(startS);
    for (const [fid, kg] of figures.delivered) delivered.set(fid, (delivered.get(fid) ?? 0) + kg);
  });

  // ---- rules across routes ----
  for (const [fid, kg] of delivered) {
    const f = ix.facilities.get(fid)!;
    if (f.dailyCapacityKg !== undefined && kg > f.dailyCapacityKg + EPS_LOAD) {
      report({ rule: 'facility_capacity', id: fid, detail: `receives ${kg.toFixed(0)} kg, capacity ${f.dailyCapacityKg} kg` });
    }
  }
  for (const [id, starts] of jobStarts) {
    const j = ix.jobs.get(id)!;
    starts.sort((a, b) => a - b);
    for (let k = 1; k < starts.length; k++) {
      if (starts[k] - starts[k - 1] < j.minGapS - EPS_S) report({ rule: 'visit_gap', id, detail: `visits ${(starts[k] - starts[k - 1]).toFixed(0)} s apart, minimum ${j.minGapS} s` });
    }
  }

  // ---- the stated totals ----
  const stated = solution.cost;
  if (stated.vehicles !== totals.vehicles) report({ rule: 'totals', detail: `states ${stated.vehicles} vehicles, ${totals.vehicles} routes` });
  for (const [name, value] of [['distanceM', totals.distanceM], ['durationS', totals.durationS], ['fixed', totals.fixed], ['total', totals.cost]] as const) {
    if (!sameFigure(stated[name], value)) report({ rule: 'totals', detail: `states cost.${name} ${stated[name]}, recomputed ${value}` });
  }

  // ---- unserved entries ----
  const listed = new Map<string, number>();
  for (const u of solution.unserved) {
    const named = unservedKey(ix, u.id, u.visit);
    if ('unknown' in named) report({ rule: 'unknown_id', id: u.id, detail: `unserved entry: ${named.unknown}` });
    else listed.set(named.key, (listed.get(named.key) ?? 0) + 1);
    if (!(unservedReasons as readonly string[]).includes(u.reason)) report({ rule: 'unserved_reason', id: u.id, detail: `unknown reason "${u.reason}" (one of ${unservedReasons.join(', ')})` });
    if (u.detail.trim() === '') report({ rule: 'unserved_reason', id: u.id, detail: 'unserved entry without a detail' });
  }

  // ---- coverage: every required visit served exactly once or listed unserved once ----
  let servedCount = 0;
  const leftOut: TaskVisit[] = [];
  for (const [key, task] of required) {
    const n = served.get(key) ?? 0;
    const u = listed.get(key) ?? 0;
    if (n > 0) servedCount++;
    if (n + u === 0) report({ rule: 'coverage', id: key, detail: 'neither served nor listed unserved' });
    if (n > 1) report({ rule: 'duplicate', id: key, detail: `served ${n} times` });
    if (u > 1) report({ rule: 'duplicate', id: key, detail: `listed unserved ${u} times` });
    if (n > 0 && u > 0) report({ rule: 'duplicate', id: key, detail: 'both served and listed unserved' });
    if (n === 0 && u > 0) leftOut.push(task);
  }

  // ---- what is left out must be out of the idle vehicles' reach ----
  if (leftOut.length) {
    const idle: Vehicle[] = p.vehicles.filter((v) => !routedVehicles.has(v.id));
    for (const task of leftOut) {
      const vehicleId = idle.length ? idleVehicleFor(ix, idle, task, { delivered, jobStarts }) : null;
      const key = task.kind === 'job' ? jobKey(task.id, task.visit) : task.kind === 'muck' ? muckKey(task.id) : sweepKey(task.id, task.pass);
      if (vehicleId) report({ rule: 'unserved_servable', id: key, vehicleId, detail: `listed unserved, but ${vehicleId} has no route and could serve it alone` });
    }
  }

  const unservedCount = required.size - servedCount;
  return {
    valid: violations.length === 0,
    complete: unservedCount === 0,
    unservedCount,
    violations,
    recomputed: { ...totals, required: required.size, served: servedCount },
  };
}
