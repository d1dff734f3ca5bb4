/**
 * Snow-day bench: the demo city's snow day (清雪除冰) planned in the winter mode, with the figures
 * for the spreaders recomputed from the Problem and the routes' stops (not the solver's own
 * loads): tasks salted, salt put down, reloads, the most salt spread between two loads against the
 * hopper, and how the bridges and ramps fared against their deadline. A table and one JSON line.
 *
 *   npm run bench:snow -- [--iterations N] [--seed N] [--district NAME]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProblem, solve, validateSolution } from '../solver/index.js';
import { loadNetwork, readOsm } from '../solver/network/index.js';
import { cityProfileSchema } from '../src/domain/city-profile.js';
import {
  collectionPointSchema, constructionSiteSchema, depotSchema, facilitySchema, permitSchema, restrictedZoneSchema,
  roadSegmentSchema, vehicleSchema,
} from '../src/domain/model.js';
import { DEMO_OSM_FILE, generateDemoCity } from '../src/demo/demo-city.js';
import { buildProblem } from '../src/planning/build-problem.js';
import { networkProfileFor } from '../src/planning/network-profile.js';
import type { PlanningSnapshot } from '../src/planning/snapshot.js';
import { arg } from './args.js';

const iterations = Number(arg('iterations') ?? 200);
const seed = Number(arg('seed') ?? 1);
const district = arg('district') ?? null;

const city = await generateDemoCity({ seed: 1, osm: await readOsm(DEMO_OSM_FILE) });
const withId = <T>(schema: { parse(x: unknown): T }, xs: Array<{ id: string }>) => xs.map((x) => ({ ...(schema.parse(x) as object), id: x.id })) as Array<T & { id: string }>;
const snapshot: PlanningSnapshot = {
  date: '2026-12-01', district, profile: cityProfileSchema.parse(city.profile),
  depots: withId(depotSchema, city.depots), facilities: withId(facilitySchema, city.facilities), vehicles: withId(vehicleSchema, city.vehicles),
  collectionPoints: withId(collectionPointSchema, city.collectionPoints), constructionSites: withId(constructionSiteSchema, city.constructionSites),
  permits: withId(permitSchema, city.permits), roadSegments: withId(roadSegmentSchema, city.roadSegments),
  restrictedZones: withId(restrictedZoneSchema, city.restrictedZones), reserved: { planIds: [], vehicleIds: [], facilityKg: {} },
};
const { network } = await loadNetwork(DEMO_OSM_FILE, { profile: networkProfileFor(snapshot.profile, snapshot.restrictedZones), cacheDir: join(tmpdir(), 'sanifleet-test-network-cache') });

const t0 = performance.now();
const built = buildProblem(snapshot, network, { mode: 'snow' });
const problem = parseProblem(built.problem);
const solution = await solve(problem, { seed, maxIterations: iterations });
const solveS = (performance.now() - t0) / 1000;
const report = validateSolution(problem, solution);

// ---- the spreaders' figures, recomputed from the Problem ------------------------------------
const tasks = new Map(problem.sweepTasks.map((t) => [t.id, t]));
const vehicles = new Map(problem.vehicles.map((v) => [v.id, v]));
const segments = new Map(snapshot.roadSegments.map((s) => [s.id, s]));
const spreadTasks = problem.sweepTasks.filter((t) => t.vehicleKind === 'spreader');
const requiredPasses = spreadTasks.reduce((a, t) => a + Math.min(t.passes, t.mechanicalPasses), 0);
let passes = 0, saltKg = 0, reloads = 0, worstShare = 0, bridgeRamp = 0, bridgeRampOnTime = 0, bridgeRampSlackS = Infinity;
const routes = solution.routes.filter((r) => vehicles.get(r.vehicleId)?.kind === 'spreader');
for (const r of routes) {
  const capacityKg = vehicles.get(r.vehicleId)!.capacityKg;
  let sinceLoadKg = 0;
  for (const s of r.stops) {
    if (s.type === 'facility') { reloads++; sinceLoadKg = 0; continue; }
    if (s.type !== 'sweep' || !s.id) continue;
    const t = tasks.get(s.id)!;
    passes++;
    saltKg += t.kg;
    sinceLoadKg += t.kg;
    worstShare = Math.max(worstShare, sinceLoadKg / capacityKg);
    const seg = segments.get(built.mapping.sweepTasks[s.id]!.segmentId)!;
    if (seg.bridge || seg.ramp) {
      bridgeRamp++;
      const endS = s.startS + t.lengthM / (t.workSpeedKmh / 3.6);
      if (endS <= t.deadlineS + 1e-6) bridgeRampOnTime++;
      bridgeRampSlackS = Math.min(bridgeRampSlackS, t.deadlineS - endS);
    }
  }
}
const unservedSpread = solution.unserved.filter((u) => u.id.startsWith('spread:'));

const rows: Array<[string, string]> = [
  ['plan', `demo city ${district ?? 'whole city'}, snow day, seed ${seed}, ${iterations} iterations`],
  ['street tasks (plow / deice / spread)', ['sweeper', 'washer', 'spreader'].map((k) => problem.sweepTasks.filter((t) => t.vehicleKind === k).length).join(' / ')],
  ['routes (all / spreaders)', `${solution.routes.length} / ${routes.length}`],
  ['spread passes done / required', `${passes} / ${requiredPasses} (unserved spread: ${unservedSpread.length})`],
  ['salt spread, reloads', `${Math.round(saltKg)} kg, ${reloads}`],
  ['most salt between two loads', `${(worstShare * 100).toFixed(1)} % of the hopper`],
  ['bridge/ramp passes on time', `${bridgeRampOnTime} / ${bridgeRamp} (least slack ${Number.isFinite(bridgeRampSlackS) ? Math.round(bridgeRampSlackS / 60) + ' min' : '-'})`],
  ['validator', `${report.valid ? 'valid' : 'INVALID'}, ${report.violations.length} violations, ${report.unservedCount} unserved`],
  ['build + solve', `${solveS.toFixed(1)} s wall`],
];
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
console.log(JSON.stringify({
  bench: 'snow', district, seed, iterations, spreadTasks: spreadTasks.length, spreadPassesRequired: requiredPasses, spreadPassesDone: passes,
  unservedSpread: unservedSpread.length, saltKg: Math.round(saltKg), reloads, worstHopperShare: Number(worstShare.toFixed(3)),
  bridgeRampPasses: bridgeRamp, bridgeRampOnTime, valid: report.valid, violations: report.violations.length, unserved: report.unservedCount,
  routes: solution.routes.length, spreaderRoutes: routes.length, wallS: Number(solveS.toFixed(1)),
}));
