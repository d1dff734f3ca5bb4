import type { ProblemInput } from '../../../solver/index.js';
import type { RoadNetwork, VehicleKind } from '../../../solver/network/index.js';
import type { PlanMapping } from '../build-problem.js';
import type { Router } from './vehicle-actual.js';

/** How far a fix may lie from the road it is put on (a few GPS errors). */
const SNAP_M = 40;

/**
 * The road path between two fixes of a vehicle, for street coverage: both fixes snapped to the
 * roads the vehicle's network kind may use and routed between (the map matching that matters for
 * a pass: a street the sweeper turned into between two fixes is covered along the road, not cut
 * across). Time-of-day bans are not applied: they say where a plan may send a vehicle, not where
 * it went.
 */
export function roadRouters(network: RoadNetwork, problem: ProblemInput, mapping: PlanMapping): (vehicleId: string) => Router | undefined {
  const kinds = new Map(problem.vehicles.map((v) => [v.id, mapping.profiles[v.profile]?.networkKind as VehicleKind | undefined]));
  return (vehicleId) => {
    const kind = kinds.get(vehicleId);
    if (!kind) return undefined;
    return (a, b) => {
      const from = network.snap(a.lon, a.lat, { vehicleKind: kind, maxDistanceM: SNAP_M });
      const to = network.snap(b.lon, b.lat, { vehicleKind: kind, maxDistanceM: SNAP_M });
      if (!from || !to) return null;
      return network.route(from, to, { vehicleKind: kind })?.geometry ?? null;
    };
  };
}
