import type { ProblemInput, Solution, Stop } from '../../solver/index.js';
import { isConsumable } from '../../solver/index.js';
import type { Queryable } from '../store/db.js';
import type { PlanMapping, StreetWork } from './build-problem.js';
import { PlanClock } from './plan-clock.js';
import type { PlanGeometry, RouteFeature, StopFeature } from './plan-geometry.js';
import type { PlanStatus } from './plan-model.js';

/**
 * One vehicle's route of the plan in force, as a driver reads it: ordered stops with their
 * window and planned times, what to do at each (structured, not only a sentence), the path
 * along the roads, the unload trips and the break. Built from the stored plan (solution,
 * Problem, mapping, GeoJSON); no road network needed.
 */
export interface RouteWindow {
  start: string;
  end: string;
  startLocal: string;
  endLocal: string;
}

export type StopAction =
  | { kind: 'leave_depot' | 'return_depot' }
  | { kind: 'collect'; pointId: string; wasteClass: string; kg: number; visit: number; visits: number }
  | { kind: 'street_work'; work: StreetWork; segmentId: string; lengthM: number; pass: number; mechanicalPasses: number; passes: number; mechanical: true }
  | { kind: 'muck_load'; permitId: string; load: number; kg: number; disposalFacilityId: string }
  | { kind: 'unload'; facilityId: string; carries: string; kg: number }
  | { kind: 'refill_water'; facilityId: string }
  | { kind: 'refill_deicer'; facilityId: string }
  | { kind: 'break'; durationS: number };

export interface RouteStop {
  /** `<vehicleId>.<seq>`: stable within the plan version */
  id: string;
  seq: number;
  type: Stop['type'];
  action: StopAction;
  /** the plan's sentence for it (English); pages build their own from `action` */
  task: string;
  location: { lon: number; lat: number };
  /** when service may start (job windows, facility hours, permit hours, sweeping deadline) */
  window: RouteWindow | null;
  arrival: string;
  start: string;
  departure: string;
  arrivalLocal: string;
  startLocal: string;
  departureLocal: string;
  loadKg: number;
  /** marked done by a person (automatic detection is another issue's) */
  done: { at: string; by: string; note: string | null } | null;
}

export interface VehicleRoute {
  vehicleId: string;
  date: string;
  plan: { id: string; version: number; status: PlanStatus; district: string | null; publishedAt: string | null } | null;
  route: {
    carries: string; distanceM: number; durationS: number; start: string; end: string; startLocal: string; endLocal: string;
    stops: number; unloadTrips: number;
    break: { start: string; end: string; startLocal: string; endLocal: string; durationS: number } | null;
    path: RouteFeature['geometry'];
  } | null;
  stops: RouteStop[];
  /** seq of the first stop not done and not the start, or null when all are done */
  nextSeq: number | null;
}

export const stopIdOf = (vehicleId: string, seq: number): string => `${vehicleId}.${seq}`;

/** `<vehicleId>.<seq>` → its parts; undefined when it is not one. */
export function parseStopId(stopId: string): { vehicleId: string; seq: number } | undefined {
  const dot = stopId.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const seqText = stopId.slice(dot + 1);
  if (!/^\d{1,5}$/.test(seqText)) return undefined;
  return { vehicleId: stopId.slice(0, dot), seq: Number(seqText) };
}

export interface StoredPlanForRoute {
  id: string;
  date: string;
  district: string | null;
  version: number;
  status: PlanStatus;
  publishedAt: string | null;
  solution: Solution;
  problem: Omit<ProblemInput, 'matrices'>;
  mapping: PlanMapping;
  geometry: PlanGeometry;
}

export interface StopMark {
  stopId: string;
  at: string;
  by: string;
  note: string | null;
}

const IN_FORCE: PlanStatus[] = ['published', 'in_progress'];

/** The plan in force on `date` that routes `vehicleId` (a vehicle is in one such plan a date: publishing guards it). */
export async function planInForceFor(q: Queryable, vehicleId: string, date: string): Promise<StoredPlanForRoute | undefined> {
  const res = await q.query<Record<string, any>>(
    `select p.id, to_char(p.plan_date, 'YYYY-MM-DD') as date, p.district, p.version, p.status, p.published_at, p.solution, p.problem - 'matrices' as problem, p.mapping, p.geometry
     from plans p
     where p.plan_date = $1 and p.status = any($2::text[])
       and exists (select 1 from jsonb_array_elements(p.solution->'routes') r where r->>'vehicleId' = $3)
     order by p.published_at desc nulls last limit 1`,
    [date, IN_FORCE, vehicleId],
  );
  return res.rows[0] ? toStored(res.rows[0]) : undefined;
}

