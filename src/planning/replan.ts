import { z } from 'zod';
import { haversineM, type ProblemInput, type Solution } from '../../solver/index.js';
import { isConsumable } from '../../solver/index.js';
import type { PlanMapping } from './build-problem.js';
import type { UnservedItem } from './plan-model.js';
import { roadBlockedEventSchema } from './road-block.js';

/**
 * Re-planning during the day (issue 12 item 6): from the plan in force and what happened by
 * time T, the Problem of the work that remains, solved so that as little as possible moves.
 *
 * * **Done** = marked done (stop_marks), or detected done / late from the fixes (plan against
 *   actual, `plan_actual`). For a vehicle the detector has seen serving (`trackedVehicleIds`), a stop
 *   planned before T but not detected done is still to do: it is planned again (on its vehicle
 *   when it can, else freed; after its window it is left out with the reason). For a vehicle
 *   without fixes the plan is assumed kept until the event (planned to start before T = done).
 *   Done stops are not in the new Problem, so nothing can move them; the new version lists them
 *   (`ReplanRecord.done`).
 * * **State at T** per vehicle: it starts at T (or its shift start, if later) from its last fix
 *   (a place of its own with new matrix rows, `startLocations`; without them the nearest place
 *   of the plan), else from where its last done stop ended; a collector that still carries waste starts with a
 *   one-stop "carried" point at its start that only it may serve, so the load is unloaded before
 *   the return. A break taken before T is not planned again.
 * * **Fewest moves**: every remaining stop of a vehicle still in service is restricted to that
 *   vehicle (`vehicleIds`); the broken vehicle's stops, and what the plan left out, may go
 *   anywhere. A restricted stop the solver cannot keep on its vehicle is freed in a second solve
 *   (`relaxRestrictions`) rather than left out.
 */
export const replanEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('breakdown'), vehicleId: z.string().min(1).max(100) }),
  z.strictObject({ kind: z.literal('facility_closed'), facilityId: z.string().min(1).max(100) }),
  /** stored collection points to collect today: new ones, or one extra collection at a planned one */
  z.strictObject({ kind: z.literal('new_points'), pointIds: z.array(z.string().min(1).max(100)).min(1).max(500) }),
  /** road segments closed from T on: stored ids, a line along the roads, or an area (road-block.ts) */
  roadBlockedEventSchema,
]);
export type ReplanEvent = z.infer<typeof replanEventSchema>;

export interface ReplanState {
  /** solver seconds of T on the plan's day */
  atS: number;
  /** stop ids `<vehicleId>.<seq>` of the base plan marked done */
  markedStopIds: string[];
  /** stop ids `<vehicleId>.<seq>` detected done or late from the fixes (plan against actual) */
  detectedStopIds?: string[];
  /** vehicles whose stops the detector has judged from their fixes: for them "planned before T" is not "done" */
  trackedVehicleIds?: string[];
  /** last fix at or before T per vehicle */
  positions: Record<string, { lon: number; lat: number }>;
}

export interface ReplanBase {
  planId: string;
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
}

/** A task visit: `job:<id>#<visit>`, `sweep:<id>#<pass>`, `muck:<id>#0` (visit numbers of the base plan); an item is the part before '#'. */
export type ItemKey = string;
const keyOf = (type: string, id: string, visit: number | undefined): ItemKey => `${type}:${id}#${visit ?? 0}`;
const TASK_TYPES = new Set(['job', 'sweep', 'muck']);

export interface VehicleDiff {
  vehicleId: string;
  /** done before T (unchanged) */
  done: number;
  /** items (`job:<id>`, `sweep:<id>`, `muck:<id>`), once per visit */
  kept: string[];
  /** now on this vehicle, before on another or left out */
  added: string[];
  /** before on this vehicle, now on another or left out */
  removed: string[];
}

export interface ReplanRecord {
  basePlanId: string;
  event: ReplanEvent;
  atS: number;
  at: string;
  /** stops done before T, by stop id of the base plan */
  done: Array<{ stopId: string; key: ItemKey; how: 'marked' | 'detected' | 'planned_before' }>;
  /** remaining stops now on another vehicle than in the base plan */
  moved: number;
  /** of those, stops that were not on the broken vehicle */
  movedOther: number;
  /** remaining stops the new version leaves out */
  unserved: number;
  /** restricted stops freed in the second solve */
  relaxed: number;
  vehicles: VehicleDiff[];
  /** a blocked road: network segments closed, matrix rows computed again around them and how long that took */
  blocked?: { networkSegments: number; unmatchedRoadSegmentIds: string[]; matrixRows: number; recomputeMs: number; unreachableItems: number };
}

