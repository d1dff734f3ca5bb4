/**
 * Search result -> the Solution's routes: a timed schedule per vehicle (with the driver's
 * break placed where it fits), loads after each stop, and reasons for unplaced tasks.
 */
import type { Problem, Route, Stop, Unserved } from '../problem.js';
import type { CompiledModel } from './compile.js';
import type { RouteOut } from './search.js';
import { isFeasible, routeSeg } from './segment.js';
import { breakPlace } from './breakFit.js';

interface Timed {
  stops: Stop[];
  ok: boolean;
}

/** Forward schedule of a node sequence; breakAfter = index of the stop after which the break is taken (-1 none). */
function schedule(p: Problem, cm: CompiledModel, veh: number, nodes: number[], departS: number, breakAfter: number): Timed {
  const m = cm.model;
  const vehicle = p.vehicles[cm.vehicles[veh]];
  const prof = m.vehProfile[veh];
  const dur = m.profileDur[prof];
  const group = nodes.map((n) => m.nodeTask[n]).find((t) => t >= 0);
  const groupName = group === undefined ? '' : m.groupNames[m.taskGroup[group]];
  const stops: Stop[] = [];
  let loc = m.vehStart[veh];
  let t = departS;
  let kg = 0, m3 = 0;
  let ok = true;
  stops.push({ type: 'start', location: loc, arrivalS: t, startS: t, departureS: t, loadKg: 0, loadM3: 0 });
  const takeBreak = () => {
    const b = vehicle.break!;
    const start = Math.max(t, b.window.startS);
    if (start > b.window.endS) ok = false;
    stops.push({ type: 'break', location: loc, arrivalS: t, startS: start, departureS: start + b.durationS, loadKg: kg, loadM3: m3 });
    t = start + b.durationS;
  };
  if (breakAfter === 0) takeBreak();
  nodes.forEach((n, i) => {
    const arrival = t + dur[loc * m.nLoc + m.nodeStart[n]];
    const start = Math.max(arrival, m.nodeE[n]);
    if (start > m.nodeL[n] + 1e-6) ok = false;
    const ref = cm.nodeRefs[n];
    if (m.nodeIsIF[n]) { kg = 0; m3 = 0; } else { kg += m.nodeKg[n]; m3 += m.nodeM3[n]; }
    const stop: Stop = { type: 'job', location: m.nodeStart[n], arrivalS: arrival, startS: start, departureS: start + m.nodeDur[n], loadKg: kg, loadM3: m3 };
    if (ref.kind === 'job') { stop.id = p.jobs[ref.index].id; stop.visit = ref.visit; }
    else if (ref.kind === 'muck') {
      const load = p.muckLoads[ref.index];
      stop.type = 'muck'; stop.id = load.id; stop.endLocation = m.nodeEnd[n]; stop.facilityId = load.disposalFacilityId;
    } else if (ref.kind === 'sweep') {
      stop.type = 'sweep'; stop.id = p.sweepTasks[ref.index].id; stop.visit = ref.visit; stop.endLocation = m.nodeEnd[n];
    } else { stop.type = 'facility'; stop.id = p.facilities[ref.index].id; }
    stops.push(stop);
    t = stop.departureS;
    loc = m.nodeEnd[n];
    if (breakAfter === i + 1) takeBreak();
  });
  const arrival = t + dur[loc * m.nLoc + m.vehEnd[veh]];
  if (arrival > vehicle.shift.endS + 1e-6) ok = false;
  stops.push({ type: 'end', location: m.vehEnd[veh], arrivalS: arrival, startS: arrival, departureS: arrival, loadKg: kg, loadM3: m3 });
  void groupName;
  return { stops, ok };
}

/** Leave the depot as late as possible without lengthening the day (least waiting). */
function leastWaitingDeparture(p: Problem, cm: CompiledModel, r: RouteOut): number {
  const s = routeSeg(cm.model, r.veh, r.nodes);
  return Math.max(p.vehicles[cm.vehicles[r.veh]].shift.startS, Math.min(s.l, s.e));
}

