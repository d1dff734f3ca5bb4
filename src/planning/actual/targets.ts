import type { ProblemInput, Solution } from '../../../solver/index.js';
import type { PlanMapping } from '../build-problem.js';
import { PlanClock } from '../plan-clock.js';

/**
 * What a plan expects to see in the fixes: each planned collection stop (where the truck parks,
 * its window as instants) and each street the plan works (its road, the mechanical passes
 * required, the deadline). Built from the stored plan alone (plus the roads' shapes and, when
 * given, where each point meets the road), so a stored day can be judged again later.
 */
export interface StopTarget {
  /** `<vehicleId>#<seq>`: the stop's place in its route (unique in a plan). */
  key: string;
  vehicleId: string;
  seq: number;
  pointId: string;
  jobId: string;
  visit: number;
  /** Where the truck serves it: the point's place on the road when known, else the point. */
  lon: number;
  lat: number;
  /** The window the plan serves it in (the job window holding the planned start). */
  windowStartMs: number;
  windowEndMs: number;
  plannedStartMs: number;
  /** The plan's service time at the stop. */
  serviceS: number;
}

export interface SegmentTarget {
  /** `segment:<taskId>` */
  key: string;
  taskId: string;
  segmentId: string;
  /** Vehicles the plan sends over it (their passes add up). */
  vehicleIds: string[];
  geometry: Array<[number, number]>;
  lengthM: number;
  /** Worked only in the line's direction (a pass the other way is another street's, e.g. the other carriageway). */
  oneWay: boolean;
  requiredPasses: number;
  deadlineMs: number;
  /** The plan's first pass start, for the record. */
  plannedStartMs: number;
  /** Where the plan has each pass: vehicle and the stop's place in its route (the order a vehicle works its streets in). */
  visits?: Array<{ vehicleId: string; seq: number }>;
}

export interface PlanTargets {
  planId: string;
  date: string;
  stops: StopTarget[];
  segments: SegmentTarget[];
  /** Where each vehicle also stands by plan (depots, facilities, muck sites): a dwell there serves no point nearby. */
  places: Array<{ vehicleId: string; lon: number; lat: number }>;
}

export interface PlanTargetInput {
  planId: string;
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
  /** The stored road segment's line (the mapping keeps only its id). */
  segmentGeometry(segmentId: string): Array<[number, number]> | undefined;
  /** Where a truck of the given network kind stops for a place (its nearest road), or null. */
  servicePosition?(lon: number, lat: number, networkKind: string): { lon: number; lat: number } | null;
}

export function planTargets(input: PlanTargetInput): PlanTargets {
  const { problem, solution, mapping } = input;
  const clock = new PlanClock(mapping.date, mapping.timeZone);
  const jobs = new Map((problem.jobs ?? []).map((j) => [j.id, j]));
  const tasks = new Map((problem.sweepTasks ?? []).map((t) => [t.id, t]));
  const vehicles = new Map(problem.vehicles.map((v) => [v.id, v]));
  const stops: StopTarget[] = [];
  const segments = new Map<string, SegmentTarget>();
  const positions = new Map<string, { lon: number; lat: number }>();
  const places: PlanTargets['places'] = [];
  for (const route of solution.routes) {
    const kind = mapping.profiles[vehicles.get(route.vehicleId)?.profile ?? '']?.networkKind ?? 'truck';
    route.stops.forEach((stop, seq) => {
      if (stop.type === 'job' && stop.id) {
        const job = jobs.get(stop.id);
        if (!job) return;
        const loc = mapping.locations[stop.location]!;
        const posKey = `${kind}:${stop.location}`;
        if (!positions.has(posKey)) positions.set(posKey, input.servicePosition?.(loc.lon, loc.lat, kind) ?? { lon: loc.lon, lat: loc.lat });
        const pos = positions.get(posKey)!;
        const w = job.windows.find((x) => stop.startS >= x.startS - 1e-6 && stop.startS <= x.endS + 1e-6)
          ?? job.windows.find((x) => x.endS >= stop.startS) ?? job.windows[job.windows.length - 1]!;
        stops.push({
          key: `${route.vehicleId}#${seq}`, vehicleId: route.vehicleId, seq, pointId: mapping.jobs[stop.id]?.pointId ?? stop.id, jobId: stop.id,
          visit: stop.visit ?? 0, lon: pos.lon, lat: pos.lat,
          windowStartMs: clock.epochMs(w.startS), windowEndMs: clock.epochMs(w.endS), plannedStartMs: clock.epochMs(stop.startS),
          serviceS: job.serviceS ?? 0,
        });
      } else if (stop.type === 'facility' || stop.type === 'start' || stop.type === 'end' || stop.type === 'muck') {
        const loc = mapping.locations[stop.location]!;
        if (!places.some((p) => p.vehicleId === route.vehicleId && p.lon === loc.lon && p.lat === loc.lat)) places.push({ vehicleId: route.vehicleId, lon: loc.lon, lat: loc.lat });
      } else if (stop.type === 'sweep' && stop.id) {
        const task = tasks.get(stop.id);
        const m = mapping.sweepTasks[stop.id];
        if (!task || !m) return;
        const existing = segments.get(stop.id);
        if (existing) {
          if (!existing.vehicleIds.includes(route.vehicleId)) existing.vehicleIds.push(route.vehicleId);
          existing.visits?.push({ vehicleId: route.vehicleId, seq });
          existing.plannedStartMs = Math.min(existing.plannedStartMs, clock.epochMs(stop.startS));
          return;
        }
        const geometry = input.segmentGeometry(m.segmentId);
        if (!geometry || geometry.length < 2) return;
        segments.set(stop.id, {
          key: `segment:${stop.id}`, taskId: stop.id, segmentId: m.segmentId, vehicleIds: [route.vehicleId], geometry,
          lengthM: task.lengthM, oneWay: task.oneWay ?? false, requiredPasses: task.mechanicalPasses ?? 1, deadlineMs: clock.epochMs(task.deadlineS),
          plannedStartMs: clock.epochMs(stop.startS), visits: [{ vehicleId: route.vehicleId, seq }],
        });
      }
    });
  }
  return { planId: input.planId, date: mapping.date, stops, segments: [...segments.values()], places };
}