export interface ReplanProblem {
  problem: ProblemInput;
  /** remaining stop → the vehicle that had it (null: left out by the base plan, or on the broken vehicle) */
  before: Map<ItemKey, string | null>;
  /** new job / sweep id → base visit numbers, position = new visit number */
  visitMap: Map<string, number[]>;
  done: ReplanRecord['done'];
  doneByVehicle: Map<string, number>;
  /** items no longer possible (their windows or deadline before T, their facility closed) */
  excluded: UnservedItem[];
  brokenVehicleId: string | null;
}

/** The Problem of the remaining work at T (see the module comment). */
export function buildReplanProblem(base: ReplanBase, event: ReplanEvent, state: ReplanState, startLocations: Record<string, number> = {}): ReplanProblem {
  const { problem, solution, mapping } = base;
  const atS = state.atS;
  const marked = new Set(state.markedStopIds);
  const detected = new Set(state.detectedStopIds ?? []);
  const tracked = new Set(state.trackedVehicleIds ?? []);
  const broken = event.kind === 'breakdown' ? event.vehicleId : null;
  const done: ReplanRecord['done'] = [];
  const doneKeys = new Set<ItemKey>();
  const doneByVehicle = new Map<string, number>();
  const before = new Map<ItemKey, string | null>();
  const usedKg = new Map<string, number>();
  const startAt = new Map<string, { location: number; loadKg: number; loadM3: number; carries: string; breakTaken: boolean; worked: boolean }>();
  for (const route of solution.routes) {
    let location: number | null = null, loadKg = 0, loadM3 = 0, breakTaken = false, worked = false, prevKg = 0;
    route.stops.forEach((stop, seq) => {
      const stopId = `${route.vehicleId}.${seq}`;
      const isMarked = marked.has(stopId);
      const isDetected = detected.has(stopId);
      const isBefore = stop.startS < atS;
      const assumedDone = isBefore && !tracked.has(route.vehicleId);
      if (TASK_TYPES.has(stop.type) && stop.id !== undefined) {
        const key = keyOf(stop.type, stop.id, stop.type === 'muck' ? 0 : stop.visit);
        if (isMarked || isDetected || assumedDone) {
          done.push({ stopId, key, how: isMarked ? 'marked' : isDetected ? 'detected' : 'planned_before' });
          doneKeys.add(key);
          doneByVehicle.set(route.vehicleId, (doneByVehicle.get(route.vehicleId) ?? 0) + 1);
        } else {
          before.set(key, route.vehicleId === broken ? null : route.vehicleId);
        }
      }
      if (isBefore && stop.type !== 'end') {
        if (stop.type !== 'start') worked = true;
        if (stop.type === 'break') breakTaken = true;
        if (stop.type === 'facility' && stop.id && !isConsumable(route.carries)) usedKg.set(stop.id, (usedKg.get(stop.id) ?? 0) + Math.max(0, prevKg - stop.loadKg));
        if (stop.type === 'muck' && stop.facilityId && stop.id) {
          const kg = problem.muckLoads?.find((l) => l.id === stop.id)?.kg ?? 0;
          usedKg.set(stop.facilityId, (usedKg.get(stop.facilityId) ?? 0) + kg);
        }
        location = stop.endLocation ?? stop.location;
        loadKg = stop.loadKg;
        loadM3 = stop.loadM3;
      }
      prevKg = stop.loadKg;
    });
    if (location !== null) startAt.set(route.vehicleId, { location, loadKg, loadM3, carries: route.carries, breakTaken, worked });
  }
  // what the base plan left out gets another chance, on any vehicle
  const muckIds = new Set((problem.muckLoads ?? []).map((l) => l.id));
  const sweepIds = new Set((problem.sweepTasks ?? []).map((t) => t.id));
  for (const u of solution.unserved) before.set(keyOf(muckIds.has(u.id) ? 'muck' : sweepIds.has(u.id) ? 'sweep' : 'job', u.id, u.visit), null);

  // items the base plan never saw (new points): remaining, on no vehicle yet
  for (const j of problem.jobs ?? []) {
    for (let v = 0; v < (j.visitsPerDay ?? 1); v++) {
      const key = keyOf('job', j.id, v);
      if (!doneKeys.has(key) && !before.has(key)) before.set(key, null);
    }
  }

  const excluded: UnservedItem[] = [];
  const exclude = (kind: UnservedItem['kind'], recordId: string, itemId: string, visit: number | undefined, reason: string, detail: string) =>
    excluded.push({ kind, recordId, itemId, ...(visit === undefined ? {} : { visit }), reason, detail, source: 'build' });
  /** the base vehicles of the remaining visits when all are still in service, else undefined (free) */
  const restriction = (keys: ItemKey[]): string[] | undefined => {
    const vs = keys.map((k) => before.get(k) ?? null);
    if (vs.length === 0 || vs.some((v) => v === null)) return undefined;
    return [...new Set(vs as string[])].sort();
  };
  const visitMap = new Map<string, number[]>();

  const jobs: NonNullable<ProblemInput['jobs']> = [];
  for (const job of problem.jobs ?? []) {
    const k = job.visitsPerDay ?? 1;
    const remaining = Array.from({ length: k }, (_, v) => v).filter((v) => !doneKeys.has(keyOf('job', job.id, v)));
    if (remaining.length === 0) continue;
    const pointId = mapping.jobs[job.id]?.pointId ?? job.id;
    const lastDone = (base.solution.routes.flatMap((r) => r.stops).filter((s) => s.type === 'job' && s.id === job.id && doneKeys.has(keyOf('job', job.id, s.visit))).map((s) => s.startS));
    const notBefore = Math.max(atS, ...lastDone.map((s) => s + (job.minGapS ?? 0)));
    const windows = job.windows.map((w) => ({ startS: Math.max(w.startS, notBefore), endS: w.endS })).filter((w) => w.endS >= w.startS);
    if (windows.length === 0) {
      for (const v of remaining) exclude('point', pointId, job.id, v, 'time_window', 'its collection windows end before the re-planning time');
      continue;
    }
    visitMap.set(job.id, remaining);
    const vehicleIds = restriction(remaining.map((v) => keyOf('job', job.id, v)));
    jobs.push({ ...job, visitsPerDay: remaining.length, kg: (job.kg * remaining.length) / k, m3: ((job.m3 ?? 0) * remaining.length) / k, windows, ...(vehicleIds ? { vehicleIds } : {}) });
  }

  const sweepTasks: NonNullable<ProblemInput['sweepTasks']> = [];
  for (const t of problem.sweepTasks ?? []) {
    const m = Math.min(t.passes ?? 1, t.mechanicalPasses ?? 1);
    const remaining = Array.from({ length: m }, (_, v) => v).filter((v) => !doneKeys.has(keyOf('sweep', t.id, v)));
    if (remaining.length === 0) continue;
    const workS = t.lengthM / ((t.workSpeedKmh ?? 10) / 3.6);
    const earliestS = Math.max(t.earliestS ?? 0, atS);
    if (t.deadlineS - workS < earliestS) {
      for (const v of remaining) exclude('segment', mapping.sweepTasks[t.id]?.segmentId ?? t.id, t.id, v, 'time_window', 'its deadline is too close to the re-planning time to sweep it');
      continue;
    }
    visitMap.set(t.id, remaining);
    const vehicleIds = restriction(remaining.map((v) => keyOf('sweep', t.id, v)));
    sweepTasks.push({ ...t, passes: remaining.length, mechanicalPasses: remaining.length, earliestS, ...(vehicleIds ? { vehicleIds } : {}) });
  }

  const closed = event.kind === 'facility_closed' ? event.facilityId : null;
  const muckLoads: NonNullable<ProblemInput['muckLoads']> = [];
  for (const l of problem.muckLoads ?? []) {
    const key = keyOf('muck', l.id, 0);
    if (doneKeys.has(key)) continue;
    const permitId = mapping.muckLoads[l.id]?.permitId ?? l.permit.id;
    const window = { startS: Math.max(l.permit.window.startS, atS), endS: l.permit.window.endS };
    if (window.endS <= window.startS) {
      exclude('muck_load', permitId, l.id, undefined, 'time_window', 'the permit hours end before the re-planning time');
      continue;
    }
    const was = before.get(key) ?? null;
    const vehicleIds = was ? [was] : l.permit.vehicleIds.filter((v) => v !== broken);
    muckLoads.push({ ...l, permit: { ...l.permit, window, vehicleIds } });
  }

  const facilities = (problem.facilities ?? []).filter((f) => f.id !== closed).map((f) => f.dailyCapacityKg === undefined ? f
    : { ...f, dailyCapacityKg: Math.max(0, f.dailyCapacityKg - (usedKg.get(f.id) ?? 0)) });

  const nearest = (p: { lon: number; lat: number }): number => {
    let best = -1, bestM = Infinity;
    mapping.locations.forEach((l, i) => {
      const m = haversineM(p.lon, p.lat, l.lon, l.lat);
      if (m < bestM) { bestM = m; best = i; }
    });
    return best;
  };
  const vehicles: ProblemInput['vehicles'] = [];
  for (const v of problem.vehicles) {
    if (v.id === broken) continue;
    const shiftStart = Math.max(v.shift.startS, atS);
    if (shiftStart >= v.shift.endS) continue;
    const s = startAt.get(v.id);
    const fix = state.positions[v.id];
    // the fix as a place of its own (replan-points.ts withFixes), else the nearest planned place
    const startLocation = startLocations[v.id] ?? (fix ? nearest(fix) : s?.location ?? v.startLocation);
    let brk = v.break;
    if (brk && (s?.breakTaken || (brk.window.endS < shiftStart && !s?.worked))) brk = undefined;
    else if (brk) brk = { ...brk, window: { startS: Math.max(brk.window.startS, shiftStart), endS: Math.max(brk.window.endS, shiftStart) } };
    const { break: _drop, ...rest } = v;
    vehicles.push({ ...rest, shift: { startS: shiftStart, endS: v.shift.endS }, startLocation, ...(brk ? { break: brk } : {}) });
    if (s && v.kind === 'collector' && s.loadKg > 1e-6 && s.carries && v.classes?.includes(s.carries)) {
      jobs.push({
        id: carriedId(v.id), location: startLocation, wasteClass: s.carries, kg: s.loadKg, m3: s.loadM3, serviceS: 0, visitsPerDay: 1, minGapS: 0,
        windows: [{ startS: shiftStart, endS: shiftStart + 60 }], vehicleIds: [v.id],
      });
    }
  }

  return {
    problem: { ...problem, name: `${problem.name ?? 'plan'} re-planned at ${atS}s`, vehicles, jobs, sweepTasks, muckLoads, facilities },
    before, visitMap, done, doneByVehicle, excluded, brokenVehicleId: broken,
  };
}