/** The schedule with the driver's break in the first place that keeps every window, or null. */
function placeBreak(p: Problem, cm: CompiledModel, r: RouteOut, departS: number): Timed | null {
  const vehicle = p.vehicles[cm.vehicles[r.veh]];
  // the least-waiting departure may push the whole day past the break window; then leave at shift start
  for (const dep of [departS, vehicle.shift.startS]) {
    for (let k = 0; k <= r.nodes.length; k++) {
      const cand = schedule(p, cm, r.veh, r.nodes, dep, k);
      if (cand.ok) return cand;
    }
  }
  // the place and departure the search checked the route with (breakFit.ts), when the two
  // departures above both miss it (a break that needs the day to start later or earlier)
  const b = vehicle.break!;
  const place = breakPlace(cm.model, r.veh, r.nodes, { durationS: b.durationS, startS: b.window.startS, endS: b.window.endS });
  if (place) {
    const cand = schedule(p, cm, r.veh, r.nodes, Math.max(vehicle.shift.startS, place.departS), place.after);
    if (cand.ok) return cand;
  }
  return null;
}

/**
 * The break is placed after routing; a route pressed against its windows can leave it no
 * room. Then take tasks out (the first whose removal makes room, else the last) until it
 * fits, so no plan breaks the break rule; what is taken out is reported with the reason.
 */
export function fitBreak(p: Problem, cm: CompiledModel, r: RouteOut): { route: RouteOut | null; dropped: Unserved[]; droppedTasks: number[] } {
  const m = cm.model;
  const vehicle = p.vehicles[cm.vehicles[r.veh]];
  if (!vehicle.break) return { route: r, dropped: [], droppedTasks: [] };
  let nodes = r.nodes.slice();
  const dropped: Unserved[] = [];
  const droppedTasks: number[] = [];
  const fits = (ns: number[]) => breakFits(p, cm, { veh: r.veh, nodes: ns });
  while (nodes.some((n) => m.nodeTask[n] >= 0) && !fits(nodes)) {
    const taskIdx = nodes.map((n, i) => (m.nodeTask[n] >= 0 ? i : -1)).filter((i) => i >= 0);
    let out = taskIdx[taskIdx.length - 1];
    for (let k = taskIdx.length - 1; k >= 0; k--) {
      const trial = nodes.filter((_, i) => i !== taskIdx[k]);
      if (fits(trial)) { out = taskIdx[k]; break; }
    }
    const u = diagnose(p, cm, m.nodeTask[nodes[out]]);
    dropped.push({ ...u, reason: 'time_window', detail: `no room left for the driver's break of ${vehicle.id} with this point on the route` });
    droppedTasks.push(m.nodeTask[nodes[out]]);
    nodes = nodes.filter((_, i) => i !== out);
  }
  if (!nodes.some((n) => m.nodeTask[n] >= 0)) return { route: null, dropped, droppedTasks };
  return { route: { veh: r.veh, nodes }, dropped, droppedTasks };
}

/** Does the driver's break (if any) find a place in this route that keeps every window? */
export function breakFits(p: Problem, cm: CompiledModel, r: RouteOut): boolean {
  if (!p.vehicles[cm.vehicles[r.veh]].break) return true;
  return placeBreak(p, cm, r, leastWaitingDeparture(p, cm, r)) !== null;
}

export function buildRoute(p: Problem, cm: CompiledModel, r: RouteOut): Route {
  const m = cm.model;
  const veh = r.veh;
  const vehicle = p.vehicles[cm.vehicles[veh]];
  const departS = leastWaitingDeparture(p, cm, r);
  let timed = schedule(p, cm, veh, r.nodes, departS, -1);
  if (vehicle.break) {
    // no slot keeps every window: report the schedule honestly, the validator will flag it
    // (solve() first takes tasks out with fitBreak, so this does not reach a plan)
    timed = placeBreak(p, cm, r, departS) ?? schedule(p, cm, veh, r.nodes, departS, r.nodes.length);
  }
  const prof = m.vehProfile[veh];
  let distM = 0;
  let loc = m.vehStart[veh];
  for (const n of r.nodes) {
    distM += m.profileDist[prof][loc * m.nLoc + m.nodeStart[n]] + m.nodeDist[n];
    loc = m.nodeEnd[n];
  }
  distM += m.profileDist[prof][loc * m.nLoc + m.vehEnd[veh]];
  const durationS = timed.stops[timed.stops.length - 1].arrivalS - timed.stops[0].departureS;
  const task = r.nodes.map((n) => m.nodeTask[n]).find((t) => t >= 0)!;
  return {
    vehicleId: vehicle.id,
    carries: m.groupNames[m.taskGroup[task]],
    stops: timed.stops,
    distanceM: distM,
    durationS,
    cost: vehicle.fixedCost + (vehicle.costPerKm * distM) / 1000 + (vehicle.costPerHour * durationS) / 3600,
  };
}

