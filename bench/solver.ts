/**
 * Solver benchmarks: `npm run bench:solver -- [--sets a,b] [--time S] [--quick] [--seed N] [--only NAME]`.
 * Sets: solomon (hierarchical), solomon-dist (distance only), cvrp-a, cvrp-p, cvrp-x, carp-gdb,
 * carp-val, waste (MCARPTIF), city (generated city day), lp (LP engines compared; not in the default list). Every solution goes through the
 * independent validator. Prints a table per set and then exactly one JSON line per set.
 */
import { readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { solve, validateSolution, type ProblemInput, type Solution } from '../solver/index.js';
import { loadSolomon } from '../solver/bench/solomon.js';
import { loadCvrp } from '../solver/bench/cvrp.js';
import { loadCarp, loadMcarptif } from '../solver/bench/carp.js';
import { readCsv } from '../solver/bench/common.js';
import { generateCity } from '../solver/bench/city.js';
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
const timeOverride = args.includes('--time') ? Number(value('time', '10')) : null;

// VROOM on this machine (shared/docs/benchmarks.md), for side-by-side reading
const VROOM = {
  solomonHier: { vehicles: 426, meanGapAtBksVehiclesPct: 2.06, instancesAtBksVehicles: 35, wallSMean: 1.9 },
  solomonDist: { meanGapPct: 1.53, wallSMean: 1.9 },
};

interface Row { name: string; vehicles: number; value: number; bksVehicles?: number; bks?: number; gapPct?: number; timeS: number; valid: boolean; unserved: number }

function files(dir: string, ext: string): string[] {
  const list = readdirSync(dir).filter((f) => f.endsWith(ext)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const picked = only ? list.filter((f) => basename(f, ext) === only) : list;
  return quick ? picked.filter((_, i) => i % 4 === 0) : picked;
}

async function run(problem: ProblemInput, timeS: number): Promise<{ sol: Solution; timeS: number; valid: boolean }> {
  const t0 = performance.now();
  const sol = await solve(problem, { seed, maxIterations: 1e9, timeLimitMs: timeS * 1000 });
  const timeS2 = (performance.now() - t0) / 1000;
  const report = validateSolution(problem, sol);
  if (!report.valid) console.error(`  ${problem.name}: ${report.violations.length} violations, first: ${JSON.stringify(report.violations[0])}`);
  return { sol, timeS: timeS2, valid: report.valid };
}

function table(title: string, rows: Row[]): void {
  console.log(`\n## ${title}`);
  console.log('| instance | vehicles | value | bks vehicles | bks | gap % | time s | valid | unserved |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.vehicles} | ${r.value.toFixed(2)} | ${r.bksVehicles ?? ''} | ${r.bks ?? ''} | ${r.gapPct === undefined ? '' : r.gapPct.toFixed(2)} | ${r.timeS.toFixed(1)} | ${r.valid ? 'yes' : 'NO'} | ${r.unserved} |`);
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function solomon(distanceOnly: boolean): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : 10);
  const bks = new Map(readCsv(join(DATA, 'solomon', 'bks.csv')).map((r) => [r.instance, r]));
  const rows: Row[] = [];
  for (const f of files(join(DATA, 'solomon'), '.txt')) {
    const name = basename(f, '.txt');
    const problem = loadSolomon(join(DATA, 'solomon', f), { objective: distanceOnly ? 'cost' : 'vehicles-then-cost' });
    const { sol, timeS: t, valid } = await run(problem, timeS);
    const b = bks.get(name)!;
    const bv = Number(distanceOnly ? b.mindist_vehicles : b.vehicles), bd = Number(distanceOnly ? b.mindist_distance : b.distance);
    rows.push({ name, vehicles: sol.cost.vehicles, value: sol.cost.distanceM, bksVehicles: bv, bks: bd, gapPct: (100 * (sol.cost.distanceM - bd)) / bd, timeS: t, valid, unserved: sol.unserved.length });
  }
  table(distanceOnly ? 'Solomon VRPTW, distance only' : 'Solomon VRPTW, hierarchical (vehicles, then distance)', rows);
  const vehicles = rows.reduce((a, r) => a + r.vehicles, 0);
  const bksVehicles = rows.reduce((a, r) => a + (r.bksVehicles ?? 0), 0);
  const atBks = rows.filter((r) => r.vehicles === r.bksVehicles);
  const summary = distanceOnly
    ? { set: 'solomon-dist', instances: rows.length, timeLimitS: timeS, vehicles, distance: round(rows.reduce((a, r) => a + r.value, 0)),
      meanGapPct: round(mean(rows.map((r) => r.gapPct!)), 3), valid: rows.filter((r) => r.valid).length, wallSMean: round(mean(rows.map((r) => r.timeS))), vroom: VROOM.solomonDist }
    : { set: 'solomon', instances: rows.length, timeLimitS: timeS, vehicles, bksVehicles, distance: round(rows.reduce((a, r) => a + r.value, 0)),
      instancesAtBksVehicles: atBks.length, meanGapAtBksVehiclesPct: round(mean(atBks.map((r) => r.gapPct!)), 3),
      valid: rows.filter((r) => r.valid).length, wallSMean: round(mean(rows.map((r) => r.timeS))), vroom: VROOM.solomonHier };
  console.log('\n| Solomon, 56 x ' + timeS + ' s | ours | VROOM -x 5 (2 threads, ~1.9 s) | best known |');
  console.log('|---|---|---|---|');
  if (distanceOnly) {
    console.log(`| mean gap to distance-only best | ${(summary as { meanGapPct: number }).meanGapPct.toFixed(2)}% | +${VROOM.solomonDist.meanGapPct}% | 0 |`);
  } else {
    console.log(`| vehicles | ${vehicles} | ${VROOM.solomonHier.vehicles} | ${bksVehicles} |`);
    console.log(`| mean distance gap where vehicles = best known | ${(summary as { meanGapAtBksVehiclesPct: number }).meanGapAtBksVehiclesPct.toFixed(2)}% on ${atBks.length} | +${VROOM.solomonHier.meanGapAtBksVehiclesPct}% on ${VROOM.solomonHier.instancesAtBksVehicles} | 0 |`);
  }
  console.log(JSON.stringify(summary));
}

async function cvrp(sub: 'A' | 'P' | 'X'): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : sub === 'X' ? 30 : 5);
  const bks = new Map(readCsv(join(DATA, 'cvrp', 'bks.csv')).map((r) => [r.instance, Number(r.optimal_or_bks)]));
  const rows: Row[] = [];
  for (const f of files(join(DATA, 'cvrp', sub), '.vrp')) {
    const name = basename(f, '.vrp');
    // A and P optima are for exactly the k vehicles in the name; X has an unlimited fleet
    const k = sub === 'X' ? undefined : Number(/-k(\d+)/.exec(name)![1]);
    const { sol, timeS: t, valid } = await run(loadCvrp(join(DATA, 'cvrp', sub, f), k), timeS);
    const b = bks.get(name)!;
    rows.push({ name, vehicles: sol.cost.vehicles, value: sol.cost.distanceM, bks: b, gapPct: (100 * (sol.cost.distanceM - b)) / b, timeS: t, valid, unserved: sol.unserved.length });
  }
  table(`CVRP ${sub}`, rows);
  console.log(JSON.stringify({ set: `cvrp-${sub.toLowerCase()}`, instances: rows.length, timeLimitS: timeS, meanGapPct: round(mean(rows.map((r) => r.gapPct!)), 3),
    maxGapPct: round(Math.max(...rows.map((r) => r.gapPct!)), 3), optimalFound: rows.filter((r) => r.gapPct! < 1e-9).length, valid: rows.filter((r) => r.valid).length,
    wallSMean: round(mean(rows.map((r) => r.timeS))) }));
}