export async function storedPlan(q: Queryable, planId: string): Promise<StoredPlanForRoute | undefined> {
  const res = await q.query<Record<string, any>>(
    `select p.id, to_char(p.plan_date, 'YYYY-MM-DD') as date, p.district, p.version, p.status, p.published_at, p.solution, p.problem - 'matrices' as problem, p.mapping, p.geometry
     from plans p where p.id = $1 and p.solution is not null`,
    [planId],
  );
  return res.rows[0] ? toStored(res.rows[0]) : undefined;
}

function toStored(r: Record<string, any>): StoredPlanForRoute {
  return {
    id: r.id, date: r.date, district: r.district, version: r.version, status: r.status,
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
    solution: r.solution, problem: r.problem, mapping: r.mapping, geometry: r.geometry,
  };
}

export async function stopMarks(q: Queryable, planId: string, vehicleId?: string): Promise<StopMark[]> {
  const res = await q.query<{ stop_id: string; marked_at: unknown; marked_by: string; note: string | null }>(
    `select stop_id, marked_at, marked_by, note from stop_marks where plan_id = $1 ${vehicleId ? 'and vehicle_id = $2' : ''} order by seq`,
    vehicleId ? [planId, vehicleId] : [planId],
  );
  return res.rows.map((r) => ({ stopId: r.stop_id, at: new Date(r.marked_at as string).toISOString(), by: r.marked_by, note: r.note }));
}

export function emptyRoute(vehicleId: string, date: string): VehicleRoute {
  return { vehicleId, date, plan: null, route: null, stops: [], nextSeq: null };
}