/** The point that stands for what a collector carries at T. */
export const carriedId = (vehicleId: string): string => `carried:${vehicleId}`;

/** The same Problem with restrictions lifted from the given job / sweep ids. */
export function relaxRestrictions(problem: ProblemInput, ids: Set<string>): ProblemInput {
  const free = <T extends { id: string; vehicleIds?: string[] }>(x: T): T => {
    if (!ids.has(x.id) || !x.vehicleIds) return x;
    const { vehicleIds: _v, ...rest } = x;
    return rest as T;
  };
  return { ...problem, jobs: (problem.jobs ?? []).map(free), sweepTasks: (problem.sweepTasks ?? []).map(free) };
}

/** The vehicles serving each item (`job:<id>`, `sweep:<id>`, `muck:<id>`), one entry per visit or pass. */
function vehiclesByItem(solution: Solution, keep: (type: string, id: string, visit: number | undefined) => boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of solution.routes) {
    for (const s of r.stops) {
      if (!TASK_TYPES.has(s.type) || s.id === undefined || s.id.startsWith('carried:') || !keep(s.type, s.id, s.visit)) continue;
      const item = `${s.type}:${s.id}`;
      out.set(item, [...(out.get(item) ?? []), r.vehicleId]);
    }
  }
  return out;
}

