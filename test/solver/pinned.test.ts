/**
 * Pins the exact result of the route search for a seed and an iteration budget (no time
 * limit), so that moving code around in solver/vrp/ (issue 15, item 1) provably changes
 * nothing. Each case records the plan's vehicles and distance to full precision, the number
 * of iterations, a hash of the whole Solution JSON (every stop, time and load) and a hash
 * of the progress trace (phase, iteration, vehicles, tasks out and cost every 256 steps),
 * which follows the search's path and not only where it ends.
 *
 * The instances cover the search's branches: a 25-customer Solomon R1 with a long fleet
 * phase (route removal, ejections, a restarted attempt, penalised cost phase with repair),
 * a 100-customer Solomon RC2 (penalised phase), CVRP and CARP (plain annealing with the
 * distance bound, two-direction arc tasks), MCARPTIF (unloading trips inserted, dropped and
 * re-placed), one MCARPTIF above 400 tasks (greedy construction, granular insertion), a town
 * with one-way streets (asymmetric matrix, penalised phase) and a small generated city day
 * (several partitions, breaks, facility capacities, packing).
 * Set partitioning is off except in one case: HiGHS runs under a wall-clock limit.
 *
 * A deliberate change of the search's behaviour changes these figures: re-pin them then,
 * in the same commit, and say why.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProblem, solve, type ProblemInput, type SolveOptions } from '../../solver/index.js';
import { parseSolomon, loadSolomon } from '../../solver/bench/solomon.js';
import { loadCvrp } from '../../solver/bench/cvrp.js';
import { loadCarp, loadMcarptif } from '../../solver/bench/carp.js';
import { generateCity } from '../../solver/fixtures/grid-city.js';
import { compileProblem } from '../../solver/vrp/compile.js';
import { RoutePool, search } from '../../solver/vrp/search.js';
import { Rng } from '../../solver/random.js';
import { collector } from './helpers.js';

const DATA = join(import.meta.dirname, '..', '..', 'data', 'bench');

/** The first n customers of a Solomon instance (how the classic 25- and 50-customer sets are made). */
function solomonHead(file: string, n: number): ProblemInput {
  const lines = readFileSync(join(DATA, 'solomon', file), 'utf8').split(/\r?\n/);
  const header = lines.findIndex((l) => l.trim().startsWith('CUST'));
  const out = lines.slice(0, header + 1);
  let rows = 0;
  for (let k = header + 1; k < lines.length && rows < n + 1; k++) {
    out.push(lines[k]);
    if (/^\s*\d/.test(lines[k])) rows++;
  }
  return parseSolomon(out.join('\n'));
}

/**
 * Sixty points on a 10 km square whose streets are one-way in part: a trip from a lower to a
 * higher index whose indices sum to a multiple of three takes a 40% detour (an asymmetric
 * matrix, as real roads give), with windows of one to three hours and residual waste.
 */
function oneWayTown(): ProblemInput {
  const rng = new Rng(11);
  const n = 61;
  const xy = Array.from({ length: n }, () => [Math.round(rng.next() * 10000), Math.round(rng.next() * 10000)]);
  const distancesM: number[][] = [], durationsS: number[][] = [];
  for (let i = 0; i < n; i++) {
    distancesM.push([]); durationsS.push([]);
    for (let j = 0; j < n; j++) {
      const straight = Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]);
      const d = Math.round(straight * (i < j && (i + j) % 3 === 0 ? 1.4 : 1));
      distancesM[i].push(d);
      durationsS[i].push(Math.round(d / 8)); // 8 m/s
    }
  }
  const jobs = Array.from({ length: n - 1 }, (_, k) => {
    const startS = 3600 * (1 + rng.int(6));
    return { id: `p${k + 1}`, location: k + 1, wasteClass: 'residual' as const, kg: 50 + rng.int(150), windows: [{ startS, endS: startS + 3600 * (1 + rng.int(3)) }], serviceS: 120 };
  });
  const vehicles = Array.from({ length: 8 }, (_, k) => collector(`v${k + 1}`, { capacityKg: 1500, shift: { startS: 0, endS: 36000 } }));
  return { name: 'one-way town', matrices: { truck: { distancesM, durationsS } }, vehicles, jobs };
}

