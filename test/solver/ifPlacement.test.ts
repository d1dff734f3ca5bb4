import { describe, expect, it } from 'vitest';
import { parseProblem, type ProblemInput } from '../../solver/index.js';
import { compileProblem } from '../../solver/vrp/compile.js';
import { placeIntermediateFacilities } from '../../solver/vrp/ifPlacement.js';
import type { Model } from '../../solver/vrp/model.js';
import { Rng } from '../../solver/random.js';
import { isFeasible, routeCost, routeSeg } from '../../solver/vrp/segment.js';
import { collector } from './helpers.js';

/** Random points on a 10 km square, 36 km/h; two facilities; windows and loads drawn from the seed. */
function randomProblem(seed: number, nJobs: number): ProblemInput {
  const rng = new Rng(seed);
  const pts = Array.from({ length: nJobs + 3 }, () => [rng.next() * 10000, rng.next() * 10000]);
  const d = pts.map((a) => pts.map((b) => Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]))));
  const t = d.map((row) => row.map((x) => x / 10));
  const jobs = Array.from({ length: nJobs }, (_, i) => {
    const open = rng.next() * 6000;
    return { id: `j${i}`, location: i + 3, wasteClass: 'residual', kg: 150 + Math.round(rng.next() * 450), serviceS: 120,
      windows: [{ startS: open, endS: open + 2000 + rng.next() * 8000 }] };
  });
  return {
    name: `ifs-${seed}`, matrices: { truck: { distancesM: d, durationsS: t } },
    facilities: [
      { id: 'f1', location: 1, accepts: ['residual'], windows: [{ startS: 0, endS: 20000 }], unloadS: 300 },
      { id: 'f2', location: 2, accepts: ['residual'], windows: [{ startS: 3000, endS: 14000 }], unloadS: 600 },
    ],
    vehicles: [collector('c1', { capacityKg: 1000, shift: { startS: 0, endS: 20000 } })],
    jobs,
  };
}

function routeOf(m: Model, v: number, nodes: number[]): { feasible: boolean; cost: number } {
  const s = routeSeg(m, v, nodes);
  return { feasible: isFeasible(s, m, v, true), cost: routeCost(s, m, v) };
}

/** Every way to cut the order into trips and pick a facility after each: the exact optimum. */
function exhaustive(m: Model, v: number, tasks: number[], ifs: number[]): number {
  let best = Infinity;
  const n = tasks.length;
  const walk = (i: number, seq: number[]) => {
    if (i === n) return;
    for (let j = i + 1; j <= n; j++) {
      for (const f of ifs) {
        const next = [...seq, ...tasks.slice(i, j), f];
        if (j === n) { const r = routeOf(m, v, next); if (r.feasible) best = Math.min(best, r.cost); } else walk(j, next);
      }
    }
  };
  walk(0, []);
  return best;
}

describe('unloading trips placed by dynamic programming', () => {
  it('finds the least-cost feasible placement that exhaustive search finds, on 40 random routes with windows and two facilities', () => {
    let compared = 0, infeasible = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const p = parseProblem(randomProblem(seed, 7));
      const cm = compileProblem(p).models.find((c) => c.partition === 'collection')!;
      const m = cm.model;
      const g = m.taskGroup[0];
      // the order: by window opening, the way a dispatcher would read the list
      const tasks = Array.from({ length: m.nTasks }, (_, t) => m.taskNodes[t][0]).sort((a, b) => m.nodeE[a] - m.nodeE[b]);
      const exact = exhaustive(m, 0, tasks, m.groupIF[g]);
      const dp = placeIntermediateFacilities(m, 0, tasks, m.groupIF[g], true);
      if (exact === Infinity) { expect(dp).toBeNull(); infeasible++; continue; }
      expect(dp).not.toBeNull();
      const check = routeOf(m, 0, dp!.nodes);
      expect(check.feasible).toBe(true);
      expect(check.cost).toBeCloseTo(dp!.cost, 6);
      expect(dp!.cost).toBeCloseTo(exact, 6);
      expect(dp!.nodes.filter((n) => !m.nodeIsIF[n])).toEqual(tasks);
      compared++;
    }
    // both kinds of case occur with these seeds
    expect(compared).toBeGreaterThan(10);
    expect(infeasible).toBeGreaterThan(0);
  });
});