/**
 * Per vehicle, what the new version keeps, adds and removes compared with the base plan, per
 * item (a point's visits are interchangeable: which one is "visit 0" is the solver's choice, so
 * visits are matched by vehicle, not by number). A stop *moved* when it was on one vehicle and is
 * on another now; additions are first filled by what the base plan had left out.
 */
export function replanDiff(rp: ReplanProblem, baseSolution: Solution, solution: Solution): Pick<ReplanRecord, 'moved' | 'movedOther' | 'unserved' | 'vehicles'> {
  const remaining = new Set(rp.before.keys());
  const baseOn = vehiclesByItem(baseSolution, (type, id, visit) => remaining.has(keyOf(type, id, type === 'muck' ? 0 : visit)));
  const nowOn = vehiclesByItem(solution, () => true);
  const vehicleIds = new Set<string>([...baseSolution.routes.map((r) => r.vehicleId), ...solution.routes.map((r) => r.vehicleId)]);
  const diff = new Map<string, VehicleDiff>([...vehicleIds].sort().map((v) => [v, { vehicleId: v, done: rp.doneByVehicle.get(v) ?? 0, kept: [], added: [], removed: [] }]));
  let moved = 0, movedOther = 0, unserved = 0;
  const items = new Set([...remaining].map((k) => k.slice(0, k.lastIndexOf('#'))));
  for (const item of items) {
    const b = [...(baseOn.get(item) ?? [])];
    const n = [...(nowOn.get(item) ?? [])];
    const required = [...remaining].filter((k) => k.startsWith(`${item}#`)).length;
    unserved += Math.max(0, required - n.length);
    const removed: string[] = [];
    for (const v of b) {
      const at = n.indexOf(v);
      if (at >= 0) { n.splice(at, 1); diff.get(v)!.kept.push(item); } else removed.push(v);
    }
    for (const v of removed) diff.get(v)!.removed.push(item);
    for (const v of n) diff.get(v)!.added.push(item);
    // additions are filled first by the visits the base plan left out (required - b.length)
    const m = Math.min(removed.length, Math.max(0, n.length - (required - b.length)));
    moved += m;
    const fromBroken = removed.filter((v) => v === rp.brokenVehicleId).length;
    movedOther += Math.max(0, m - fromBroken);
  }
  return { moved, movedOther, unserved, vehicles: [...diff.values()] };
}
