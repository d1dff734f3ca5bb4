/**
 * One route against the Problem: walks its stops, recomputes travel, loads, distance,
 * duration and cost from the matrices and the problem's records, and reports every rule the
 * route breaks on its own. Rules across routes (coverage, facility capacity, visit gaps,
 * totals) are `validate.ts`'s.
 */
import type { Facility, MuckLoad, Problem, Route, Stop, SweepTask, Vehicle, CollectionJob } from '../problem.js';
import { isConsumable, streetCarries } from '../problem.js';
import { EPS_LOAD, EPS_S, inAnyWindow, sameFigure, type Rule, type Violation } from './rules.js';

export interface ProblemIndex {
  p: Problem;
  vehicles: Map<string, Vehicle>;
  jobs: Map<string, CollectionJob>;
  loads: Map<string, MuckLoad>;
  sweeps: Map<string, SweepTask>;
  facilities: Map<string, Facility>;
  /** classes some facility accepts: those must be unloaded before the route returns */
  acceptedClasses: Set<string>;
}

export function indexProblem(p: Problem): ProblemIndex {
  return {
    p,
    vehicles: new Map(p.vehicles.map((v) => [v.id, v])),
    jobs: new Map(p.jobs.map((j) => [j.id, j])),
    loads: new Map(p.muckLoads.map((l) => [l.id, l])),
    sweeps: new Map(p.sweepTasks.map((s) => [s.id, s])),
    facilities: new Map(p.facilities.map((f) => [f.id, f])),
    acceptedClasses: new Set(p.facilities.flatMap((f) => f.accepts)),
  };
}

/** The key of one required task visit: `job:<id>:<visit>`, `muck:<id>`, `sweep:<id>:<pass>`. */
export const jobKey = (id: string, visit: number) => `job:${id}:${visit}`;
export const muckKey = (id: string) => `muck:${id}`;
export const sweepKey = (id: string, pass: number) => `sweep:${id}:${pass}`;
export const sweepPasses = (w: SweepTask) => Math.min(w.passes, w.mechanicalPasses);

export interface RouteFigures {
  vehicle: Vehicle;
  distanceM: number;
  durationS: number;
  cost: number;
  /** task visits served on this route, in stop order */
  served: Array<{ key: string; stop: number }>;
  /** start of service of every collection visit, for the visit gaps */
  jobStarts: Array<{ jobId: string; startS: number }>;
  /** kg delivered per facility */
  delivered: Map<string, number>;
}

/**
 * Check one route; `statedFigures: false` skips the comparison of the route's stated numbers
 * (used on the validator's own candidate routes, which state none).
 * Returns null when the route cannot be walked (unknown vehicle, no start or end stop).
 */
