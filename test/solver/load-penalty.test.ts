import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { solve, validateSolution, type ProblemInput } from '../../solver/index.js';
import { loadSolomon } from '../../solver/bench/solomon.js';
import { SOLVER_HANG_GUARD_MS } from './timeouts.js';

const SOLOMON = join(import.meta.dirname, '..', '..', 'data', 'bench', 'solomon');

/** A Solomon instance with every vehicle's capacity set to `capacityKg`. */
function withCapacity(name: string, capacityKg: number): ProblemInput {
  const p = loadSolomon(join(SOLOMON, `${name}.txt`));
  for (const v of p.vehicles) v.capacityKg = capacityKg;
  return p;
}

const demandKg = (p: ProblemInput) => p.jobs!.reduce((sum, j) => sum + (j.kg ?? 0), 0);

describe('load over capacity priced in the penalised walk where the fleet is full', { timeout: SOLVER_HANG_GUARD_MS }, () => {
  it('on a fleet 97 % full, pricing overload gives a shorter valid plan than refusing it, for the same work', async () => {
    // R201's 1,458 kg on vehicles of 150 kg: ten routes at 97 % (the load bound), windows wide enough
    // that the capacity, not the time, decides what fits where.
    const p = withCapacity('R201', 150);
    const priced = await solve(p, { seed: 1, maxIterations: 1500 });
    const refused = await solve(p, { seed: 1, maxIterations: 1500, penaliseLoad: false });
    expect(priced.cost.vehicles).toBe(10);
    expect(refused.cost.vehicles).toBe(10);
    expect(demandKg(p) / (10 * 150)).toBeGreaterThan(0.95);
    expect(priced.cost.distanceM).toBeLessThan(refused.cost.distanceM * 0.98);
    for (const sol of [priced, refused]) {
      const report = validateSolution(p, sol);
      // no route leaves over its capacity: the overload was only ever a step of the walk
      expect(report.violations).toEqual([]);
      expect(report.recomputed.distanceM).toBeCloseTo(sol.cost.distanceM, 6);
      expect(sol.unserved).toEqual([]);
    }
  });

  it('a fleet that is not full plans exactly as before: Solomon C101 carries 90 % of its capacity', async () => {
    const p = loadSolomon(join(SOLOMON, 'C101.txt'));
    const solution = await solve(p, { seed: 2, maxIterations: 1500 });
    const hard = await solve(p, { seed: 2, maxIterations: 1500, penaliseLoad: false });
    expect(solution.cost.vehicles).toBe(10);
    expect(demandKg(p) / (10 * p.vehicles[0]!.capacityKg!)).toBeLessThan(0.95);
    expect(solution).toEqual(hard);
  });
});
