import { haversineM, type ProblemInput } from '../../../solver/index.js';
import { MapMatcher, type RoadNetwork, type VehicleKind } from '../../../solver/network/index.js';
import type { PlanMapping } from '../build-problem.js';
import type { SegmentTarget } from './targets.js';
import type { Router } from './vehicle-actual.js';

/**
 * Fixes with 5 m noise lie within 25 m of their road (5 sigma); a wider search only adds roads
 * the Viterbi path must reject, at the cost of a bounded search each.
 */
const MATCH = { sigmaM: 5, betaM: 30, searchRadiusM: 30, maxCandidates: 12 } as const;

/**
 * A working fix's candidate on one of the vehicle's planned streets is this much likelier (log):
 * as likely as a candidate ~9 m nearer the fix (at sigma 5 m). Where roads meet within 10-15 m, or
 * carriageways run 10 m apart, the fix alone cannot tell them apart, and a sweeper with its brushes
 * down is on its own streets far more often than beside them; a fix clearly on another road
 * (well over 10 m nearer it) still goes there.
 */
const PLANNED_PRIOR = 1.5;
/**
 * ... and on one of the next streets the plan has it work (after the last pass seen) likelier still: among
 * planned roads 5-15 m apart (a tangle of carriageways and links), the one due next is the one it works.
 */
const EXPECTED_PRIOR = 3;
/**
 * A working vehicle's way between two fixes is looked for along its planned streets when it worked
 * this much farther (its speeds times the time) than the fastest way; taken when no longer than
 * ROUND_FIT times that distance plus ROUND_SLACK_M (the matched places' error), and nearer it than the
 * fastest way by ROUND_GAIN_M.
 */
const WORKED_ROUND_M = 20;
const ROUND_FIT = 1.6;
const ROUND_SLACK_M = 15;
const ROUND_GAIN_M = 10;
/** Points of a planned street this close to a network road lie on it (the same map). */
const ON_ROAD_M = 1;
/** A street's points this near its ends are also on the roads that meet there: not sampled. */
const END_CLEAR_M = 3;

/**
 * The road path between two fixes of a vehicle, for street coverage: the fixes around them are
 * map-matched together (the network's HMM matcher, Newson & Krumm), so each fix sits on the road
 * its neighbours say it was driving — not on the nearest one, which is the parallel street 15 m
 * away as often as not — and the way between the two matched positions is routed along the roads
 * the vehicle's kind may use (a short street turned into and left between two fixes is on it).
 * Time-of-day bans are not applied: they say where a plan may send a vehicle, not where it went.
 */
export function roadRouters(network: RoadNetwork, problem: ProblemInput, mapping: PlanMapping, maxGapS = 120, streets: SegmentTarget[] = [], gearReportedAtOnce = false): (vehicleId: string) => Router | undefined {
  const kinds = new Map(problem.vehicles.map((v) => [v.id, mapping.profiles[v.profile]?.networkKind as VehicleKind | undefined]));
  // one matcher for all vehicles: its work arrays are sized to the network, and calls are synchronous
  let matcher: MapMatcher | undefined;
  return (vehicleId) => {
    const kind = kinds.get(vehicleId);
    if (!kind) return undefined;
    const own = streets.filter((s) => s.vehicleIds.includes(vehicleId));
    const planned = plannedRoads(network, own);
    const roadsOf = new Map<string, Set<number>>();
    const streetRoads = (key: string) => {
      let set = roadsOf.get(key);
      if (!set) roadsOf.set(key, (set = plannedRoads(network, own.filter((s) => s.key === key))));
      return set;
    };
    return (trace, index, expected) => {
      matcher ??= new MapMatcher(network, { ...MATCH, maxGapS });
      const next = new Set<number>();
      for (const key of expected ?? []) for (const segment of streetRoads(key)) next.add(segment);
      // where the terminal reports a switch at once, the switch-off fix is where the work ended: on the
      // street worked (the road beside it, or the street the way goes on to, is as near that fix)
      const worked = (i: number) => trace[i]?.working === true || (gearReportedAtOnce && trace[i]?.working === false && trace[i - 1]?.working === true);
      const prior = planned.size === 0 ? undefined : (i: number, segment: number) => (!worked(i) ? 0 : next.has(segment) ? EXPECTED_PRIOR : planned.has(segment) ? PLANNED_PRIOR : 0);
      const { positions } = matcher.match(trace.map((f) => ({ lon: f.lon, lat: f.lat, timeMs: f.timeMs, speedKmh: f.speedKmh, ...(f.headingDeg === undefined ? {} : { headingDeg: f.headingDeg }) })), prior);
      const from = positions[index];
      const to = positions[index + 1];
      if (!from || !to) return null;
      const fastest = network.route(from, to, { vehicleKind: kind });
      // Working all the way, much longer between the fixes than the fastest way takes, it worked its
      // own streets round (a street and the one back beside it, a bend the shortcut cuts off); the way
      // along its planned streets is taken when that distance fits the time better.
      const [a, b] = [trace[index]!, trace[index + 1]!];
      // (to a switch-off reported at once it worked all the way, at the speed of the fix before)
      if (fastest && a.working === true && (b.working === true || (gearReportedAtOnce && b.working === false)) && planned.size > 0) {
        const workedM = ((b.working ? (a.speedKmh + b.speedKmh) / 2 : a.speedKmh) / 3.6) * ((b.timeMs - a.timeMs) / 1000);
        if (workedM - fastest.distanceM > WORKED_ROUND_M) {
          const round = network.routeWithin(from, to, (segment) => planned.has(segment), { vehicleKind: kind });
          if (round && round.distanceM <= ROUND_FIT * workedM + ROUND_SLACK_M && Math.abs(round.distanceM - workedM) < Math.abs(fastest.distanceM - workedM) - ROUND_GAIN_M) return round.geometry;
        }
      }
      return fastest?.geometry ?? null;
    };
  };
}

/** The network segments the planned streets lie on: each street sampled every 5 m away from its ends. */
function plannedRoads(network: RoadNetwork, streets: SegmentTarget[]): Set<number> {
  const out = new Set<number>();
  for (const street of streets) {
    const line = street.geometry;
    let doneM = 0;
    for (let i = 1; i < line.length; i++) {
      const [a, b] = [line[i - 1]!, line[i]!];
      const pieceM = haversineM(a[0], a[1], b[0], b[1]);
      for (let m = 0; m < pieceM; m += 5) {
        const at = doneM + m;
        if (at < END_CLEAR_M || at > street.lengthM - END_CLEAR_M) continue;
        const f = m / pieceM;
        for (const p of network.snapIndex.within(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, ON_ROAD_M)) out.add(p.segment);
      }
      doneM += pieceM;
    }
  }
  return out;
}