export function checkRoute(ix: ProblemIndex, route: Route, report: (v: Violation) => void, opts: { statedFigures: boolean }): RouteFigures | null {
  const at = (stop: number | undefined, rule: Rule, detail: string, id?: string) =>
    report({ rule, vehicleId: route.vehicleId, stop, id, detail });
  const v = ix.vehicles.get(route.vehicleId);
  if (!v) { at(undefined, 'unknown_id', `unknown vehicle ${route.vehicleId}`); return null; }
  const m = ix.p.matrices[v.profile];
  const nLoc = m.durationsS.length;
  const stops = route.stops;
  if (stops.length < 2 || stops[0].type !== 'start' || stops[stops.length - 1].type !== 'end') {
    at(undefined, 'depot', 'a route must begin with a start stop and finish with an end stop');
    return null;
  }
  const badLocation = stops.findIndex((s) => s.location >= nLoc || (s.endLocation !== undefined && s.endLocation >= nLoc));
  if (badLocation >= 0) {
    at(badLocation, 'schema', `location outside the ${nLoc} locations of the ${v.profile} matrices`);
    return null;
  }
  const last = stops.length - 1;
  if (stops[0].location !== v.startLocation) at(0, 'depot', 'does not start at the vehicle depot');
  if (stops[last].location !== v.endLocation) at(last, 'depot', 'does not end at the vehicle depot');
  if (stops[0].departureS < v.shift.startS - EPS_S) at(0, 'shift', 'leaves before the shift starts');
  if (stops[last].arrivalS > v.shift.endS + EPS_S) at(last, 'shift', 'returns after the shift ends');

  const figures: RouteFigures = { vehicle: v, distanceM: 0, durationS: 0, cost: 0, served: [], jobStarts: [], delivered: new Map() };
  const deliver = (facilityId: string, kg: number) => figures.delivered.set(facilityId, (figures.delivered.get(facilityId) ?? 0) + kg);
  let loc = stops[0].location;
  let t = stops[0].departureS;
  let dist = 0;
  let kg = 0, m3 = 0;
  let cls: string | null = null;
  let breaks = 0;
  const checkLoad = (i: number, s: Stop) => {
    if (opts.statedFigures && (!sameFigure(s.loadKg, kg) || !sameFigure(s.loadM3, m3))) {
      at(i, 'load', `states ${s.loadKg} kg / ${s.loadM3} m3 after the stop, recomputed ${kg} kg / ${m3} m3`);
    }
  };
  checkLoad(0, stops[0]);
  for (let i = 1; i < stops.length; i++) {
    const s: Stop = stops[i];
    const travelS = m.durationsS[loc][s.location];
    dist += m.distancesM[loc][s.location];
    if (s.arrivalS < t + travelS - EPS_S) at(i, 'travel_time', `arrives ${(t + travelS - s.arrivalS).toFixed(1)} s too early for the travel time`);
    if (s.startS < s.arrivalS - EPS_S) at(i, 'travel_time', 'starts before arriving');
    let needS = 0;
    let endLoc = s.location;
    switch (s.type) {
      case 'job': {
        const j = s.id !== undefined ? ix.jobs.get(s.id) : undefined;
        if (!j) { at(i, 'unknown_id', `unknown job ${s.id}`); break; }
        const visit = s.visit ?? 0;
        if (visit >= j.visitsPerDay) at(i, 'unknown_id', `visit ${visit} of a point visited ${j.visitsPerDay} times a day`, j.id);
        else figures.served.push({ key: jobKey(j.id, visit), stop: i });
        if (s.location !== j.location) at(i, 'coverage', 'job served at the wrong location', j.id);
        figures.jobStarts.push({ jobId: j.id, startS: s.startS });
        needS = j.serviceS;
        if (!inAnyWindow(s.startS, j.windows)) at(i, 'time_window', `service starts at ${s.startS.toFixed(0)} s, outside the collection windows`, j.id);
        if (cls !== null && cls !== j.wasteClass) at(i, 'mixed_classes', `${j.wasteClass} on a ${cls} route`, j.id);
        cls ??= j.wasteClass;
        if (v.kind !== 'collector' || !v.classes.includes(j.wasteClass)) at(i, 'vehicle_class', `${v.kind} ${v.id} may not carry ${j.wasteClass}`, j.id);
        if (j.vehicleIds && !j.vehicleIds.includes(v.id)) at(i, 'vehicle_class', `${v.id} is not one of the point's vehicles (${j.vehicleIds.join(', ')})`, j.id);
        if (j.wasteClass === 'food' && !(v.sealed && v.coverSensorOk)) at(i, 'sealed', 'food waste needs a sealed vehicle with a working cover sensor', j.id);
        if (j.wasteClass === 'hazardous' && !v.hazardousRated) at(i, 'hazardous', 'hazardous waste needs a hazardous-rated vehicle', j.id);
        kg += j.kg / j.visitsPerDay;
        m3 += j.m3 / j.visitsPerDay;
        break;
      }
      case 'muck': {
        const l = s.id !== undefined ? ix.loads.get(s.id) : undefined;
        if (!l) { at(i, 'unknown_id', `unknown muck load ${s.id}`); break; }
        if ((s.visit ?? 0) !== 0) at(i, 'unknown_id', `visit ${s.visit} of a muck load (one trip each)`, l.id);
        else figures.served.push({ key: muckKey(l.id), stop: i });
        const fac = ix.facilities.get(l.disposalFacilityId);
        if (s.location !== l.siteLocation) at(i, 'coverage', 'loaded at the wrong site', l.id);
        if (!fac) { at(i, 'facility_accepts', 'designated disposal site does not exist', l.id); break; }
        if (s.facilityId !== undefined && s.facilityId !== fac.id) at(i, 'facility_accepts', `unloaded at ${s.facilityId}, not the designated ${fac.id}`, l.id);
        if (!fac.accepts.includes('muck')) at(i, 'facility_accepts', `${fac.id} does not accept construction waste`, l.id);
        endLoc = fac.location;
        if (s.endLocation !== undefined && s.endLocation !== fac.location) at(i, 'permit_corridor', 'the loaded leg does not end at the disposal site', l.id);
        const unloadStart = s.startS + l.loadS + l.permit.corridorDurationS;
        needS = l.loadS + l.permit.corridorDurationS + fac.unloadS;
        dist += l.permit.corridorDistanceM;
        if (!inAnyWindow(unloadStart, fac.windows)) at(i, 'facility_hours', `unloads at ${unloadStart.toFixed(0)} s, outside ${fac.id}'s hours`, l.id);
        if (s.startS < l.permit.window.startS - EPS_S || s.startS + needS > l.permit.window.endS + EPS_S) at(i, 'permit_hours', 'trip outside the permit hours', l.id);
        if (!l.permit.vehicleIds.includes(v.id) || v.kind !== 'muck') at(i, 'permit_vehicle', `${v.id} is not on permit ${l.permit.id}`, l.id);
        if (!v.sealed || !v.coverSensorOk) at(i, 'sealed', 'construction waste needs a sealed truck with a working cover sensor', l.id);
        if (v.capacityKg < l.kg - EPS_LOAD || v.capacityM3 < l.m3 - EPS_LOAD) at(i, 'capacity', 'the load exceeds the truck capacity', l.id);
        if (cls !== null && cls !== 'muck') at(i, 'mixed_classes', `muck on a ${cls} route`, l.id);
        cls = 'muck';
        deliver(fac.id, l.kg);
        break;
      }
      case 'sweep': {
        const w = s.id !== undefined ? ix.sweeps.get(s.id) : undefined;
        if (!w) { at(i, 'unknown_id', `unknown sweep task ${s.id}`); break; }
        const pass = s.visit ?? 0;
        if (pass >= sweepPasses(w)) at(i, 'unknown_id', `pass ${pass} of a segment with ${sweepPasses(w)} mechanical passes`, w.id);
        else figures.served.push({ key: sweepKey(w.id, pass), stop: i });
        const forward = s.location === w.fromLocation && (s.endLocation ?? w.toLocation) === w.toLocation;
        const backward = s.location === w.toLocation && s.endLocation === w.fromLocation;
        if (!forward && !(backward && !w.oneWay)) at(i, 'sweep_direction', w.oneWay ? 'one-way segment swept against its direction' : 'pass does not follow the segment', w.id);
        endLoc = forward ? w.toLocation : w.fromLocation;
        needS = w.lengthM / (w.workSpeedKmh / 3.6);
        dist += w.lengthM;
        if (v.kind !== w.vehicleKind) at(i, 'sweep_kind', `a ${w.vehicleKind} task done by a ${v.kind}`, w.id);
        if (w.vehicleIds && !w.vehicleIds.includes(v.id)) at(i, 'sweep_kind', `${v.id} is not one of the segment's vehicles (${w.vehicleIds.join(', ')})`, w.id);
        if (s.startS < w.earliestS - EPS_S) at(i, 'sweep_deadline', 'pass starts before the segment may be swept', w.id);
        if (s.startS + needS > w.deadlineS + EPS_S) at(i, 'sweep_deadline', `pass ends at ${(s.startS + needS).toFixed(0)} s, after the deadline`, w.id);
        const g = streetCarries(w.vehicleKind);
        if (cls !== null && cls !== g) at(i, 'mixed_classes', `${g} task on a ${cls} route`, w.id);
        cls = g;
        kg += w.kg;
        m3 += w.m3;
        break;
      }
      case 'facility': {
        const f = s.id !== undefined ? ix.facilities.get(s.id) : undefined;
        if (!f) { at(i, 'unknown_id', `unknown facility ${s.id}`); break; }
        if (s.location !== f.location) at(i, 'facility_accepts', 'facility visit at the wrong location', f.id);
        if (cls !== null && !f.accepts.includes(cls)) at(i, 'facility_accepts', `${f.id} does not accept ${cls}`, f.id);
        if (!inAnyWindow(s.startS, f.windows)) at(i, 'facility_hours', `unloads at ${s.startS.toFixed(0)} s, outside opening hours`, f.id);
        needS = f.unloadS;
        if (cls === null || !isConsumable(cls)) deliver(f.id, kg);
        kg = 0; m3 = 0;
        break;
      }
      case 'break': {
        breaks++;
        if (!v.break) { at(i, 'break', 'break on a vehicle without a break rule'); break; }
        needS = v.break.durationS;
        if (s.startS < v.break.window.startS - EPS_S || s.startS > v.break.window.endS + EPS_S) at(i, 'break', 'break starts outside its window');
        if (s.location !== loc) at(i, 'break', 'break taken away from the previous stop');
        break;
      }
      case 'start':
      case 'end':
        if (i !== last) at(i, 'depot', `a ${s.type} stop in the middle of the route`);
        break;
    }
    if (s.departureS < s.startS + needS - EPS_S) at(i, 'travel_time', `leaves ${(s.startS + needS - s.departureS).toFixed(1)} s before the work is done`);
    if (kg > v.capacityKg + EPS_LOAD || m3 > v.capacityM3 + EPS_LOAD) at(i, 'capacity', `load ${kg.toFixed(1)} kg / ${m3.toFixed(2)} m3 over capacity`);
    checkLoad(i, s);
    loc = s.type === 'end' ? loc : endLoc;
    t = s.departureS;
  }
  if (v.break && breaks !== 1) at(undefined, 'break', `needs exactly one break, has ${breaks}`);
  if (cls !== null && !isConsumable(cls) && cls !== 'muck' && ix.acceptedClasses.has(cls) && (kg > EPS_LOAD || m3 > EPS_LOAD)) {
    at(last, 'unload_before_return', `returns to the depot with ${kg.toFixed(1)} kg of ${cls} on board`);
  }
  figures.distanceM = dist;
  figures.durationS = stops[last].arrivalS - stops[0].departureS;
  figures.cost = v.fixedCost + (v.costPerKm * dist) / 1000 + (v.costPerHour * figures.durationS) / 3600;
  if (opts.statedFigures) {
    if (cls !== null && route.carries !== cls) at(undefined, 'carries', `states it carries ${route.carries}, its work is ${cls}`);
    if (!sameFigure(route.distanceM, figures.distanceM)) at(undefined, 'cost', `states ${route.distanceM} m, recomputed ${figures.distanceM} m`);
    if (!sameFigure(route.durationS, figures.durationS)) at(undefined, 'cost', `states ${route.durationS} s, recomputed ${figures.durationS} s`);
    if (!sameFigure(route.cost, figures.cost)) at(undefined, 'cost', `states cost ${route.cost}, recomputed ${figures.cost}`);
  }
  return figures;
}
