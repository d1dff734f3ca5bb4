import type { ProblemInput } from '../../../solver/index.js';
import { MapMatcher, type RoadNetwork, type VehicleKind } from '../../../solver/network/index.js';
import type { PlanMapping } from '../build-problem.js';
import type { Router } from './vehicle-actual.js';

/**
 * Fixes with 5 m noise lie within 25 m of their road (5 sigma); a wider search only adds roads
 * the Viterbi path must reject, at the cost of a bounded search each.
 */
const MATCH = { sigmaM: 5, betaM: 30, searchRadiusM: 30, maxCandidates: 12 } as const;

/**
 * The road path between two fixes of a vehicle, for street coverage: the fixes around them are
 * map-matched together (the network's HMM matcher, Newson & Krumm), so each fix sits on the road
 * its neighbours say it was driving — not on the nearest one, which is the parallel street 15 m
 * away as often as not — and the way between the two matched positions is routed along the roads
 * the vehicle's kind may use (a short street turned into and left between two fixes is on it).
 * Time-of-day bans are not applied: they say where a plan may send a vehicle, not where it went.
 */
export function roadRouters(network: RoadNetwork, problem: ProblemInput, mapping: PlanMapping, maxGapS = 120): (vehicleId: string) => Router | undefined {
  const kinds = new Map(problem.vehicles.map((v) => [v.id, mapping.profiles[v.profile]?.networkKind as VehicleKind | undefined]));
  // one matcher for all vehicles: its work arrays are sized to the network, and calls are synchronous
  let matcher: MapMatcher | undefined;
  return (vehicleId) => {
    const kind = kinds.get(vehicleId);
    if (!kind) return undefined;
    return (trace, index) => {
      matcher ??= new MapMatcher(network, { ...MATCH, maxGapS });
      const { positions } = matcher.match(trace.map((f) => ({ lon: f.lon, lat: f.lat, timeMs: f.timeMs })));
      const from = positions[index];
      const to = positions[index + 1];
      if (!from || !to) return null;
      return network.route(from, to, { vehicleKind: kind })?.geometry ?? null;
    };
  };
}
