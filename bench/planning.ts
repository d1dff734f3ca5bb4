/**
 * Planning benchmark: the demo city, one night's plan end to end — store → Problem with road
 * matrices → solve → validate → stored — with wall and CPU time per phase, rule violations
 * (from the validator) and what is left unserved, by reason.
 * Then stop detection on simulated days of that plan (bench/stop-detection.ts); `--only stop-detection` prints only that.
 *   npm run bench:planning -- [--only demo|stop-detection|generated|districts] [--days N] [--iterations N] [--time-limit S] [--seed N] [--district NAME] [--date YYYY-MM-DD] [--store pglite|postgres] [--sim-seed N] [--list-streets FILE]
 * Defaults: the city profile's planning budget (planning.iterations, planning.timeLimitS).
 * Then a re-plan after a breakdown at 10:00 (--replan-iterations N, default a fifth of the budget).
 * Runs in this process (one core), not in a worker thread, so the phases can be timed apart.
 * Prints a table and one JSON line per case (the night plan with its re-plan, stop detection).
 * Then the generated city (`--only generated`) and its 5 districts over worker processes (`--only districts`,
 * PostgreSQL at TEST_DATABASE_URL): bench/planning-generated.ts, options --columns --rows --points --sweep-segments --muck-loads.
 */
import { importCity } from '../src/api/import-router.js';
import { generateDemoCity } from '../src/demo/demo-city.js';
import { defaultCityProfile } from '../src/domain/city-profile.js';
import { DEMO_OSM_FILE } from '../src/demo/demo-files.js';
import { runPlanJob } from '../src/planning/plan-job.js';
import { PlanStore } from '../src/planning/plan-store.js';
import { readCity } from '../src/planning/snapshot.js';
import { CityRepo } from '../src/store/city-repo.js';
import { openDb } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { ProfileRepo } from '../src/store/profile-repo.js';
import { createScratchDatabase } from '../src/store/scratch-database.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg } from './args.js';
import { benchNetwork, stopDetectionBench } from './stop-detection.js';
import { districtsBench, generatedCityBench } from './planning-generated.js';
import { roadBlockedReplanBench } from './replan-road-blocked.js';

const store = arg('store') ?? 'pglite';
/** 'stop-detection': plan, then only the plan-against-actual bench; 'demo': the demo plan and its re-plans only; 'generated' / 'districts': only that case (planning-generated.ts) */
const only = arg('only');
if (only === 'generated' || only === 'districts') {
  // the generated city's stored matrices (~230 MB packed) are beyond what PGlite can take as one bytea
  await (only === 'generated' ? generatedCityBench(arg('store') ?? 'postgres') : districtsBench());
  process.exit(process.exitCode ?? 0);
}
const date = arg('date') ?? '2026-12-01';
const district = arg('district') ?? null;
const cacheDir = join(tmpdir(), 'sanifleet-bench-network-cache');

