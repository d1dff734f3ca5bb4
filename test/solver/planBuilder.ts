/**
 * Hand-written plans for the validator's tests: a route is a list of task ids; the builder drives
 * it (earliest schedule, waiting for windows) and states every figure the Solution carries, so a
 * test can change one thing and expect exactly one rule to break. It shares nothing with the
 * solver or the validator beyond the Problem's parser.
 */
import { parseProblem, type ProblemInput, type Solution, type Stop, type Unserved } from '../../solver/index.js';

/** A task or facility id; 'break' for the driver's break. Objects pin a visit, a start or a direction. */
export type StepSpec = string | { id: string; visit?: number; at?: number; reverse?: boolean };

export interface RouteSpec {
  vehicleId: string;
  steps: StepSpec[];
  /** leave the start depot at this time (default: shift start) */
  departS?: number;
  /** finish here instead of the vehicle's end depot */
  endAt?: number;
}

export interface PlanSpec {
  routes: RouteSpec[];
  unserved: Unserved[];
}

export function buildPlan(input: ProblemInput, spec: PlanSpec): Solution {
  const p = parseProblem(input);
  const routes = spec.routes.map((r) => {
    const v = p.vehicles.find((x) => x.id === r.vehicleId)!;
    const dur = p.matrices[v.profile].durationsS, dist = p.matrices[v.profile].distancesM;
    let loc = v.startLocation, t = r.departS ?? v.shift.startS, distanceM = 0, kg = 0, m3 = 0;
    let carries = '';
    const stops: Stop[] = [{ type: 'start', location: loc, arrivalS: t, startS: t, departureS: t, loadKg: 0, loadM3: 0 }];
    const go = (to: number) => { const arrivalS = t + dur[loc][to]; distanceM += dist[loc][to]; loc = to; return arrivalS; };
    const firstOpen = (windows: Array<{ startS: number; endS: number }>, arrivalS: number) =>
      (windows.find((w) => w.endS >= arrivalS) ?? windows[0]).startS;
    for (const step of r.steps) {
      const s = typeof step === 'string' ? { id: step } : step;
      const job = p.jobs.find((j) => j.id === s.id), load = p.muckLoads.find((l) => l.id === s.id);
      const sweep = p.sweepTasks.find((w) => w.id === s.id), facility = p.facilities.find((f) => f.id === s.id);
      let stop: Stop;
      if (s.id === 'break') {
        const startS = Math.max(t, s.at ?? v.break!.window.startS);
        stop = { type: 'break', location: loc, arrivalS: t, startS, departureS: startS + v.break!.durationS, loadKg: kg, loadM3: m3 };
      } else if (job) {
        const arrivalS = go(job.location);
        const startS = Math.max(arrivalS, s.at ?? firstOpen(job.windows, arrivalS));
        kg += job.kg / job.visitsPerDay; m3 += job.m3 / job.visitsPerDay;
        carries ||= job.wasteClass;
        stop = { type: 'job', id: job.id, visit: s.visit ?? 0, location: job.location, arrivalS, startS, departureS: startS + job.serviceS, loadKg: kg, loadM3: m3 };
      } else if (load) {
        const fac = p.facilities.find((f) => f.id === load.disposalFacilityId)!;
        const arrivalS = go(load.siteLocation);
        const startS = Math.max(arrivalS, s.at ?? load.permit.window.startS);
        distanceM += load.permit.corridorDistanceM;
        loc = fac.location;
        carries ||= 'muck';
        stop = { type: 'muck', id: load.id, location: load.siteLocation, endLocation: fac.location, facilityId: fac.id, arrivalS, startS,
          departureS: startS + load.loadS + load.permit.corridorDurationS + fac.unloadS, loadKg: kg, loadM3: m3 };
      } else if (sweep) {
        const [from, to] = s.reverse ? [sweep.toLocation, sweep.fromLocation] : [sweep.fromLocation, sweep.toLocation];
        const arrivalS = go(from);
        const startS = Math.max(arrivalS, s.at ?? sweep.earliestS);
        distanceM += sweep.lengthM;
        loc = to;
        kg += sweep.kg; m3 += sweep.m3;
        carries ||= sweep.vehicleKind === 'sweeper' ? 'sweepings' : 'water';
        stop = { type: 'sweep', id: sweep.id, visit: s.visit ?? 0, location: from, endLocation: to, arrivalS, startS,
          departureS: startS + sweep.lengthM / (sweep.workSpeedKmh / 3.6), loadKg: kg, loadM3: m3 };
      } else if (facility) {
        const arrivalS = go(facility.location);
        const startS = Math.max(arrivalS, s.at ?? firstOpen(facility.windows, arrivalS));
        kg = 0; m3 = 0;
        stop = { type: 'facility', id: facility.id, location: facility.location, arrivalS, startS, departureS: startS + facility.unloadS, loadKg: 0, loadM3: 0 };
      } else {
        throw new Error(`no task or facility ${s.id}`);
      }
      stops.push(stop);
      t = stop.departureS;
    }
    const arrivalS = go(r.endAt ?? v.endLocation);
    stops.push({ type: 'end', location: loc, arrivalS, startS: arrivalS, departureS: arrivalS, loadKg: kg, loadM3: m3 });
    const durationS = arrivalS - stops[0].departureS;
    return { vehicleId: v.id, carries, stops, distanceM, durationS,
      cost: v.fixedCost + (v.costPerKm * distanceM) / 1000 + (v.costPerHour * durationS) / 3600, fixedCost: v.fixedCost };
  });
  const sum = (f: (r: (typeof routes)[number]) => number) => routes.reduce((a, r) => a + f(r), 0);
  return {
    problem: p.name,
    routes: routes.map(({ fixedCost: _, ...route }) => route),
    unserved: spec.unserved,
    cost: { vehicles: routes.length, distanceM: sum((r) => r.distanceM), durationS: sum((r) => r.durationS), fixed: sum((r) => r.fixedCost), total: sum((r) => r.cost) },
    stats: { iterations: 0, seed: 0 },
  };
}
