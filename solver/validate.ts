/**
 * The independent plan checker: recomputes a Solution from the Problem alone (no code shared
 * with the search) and reports every hard rule of docs/domain.md that the plan breaks.
 */
import { parseProblem, type Problem, type Solution, type Stop } from './problem.js';

export type Rule =
  | 'schema'
  | 'vehicle'
  | 'depot'
  | 'shift'
  | 'travel_time'
  | 'time_window'
  | 'break'
  | 'capacity'
  | 'unload_before_return'
  | 'mixed_classes'
  | 'vehicle_class'
  | 'facility_accepts'
  | 'facility_hours'
  | 'facility_capacity'
  | 'sealed'
  | 'hazardous'
  | 'permit_vehicle'
  | 'permit_hours'
  | 'permit_corridor'
  | 'sweep_direction'
  | 'sweep_deadline'
  | 'sweep_kind'
  | 'coverage'
  | 'visit_gap'
  | 'cost';

export interface Violation {
  rule: Rule;
  vehicleId?: string;
  stop?: number;
  id?: string;
  detail: string;
}

export interface ValidationReport {
  valid: boolean;
  violations: Violation[];
  recomputed: { vehicles: number; distanceM: number; durationS: number; cost: number; served: number; unserved: number };
}

const EPS_S = 1e-3;
const EPS_KG = 1e-6;

function inAny(t: number, windows: Array<{ startS: number; endS: number }>): boolean {
  return windows.some((w) => t >= w.startS - EPS_S && t <= w.endS + EPS_S);
}