/** The vehicle's route in `plan`, or undefined when the plan does not route it. */
export function vehicleRoute(plan: StoredPlanForRoute, vehicleId: string, marks: StopMark[] = []): VehicleRoute | undefined {
  const route = plan.solution.routes.find((r) => r.vehicleId === vehicleId);
  if (!route) return undefined;
  const clock = new PlanClock(plan.mapping.date, plan.mapping.timeZone);
  const window = (w: { startS: number; endS: number } | undefined): RouteWindow | null => w
    ? { start: clock.iso(w.startS), end: clock.iso(w.endS), startLocal: PlanClock.local(w.startS), endLocal: PlanClock.local(w.endS) }
    : null;
  // the window service started in (a stop may have several: the one holding its start)
  const holding = (windows: Array<{ startS: number; endS: number }> | undefined, s: number) =>
    windows?.find((w) => s >= w.startS - 1e-6 && s <= w.endS + 1e-6) ?? windows?.[0];
  const jobs = new Map((plan.problem.jobs ?? []).map((j) => [j.id, j]));
  const sweeps = new Map((plan.problem.sweepTasks ?? []).map((t) => [t.id, t]));
  const mucks = new Map((plan.problem.muckLoads ?? []).map((l) => [l.id, l]));
  const facilities = new Map((plan.problem.facilities ?? []).map((f) => [f.id, f]));
  const vehicle = plan.problem.vehicles.find((v) => v.id === vehicleId);
  const features = plan.geometry?.features ?? [];
  const routeFeature = features.find((f): f is RouteFeature => f.properties.kind === 'route' && f.properties.vehicleId === vehicleId);
  const stopFeatures = new Map(features.filter((f): f is StopFeature => f.properties.kind === 'stop' && f.properties.vehicleId === vehicleId).map((f) => [f.properties.seq, f]));
  const marked = new Map(marks.map((m) => [m.stopId, m]));

  let before = 0;
  const stops: RouteStop[] = route.stops.map((stop, seq) => {
    const feature = stopFeatures.get(seq);
    const loc = plan.mapping.locations[stop.location];
    let action: StopAction;
    let w: { startS: number; endS: number } | undefined;
    if (stop.type === 'job' && stop.id) {
      const j = jobs.get(stop.id);
      const visits = j?.visitsPerDay ?? 1;
      action = { kind: 'collect', pointId: plan.mapping.jobs[stop.id]?.pointId ?? stop.id, wasteClass: j?.wasteClass ?? route.carries, kg: Math.round((j?.kg ?? 0) / visits), visit: (stop.visit ?? 0) + 1, visits };
      w = holding(j?.windows, stop.startS);
    } else if (stop.type === 'sweep' && stop.id) {
      const t = sweeps.get(stop.id);
      const m = plan.mapping.sweepTasks[stop.id];
      action = {
        kind: 'street_work', work: m?.work ?? 'sweep', segmentId: m?.segmentId ?? stop.id, lengthM: Math.round(t?.lengthM ?? 0),
        pass: (stop.visit ?? 0) + 1, mechanicalPasses: t?.mechanicalPasses ?? 1, passes: t?.passes ?? 1, mechanical: true,
      };
      if (t) w = { startS: t.earliestS ?? 0, endS: t.deadlineS };
    } else if (stop.type === 'muck' && stop.id) {
      const l = mucks.get(stop.id);
      const m = plan.mapping.muckLoads[stop.id];
      action = { kind: 'muck_load', permitId: m?.permitId ?? l?.permit.id ?? stop.id, load: m?.load ?? 0, kg: l?.kg ?? 0, disposalFacilityId: stop.facilityId ?? l?.disposalFacilityId ?? '' };
      w = l?.permit.window;
    } else if (stop.type === 'facility' && stop.id) {
      action = route.carries === 'water' || route.carries === 'deicer'
        ? { kind: route.carries === 'water' ? 'refill_water' : 'refill_deicer', facilityId: stop.id }
        : { kind: 'unload', facilityId: stop.id, carries: route.carries, kg: Math.round(Math.max(0, before - stop.loadKg)) };
      w = holding(facilities.get(stop.id)?.windows, stop.startS);
    } else if (stop.type === 'break') {
      action = { kind: 'break', durationS: Math.round(stop.departureS - stop.startS) };
      w = vehicle?.break?.window;
    } else {
      action = { kind: stop.type === 'start' ? 'leave_depot' : 'return_depot' };
      w = vehicle?.shift;
    }
    before = stop.loadKg;
    const id = stopIdOf(vehicleId, seq);
    const mark = marked.get(id);
    return {
      id, seq, type: stop.type, action, task: feature?.properties.task ?? action.kind,
      location: loc ? { lon: loc.lon, lat: loc.lat } : { lon: feature?.geometry.coordinates[0] ?? 0, lat: feature?.geometry.coordinates[1] ?? 0 },
      window: window(w),
      arrival: clock.iso(stop.arrivalS), start: clock.iso(stop.startS), departure: clock.iso(stop.departureS),
      arrivalLocal: PlanClock.local(stop.arrivalS), startLocal: PlanClock.local(stop.startS), departureLocal: PlanClock.local(stop.departureS),
      loadKg: stop.loadKg, done: mark ? { at: mark.at, by: mark.by, note: mark.note } : null,
    };
  });
  const breakStop = route.stops.find((s) => s.type === 'break');
  const first = route.stops[0]!;
  const last = route.stops[route.stops.length - 1]!;
  const next = stops.find((s) => s.type !== 'start' && !s.done);
  return {
    vehicleId, date: plan.date,
    plan: { id: plan.id, version: plan.version, status: plan.status, district: plan.district, publishedAt: plan.publishedAt },
    route: {
      carries: route.carries, distanceM: route.distanceM, durationS: route.durationS,
      start: clock.iso(first.departureS), end: clock.iso(last.arrivalS), startLocal: PlanClock.local(first.departureS), endLocal: PlanClock.local(last.arrivalS),
      stops: route.stops.length,
      unloadTrips: route.stops.filter((s) => s.type === 'facility' && !isConsumable(route.carries)).length,
      break: breakStop ? {
        start: clock.iso(breakStop.startS), end: clock.iso(breakStop.departureS), startLocal: PlanClock.local(breakStop.startS), endLocal: PlanClock.local(breakStop.departureS),
        durationS: Math.round(breakStop.departureS - breakStop.startS),
      } : null,
      path: routeFeature?.geometry ?? { type: 'LineString', coordinates: stops.map((s) => [s.location.lon, s.location.lat] as [number, number]) },
    },
    stops,
    nextSeq: next?.seq ?? null,
  };
}
