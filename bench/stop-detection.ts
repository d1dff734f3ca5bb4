/**
 * Stop detection on simulated days: a plan's routes driven along the road network with GPS noise
 * (~5 m) and a fix every 10-30 s, some stops and passes skipped on purpose and some routes held up
 * (simulations/plan-day.ts); the detector (src/planning/actual/) judges every stop and street from
 * the fixes alone, and is scored against the simulation's ground truth. Goal: recall and precision
 * of served (done or late) and of missed >= 99% each.
 * The simulated terminals also report at once when the gear goes on or off (`--gear-reports off`:
 * only the periodic fixes). The simulation's seeds (`--sim-seed`, default 1001 and on) are never used by the tests.
 * `--list-streets FILE` writes every street judged otherwise than the truth as a JSON line (day's seed, key,
 * truth and judged state, passes seen of required, length, one-way, vehicles, what the simulation did on each pass).
 *   npm run bench:planning -- --only stop-detection [--days N] [--iterations N] [--skip-share X] [--sim-seed N] [--gear-reports off] [--list-streets FILE]
 */
import { writeFileSync } from 'node:fs';
import type { ProblemInput, Solution } from '../solver/index.js';
import { loadNetwork, type RoadNetwork } from '../solver/network/index.js';
import type { CityProfile } from '../src/domain/city-profile.js';
import type { PlanMapping } from '../src/planning/build-problem.js';
import { actualSettings, detectDay } from '../src/planning/actual/plan-actual.js';
import { roadRouters } from '../src/planning/actual/road-router.js';
import { planTargets } from '../src/planning/actual/targets.js';
import { networkProfileFor } from '../src/planning/network-profile.js';
import { scoreStates, simulatePlanDay, type PlanDay, type TruthState } from '../simulations/plan-day.js';
import type { ActualStatus } from '../src/planning/actual/plan-actual.js';
import type { SegmentTarget } from '../src/planning/actual/targets.js';

export interface StopDetectionInput {
  network: RoadNetwork;
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
  profile: CityProfile;
  roads: Map<string, Array<[number, number]>>;
  days: number;
  seed: number;
  skipShare: number;
  /** The terminals report when the gear goes on or off, besides the periodic fixes. */
  gearReports: boolean;
  /** Write the streets judged otherwise than the truth to this file (JSON lines). */
  listStreets?: string;
}