const scratch = store === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'sanifleet_bench') : undefined;
const db = await openDb({ databaseUrl: scratch?.url });
try {
  await migrate(db);
  const repo = new CityRepo(db);
  const profiles = new ProfileRepo(db);
  profiles.use(defaultCityProfile());
  await importCity(db, repo, profiles, await generateDemoCity({ seed: Number(arg('city-seed') ?? 1) }));
  const profile = (await profiles.load())!;
  const options = {
    seed: Number(arg('seed') ?? profile.planning.seed),
    iterations: Number(arg('iterations') ?? profile.planning.iterations),
    timeLimitS: Number(arg('time-limit') ?? profile.planning.timeLimitS),
  };
  const plans = new PlanStore(db);
  const { planId, jobId } = (await plans.create({ date, district, options, createdBy: 'bench' }))!;
  await plans.queue.claim('bench', 3600);

  const phases: Array<{ phase: string; wallMs: number; cpuMs: number }> = [];
  const timed = async <T>(phase: string, f: () => Promise<T>): Promise<T> => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const out = await f();
    const used = process.cpuUsage(cpu);
    phases.push({ phase, wallMs: Math.round(performance.now() - wall), cpuMs: Math.round((used.user + used.system) / 1000) });
    return out;
  };
  const total0 = performance.now();
  const cpu0 = process.cpuUsage();
  const snapshot = await timed('store → snapshot', async () => ({ date, district, profile, ...(await readCity(db)), reserved: await plans.reserved(date, district) }));
  let lastPhase = '';
  let phaseWall = performance.now();
  let phaseCpu = process.cpuUsage();
  const result = await runPlanJob({ snapshot, osmFile: DEMO_OSM_FILE, networkCacheDir: cacheDir, options }, (p) => {
    if (p.phase === lastPhase) return;
    if (lastPhase) {
      const used = process.cpuUsage(phaseCpu);
      phases.push({ phase: lastPhase, wallMs: Math.round(performance.now() - phaseWall), cpuMs: Math.round((used.user + used.system) / 1000) });
    }
    lastPhase = p.phase;
    phaseWall = performance.now();
    phaseCpu = process.cpuUsage();
  });
  {
    const used = process.cpuUsage(phaseCpu);
    phases.push({ phase: `${lastPhase} + pack`, wallMs: Math.round(performance.now() - phaseWall), cpuMs: Math.round((used.user + used.system) / 1000) });
  }
  await timed('stored', () => plans.storeResult(planId, jobId, 'bench', result));
  const totalMs = Math.round(performance.now() - total0);
  const totalCpu = process.cpuUsage(cpu0);
  const stored = (await plans.get(planId))!;

  if (only !== 'stop-detection') {
  // Re-planning after a breakdown at 10:00 (issue 12 item 6): the vehicle with the most work
  // left after 10:00 breaks down; the remaining work is planned again from the state at 10:00
  const replanIterations = Number(arg('replan-iterations') ?? Math.max(100, Math.round(options.iterations / 5)));
  const replan = await (async () => {
    const base = (await plans.replanBase(planId))!;
    const atS = 10 * 3600;
    const isTask = (t: string) => t === 'job' || t === 'sweep' || t === 'muck';
    const left = (r: (typeof base.solution.routes)[number]) => r.stops.filter((x) => isTask(x.type) && x.startS >= atS).length;
    const broken = [...base.solution.routes].sort((a, b) => left(b) - left(a))[0]!;
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const out = await runPlanJob({ snapshot, osmFile: DEMO_OSM_FILE, networkCacheDir: cacheDir, options: { ...options, iterations: replanIterations },
      replan: { base, event: { kind: 'breakdown', vehicleId: broken.vehicleId }, state: { atS, markedStopIds: [], positions: {} } } });
    const used = process.cpuUsage(cpu);
    const rec = out.mapping.replan!;
    // done stops unchanged: nothing new starts before 10:00, and no item is served more often
    // than it had visits left (the new version numbers the remaining visits from 0)
    const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const doneBy = count(rec.done.map((d) => d.key.slice(0, d.key.lastIndexOf('#'))));
    const servedBefore = count(base.solution.routes.flatMap((r) => r.stops).filter((x) => isTask(x.type)).map((x) => `${x.type}:${x.id}`));
    const newStops = out.solution.routes.flatMap((r) => r.stops).filter((x) => isTask(x.type) && !x.id!.startsWith('carried:'));
    const servedNow = count(newStops.map((x) => `${x.type}:${x.id}`));
    const required = (item: string) => {
      const [type, id] = [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)];
      const pr = base.problem;
      if (type === 'job') return pr.jobs?.find((j) => j.id === id)?.visitsPerDay ?? 1;
      if (type === 'sweep') { const t = pr.sweepTasks!.find((x) => x.id === id)!; return Math.min(t.passes ?? 1, t.mechanicalPasses ?? 1); }
      return 1;
    };
    const again = newStops.filter((x) => x.startS < atS).length
      + [...servedNow].filter(([item, n]) => n + (doneBy.get(item) ?? 0) > Math.max(required(item), servedBefore.get(item) ?? 0)).length;
    return {
      brokenVehicle: broken.vehicleId, brokenStopsLeft: left(broken), iterations: replanIterations, wallMs: Math.round(performance.now() - wall), cpuMs: Math.round((used.user + used.system) / 1000),
      done: rec.done.length, moved: rec.moved, movedOther: rec.movedOther, unserved: rec.unserved, relaxed: rec.relaxed, violations: out.figures.violations,
      valid: out.report.valid, brokenGetsStops: out.solution.routes.some((r) => r.vehicleId === broken.vehicleId), doneUnchanged: again === 0, goalWallS: 10,
    };
  })();

  // a road blocked at 10:00: travel recomputed around it (replan-road-blocked.ts)
  const roadBlocked = await roadBlockedReplanBench({ plans, planId, snapshot, osmFile: DEMO_OSM_FILE, cacheDir, options: { ...options, iterations: Math.max(100, Math.round(options.iterations / 5)) } });

  // The queue itself: claims per second with four claimers racing on the same store, every
  // job claimed exactly once (the table queue's cost next to a plan's is nil, see plan-queue.ts)
  const queueJobs = Number(arg('queue-jobs') ?? 400);
  for (let i = 0; i < queueJobs; i++) await plans.create({ date: '2026-12-02', district: `q${i % 8}`, options, createdBy: 'bench' });
  const claimed: string[] = [];
  const q0 = performance.now();
  await Promise.all(Array.from({ length: 4 }, async (_, c) => {
    for (;;) {
      const job = await plans.queue.claim(`claimer-${c}`, 60);
      if (!job) return;
      claimed.push(job.id);
      await db.transaction((tx) => plans.queue.finish(tx, job.id, `claimer-${c}`, 'done'));
    }
  }));
  const queueMs = performance.now() - q0;
  const queue = { jobs: queueJobs, claimed: claimed.length, distinct: new Set(claimed).size, claimsPerS: Math.round(claimed.length / (queueMs / 1000)) };

  const p = result.problemDoc;
  const sizes = Object.fromEntries(Object.entries({ problem: result.problemDoc, mapping: result.mapping, solution: result.solution, geometry: result.geometry, unserved: result.unserved })
    .map(([k, v]) => [k, Math.round(JSON.stringify(v).length / 1000)]));
  const stats = await db.query<{ kb: number }>('select (octet_length(problem_matrices) / 1000)::int as kb from plans where id = $1', [planId]);
  sizes.matricesPacked = stats.rows[0]!.kb;
  const label: Record<string, string> = { network: 'road network (cache)', build: 'Problem + matrices', solve: 'solve', validate: 'validate', geometry: 'geometry + pack' };
  console.log(`\nDemo city, one night's plan end to end (${date}, ${district ?? 'whole city'}; ${options.iterations} iterations, cap ${options.timeLimitS} s, seed ${options.seed}; store ${db.kind})`);
  console.log(`Problem: ${result.mapping.locations.length} places, ${Object.keys(result.mapping.profiles).length} matrices (${Object.keys(result.mapping.profiles).join(', ')}), ${p.vehicles.length} vehicles, ${p.jobs?.length ?? 0} points, ${p.sweepTasks?.length ?? 0} street tasks, ${p.muckLoads?.length ?? 0} muck loads`);
  console.log('\n| phase | wall ms | cpu ms |\n|---|---|---|');
  for (const ph of phases) console.log(`| ${label[ph.phase.replace(' + pack', '')] ?? ph.phase} | ${ph.wallMs} | ${ph.cpuMs} |`);
  console.log(`| **total** | **${totalMs}** | **${Math.round((totalCpu.user + totalCpu.system) / 1000)}** |`);
  const f = result.figures;
  console.log(`\nvehicles ${f.vehicles}, ${(f.distanceM / 1000).toFixed(1)} km, served ${f.served}, violations ${f.violations} (validator: ${result.report.valid ? 'valid' : 'INVALID'}; stored plan valid=${stored.valid})`);
  console.log(`unserved by reason: ${JSON.stringify(f.unservedByReason)}; not routed by design: ${JSON.stringify(f.notRoutedByReason)}`);
  console.log(`stored kB: ${JSON.stringify(sizes)}`);
  console.log(`re-plan after ${replan.brokenVehicle} breaks down at 10:00 (${replan.brokenStopsLeft} of its stops left, ${replan.iterations} iterations): ${replan.wallMs} ms wall, ${replan.cpuMs} ms cpu; ${replan.done} stops done and ${replan.doneUnchanged ? 'unchanged' : 'CHANGED'}; ${replan.moved} stops moved between vehicles (${replan.movedOther} not from the broken one); ${replan.unserved} left out; violations ${replan.violations} (goal <= 10 s)`);
  console.log(`re-plan after a road is blocked at 10:00: ${JSON.stringify(roadBlocked)}`);
  console.log(`queue: ${queue.claimed} of ${queue.jobs} jobs claimed and finished by 4 racing claimers (${queue.distinct} distinct), ${queue.claimsPerS} claims/s`);
  console.log(JSON.stringify({
    bench: 'planning', case: 'demo-city-night-plan', date, district, store: db.kind, ...options,
    places: result.mapping.locations.length, vehicles: p.vehicles.length, points: p.jobs?.length ?? 0, streetTasks: p.sweepTasks?.length ?? 0, muckLoads: p.muckLoads?.length ?? 0,
    phases: Object.fromEntries(phases.map((ph) => [ph.phase, { wallMs: ph.wallMs, cpuMs: ph.cpuMs }])),
    totalWallMs: totalMs, totalCpuMs: Math.round((totalCpu.user + totalCpu.system) / 1000),
    routes: f.vehicles, distanceKm: Math.round(f.distanceM / 100) / 10, served: f.served, violations: f.violations, valid: result.report.valid,
    unserved: f.unserved, unservedByReason: f.unservedByReason, notRoutedByReason: f.notRoutedByReason, storedKb: sizes, queue, replan, roadBlocked, goalWallS: 30,
  }));
  }

  // plan against actual: simulated days of this plan, judged by the detector, scored against the truth
  if (only !== 'demo') {
  const roads = new Map(snapshot.roadSegments.map((r) => [r.id, r.geometry.coordinates as Array<[number, number]>]));
  const network = await benchNetwork(DEMO_OSM_FILE, profile, snapshot.restrictedZones, cacheDir);
  console.log(JSON.stringify(stopDetectionBench({
    network, problem: result.problemDoc, solution: result.solution, mapping: result.mapping, profile, roads,
    days: Number(arg('days') ?? 3), seed: Number(arg('sim-seed') ?? 1001), skipShare: Number(arg('skip-share') ?? 0.1),
    gearReports: arg('gear-reports') !== 'off', listStreets: arg('list-streets'),
  })));
  }
} finally {
  await db.close();
  await scratch?.drop();
}

// the generated city on a 200k-segment road network, and its 5 districts over worker processes (planning-generated.ts)
if (!only) {
  await generatedCityBench(arg('store') ?? 'postgres');
  await districtsBench();
}
