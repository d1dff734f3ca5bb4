/**
 * The generated city in the planning bench (issue 12, item 10 and its two benchmarks):
 *
 * - `generated`: a generated road network (330 × 330 junctions ≈ 200k road segments) with one
 *   district of 2,000 points, 3,300 road segments to sweep, 50 muck loads and 80 vehicles,
 *   planned end to end as a real city is: store → Problem with road matrices → solve →
 *   validate → stored; then the stored Problem and Solution are read back and validated again.
 * - `districts`: 5 such districts (10,000 points) as 5 plan jobs over one and then two
 *   `npm run worker` processes on the PostgreSQL server; the wall time of each and the ratio.
 *
 * The OSM file of the network is written once to the temp directory, its contraction
 * hierarchies are built once into the network cache (timed apart: a city does it once per
 * import), and every plan loads the network from that cache as the service does.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSolution, type ProblemInput } from '../solver/index.js';
import { generateCity, loadNetwork, osmXmlChunks } from '../solver/network/index.js';
import { importCity } from '../src/api/import-router.js';
import { generatedCityDocument, type GeneratedCityOptions } from '../src/demo/generated-city.js';
import { buildProblem } from '../src/planning/build-problem.js';
import { networkProfileFor } from '../src/planning/network-profile.js';
import { runPlanJob } from '../src/planning/plan-job.js';
import { PlanStore } from '../src/planning/plan-store.js';
import { readCity, type PlanningSnapshot } from '../src/planning/snapshot.js';
import { CityRepo } from '../src/store/city-repo.js';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { ProfileRepo } from '../src/store/profile-repo.js';
import { createScratchDatabase } from '../src/store/scratch-database.js';
import type { CityProfile } from '../src/domain/city-profile.js';
import { arg } from './args.js';
import { startWorkerProcess } from './worker-process.js';

const cacheDir = join(tmpdir(), 'sanifleet-bench-network-cache');
const date = arg('date') ?? '2026-12-01';
const seed = Number(arg('city-seed') ?? 1);
const columns = Number(arg('columns') ?? 330);
const rows = Number(arg('rows') ?? 330);
const cpuMs = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 1000);

/** The generated network as an .osm file (written once per seed and size) and its cache built. */
async function networkFile(doc: ReturnType<typeof generatedCityDocument>): Promise<{ osmFile: string; writeMs: number; importMs: number; segments: number }> {
  const osmFile = join(tmpdir(), `sanifleet-generated-${seed}-${columns}x${rows}.osm`);
  let t = performance.now();
  if (!existsSync(osmFile)) {
    const stream = createWriteStream(`${osmFile}.part`);
    for (const chunk of osmXmlChunks(generateCity({ seed, columns, rows }))) if (!stream.write(chunk)) await once(stream, 'drain');
    stream.end();
    await once(stream, 'finish');
    renameSync(`${osmFile}.part`, osmFile);
  }
  const writeMs = Math.round(performance.now() - t);
  t = performance.now();
  // the profile the plan job will ask for: the city's speeds, grades and its zones as bans
  const { network } = await loadNetwork(osmFile, { profile: networkProfileFor(doc.profile, doc.restrictedZones.map((z) => ({ ...z, hours: z.hours ?? [], mode: z.mode ?? 'ban' as const }))), cacheDir });
  return { osmFile, writeMs, importMs: Math.round(performance.now() - t), segments: network.graph.segmentCount };
}

function cityOf(districts: number): ReturnType<typeof generatedCityDocument> {
  const opts: GeneratedCityOptions = {
    seed, columns, rows, districts, ...(arg('tile') ? { tileJunctions: Number(arg('tile')) } : {}),
    points: Number(arg('points') ?? 2000), sweepSegments: Number(arg('sweep-segments') ?? 3300), muckLoads: Number(arg('muck-loads') ?? 50),
  };
  return generatedCityDocument(generateCity({ seed, columns, rows }), opts);
}

