import type { ProblemInput, Solution, Stop } from '../../solver/index.js';
import type { RoadNetwork, SnappedPosition, VehicleKind as NetworkKind } from '../../solver/network/index.js';
import type { PlanMapping } from './build-problem.js';
import { PlanClock } from './plan-clock.js';

/**
 * A solved plan as GeoJSON for maps and drivers: per route one LineString along the roads —
 * the travel legs routed on the network with the same bans as the route's matrix, the swept
 * segments as the road itself in the direction worked, the loaded muck trips on their
 * corridor — and one Point per stop with its times (UTC ISO and local HH:MM) and what to do.
 */
export interface RouteFeature {
  type: 'Feature';
  geometry: { type: 'LineString'; coordinates: Array<[number, number]> };
  properties: { kind: 'route'; vehicleId: string; carries: string; distanceM: number; durationS: number; stops: number; start: string; end: string; startLocal: string; endLocal: string };
}

export interface StopFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    kind: 'stop'; vehicleId: string; seq: number; type: Stop['type'];
    itemId?: string; recordId?: string; visit?: number; task: string;
    arrival: string; start: string; departure: string; arrivalLocal: string; startLocal: string; departureLocal: string;
    loadKg: number; loadM3: number; facilityId?: string;
  };
}

export interface PlanGeometry {
  type: 'FeatureCollection';
  features: Array<RouteFeature | StopFeature>;
}

/** `closed`: road segments blocked (a re-plan after a blocked road): legs are routed around them. */
export function planGeometry(network: RoadNetwork, problem: ProblemInput, solution: Solution, mapping: PlanMapping, closed?: (segment: number) => boolean): PlanGeometry {
  const clock = new PlanClock(mapping.date, mapping.timeZone);
  const vehicles = new Map(problem.vehicles.map((v) => [v.id, v]));
  const jobs = new Map((problem.jobs ?? []).map((j) => [j.id, j]));
  const sweeps = new Map((problem.sweepTasks ?? []).map((t) => [t.id, t]));
  const snapCache = new Map<string, SnappedPosition | null>();
  const snap = (loc: number, kind: NetworkKind) => {
    const key = `${kind}:${loc}`;
    if (!snapCache.has(key)) snapCache.set(key, network.snap(mapping.locations[loc]!.lon, mapping.locations[loc]!.lat, { vehicleKind: kind }));
    return snapCache.get(key)!;
  };
  const features: PlanGeometry['features'] = [];
  for (const route of solution.routes) {
    const vehicle = vehicles.get(route.vehicleId)!;
    const info = mapping.profiles[vehicle.profile]!;
    const travel = { vehicleKind: info.networkKind, restrictionIndices: info.restrictionIndices };
    const path: Array<[number, number]> = [];
    const append = (points: Array<[number, number]>) => {
      for (const raw of points) {
        // 1e-6° (~0.1 m): plenty for a map, a third of the digits
        const p: [number, number] = [Math.round(raw[0] * 1e6) / 1e6, Math.round(raw[1] * 1e6) / 1e6];
        const last = path[path.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) path.push(p);
      }
    };
    let at: number | null = null;
    route.stops.forEach((stop, seq) => {
      if (at !== null && at !== stop.location) {
        const from = snap(at, info.networkKind);
        const to = snap(stop.location, info.networkKind);
        const leg = from && to ? (closed ? network.routeWithin(from, to, (s) => !closed(s), travel) : network.route(from, to, travel)) : null;
        append(leg ? leg.geometry : [[mapping.locations[at]!.lon, mapping.locations[at]!.lat], [mapping.locations[stop.location]!.lon, mapping.locations[stop.location]!.lat]]);
      }
      let recordId: string | undefined;
      let task: string;
      const item = stop.id;
      if (stop.type === 'sweep' && item && mapping.sweepTasks[item]) {
        const m = mapping.sweepTasks[item]!;
        const t = sweeps.get(item)!;
        const reversed = stop.location === t.toLocation && t.toLocation !== t.fromLocation;
        const road = m.geometry ?? [];
        append(reversed ? [...road].reverse() : road);
        recordId = m.segmentId;
        const verb = { sweep: 'sweep', wash: 'wash', water: 'water', plow: 'clear snow on', deice: 'spread de-icer on', spread: 'spread salt/grit on' }[m.work];
        task = `${verb} ${m.segmentId} mechanically (pass ${(stop.visit ?? 0) + 1} of ${t.mechanicalPasses ?? 1}, ${Math.round(t.lengthM)} m)`;
      } else if (stop.type === 'muck' && item && mapping.muckLoads[item]) {
        const m = mapping.muckLoads[item]!;
        const corridor = mapping.corridors[m.permitId];
        if (corridor) append(corridor.geometry);
        recordId = m.permitId;
        task = `load muck at the site (permit ${m.permitId}, load ${m.load}) and haul it on the corridor to ${stop.facilityId}`;
      } else if (stop.type === 'job' && item) {
        const j = jobs.get(item);
        recordId = mapping.jobs[item]?.pointId ?? item;
        task = `collect ${j?.wasteClass ?? ''} at ${recordId}${j && (j.visitsPerDay ?? 1) > 1 ? ` (visit ${(stop.visit ?? 0) + 1} of ${j.visitsPerDay})` : ''}`;
      } else if (stop.type === 'facility') {
        recordId = item;
        task = route.carries === 'water' ? `refill water at ${item}` : route.carries === 'deicer' ? `load de-icing material at ${item}` : `unload ${route.carries} at ${item}`;
      } else if (stop.type === 'break') {
        task = 'driver break';
      } else {
        task = stop.type === 'start' ? 'leave the depot' : 'back at the depot';
      }
      at = stop.endLocation ?? stop.location;
      const loc = mapping.locations[stop.location]!;
      features.push({
        type: 'Feature', geometry: { type: 'Point', coordinates: [loc.lon, loc.lat] },
        properties: {
          kind: 'stop', vehicleId: route.vehicleId, seq, type: stop.type,
          ...(item ? { itemId: item } : {}), ...(recordId ? { recordId } : {}), ...(stop.visit === undefined ? {} : { visit: stop.visit }), task,
          arrival: clock.iso(stop.arrivalS), start: clock.iso(stop.startS), departure: clock.iso(stop.departureS),
          arrivalLocal: PlanClock.local(stop.arrivalS), startLocal: PlanClock.local(stop.startS), departureLocal: PlanClock.local(stop.departureS),
          loadKg: stop.loadKg, loadM3: stop.loadM3, ...(stop.facilityId ? { facilityId: stop.facilityId } : {}),
        },
      });
    });
    const first = route.stops[0]!;
    const last = route.stops[route.stops.length - 1]!;
    features.splice(features.length - route.stops.length, 0, {
      type: 'Feature', geometry: { type: 'LineString', coordinates: path.length >= 2 ? path : [...path, ...path] },
      properties: {
        kind: 'route', vehicleId: route.vehicleId, carries: route.carries, distanceM: route.distanceM, durationS: route.durationS, stops: route.stops.length,
        start: clock.iso(first.departureS), end: clock.iso(last.arrivalS), startLocal: PlanClock.local(first.departureS), endLocal: PlanClock.local(last.arrivalS),
      },
    });
  }
  return { type: 'FeatureCollection', features };
}