export function stopDetectionBench(input: StopDetectionInput): Record<string, unknown> {
  const { network, problem, solution, mapping, profile, roads } = input;
  // the city's terminals as simulated: whether they report a gear switch at once is the profile's word
  const settings = actualSettings({ ...profile, planning: { ...profile.planning, actual: { ...profile.planning.actual, gearReportedAtOnce: input.gearReports } } });
  const vehicles = new Map(problem.vehicles.map((v) => [v.id, v]));
  const targets = planTargets({
    planId: 'bench', problem, solution, mapping, segmentGeometry: (id) => roads.get(id),
    servicePosition: (lon, lat, kind) => network.snap(lon, lat, { vehicleKind: kind as 'truck' }),
  });
  void vehicles;
  const rows: Array<{ day: number; fixes: number; kind: string; score: ReturnType<typeof scoreStates>; simMs: number; detectMs: number }> = [];
  const totals = { stop: new Map<string, TruthState>(), segment: new Map<string, TruthState>() };
  const judgedAll = new Map<string, string>();
  const wrongStreets: string[] = [];
  for (let day = 0; day < input.days; day++) {
    const s0 = performance.now();
    const sim = simulatePlanDay({ network, problem, solution, mapping, segmentGeometry: (id) => roads.get(id) }, { seed: input.seed + day, skipShare: input.skipShare, reportGearChanges: input.gearReports });
    const simMs = performance.now() - s0;
    const d0 = performance.now();
    const statuses = detectDay(targets, sim.fixes, settings, undefined, roadRouters(network, problem, mapping, settings.maxFixGapS, targets.segments, settings.gearReportedAtOnce));
    const detectMs = performance.now() - d0;
    const judged = new Map(statuses.map((s) => [s.key, s.status as string]));
    const fixes = [...sim.fixes.values()].reduce((n, f) => n + f.length, 0);
    for (const kind of ['stop', 'segment'] as const) {
      const truth = new Map([...sim.truth].filter(([k]) => (kind === 'segment') === k.startsWith('segment:')));
      rows.push({ day, fixes, kind, score: scoreStates(truth, judged), simMs, detectMs });
      for (const [k, v] of truth) totals[kind].set(`${day}/${k}`, v);
    }
    for (const [k, v] of judged) judgedAll.set(`${day}/${k}`, v);
    if (input.listStreets) wrongStreets.push(...listWrongStreets(targets.segments, statuses, sim, input.seed + day));
  }
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  console.log(`\nStop detection on ${input.days} simulated days of the plan (${targets.stops.length} collection stops, ${targets.segments.length} streets; noise 5 m, fixes every 10-30 s, ${pct(input.skipShare)} skipped on purpose, 15% of routes held up 1-2 h; gear on/off reported at once: ${input.gearReports ? 'yes' : 'no'})`);
  console.log('\n| day | what | items | true served / missed | served recall / precision | missed recall / precision | exact state | fixes | simulate ms | detect ms |\n|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const s = r.score;
    console.log(`| ${r.day} | ${r.kind}s | ${s.n} | ${s.served.truth} / ${s.missed.truth} | ${pct(s.served.recall)} / ${pct(s.served.precision)} | ${pct(s.missed.recall)} / ${pct(s.missed.precision)} | ${pct(s.exact)} | ${r.fixes} | ${Math.round(r.simMs)} | ${Math.round(r.detectMs)} |`);
  }
  const all = { stops: scoreStates(totals.stop, judgedAll), segments: scoreStates(totals.segment, judgedAll) };
  for (const [name, s] of Object.entries(all)) {
    console.log(`| **all** | ${name} | ${s.n} | ${s.served.truth} / ${s.missed.truth} | **${pct(s.served.recall)} / ${pct(s.served.precision)}** | **${pct(s.missed.recall)} / ${pct(s.missed.precision)}** | ${pct(s.exact)} | | | |`);
  }
  const wrong = Object.entries({ ...all.stops.confusion, ...Object.fromEntries(Object.entries(all.segments.confusion).map(([k, v]) => [`segment ${k}`, v])) })
    .filter(([k]) => { const [a, b] = k.replace('segment ', '').split('->'); return a !== b; });
  console.log(`judged otherwise than the truth: ${wrong.length ? wrong.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`);
  if (input.listStreets) {
    writeFileSync(input.listStreets, wrongStreets.map((l) => `${l}\n`).join(''));
    console.log(`${wrongStreets.length} streets judged otherwise than the truth listed in ${input.listStreets}`);
  }
  const min = Math.min(all.stops.served.recall, all.stops.served.precision, all.stops.missed.recall, all.stops.missed.precision);
  const streetsMin = Math.min(all.segments.served.recall, all.segments.served.precision, all.segments.missed.recall, all.segments.missed.precision);
  return {
    bench: 'planning', case: 'stop-detection', days: input.days, seed: input.seed, skipShare: input.skipShare, noiseM: 5, intervalS: [10, 30], gearReports: input.gearReports,
    stops: { n: all.stops.n, served: all.stops.served, missed: all.stops.missed, exact: all.stops.exact },
    segments: { n: all.segments.n, served: all.segments.served, missed: all.segments.missed, exact: all.segments.exact },
    goal: 0.99, stopsGoalMet: min >= 0.99, streetsGoalMet: streetsMin >= 0.99,
  };
}

/** One day's streets judged otherwise than the simulation's truth, as JSON lines (for looking into the detector's errors). */
function listWrongStreets(segments: SegmentTarget[], statuses: ActualStatus[], sim: PlanDay, seed: number): string[] {
  const byKey = new Map(segments.map((g) => [g.key, g]));
  return statuses.filter((st) => st.kind === 'segment').flatMap((st) => {
    const truth = sim.truth.get(st.key);
    if (truth === undefined || (truth === 'missed') === (st.status === 'missed')) return [];
    const seg = byKey.get(st.key)!;
    const simPasses = sim.passLog.filter((p) => `segment:${p.taskId}` === st.key).map((p) => ({ vehicleId: p.vehicleId, how: p.how, from: new Date(p.fromMs).toISOString(), to: new Date(p.toMs).toISOString() }));
    return [JSON.stringify({ seed, key: st.key, truth, judged: st.status, passes: st.passes, requiredPasses: st.requiredPasses, lengthM: Math.round(seg.lengthM), oneWay: seg.oneWay, vehicleIds: seg.vehicleIds, simPasses })];
  });
}

/** The network the service would load for the profile and zones (same cache as the plan job). */
export async function benchNetwork(osmFile: string, profile: CityProfile, zones: Parameters<typeof networkProfileFor>[1], cacheDir: string): Promise<RoadNetwork> {
  return (await loadNetwork(osmFile, { profile: networkProfileFor(profile, zones), cacheDir })).network;
}