async function carp(sub: 'gdb' | 'val'): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : 10);
  const bks = new Map(readCsv(join(DATA, 'carp', 'bks.csv')).map((r) => [r.instance, Number(r.optimal_or_bks)]));
  const rows: Row[] = [];
  for (const f of files(join(DATA, 'carp', sub), '.dat')) {
    const name = basename(f, '.dat');
    const { sol, timeS: t, valid } = await run(loadCarp(join(DATA, 'carp', sub, f)), timeS);
    const b = bks.get(name)!;
    rows.push({ name, vehicles: sol.cost.vehicles, value: sol.cost.distanceM, bks: b, gapPct: (100 * (sol.cost.distanceM - b)) / b, timeS: t, valid, unserved: sol.unserved.length });
  }
  table(`CARP ${sub} (gap to proven optima)`, rows);
  console.log(JSON.stringify({ set: `carp-${sub}`, instances: rows.length, timeLimitS: timeS, meanGapPct: round(mean(rows.map((r) => r.gapPct!)), 3),
    maxGapPct: round(Math.max(...rows.map((r) => r.gapPct!)), 3), optimalFound: rows.filter((r) => r.gapPct! < 1e-9).length, valid: rows.filter((r) => r.valid).length,
    wallSMean: round(mean(rows.map((r) => r.timeS))) }));
}