/**
 * Why a task the search could not place stays unserved. `usedKg` (kg each facility received
 * so far): a task that fits alone but whose every facility is full is `facility_capacity`.
 */
export function diagnose(p: Problem, cm: CompiledModel, task: number, usedKg?: ReadonlyMap<string, number>): Unserved {
  const m = cm.model;
  const ref = cm.taskRefs[task];
  const id = ref.kind === 'job' ? p.jobs[ref.index].id : ref.kind === 'muck' ? p.muckLoads[ref.index].id : p.sweepTasks[ref.index].id;
  const visit = ref.kind === 'muck' ? undefined : ref.visit;
  const g = m.taskGroup[task];
  let timeBlocked = false, loadBlocked = false, aloneFits = false, breakBlocked = false;
  for (let v = 0; v < m.nVeh; v++) {
    if (!m.taskCompat[task * m.nVeh + v]) continue;
    for (const n of m.taskNodes[task]) {
      const tails = m.groupEndEmpty[g] ? m.groupIF[g].map((f) => [f]) : [[]];
      for (const tail of tails) {
        const s = routeSeg(m, v, [n, ...tail]);
        const b = p.vehicles[cm.vehicles[v]].break;
        const breakOk = !b || breakPlace(m, v, [n, ...tail], { durationS: b.durationS, startS: b.window.startS, endS: b.window.endS }) !== null;
        if (isFeasible(s, m, v, m.groupEndEmpty[g] === 1)) { if (breakOk) aloneFits = true; else breakBlocked = true; }
        else if (s.timeWarpS > 1e-6) timeBlocked = true;
        else loadBlocked = true;
      }
    }
  }
  if (aloneFits && usedKg && facilitiesFull(p, cm, task, usedKg)) {
    return { id, visit, reason: 'facility_capacity', detail: 'no facility that takes it has daily capacity left for this load' };
  }
  if (aloneFits) return { id, visit, reason: 'fleet_exhausted', detail: 'fits on its own, but every compatible vehicle is full or out of shift time' };
  if (breakBlocked) return { id, visit, reason: 'time_window', detail: 'its window leaves no room for the driver\'s break of any compatible vehicle' };
  if (timeBlocked) return { id, visit, reason: 'time_window', detail: 'no compatible vehicle can reach it inside its window and still unload and return within its shift' };
  return { id, visit, reason: loadBlocked ? 'capacity' : 'time_window', detail: 'exceeds what one trip of any compatible vehicle can carry' };
}

/** Every facility that could take the task's load has too little daily capacity left for it. */
function facilitiesFull(p: Problem, cm: CompiledModel, task: number, usedKg: ReadonlyMap<string, number>): boolean {
  const m = cm.model;
  const ref = cm.taskRefs[task];
  const kg = ref.kind === 'muck' ? p.muckLoads[ref.index].kg : m.nodeKg[m.taskNodes[task][0]];
  const ids = ref.kind === 'muck' ? [p.muckLoads[ref.index].disposalFacilityId]
    : m.groupIFAll[m.taskGroup[task]].map((n) => p.facilities[cm.nodeRefs[n].index].id);
  if (ids.length === 0) return false;
  return ids.every((id) => {
    const f = p.facilities.find((x) => x.id === id)!;
    return f.dailyCapacityKg !== undefined && f.dailyCapacityKg - (usedKg.get(id) ?? 0) < kg - 1e-6;
  });
}