export function validateSolution(problemInput: unknown, solution: Solution): ValidationReport {
  const violations: Violation[] = [];
  let p: Problem;
  try {
    p = parseProblem(problemInput);
  } catch (e) {
    return { valid: false, violations: [{ rule: 'schema', detail: (e as Error).message }], recomputed: { vehicles: 0, distanceM: 0, durationS: 0, cost: 0, served: 0, unserved: 0 } };
  }
  const vehicles = new Map(p.vehicles.map((v) => [v.id, v]));
  const jobs = new Map(p.jobs.map((j) => [j.id, j]));
  const loads = new Map(p.muckLoads.map((l) => [l.id, l]));
  const sweeps = new Map(p.sweepTasks.map((s) => [s.id, s]));
  const facilities = new Map(p.facilities.map((f) => [f.id, f]));
  const acceptedClasses = new Set(p.facilities.flatMap((f) => f.accepts));
  const served = new Map<string, number>();
  const jobStarts = new Map<string, number[]>();
  const delivered = new Map<string, number>();
  const usedVehicles = new Set<string>();
  let totalDist = 0, totalDur = 0, totalCost = 0;
  const count = (key: string) => served.set(key, (served.get(key) ?? 0) + 1);

  for (const route of solution.routes) {
    const v = vehicles.get(route.vehicleId);
    const at = (stop: number | undefined, rule: Rule, detail: string, id?: string) =>
      violations.push({ rule, vehicleId: route.vehicleId, stop, id, detail });
    if (!v) { at(undefined, 'vehicle', `unknown vehicle ${route.vehicleId}`); continue; }
    if (usedVehicles.has(v.id)) at(undefined, 'vehicle', 'vehicle has more than one route');
    usedVehicles.add(v.id);
    const m = p.matrices[v.profile];
    const stops = route.stops;
    if (stops.length < 2 || stops[0].type !== 'start' || stops[stops.length - 1].type !== 'end') {
      at(undefined, 'depot', 'a route must begin with a start stop and finish with an end stop');
      continue;
    }
    if (stops[0].location !== v.startLocation) at(0, 'depot', 'does not start at the vehicle depot');
    if (stops[stops.length - 1].location !== v.endLocation) at(stops.length - 1, 'depot', 'does not end at the vehicle depot');
    if (stops[0].departureS < v.shift.startS - EPS_S) at(0, 'shift', 'leaves before the shift starts');
    if (stops[stops.length - 1].arrivalS > v.shift.endS + EPS_S) at(stops.length - 1, 'shift', 'returns after the shift ends');

    let loc = stops[0].location;
    let t = stops[0].departureS;
    let dist = 0;
    let kg = 0, m3 = 0;
    let cls: string | null = null;
    let breaks = 0;
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
          const j = s.id ? jobs.get(s.id) : undefined;
          if (!j) { at(i, 'coverage', `unknown job ${s.id}`); break; }
          if (s.location !== j.location) at(i, 'coverage', 'job served at the wrong location', j.id);
          const visit = s.visit ?? 0;
          if (visit < 0 || visit >= j.visitsPerDay) at(i, 'coverage', `visit ${visit} out of range`, j.id);
          count(`job:${j.id}:${visit}`);
          (jobStarts.get(j.id) ?? jobStarts.set(j.id, []).get(j.id)!).push(s.startS);
          needS = j.serviceS;
          if (!inAny(s.startS, j.windows)) at(i, 'time_window', `service starts at ${s.startS.toFixed(0)} s, outside the collection windows`, j.id);
          if (cls !== null && cls !== j.wasteClass) at(i, 'mixed_classes', `${j.wasteClass} on a ${cls} route`, j.id);
          cls ??= j.wasteClass;
          if (v.kind !== 'collector' || !v.classes.includes(j.wasteClass)) at(i, 'vehicle_class', `${v.kind} ${v.id} may not carry ${j.wasteClass}`, j.id);
          if (j.wasteClass === 'food' && !(v.sealed && v.coverSensorOk)) at(i, 'sealed', 'food waste needs a sealed vehicle with a working cover sensor', j.id);
          if (j.wasteClass === 'hazardous' && !v.hazardousRated) at(i, 'hazardous', 'hazardous waste needs a hazardous-rated vehicle', j.id);
          kg += j.kg / j.visitsPerDay;
          m3 += j.m3 / j.visitsPerDay;
          break;
        }
        case 'muck': {
          const l = s.id ? loads.get(s.id) : undefined;
          if (!l) { at(i, 'coverage', `unknown muck load ${s.id}`); break; }
          count(`muck:${l.id}`);
          const fac = facilities.get(l.disposalFacilityId);
          if (s.location !== l.siteLocation) at(i, 'coverage', 'loaded at the wrong site', l.id);
          if (!fac) { at(i, 'facility_accepts', 'designated disposal site does not exist', l.id); break; }
          if (s.facilityId !== undefined && s.facilityId !== fac.id) at(i, 'facility_accepts', `unloaded at ${s.facilityId}, not the designated ${fac.id}`, l.id);
          if (!fac.accepts.includes('muck')) at(i, 'facility_accepts', `${fac.id} does not accept construction waste`, l.id);
          endLoc = fac.location;
          if (s.endLocation !== undefined && s.endLocation !== fac.location) at(i, 'permit_corridor', 'the loaded leg does not end at the disposal site', l.id);
          const unloadStart = s.startS + l.loadS + l.permit.corridorDurationS;
          needS = l.loadS + l.permit.corridorDurationS + fac.unloadS;
          dist += l.permit.corridorDistanceM;
          if (!inAny(unloadStart, fac.windows)) at(i, 'facility_hours', `unloads at ${unloadStart.toFixed(0)} s, outside ${fac.id}'s hours`, l.id);
          if (s.startS < l.permit.window.startS - EPS_S || s.startS + needS > l.permit.window.endS + EPS_S) at(i, 'permit_hours', 'trip outside the permit hours', l.id);
          if (!l.permit.vehicleIds.includes(v.id) || v.kind !== 'muck') at(i, 'permit_vehicle', `${v.id} is not on permit ${l.permit.id}`, l.id);
          if (!v.sealed || !v.coverSensorOk) at(i, 'sealed', 'construction waste needs a sealed truck with a working cover sensor', l.id);
          if (v.capacityKg < l.kg - EPS_KG || v.capacityM3 < l.m3 - EPS_KG) at(i, 'capacity', 'the load exceeds the truck capacity', l.id);
          if (cls !== null && cls !== 'muck') at(i, 'mixed_classes', `muck on a ${cls} route`, l.id);
          cls = 'muck';
          delivered.set(fac.id, (delivered.get(fac.id) ?? 0) + l.kg);
          break;
        }
        case 'sweep': {
          const w = s.id ? sweeps.get(s.id) : undefined;
          if (!w) { at(i, 'coverage', `unknown sweep task ${s.id}`); break; }
          count(`sweep:${w.id}:${s.visit ?? 0}`);
          const forward = s.location === w.fromLocation && (s.endLocation ?? w.toLocation) === w.toLocation;
          const backward = s.location === w.toLocation && s.endLocation === w.fromLocation;
          if (!forward && !(backward && !w.oneWay)) at(i, 'sweep_direction', w.oneWay ? 'one-way segment swept against its direction' : 'pass does not follow the segment', w.id);
          endLoc = forward ? w.toLocation : w.fromLocation;
          needS = w.lengthM / (w.workSpeedKmh / 3.6);
          dist += w.lengthM;
          if (v.kind !== w.vehicleKind) at(i, 'sweep_kind', `a ${w.vehicleKind} task done by a ${v.kind}`, w.id);
          if (s.startS < w.earliestS - EPS_S) at(i, 'sweep_deadline', 'pass starts before the segment may be swept', w.id);
          if (s.startS + needS > w.deadlineS + EPS_S) at(i, 'sweep_deadline', `pass ends at ${(s.startS + needS).toFixed(0)} s, after the deadline`, w.id);
          const g = w.vehicleKind === 'sweeper' ? 'sweepings' : 'water';
          if (cls !== null && cls !== g) at(i, 'mixed_classes', `${g} task on a ${cls} route`, w.id);
          cls = g;
          kg += w.kg;
          m3 += w.m3;
          break;
        }
        case 'facility': {
          const f = s.id ? facilities.get(s.id) : undefined;
          if (!f) { at(i, 'facility_accepts', `unknown facility ${s.id}`); break; }
          if (s.location !== f.location) at(i, 'facility_accepts', 'facility visit at the wrong location', f.id);
          if (cls !== null && !f.accepts.includes(cls)) at(i, 'facility_accepts', `${f.id} does not accept ${cls}`, f.id);
          if (!inAny(s.startS, f.windows)) at(i, 'facility_hours', `unloads at ${s.startS.toFixed(0)} s, outside opening hours`, f.id);
          needS = f.unloadS;
          if (cls !== 'water') delivered.set(f.id, (delivered.get(f.id) ?? 0) + kg);
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
        case 'end':
          break;
        default:
          at(i, 'schema', `unknown stop type ${(s as Stop).type}`);
      }
      if (s.departureS < s.startS + needS - EPS_S) at(i, 'travel_time', `leaves ${(s.startS + needS - s.departureS).toFixed(1)} s before the work is done`);
      if (kg > v.capacityKg + EPS_KG || m3 > v.capacityM3 + EPS_KG) at(i, 'capacity', `load ${kg.toFixed(1)} kg / ${m3.toFixed(2)} m3 over capacity`);
      loc = s.type === 'end' ? loc : endLoc;
      t = s.departureS;
    }
    if (v.break && breaks !== 1) at(undefined, 'break', `needs exactly one break, has ${breaks}`);
    if (cls !== null && cls !== 'water' && cls !== 'muck' && acceptedClasses.has(cls) && (kg > EPS_KG || m3 > EPS_KG)) {
      at(stops.length - 1, 'unload_before_return', `returns to the depot with ${kg.toFixed(1)} kg of ${cls} on board`);
    }
    const durS = stops[stops.length - 1].arrivalS - stops[0].departureS;
    const cost = v.fixedCost + (v.costPerKm * dist) / 1000 + (v.costPerHour * durS) / 3600;
    if (Math.abs(dist - route.distanceM) > 1e-6 * Math.max(1, dist)) at(undefined, 'cost', `reported ${route.distanceM} m, recomputed ${dist} m`);
    if (Math.abs(cost - route.cost) > 1e-6 * Math.max(1, cost)) at(undefined, 'cost', `reported cost ${route.cost}, recomputed ${cost}`);
    totalDist += dist; totalDur += durS; totalCost += cost;
  }

  // facility daily capacity across all routes
  for (const [fid, kg] of delivered) {
    const f = facilities.get(fid)!;
    if (f.dailyCapacityKg !== undefined && kg > f.dailyCapacityKg + EPS_KG) {
      violations.push({ rule: 'facility_capacity', id: fid, detail: `receives ${kg.toFixed(0)} kg, capacity ${f.dailyCapacityKg} kg` });
    }
  }
  // visit gaps between the visits of one point
  for (const [id, starts] of jobStarts) {
    const j = jobs.get(id)!;
    starts.sort((a, b) => a - b);
    for (let k = 1; k < starts.length; k++) {
      if (starts[k] - starts[k - 1] < j.minGapS - EPS_S) violations.push({ rule: 'visit_gap', id, detail: `visits ${(starts[k] - starts[k - 1]).toFixed(0)} s apart, minimum ${j.minGapS} s` });
    }
  }
  // coverage: everything served exactly once or reported unserved with a reason
  const unservedKeys = new Map<string, number>();
  for (const u of solution.unserved) {
    const key = jobs.has(u.id) ? `job:${u.id}:${u.visit ?? 0}` : loads.has(u.id) ? `muck:${u.id}` : sweeps.has(u.id) ? `sweep:${u.id}:${u.visit ?? 0}` : `?:${u.id}`;
    unservedKeys.set(key, (unservedKeys.get(key) ?? 0) + 1);
    if (!u.reason || !u.detail) violations.push({ rule: 'coverage', id: u.id, detail: 'unserved entry without a reason' });
  }
  const required: string[] = [];
  for (const j of p.jobs) for (let k = 0; k < j.visitsPerDay; k++) required.push(`job:${j.id}:${k}`);
  for (const l of p.muckLoads) required.push(`muck:${l.id}`);
  for (const w of p.sweepTasks) for (let k = 0; k < Math.min(w.passes, w.mechanicalPasses); k++) required.push(`sweep:${w.id}:${k}`);
  const requiredSet = new Set(required);
  let servedCount = 0;
  for (const key of required) {
    const n = (served.get(key) ?? 0);
    const u = unservedKeys.get(key) ?? 0;
    servedCount += n > 0 ? 1 : 0;
    if (n + u === 0) violations.push({ rule: 'coverage', id: key, detail: 'neither served nor reported unserved' });
    else if (n > 1) violations.push({ rule: 'coverage', id: key, detail: `served ${n} times` });
    else if (n === 1 && u > 0) violations.push({ rule: 'coverage', id: key, detail: 'both served and reported unserved' });
  }
  for (const key of served.keys()) if (!requiredSet.has(key)) violations.push({ rule: 'coverage', id: key, detail: 'served but not required' });

  return {
    valid: violations.length === 0,
    violations,
    recomputed: { vehicles: solution.routes.length, distanceM: totalDist, durationS: totalDur, cost: totalCost, served: servedCount, unserved: solution.unserved.length },
  };
}