function sha(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
}

interface Pinned {
  vehicles: number;
  distanceM: number;
  totalCost: number;
  unserved: number;
  iterations: number;
  solutionHash: string;
  progressHash: string;
}

async function fingerprint(p: ProblemInput, opts: SolveOptions): Promise<Pinned> {
  const trace: unknown[] = [];
  const sol = await solve(p, { ...opts, onProgress: (f, d) => trace.push([f, d.partition, d.phase, d.iteration, d.vehicles, d.unassigned, d.cost]) });
  return {
    vehicles: sol.cost.vehicles,
    distanceM: sol.cost.distanceM,
    totalCost: sol.cost.total,
    unserved: sol.unserved.length,
    iterations: sol.stats.iterations,
    solutionHash: sha(sol),
    progressHash: sha(trace),
  };
}

const cases: Array<{ name: string; problem: () => ProblemInput; opts: SolveOptions; pinned: Pinned }> = [
  {
    name: 'Solomon R102, first 25 customers, long fleet phase',
    problem: () => solomonHead('R102.txt', 25),
    opts: { seed: 1, maxIterations: 6000, fleetShare: 0.8, setPartitioning: false },
    // re-pinned when the repair of a penalised step began to look only at the late routes the step
    // touched (issue 15, item 2): same vehicles and distance, another path; re-pinned again when
    // the price of time warp adapted after the step is taken or undone, no longer before (which accepted every 50th candidate unconditionally), and kicks on long routes (issue 15, Homberger 400 quality; solver/README.md): same plan, another path
    pinned: { vehicles: 7, distanceM: 548.1078177906317, totalCost: 548.1078177906317, unserved: 0, iterations: 6000, solutionHash: '75abe5d2ff7d6386', progressHash: '5a1ac2af29d6efe0' },
  },
  {
    name: 'Solomon R102, first 25 customers, with set partitioning',
    problem: () => solomonHead('R102.txt', 25),
    opts: { seed: 2, maxIterations: 1500 },
    pinned: { vehicles: 7, distanceM: 548.1078177906317, totalCost: 548.1078177906317, unserved: 0, iterations: 1500, solutionHash: '6f03ba8a0d47e9aa', progressHash: '13b04e842ffda140' },
  },
  {
    name: 'Solomon RC201 (penalised cost phase)',
    problem: () => loadSolomon(join(DATA, 'solomon', 'RC201.txt')),
    opts: { seed: 7, maxIterations: 600, setPartitioning: false },
    // re-pinned when the price of time warp adapted after the step is taken or undone, no longer before (which accepted every 50th candidate unconditionally), and kicks on long routes (issue 15, Homberger 400 quality; solver/README.md): same vehicles and distance, another schedule of the same routes
    pinned: { vehicles: 4, distanceM: 1455.985238295071, totalCost: 1455.985238295071, unserved: 0, iterations: 600, solutionHash: 'ecdf2b8ab1c6a533', progressHash: 'e6f9b6aae814eb03' },
  },
  {
    name: 'CVRP A-n32-k5',
    problem: () => loadCvrp(join(DATA, 'cvrp', 'A', 'A-n32-k5.vrp')),
    opts: { seed: 1, maxIterations: 1500, setPartitioning: false },
    pinned: { vehicles: 5, distanceM: 827, totalCost: 827, unserved: 0, iterations: 1500, solutionHash: '3c6e71beb06428bb', progressHash: 'de4498a94794c15e' },
  },
  {
    name: 'CARP gdb1',
    problem: () => loadCarp(join(DATA, 'carp', 'gdb', 'gdb1.dat')),
    opts: { seed: 1, maxIterations: 1500, setPartitioning: false },
    pinned: { vehicles: 5, distanceM: 316, totalCost: 316, unserved: 0, iterations: 1500, solutionHash: '233d4d585f9d92bd', progressHash: 'a68a4e97cb3145b6' },
  },
  {
    name: 'MCARPTIF Lpr_IF-a-01 (unloading trips)',
    problem: () => loadMcarptif(join(DATA, 'waste', 'Lpr-IF', 'Lpr_IF-a-01.txt')),
    opts: { seed: 1, maxIterations: 1000, setPartitioning: false },
    pinned: { vehicles: 1, distanceM: 12961, totalCost: 13561, unserved: 0, iterations: 1000, solutionHash: 'b0d58a11f25d989a', progressHash: '6932008cac05c0a3' },
  },
  {
    name: 'MCARPTIF Lpr_IF-c-04 (504 tasks: greedy construction, granular insertion)',
    problem: () => loadMcarptif(join(DATA, 'waste', 'Lpr-IF', 'Lpr_IF-c-04.txt')),
    opts: { seed: 1, maxIterations: 60, setPartitioning: false },
    pinned: { vehicles: 7, distanceM: 168965, totalCost: 174365, unserved: 0, iterations: 60, solutionHash: '95449fbb715d532d', progressHash: 'b97499099d129628' },
  },
  {
    name: 'one-way town (asymmetric matrix, windows)',
    problem: oneWayTown,
    opts: { seed: 1, maxIterations: 1500, setPartitioning: false },
    // pinned on the split code and checked equal on e177a03 (before the split); the plan validates.
    // Re-pinned for the repair of touched late routes only (issue 15, item 2): 117,441 m before,
    // 118,727 m now at this budget (+1.1% on this one seed; the quick-subset figures in solver/README.md
    // compare the change at equal time). Re-pinned when the price of time warp adapted after the step is taken or undone, no longer before (which accepted every 50th candidate unconditionally), and kicks on long routes (issue 15, Homberger 400 quality; solver/README.md): 118,727 -> 117,666 m
    pinned: { vehicles: 6, distanceM: 117666, totalCost: 117.666, unserved: 0, iterations: 1500, solutionHash: '9c5ce89b584ad7d1', progressHash: '0e2abe4e7e82d648' },
  },
  {
    name: 'generated city day (small)',
    problem: () => generateCity({ seed: 3, gridSize: 14, scale: 0.06 }),
    opts: { seed: 1, maxIterations: 300, setPartitioning: false },
    // re-pinned in issue 15, item 3: the search keeps breaks and facility capacities itself and may
    // unload at every facility of a class (was 215,713 m, 5,819.67, same vehicles and unserved)
    // re-pinned for neighbours by time windows and cross-exchange and SWAP* in the cost phase's education
    // on problems of more than 200 tasks (issue 15, item 1; solver/README.md): a partition of this day
    // is one; 207,713 -> 209,713 m, 5,785.33 -> 5,794.33 (+0.16% at this 300-step budget), same vehicles and unserved
    pinned: { vehicles: 7, distanceM: 209713, totalCost: 5794.3261111111115, unserved: 1, iterations: 349, solutionHash: '34afb08dbdb90b18', progressHash: 'e20b9702d301e025' },
  },
];

describe('pinned search results for a seed and an iteration budget', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const got = await fingerprint(c.problem(), c.opts);
      expect(got).toEqual(c.pinned);
    });
  }

  it('the route pool handed to set partitioning (Solomon R102, first 25 customers)', () => {
    const compiled = compileProblem(parseProblem(solomonHead('R102.txt', 25)));
    const pool = new RoutePool();
    const res = search(compiled.models[0].model, { seed: 3, maxIterations: 1000, routePool: pool });
    const got = { cost: res.cost, poolSize: pool.routes.size, poolHash: sha([...pool.routes]) };
    expect(got).toEqual({ cost: 548.1078177906317, poolSize: 14, poolHash: 'd1528505f04bbad1' });
  });
});
