/**
 * "Could an idle vehicle have served it alone?" A plan may leave work out only when the fleet
 * cannot do it (docs: the plan says which points are left and why). For a task visit listed
 * unserved, try every vehicle without a route: depot -> the task -> (a facility that accepts
 * its class, when one must be unloaded) -> depot, with the driver's break in every position,
 * every window of the task and of the facility, and each direction of a two-way segment.
 * Each candidate goes through the same route checker as the plan's routes, plus the
 * facility capacity the plan leaves and the gap to the point's served visits, so a task is
 * called servable only with a route that the validator itself accepts.
 */
import type { Facility, Route, Stop, Vehicle } from '../problem.js';
import { isConsumable, streetCarries } from '../problem.js';
import { checkRoute, type ProblemIndex } from './route.js';
import { EPS_LOAD, EPS_S } from './rules.js';

/** What one candidate stop needs: where, how long, not before when. */
interface Step {
  stop: Omit<Stop, 'arrivalS' | 'startS' | 'departureS' | 'loadKg' | 'loadM3'>;
  /** where the vehicle is after the step (the other end of a segment, the disposal site) */
  endLocation: number;
  needS: number;
  notBeforeS: number;
}

export type TaskVisit = { kind: 'job'; id: string; visit: number } | { kind: 'muck'; id: string } | { kind: 'sweep'; id: string; pass: number };

export interface PlanState {
  /** kg each facility receives from the plan's routes */
  delivered: Map<string, number>;
  /** service starts of the served visits of each collection point */
  jobStarts: Map<string, number[]>;
}

/** The id of an idle vehicle that could serve the task visit alone, or null. */
export function idleVehicleFor(ix: ProblemIndex, idle: Vehicle[], task: TaskVisit, plan: PlanState): string | null {
  for (const v of idle) {
    for (const route of candidates(ix, v, task, plan)) {
      if (accepts(ix, route, task, plan)) return v.id;
    }
  }
  return null;
}

function accepts(ix: ProblemIndex, route: Route, task: TaskVisit, plan: PlanState): boolean {
  let broken = false;
  const figures = checkRoute(ix, route, () => { broken = true; }, { statedFigures: false });
  if (broken || !figures) return false;
  for (const [fid, kg] of figures.delivered) {
    const cap = ix.facilities.get(fid)?.dailyCapacityKg;
    if (cap !== undefined && (plan.delivered.get(fid) ?? 0) + kg > cap + EPS_LOAD) return false;
  }
  if (task.kind === 'job') {
    const gap = ix.jobs.get(task.id)!.minGapS;
    const start = figures.jobStarts[0].startS;
    if ((plan.jobStarts.get(task.id) ?? []).some((s) => Math.abs(s - start) < gap - EPS_S)) return false;
  }
  return true;
}