async function importDoc(db: Db, doc: ReturnType<typeof generatedCityDocument>): Promise<number> {
  const t = performance.now();
  await migrate(db);
  const profiles = new ProfileRepo(db);
  profiles.use(doc.profile);
  await importCity(db, new CityRepo(db), profiles, doc);
  return Math.round(performance.now() - t);
}

/** Case (a): one district, one plan, in this process (one core), phase by phase. */
/** The plan options of a bench run: the profile's seed and budget unless the command line names them. */
function planOptions(profile: CityProfile): { seed: number; iterations: number; timeLimitS: number } {
  return {
    seed: Number(arg('seed') ?? profile.planning.seed),
    iterations: Number(arg('iterations') ?? profile.planning.iterations),
    timeLimitS: Number(arg('time-limit') ?? 45),
  };
}

export async function generatedCityBench(store: string): Promise<void> {
  const doc = cityOf(1);
  const net = await networkFile(doc);
  const scratch = store === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'sanifleet_bench') : undefined;
  const db = await openDb({ databaseUrl: scratch?.url });
  try {
    const importMs = await importDoc(db, doc);
    const profile = (await new ProfileRepo(db).load())!;
    const options = planOptions(profile);
    const plans = new PlanStore(db);
    const { planId, jobId } = (await plans.create({ date, district: null, options, createdBy: 'bench' }))!;
    await plans.queue.claim('bench', 3600);

    const phases: Array<{ phase: string; wallMs: number; cpuMs: number }> = [];
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    let phaseWall = wall0, phaseCpu = process.cpuUsage(), lastPhase = 'store → snapshot';
    const close = (next: string) => {
      phases.push({ phase: lastPhase, wallMs: Math.round(performance.now() - phaseWall), cpuMs: cpuMs(process.cpuUsage(phaseCpu)) });
      lastPhase = next;
      phaseWall = performance.now();
      phaseCpu = process.cpuUsage();
    };
    const snapshot = { date, district: null, profile, ...(await readCity(db)), reserved: await plans.reserved(date, null) };
    const result = await runPlanJob({ snapshot, osmFile: net.osmFile, networkCacheDir: cacheDir, options }, (p) => { if (p.phase !== lastPhase) close(p.phase); });
    close('stored');
    await plans.storeResult(planId, jobId, 'bench', result);
    close('');
    const totalMs = Math.round(performance.now() - wall0);
    const totalCpuMs = cpuMs(process.cpuUsage(cpu0));

    // the independent check: the stored Problem and Solution read back and validated afresh
    const stored = (await plans.problemOf(planId))!;
    const recheck = validateSolution(stored.problem, stored.solution);
    const p = result.problemDoc;
    const f = result.figures;
    const t = result.figures.timingsMs as Record<string, number> | undefined;
    const label: Record<string, string> = { network: 'road network (cache)', build: 'Problem + matrices', solve: 'solve', validate: 'validate', geometry: 'geometry + pack' };
    console.log(`\nGenerated city, one day end to end (${date}; ${columns}x${columns === rows ? '' : rows}${columns === rows ? columns : ''} junctions, ${net.segments} road segments; ${options.iterations} iterations, cap ${options.timeLimitS} s; store ${db.kind})`);
    console.log(`Problem: ${result.mapping.locations.length} places, ${Object.keys(result.mapping.profiles).length} matrices (${Object.keys(result.mapping.profiles).join(', ')}), ${p.vehicles.length} vehicles, ${p.jobs?.length ?? 0} points, ${p.sweepTasks?.length ?? 0} street tasks from ${doc.roadSegments.length} road segments, ${p.muckLoads?.length ?? 0} muck loads`);
    console.log(`once per city (not in the total): OSM file ${net.writeMs} ms, network import with its hierarchies ${net.importMs} ms (cached when 0-few s), city import ${importMs} ms`);
    console.log('\n| phase | wall ms | cpu ms |\n|---|---|---|');
    for (const ph of phases) console.log(`| ${label[ph.phase] ?? ph.phase} | ${ph.wallMs} | ${ph.cpuMs} |`);
    console.log(`| **total** | **${totalMs}** | **${totalCpuMs}** |`);
    console.log(`(inside Problem + matrices: matrices ${t?.matricesMs ?? '?'} ms, corridors ${t?.corridorsMs ?? '?'} ms)`);
    console.log(`\nvehicles ${f.vehicles}, ${(f.distanceM / 1000).toFixed(1)} km, served ${f.served}, violations ${f.violations} (plan's validator: ${result.report.valid ? 'valid' : 'INVALID'}); stored plan re-validated: ${recheck.violations.length} violations, ${recheck.unservedCount} unserved`);
    console.log(`unserved by reason: ${JSON.stringify(f.unservedByReason)}; not routed by design: ${JSON.stringify(f.notRoutedByReason)}`);
    console.log(JSON.stringify({
      bench: 'planning', case: 'generated-city-day', date, store: db.kind, ...options, columns, rows, roadSegmentsInNetwork: net.segments,
      places: result.mapping.locations.length, matrices: Object.keys(result.mapping.profiles), vehicles: p.vehicles.length, points: p.jobs?.length ?? 0,
      sweepSegments: doc.roadSegments.length, streetTasks: p.sweepTasks?.length ?? 0, muckLoads: p.muckLoads?.length ?? 0,
      oncePerCityMs: { osmFile: net.writeMs, networkImport: net.importMs, cityImport: importMs },
      phases: Object.fromEntries(phases.map((ph) => [ph.phase, { wallMs: ph.wallMs, cpuMs: ph.cpuMs }])), insideBuildMs: { matrices: t?.matricesMs, corridors: t?.corridorsMs },
      totalWallMs: totalMs, totalCpuMs, routes: f.vehicles, distanceKm: Math.round(f.distanceM / 100) / 10, served: f.served, violations: f.violations,
      storedRevalidated: { violations: recheck.violations.length, unserved: recheck.unservedCount, valid: recheck.valid },
      unserved: f.unserved, unservedByReason: f.unservedByReason, notRoutedByReason: f.notRoutedByReason, goalWallS: 90,
    }));
  } finally {
    await db.close();
    await scratch?.drop();
  }
}

