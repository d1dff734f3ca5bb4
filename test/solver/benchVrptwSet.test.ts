/**
 * The VRPTW scale sets in the solver bench (issue 15, items 5 and 6): the Gehring & Homberger
 * files parse, a quick subset is fixed by name, and one run gives plans at checkpoints that
 * are scored from the validator's recomputation, never from what the plan states.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { solve, type Solution } from '../../solver/index.js';
import { loadSolomon } from '../../solver/bench/solomon.js';
import { loadInstance, pickInstances, readBestKnown, runInstance, scorePlan } from '../../solver/bench/vrptwSet.js';
import { SOLVER_HANG_GUARD_MS } from './timeouts.js';

const DATA = join(import.meta.dirname, '..', '..', 'data', 'bench');
const H400 = join(DATA, 'homberger', '400');

describe('Gehring & Homberger sets in the solver bench', { timeout: SOLVER_HANG_GUARD_MS }, () => {
  it('reads a 400-customer instance: 100 vehicles of 200, the depot horizon, every customer row', () => {
    const p = loadSolomon(join(H400, 'C1_4_1.txt'));
    expect(p.vehicles).toHaveLength(100);
    expect(p.vehicles[0]).toMatchObject({ capacityKg: 200, shift: { startS: 0, endS: 1501 }, startLocation: 0 });
    expect(p.jobs).toHaveLength(400);
    // first customer row: 1  181 172  10  348 419  90; the depot is at (100, 100)
    expect(p.jobs![0]).toMatchObject({ id: '1', location: 1, kg: 10, windows: [{ startS: 348, endS: 419 }], serviceS: 90 });
    expect(p.matrices.euclid.distancesM[0][1]).toBeCloseTo(Math.hypot(81, 72), 9);
    expect(readBestKnown(join(DATA, 'homberger', 'bks.csv')).get('C1_4_1')).toMatchObject({ vehicles: 40, text: '7152.02' });
  });

  it('a quick subset is the first two instances of each class by name, the same every time', () => {
    const names = pickInstances(H400, { subset: 2 });
    expect(names).toEqual(['C1_4_1', 'C1_4_2', 'C2_4_1', 'C2_4_2', 'R1_4_1', 'R1_4_2', 'R2_4_1', 'R2_4_2', 'RC1_4_1', 'RC1_4_2', 'RC2_4_1', 'RC2_4_2']);
    expect(pickInstances(join(DATA, 'homberger', '1000'), { subset: 2 })).toHaveLength(12);
    expect(pickInstances(join(DATA, 'solomon'), { subset: 2 }).slice(0, 4)).toEqual(['C101', 'C102', 'C201', 'C202']);
  });

  it('one run scored at its checkpoints and at the end, from the validator: fleet shrinks over the run; a plan stating a false distance is invalid', async () => {
    const name = 'RC1_4_1';
    const problem = loadInstance(H400, name);
    const bks = readBestKnown(join(DATA, 'homberger', 'bks.csv')).get(name);
    const run = await runInstance(problem, { seed: 1, maxIterations: 150, moments: [{ label: 'start', iteration: 0 }, { label: '50', iteration: 50 }] });
    const rows = [...run.atMoments, run.final].map((sol) => scorePlan(name, problem, sol, 0, bks));
    expect(rows.map((r) => r.valid)).toEqual([true, true, true]);
    expect(rows.map((r) => r.unserved)).toEqual([0, 0, 0]);
    // construction's plan, the plan after 50 steps, the final one: fewer vehicles along the run
    expect(rows[0].vehicles).toBeGreaterThan(rows[1].vehicles);
    expect(rows[1].vehicles).toBeGreaterThanOrEqual(rows[2].vehicles);
    expect(run.atMoments.map((s) => s.stats.iterations)).toEqual([0, 50]);
    // the figures are the validator's: a checkpoint plan that understates its distance is not believed
    const lying: Solution = structuredClone(run.atMoments[1]);
    lying.routes[0].distanceM *= 0.5;
    lying.cost.distanceM = lying.routes.reduce((a, r) => a + r.distanceM, 0);
    const scored = scorePlan(name, problem, lying, 0, bks);
    expect(scored).toMatchObject({ valid: false, vehicles: rows[1].vehicles });
    expect(scored.value).toBeCloseTo(rows[1].value, 6);
  });

  it('asking for checkpoints does not change the plan a solve returns (Solomon R101, an iteration budget)', async () => {
    const problem = loadSolomon(join(DATA, 'solomon', 'R101.txt'));
    const seen: number[] = [];
    const withCp = await solve(problem, { seed: 3, maxIterations: 400, setPartitioning: false,
      checkpoints: { atIterations: [50, 200, 10_000], onCheckpoint: (sol, at) => seen.push(at.iteration!, sol.cost.vehicles) } });
    const without = await solve(problem, { seed: 3, maxIterations: 400, setPartitioning: false });
    expect(withCp).toEqual(without);
    // every moment served once, in order; the one the solve never reaches gets the final plan
    expect(seen.filter((_, i) => i % 2 === 0)).toEqual([50, 200, 10_000]);
    expect(seen[5]).toBe(without.cost.vehicles);
  });
});