/** The steps that serve the task, one list per variant (window, direction). */
function taskSteps(ix: ProblemIndex, v: Vehicle, task: TaskVisit, plan: PlanState): { variants: Step[][]; cls: string } | null {
  if (task.kind === 'job') {
    const j = ix.jobs.get(task.id)!;
    if (v.kind !== 'collector' || !v.classes.includes(j.wasteClass) || (j.vehicleIds && !j.vehicleIds.includes(v.id))) return null;
    // the earliest start in each window, and the first start a minimum gap after each served visit
    const notBefore = [...j.windows.map((w) => w.startS), ...(plan.jobStarts.get(j.id) ?? []).map((s) => s + j.minGapS)];
    return {
      cls: j.wasteClass,
      variants: [...new Set(notBefore)].map((n) => [{ stop: { type: 'job', id: j.id, visit: task.visit, location: j.location }, endLocation: j.location, needS: j.serviceS, notBeforeS: n }]),
    };
  }
  if (task.kind === 'muck') {
    const l = ix.loads.get(task.id)!;
    const fac = ix.facilities.get(l.disposalFacilityId);
    if (v.kind !== 'muck' || !fac) return null;
    const toUnloadS = l.loadS + l.permit.corridorDurationS;
    const notBefore = [l.permit.window.startS, ...fac.windows.map((w) => Math.max(l.permit.window.startS, w.startS - toUnloadS))];
    return {
      cls: 'muck',
      variants: [...new Set(notBefore)].map((n) => [{
        stop: { type: 'muck', id: l.id, location: l.siteLocation, endLocation: fac.location, facilityId: fac.id },
        endLocation: fac.location, needS: toUnloadS + fac.unloadS, notBeforeS: n,
      }]),
    };
  }
  const w = ix.sweeps.get(task.id)!;
  if (v.kind !== w.vehicleKind || (w.vehicleIds && !w.vehicleIds.includes(v.id))) return null;
  const needS = w.lengthM / (w.workSpeedKmh / 3.6);
  const pass = (from: number, to: number): Step[] => [{ stop: { type: 'sweep', id: w.id, visit: task.pass, location: from, endLocation: to }, endLocation: to, needS, notBeforeS: w.earliestS }];
  return {
    cls: streetCarries(w.vehicleKind),
    variants: w.oneWay ? [pass(w.fromLocation, w.toLocation)] : [pass(w.fromLocation, w.toLocation), pass(w.toLocation, w.fromLocation)],
  };
}

function* candidates(ix: ProblemIndex, v: Vehicle, task: TaskVisit, plan: PlanState): Generator<Route> {
  const served = taskSteps(ix, v, task, plan);
  if (!served) return;
  // a class some facility accepts is unloaded before the return (a consumable needs no refill after)
  const mustUnload = served.cls !== 'muck' && !isConsumable(served.cls) && ix.acceptedClasses.has(served.cls);
  const unloads: Array<Step[]> = mustUnload
    ? ix.p.facilities.filter((f) => f.accepts.includes(served.cls)).flatMap((f: Facility) =>
      f.windows.map((w) => [{ stop: { type: 'facility' as const, id: f.id, location: f.location }, endLocation: f.location, needS: f.unloadS, notBeforeS: w.startS }]))
    : [[]];
  for (const work of served.variants) {
    for (const unload of unloads) {
      const steps = [...work, ...unload];
      const breakPositions = v.break ? steps.map((_, k) => k).concat(steps.length) : [-1];
      for (const b of breakPositions) yield timed(ix, v, steps, b);
    }
  }
}

/** Earliest schedule of the steps from the shift start, the break taken after `breakAfter` steps (-1: none). */
function timed(ix: ProblemIndex, v: Vehicle, steps: Step[], breakAfter: number): Route {
  const dur = ix.p.matrices[v.profile].durationsS;
  let loc = v.startLocation;
  let t = v.shift.startS;
  const stops: Stop[] = [{ type: 'start', location: loc, arrivalS: t, startS: t, departureS: t, loadKg: 0, loadM3: 0 }];
  const takeBreak = () => {
    const start = Math.max(t, v.break!.window.startS);
    stops.push({ type: 'break', location: loc, arrivalS: t, startS: start, departureS: start + v.break!.durationS, loadKg: 0, loadM3: 0 });
    t = start + v.break!.durationS;
  };
  if (breakAfter === 0) takeBreak();
  steps.forEach((step, k) => {
    const arrivalS = t + dur[loc][step.stop.location];
    const startS = Math.max(arrivalS, step.notBeforeS);
    stops.push({ ...step.stop, arrivalS, startS, departureS: startS + step.needS, loadKg: 0, loadM3: 0 });
    t = startS + step.needS;
    loc = step.endLocation;
    if (breakAfter === k + 1) takeBreak();
  });
  const arrivalS = t + dur[loc][v.endLocation];
  stops.push({ type: 'end', location: v.endLocation, arrivalS, startS: arrivalS, departureS: arrivalS, loadKg: 0, loadM3: 0 });
  return { vehicleId: v.id, carries: '', stops, distanceM: 0, durationS: 0, cost: 0 };
}
