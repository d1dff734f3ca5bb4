/**
 * Solver benchmarks: `npm run bench:solver -- [--sets a,b] [--time S] [--quick] [--seed N] [--only NAME]
 * [--subset K] [--checkpoints 10,60,300] [--iterations N] [--threads N]`. `--threads N`: search threads per problem
 * (vrp/parallel/; default 1).
 * Sets: solomon (hierarchical), solomon-dist (distance only), homberger400 and homberger1000 (Gehring & Homberger,
 * hierarchical; not in the default list: 120 s and 300 s per instance), cvrp-a, cvrp-p, cvrp-x, carp-gdb,
 * carp-val, waste (MCARPTIF), city (generated city day on a generated road network, bench/planning-generated.ts), lp (LP engines compared; not in the default list). Every solution goes through the
 * independent validator and every figure printed is the validator's recomputation, never what the solver states about itself.
 * A row that breaks a rule or leaves work unserved is marked and left out of the mean gap; a value below the best known is
 * flagged for checking, never counted as optimal. Exit code 1 when any solution breaks a rule.
 * VRPTW sets: `--subset K` runs the first K instances of each class (by name), and one run per instance is scored at each
 * checkpoint (seconds) below its limit as well as at the end, every plan validated (anytime figures; `--checkpoints`
 * alone sets the limit to its last value); `--iterations N` gives each instance a budget of N steps instead of a time limit
 * (deterministic, for before/after comparisons on a loaded machine; no checkpoints). The peak resident memory of the run so far is printed after each instance.
 * Prints a table per set and then exactly one JSON line per set.
 */
import { readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { solve, validateSolution, type ProblemInput, type Solution, type ValidationReport } from '../solver/index.js';
import { loadSolomon } from '../solver/bench/solomon.js';
import { loadInstance, pickInstances, readBestKnown, runInstance, scorePlan, type Moment } from '../solver/bench/vrptwSet.js';
import { loadCvrp } from '../solver/bench/cvrp.js';
import { loadCarp, loadMcarptif } from '../solver/bench/carp.js';
import { readCsv } from '../solver/bench/common.js';
import { generatedCityProblem } from './planning-generated.js';
import { round, score, sum, tally, type Row } from '../solver/bench/score.js';
import { parseProblem } from '../solver/problem.js';
import { buildAllocationModel } from '../solver/lp/allocation.js';
import { buildFleetBoundModel } from '../solver/lp/fleetBound.js';
import { buildSetPartitioningModel } from '../solver/lp/setPartition.js';
import { solveWithHighs, solveWithJsLp, type LinearModel } from '../solver/lp/lp.js';
import { compileProblem } from '../solver/vrp/compile.js';
import { search, RoutePool } from '../solver/vrp/search.js';

const DATA = join(import.meta.dirname, '..', 'data', 'bench');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const quick = flag('quick');
const seed = Number(value('seed', '1'));
const only = value('only', '');
const sets = value('sets', 'solomon,solomon-dist,cvrp-a,cvrp-p,cvrp-x,carp-gdb,carp-val,waste,city').split(',');
const threads = Number(value('threads', '1'));
const timeOverride = args.includes('--time') ? Number(value('time', '10')) : null;
// VRPTW sets: the first k instances of each class (fixed by name) and the anytime checkpoints in seconds
const subset = args.includes('--subset') ? Number(value('subset', '2')) : undefined;
// VRPTW sets: an iteration budget per instance instead of a time limit (deterministic; for before/after comparisons on a loaded machine)
const iterationsArg = args.includes('--iterations') ? Number(value('iterations', '0')) : undefined;
const checkpointArg = args.includes('--checkpoints') ? value('checkpoints', '').split(',').map(Number) : null;

// VROOM's figures are not measured by this bench: they come from runs of VROOM on this machine kind
// quoted in solver/README.md ("Peer figures"), printed beside ours for reading side by side.
const VROOM_SOURCE = 'solver/README.md, "Peer figures": VROOM master 004faa4b (1.15.0-dev), -x 5, 2 threads, all 56 Solomon instances, '
  + 'measured on this machine kind before 23 Nov 2026 (not re-run by this bench)';
const VROOM = {
  solomonHier: { vehicles: 426, meanGapAtBksVehiclesPct: 2.06, instancesAtBksVehicles: 35, wallSMean: 1.9, source: VROOM_SOURCE },
  solomonDist: { meanGapPct: 1.53, wallSMean: 1.9, source: VROOM_SOURCE },
};

let invalidSolutions = 0;

function files(dir: string, ext: string): string[] {
  const list = readdirSync(dir).filter((f) => f.endsWith(ext)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const picked = only ? list.filter((f) => basename(f, ext) === only) : list;
  return quick ? picked.filter((_, i) => i % 4 === 0) : picked;
}

async function run(problem: ProblemInput, timeS: number): Promise<{ sol: Solution; report: ValidationReport; timeS: number }> {
  const t0 = performance.now();
  const sol = await solve(problem, { seed, maxIterations: 1e9, timeLimitMs: timeS * 1000, threads });
  const wallS = (performance.now() - t0) / 1000;
  const report = validateSolution(problem, sol);
  if (!report.valid) {
    invalidSolutions++;
    console.error(`  ${problem.name}: INVALID, ${report.violations.length} violations, first: ${JSON.stringify(report.violations[0])}`);
  }
  return { sol, report, timeS: wallS };
}

function table(title: string, rows: Row[]): void {
  console.log(`\n## ${title}${threads > 1 ? ` (${threads} search threads per instance)` : ''}`);
  console.log('(figures recomputed by the validator from the routes; gap only for valid rows with nothing unserved)');
  console.log('| instance | vehicles | value | bks vehicles | bks | gap % | time s | status |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.vehicles} | ${r.value.toFixed(2)} | ${r.bks?.vehicles ?? ''} | ${r.bks?.text ?? ''} | ${r.gapPct === undefined ? '' : r.gapPct.toFixed(2)} | ${r.timeS.toFixed(1)} | ${r.status} |`);
  }
}

function printTally(t: ReturnType<typeof tally>, withBestKnown = true): void {
  const out = [`${t.valid}/${t.instances} valid`, `${t.instances - t.invalid - t.withUnserved} valid and complete`];
  if (withBestKnown) out.push(`mean gap over ${t.inMeanGap}: ${t.meanGapPct.toFixed(2)}%`, `${t.atBestKnown} at best known (${t.optimalFound} proven optimal)`);
  if (t.invalid) out.push(`${t.invalid} INVALID (left out)`);
  if (t.withUnserved) out.push(`${t.withUnserved} with unserved work (left out)`);
  if (t.toCheck.length) out.push(`to check (below best known or fewer vehicles): ${t.toCheck.join(', ')}`);
  console.log(out.join('; '));
}

interface VrptwSet { title: string; dir: string; bks: string; distanceOnly: boolean; defaultTimeS: number; vroom: boolean }
const VRPTW_SETS: Record<string, VrptwSet> = {
  solomon: { title: 'Solomon VRPTW, hierarchical (vehicles, then distance)', dir: 'solomon', bks: 'solomon/bks.csv', distanceOnly: false, defaultTimeS: 10, vroom: true },
  'solomon-dist': { title: 'Solomon VRPTW, distance only', dir: 'solomon', bks: 'solomon/bks.csv', distanceOnly: true, defaultTimeS: 10, vroom: true },
  // the issue's goals: 120 s per 400-customer instance, 300 s per 1,000-customer one
  homberger400: { title: 'Gehring & Homberger VRPTW, 400 customers, hierarchical', dir: 'homberger/400', bks: 'homberger/bks.csv', distanceOnly: false, defaultTimeS: 120, vroom: false },
  homberger1000: { title: 'Gehring & Homberger VRPTW, 1,000 customers, hierarchical', dir: 'homberger/1000', bks: 'homberger/bks.csv', distanceOnly: false, defaultTimeS: 300, vroom: false },
};

/** Process peak resident memory in MB (it only grows: after an instance, the peak of the run so far). */
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function vrptw(setName: string): Promise<void> {
  const set = VRPTW_SETS[setName];
  const quickTimeS = set.defaultTimeS >= 100 ? 10 : 1;
  // one run per instance; its plan is taken at each checkpoint below the limit (anytime figures)
  const checkpointsS = (checkpointArg ?? [10, 60, 300]);
  const timeS = timeOverride ?? (checkpointArg ? Math.max(...checkpointArg) : quick ? quickTimeS : set.defaultTimeS);
  const moments: Moment[] = iterationsArg ? [] : checkpointsS.filter((c) => c < timeS).map((c) => ({ label: `${c} s`, ms: c * 1000 }));
  const dir = join(DATA, set.dir);
  const bksTable = readBestKnown(join(DATA, set.bks), set.distanceOnly);
  const mindistVehicles = set.distanceOnly ? new Map(readCsv(join(DATA, set.bks)).map((r) => [r.instance, Number(r.mindist_vehicles)])) : null;
  const rows: Row[] = [];
  const atMoment: Row[][] = moments.map(() => []);
  const rssMb: number[] = [], cpuS: number[] = [], iterations: number[] = [];
  for (const name of pickInstances(dir, { only, subset, every: quick ? 4 : 1 })) {
    const problem = loadInstance(dir, name, set.distanceOnly);
    const bks = bksTable.get(name);
    const run = await runInstance(problem, iterationsArg ? { seed, threads, maxIterations: iterationsArg, moments: [] } : { seed, threads, timeS, moments });
    const row = scorePlan(name, problem, run.final, run.wallS, bks);
    if (!row.valid) {
      invalidSolutions++;
      console.error(`  ${name}: INVALID, ${row.violations} violations`);
    }
    if (mindistVehicles && bks) row.bks = { ...bks, vehicles: mindistVehicles.get(name) };
    rows.push(row);
    moments.forEach((m, k) => atMoment[k].push(scorePlan(name, problem, run.atMoments[k], m.ms! / 1000, bks)));
    rssMb.push(peakRssMb());
    cpuS.push(run.cpuS);
    iterations.push(run.final.stats.iterations);
  }
  table(set.title, rows);
  const t = tally(rows);
  printTally(t);
  const complete = (rs: Row[]) => rs.filter((r) => r.valid && r.unserved === 0);
  const vehicles = sum(complete(rows), (r) => r.vehicles);
  const bksVehicles = sum(complete(rows), (r) => r.bks?.vehicles ?? 0);
  const anytime = [...moments.map((m, k) => ({ atS: m.ms! / 1000, rows: atMoment[k] })), { atS: iterationsArg ? null : timeS, rows }].map(({ atS, rows: rs }) => {
    const tt = tally(rs);
    return { atS, vehicles: sum(complete(rs), (r) => r.vehicles), bksVehicles: sum(complete(rs), (r) => r.bks?.vehicles ?? 0), completeInstances: complete(rs).length,
      instancesAtBksVehicles: tt.inMeanGap, meanGapAtBksVehiclesPct: tt.meanGapPct, invalid: tt.invalid, withUnserved: tt.withUnserved };
  });
  if (!set.distanceOnly) {
    console.log(`\n### Anytime: one run per instance, its plan at each checkpoint validated and scored (vehicles; gap % where the fleet is the best known)`);
    console.log(`| instance | best known | ${anytime.map((a) => (a.atS === null ? `end (${iterationsArg} steps)` : `${a.atS} s`)).join(' | ')} | iterations | CPU s | peak RSS MB (run so far) |`);
    console.log(`|---|---|${anytime.map(() => '---|').join('')}---|---|---|`);
    rows.forEach((r, i) => {
      const cells = [...atMoment.map((rs) => rs[i]), r].map((x) => !x.valid ? 'INVALID' : x.unserved ? `UNSERVED ${x.unserved}` : `${x.vehicles}${x.gapPct !== undefined ? ` / ${x.gapPct.toFixed(2)}%` : x.bks?.vehicles !== undefined ? ` (${x.vehicles > x.bks.vehicles ? '+' : ''}${x.vehicles - x.bks.vehicles})` : ''}`);
      console.log(`| ${r.name} | ${r.bks?.vehicles ?? ''} / ${r.bks?.text ?? ''} | ${cells.join(' | ')} | ${iterations[i]} | ${cpuS[i].toFixed(1)} | ${rssMb[i]} |`);
    });
    console.log('| **total vehicles / mean gap** | ' + `${bksVehicles} | ` + anytime.map((a) => `${a.vehicles} (best known ${a.bksVehicles}) / ${Number.isNaN(a.meanGapAtBksVehiclesPct) ? '–' : a.meanGapAtBksVehiclesPct.toFixed(2) + '%'} on ${a.instancesAtBksVehicles}`).join(' | ') + ` | ${iterations.reduce((a, b) => a + b, 0)} | ${cpuS.reduce((a, b) => a + b, 0).toFixed(1)} | ${Math.max(0, ...rssMb)} |`);
  }
  const summary = set.distanceOnly
    ? { set: setName, timeLimitS: iterationsArg ? null : timeS, iterations: iterationsArg ?? null, threads, ...t, vehicles, distance: round(sum(complete(rows), (r) => r.value)), vroom: VROOM.solomonDist }
    : { set: setName, timeLimitS: iterationsArg ? null : timeS, iterations: iterationsArg ?? null, threads, ...t, vehicles, bksVehicles, completeInstances: complete(rows).length, distance: round(sum(complete(rows), (r) => r.value)),
      instancesAtBksVehicles: t.inMeanGap, meanGapAtBksVehiclesPct: t.meanGapPct, anytime, peakRssMb: Math.max(0, ...rssMb), cpuS: round(cpuS.reduce((a, b) => a + b, 0), 1), subset: subset ?? null,
      ...(set.vroom ? { vroom: VROOM.solomonHier } : {}) };
  if (set.vroom) {
    console.log(`\n| Solomon, ${rows.length} x ${timeS} s | ours | VROOM -x 5 (56 instances, 2 threads, ~1.9 s) | best known |`);
    console.log('|---|---|---|---|');
    if (set.distanceOnly) {
      console.log(`| mean gap to distance-only best | ${t.meanGapPct.toFixed(2)}% on ${t.inMeanGap} | +${VROOM.solomonDist.meanGapPct}% | 0 |`);
    } else {
      console.log(`| vehicles (valid, complete rows) | ${vehicles} on ${complete(rows).length} | ${VROOM.solomonHier.vehicles} on 56 | ${bksVehicles} on ${complete(rows).length} |`);
      console.log(`| mean distance gap where vehicles = best known | ${t.meanGapPct.toFixed(2)}% on ${t.inMeanGap} | +${VROOM.solomonHier.meanGapAtBksVehiclesPct}% on ${VROOM.solomonHier.instancesAtBksVehicles} | 0 |`);
    }
    console.log(`VROOM figures: ${VROOM_SOURCE}.`);
  }
  console.log(JSON.stringify(summary));
}

async function cvrp(sub: 'A' | 'P' | 'X'): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : sub === 'X' ? 30 : 5);
  const bksTable = new Map(readCsv(join(DATA, 'cvrp', 'bks.csv')).map((r) => [r.instance, r]));
  const rows: Row[] = [];
  for (const f of files(join(DATA, 'cvrp', sub), '.vrp')) {
    const name = basename(f, '.vrp');
    // A and P optima are for exactly the k vehicles in the name; X has an unlimited fleet
    const k = sub === 'X' ? undefined : Number(/-k(\d+)/.exec(name)![1]);
    const { report, timeS: t } = await run(loadCvrp(join(DATA, 'cvrp', sub, f), k), timeS);
    const b = bksTable.get(name)!;
    rows.push(score(name, report, t, { value: Number(b.optimal_or_bks), text: b.optimal_or_bks, proven: b.proven_optimal === 'yes' }));
  }
  table(`CVRP ${sub}`, rows);
  const t = tally(rows);
  printTally(t);
  console.log(JSON.stringify({ set: `cvrp-${sub.toLowerCase()}`, timeLimitS: timeS, ...t }));
}