async function waste(): Promise<void> {
  const timeS = timeOverride ?? (quick ? 1 : 10);
  const rows: Row[] = [];
  for (const sub of ['Lpr-IF', 'mval-IF-3L']) {
    for (const f of files(join(DATA, 'waste', sub), '.txt')) {
      const { sol, timeS: t, valid } = await run(loadMcarptif(join(DATA, 'waste', sub, f)), timeS);
      rows.push({ name: basename(f, '.txt'), vehicles: sol.cost.vehicles, value: sol.cost.total, timeS: t, valid, unserved: sol.unserved.length });
    }
  }
  table('MCARPTIF waste collection (cost = service + deadhead + dumping; no best known)', rows);
  console.log(JSON.stringify({ set: 'waste', instances: rows.length, timeLimitS: timeS, vehicles: rows.reduce((a, r) => a + r.vehicles, 0),
    totalCost: round(rows.reduce((a, r) => a + r.value, 0)), allServed: rows.filter((r) => r.unserved === 0).length, valid: rows.filter((r) => r.valid).length,
    wallSMean: round(mean(rows.map((r) => r.timeS))) }));
}

async function city(): Promise<void> {
  const timeS = timeOverride ?? (quick ? 10 : 55);
  const problem = generateCity({ seed: 7 });
  const t0 = performance.now();
  const sol = await solve(problem, { seed, maxIterations: 1e9, timeLimitMs: timeS * 1000 });
  const wall = (performance.now() - t0) / 1000;
  const report = validateSolution(problem, sol);
  const reasons: Record<string, number> = {};
  for (const u of sol.unserved) reasons[u.reason] = (reasons[u.reason] ?? 0) + 1;
  console.log('\n## Generated city day');
  console.log('| points | muck loads | sweep segments | vehicles available | vehicles used | unserved | violations | wall s |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| ${problem.jobs!.length} | ${problem.muckLoads!.length} | ${problem.sweepTasks!.length} | ${problem.vehicles.length} | ${sol.cost.vehicles} | ${sol.unserved.length} | ${report.violations.length} | ${wall.toFixed(1)} |`);
  if (report.violations.length) console.error('  first violations:', JSON.stringify(report.violations.slice(0, 3)));
  console.log(JSON.stringify({ set: 'city', points: problem.jobs!.length, muckLoads: problem.muckLoads!.length, sweepSegments: problem.sweepTasks!.length,
    vehiclesAvailable: problem.vehicles.length, vehiclesUsed: sol.cost.vehicles, unserved: sol.unserved.length, unservedReasons: reasons,
    violations: report.violations.length, distanceKm: round(sol.cost.distanceM / 1000, 1), wallS: round(wall, 1), timeLimitS: timeS }));
}

/** javascript-lp-solver against HiGHS (wasm) on our own models: same optimum, time each. */
async function lp(): Promise<void> {
  const models: Array<{ name: string; model: LinearModel }> = [];
  for (const [seedC, scale] of [[7, 1], [11, 0.5]] as const) {
    const city = parseProblem(generateCity({ seed: seedC, scale }));
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
  if (s === 'solomon') await solomon(false);
  else if (s === 'solomon-dist') await solomon(true);
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