/** A `npm run worker` process (one plan thread) on this city's network. */
function startWorker(databaseUrl: string, osmFile: string): Promise<ChildProcess> {
  return startWorkerProcess({ DATABASE_URL: databaseUrl, OSM_FILE: osmFile, NETWORK_CACHE_DIR: cacheDir });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** Case (b): 5 districts as 5 plan jobs over one and over two worker processes on PostgreSQL. */
export async function districtsBench(): Promise<void> {
  const districts = Number(arg('districts') ?? 5);
  const doc = cityOf(districts);
  const net = await networkFile(doc);
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'sanifleet_bench');
  const db = await openDb({ databaseUrl: scratch.url });
  try {
    await importDoc(db, doc);
    const profile = (await new ProfileRepo(db).load())!;
    const options = planOptions(profile);
    const plans = new PlanStore(db);
    const names = Array.from({ length: districts }, (_, d) => `D${d + 1}`);
    const runs: Array<{ workers: number; wallMs: number; plans: Array<{ district: string | null; owner: string; valid: boolean; violations: number; served: number; unserved: number; revalidatedViolations: number }> }> = [];
    for (const workers of [1, 2]) {
      const children = await Promise.all(Array.from({ length: workers }, () => startWorker(scratch.url, net.osmFile)));
      try {
        // each round plans another date, so the rounds do not see each other's plans
        const day = `2026-12-0${workers + 1}`;
        const t0 = performance.now();
        const created = [];
        for (const district of names) created.push((await plans.create({ date: day, district, options, createdBy: 'bench' }))!);
        for (;;) {
          const rows = await db.query<{ n: number }>(`select count(*)::int as n from plans where id = any($1) and (solved_at is not null or error is not null)`, [created.map((c) => c.planId)]);
          if (rows.rows[0]!.n === created.length) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        const wallMs = Math.round(performance.now() - t0);
        const owners = await db.query<{ plan_id: string; owner: string | null }>(`select plan_id, owner from plan_jobs where plan_id = any($1)`, [created.map((c) => c.planId)]);
        const ownerOf = new Map(owners.rows.map((r) => [r.plan_id, (r.owner ?? '').split(':').slice(0, 2).join(':')]));
        const out = [];
        for (const c of created) {
          const plan = (await plans.get(c.planId))!;
          const stored = await plans.problemOf(c.planId);
          const recheck = stored ? validateSolution(stored.problem, stored.solution) : undefined;
          out.push({ district: plan.district, owner: ownerOf.get(c.planId) ?? '?', valid: plan.valid === true, violations: plan.figures?.violations ?? -1,
            served: plan.figures?.served ?? 0, unserved: plan.figures?.unserved ?? -1, revalidatedViolations: recheck?.violations.length ?? -1, ...(plan.error ? { error: plan.error } : {}) });
        }
        runs.push({ workers, wallMs, plans: out });
      } finally {
        for (const c of children) await stopWorker(c);
      }
    }
    const [one, two] = runs as [typeof runs[number], typeof runs[number]];
    console.log(`\n${districts} districts × ${Number(arg('points') ?? 2000)} points (${doc.collectionPoints.length} in all), one plan job per district, over npm run worker processes on PostgreSQL (${options.iterations} iterations, cap ${options.timeLimitS} s each)`);
    console.log('| worker processes | wall s | plans valid | violations (re-validated) | processes that took jobs |\n|---|---|---|---|---|');
    for (const r of runs) {
      console.log(`| ${r.workers} | ${(r.wallMs / 1000).toFixed(1)} | ${r.plans.filter((p) => p.valid).length}/${r.plans.length} | ${r.plans.reduce((s, p) => s + Math.max(0, p.revalidatedViolations), 0)} | ${new Set(r.plans.map((p) => p.owner)).size} |`);
    }
    console.log(`ratio (1 worker wall / 2 workers wall): ${(one.wallMs / two.wallMs).toFixed(2)}`);
    console.log(JSON.stringify({ bench: 'planning', case: 'districts-over-workers', districts, points: doc.collectionPoints.length, ...options, roadSegmentsInNetwork: net.segments,
      wallMs: { oneWorker: one.wallMs, twoWorkers: two.wallMs }, ratio: Math.round((one.wallMs / two.wallMs) * 100) / 100, runs }));
  } finally {
    await db.close();
    await scratch.drop();
  }
}

/**
 * The generated city day as a solver Problem, built from the city document by the planner's
 * own builder on the generated network (no store): what `npm run bench:solver -- --sets city`
 * solves, so the solver bench's city has road travel times too, never grid formulas.
 */
export async function generatedCityProblem(opts: { points?: number; sweepSegments?: number; muckLoads?: number } = {}): Promise<{ problem: ProblemInput; segments: number; places: number }> {
  const doc = generatedCityDocument(generateCity({ seed, columns, rows }), { seed, columns, rows, districts: 1, ...opts });
  const zones = doc.restrictedZones.map((z) => ({ ...z, hours: z.hours ?? [], mode: z.mode ?? 'ban' as const }));
  const net = await networkFile(doc);
  const { network } = await loadNetwork(net.osmFile, { profile: networkProfileFor(doc.profile, zones), cacheDir });
  const snapshot: PlanningSnapshot = {
    date, district: null, profile: doc.profile, depots: doc.depots, facilities: doc.facilities, vehicles: doc.vehicles, collectionPoints: doc.collectionPoints,
    constructionSites: doc.constructionSites, permits: doc.permits, roadSegments: doc.roadSegments, restrictedZones: zones, reserved: { planIds: [], vehicleIds: [], facilityKg: {} },
  };
  const built = buildProblem(snapshot, network);
  return { problem: built.problem, segments: net.segments, places: built.mapping.locations.length };
}