async function carp(sub: 'gdb' | 'val'): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : 10);
  const bksTable = new Map(readCsv(join(DATA, 'carp', 'bks.csv')).map((r) => [r.instance, r]));
  const rows: Row[] = [];
  for (const f of files(join(DATA, 'carp', sub), '.dat')) {
    const name = basename(f, '.dat');
    const { report, timeS: t } = await run(loadCarp(join(DATA, 'carp', sub, f)), timeS);
    const b = bksTable.get(name)!;
    rows.push(score(name, report, t, { value: Number(b.optimal_or_bks), text: b.optimal_or_bks, proven: b.proven_optimal === 'yes' }));
  }
  table(`CARP ${sub} (gap to best known; "optimal" only where proven)`, rows);
  const t = tally(rows);
  printTally(t);
  console.log(JSON.stringify({ set: `carp-${sub}`, timeLimitS: timeS, ...t }));
}

async function waste(): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : 10);
  const rows: Row[] = [];
  for (const sub of ['Lpr-IF', 'mval-IF-3L']) {
    for (const f of files(join(DATA, 'waste', sub), '.txt')) {
      const { report, timeS: t } = await run(loadMcarptif(join(DATA, 'waste', sub, f)), timeS);
      rows.push(score(basename(f, '.txt'), report, t, undefined, 'cost'));
    }
  }
  table('MCARPTIF waste collection (cost = service + deadhead + dumping; no best known)', rows);
  const t = tally(rows);
  printTally(t, false);
  const complete = rows.filter((r) => r.valid && r.unserved === 0);
  console.log(JSON.stringify({ set: 'waste', timeLimitS: timeS, instances: t.instances, valid: t.valid, invalid: t.invalid, withUnserved: t.withUnserved,
    allServed: rows.filter((r) => r.unserved === 0).length, vehicles: sum(complete, (r) => r.vehicles), totalCost: round(sum(complete, (r) => r.value)),
    totalCostOver: complete.length, wallSMean: t.wallSMean }));
}

async function city(): Promise<void> {
  const timeS = timeOverride ?? (quick ? 10 : 55);
  // the generated city day on a generated 200k-segment road network, built by the planner's builder
  // (bench/planning-generated.ts): travel times from the contraction hierarchies, not from a grid
  const { problem, segments, places } = await generatedCityProblem();
  const { sol, report, timeS: wall } = await run(problem, timeS);
  const r = report.recomputed;
  const reasons: Record<string, number> = {};
  for (const u of sol.unserved) reasons[u.reason] = (reasons[u.reason] ?? 0) + 1;
  console.log(`\n## Generated city day on a ${segments}-segment road network, ${places} places (figures recomputed by the validator)`);
  // how often the repairs after the search still acted (the solver's own count: the validator cannot see them)
  const repairs = sol.stats.repairs ?? { facilityTrips: 0, breakTasks: 0 };
  console.log('| points | muck loads | sweep segments | vehicles available | vehicles used | task visits unserved | violations | repairs: facility trips / break tasks | wall s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${problem.jobs!.length} | ${problem.muckLoads!.length} | ${problem.sweepTasks!.length} | ${problem.vehicles.length} | ${r.vehicles} | ${report.unservedCount} of ${r.required} | ${report.violations.length} | ${repairs.facilityTrips} / ${repairs.breakTasks} | ${wall.toFixed(1)} |`);
  console.log(JSON.stringify({ set: 'city', roadSegments: segments, places, points: problem.jobs!.length, muckLoads: problem.muckLoads!.length, sweepSegments: problem.sweepTasks!.length,
    vehiclesAvailable: problem.vehicles.length, vehiclesUsed: r.vehicles, requiredVisits: r.required, unserved: report.unservedCount, unservedReasons: reasons,
    valid: report.valid, complete: report.complete, violations: report.violations.length, distanceKm: round(r.distanceM / 1000, 1), repairs, threads, wallS: round(wall, 1), timeLimitS: timeS }));
}

/** javascript-lp-solver against HiGHS (wasm) on our own models: same optimum, time each. */
async function lp(): Promise<void> {
  const models: Array<{ name: string; model: LinearModel }> = [];
  for (const scale of [1, 0.5]) {
    const city = parseProblem((await generatedCityProblem({ points: 2000 * scale, sweepSegments: 3300 * scale, muckLoads: 50 * scale })).problem);
    models.push({ name: `allocation city x${scale}`, model: buildAllocationModel(city).model });
    models.push({ name: `fleet bound city x${scale}`, model: buildFleetBoundModel(city).model });
  }
  for (const name of quick ? ['C101'] : ['C101', 'R101', 'RC105', 'R202']) {
    const compiled = compileProblem(parseProblem(loadSolomon(join(DATA, 'solomon', `${name}.txt`))));
    const pool = new RoutePool();
    search(compiled.models[0].model, { seed, maxIterations: quick ? 500 : 3000, routePool: pool });
    models.push({ name: `set partitioning ${name} (${pool.routes.size} routes)`, model: buildSetPartitioningModel(compiled.models[0].model, [...pool.routes.values()]) });
  }
  console.log('\n## LP engines on our models (javascript-lp-solver vs HiGHS wasm)');
  console.log('| model | vars | rows | jsLP objective | jsLP ms | HiGHS objective | HiGHS ms |');
  console.log('|---|---|---|---|---|---|---|');
  const rows = [];
  for (const { name, model } of models) {
    let t0 = performance.now();
    const a = solveWithJsLp(model, 60000);
    const jsMs = performance.now() - t0;
    t0 = performance.now();
    const b = await solveWithHighs(model, 60);
    const hMs = performance.now() - t0;
    rows.push({ name, vars: model.vars.length, rows: model.rows.length, jslp: { objective: round(a.objective, 3), feasible: a.feasible, ms: round(jsMs, 1) }, highs: { objective: round(b.objective, 3), feasible: b.feasible, ms: round(hMs, 1) } });
    console.log(`| ${name} | ${model.vars.length} | ${model.rows.length} | ${a.feasible ? a.objective.toFixed(3) : 'infeasible'} | ${jsMs.toFixed(1)} | ${b.feasible ? b.objective.toFixed(3) : 'infeasible'} | ${hMs.toFixed(1)} |`);
  }
  console.log(JSON.stringify({ set: 'lp', models: rows }));
}

for (const s of sets) {
  if (s in VRPTW_SETS) await vrptw(s);
  else if (s === 'cvrp-a') await cvrp('A');
  else if (s === 'cvrp-p') await cvrp('P');
  else if (s === 'cvrp-x') await cvrp('X');
  else if (s === 'carp-gdb') await carp('gdb');
  else if (s === 'carp-val') await carp('val');
  else if (s === 'waste') await waste();
  else if (s === 'city') await city();
  else if (s === 'lp') await lp();
  else console.error(`unknown set ${s}`);
}
if (invalidSolutions > 0) {
  console.error(`${invalidSolutions} solution(s) broke a rule of the validator: exit code 1`);
  process.exitCode = 1;
}
