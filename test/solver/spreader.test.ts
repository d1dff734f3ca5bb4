import { describe, expect, it } from 'vitest';
import { solve, validateSolution, type ProblemInput, type Solution } from '../../solver/index.js';
import { REFILLED_CLASSES } from '../../src/planning/plan-model.js';
import { isConsumable } from '../../solver/index.js';
import { lineProblem } from './helpers.js';

const H = 3600;

/**
 * A snow morning on a line of places 1 km apart: the depot and its salt yard at 0, a bridge
 * (4 -> 5) due 06:30 and three grade-1 stretches due 08:00. The spreader holds 400 kg and
 * every stretch takes 200 kg: two stretches a load, so it must reload once.
 */
function snowMorning(kind: 'spreader' | 'sweeper' = 'spreader'): ProblemInput {
  const spread = (id: string, from: number, to: number, deadlineS: number) => ({
    id, fromLocation: from, toLocation: to, lengthM: 1000, passes: 1, mechanicalPasses: 1,
    deadlineS, workSpeedKmh: 25, vehicleKind: 'spreader' as const, kg: 200, m3: 0,
  });
  return lineProblem(7, {
    facilities: [{ id: 'salt-yard', location: 0, accepts: ['deicer'], windows: [{ startS: 0, endS: 24 * H }], unloadS: 600 }],
    vehicles: [{
      id: 'spreader-1', kind, profile: 'truck', capacityKg: 400, capacityM3: 0,
      shift: { startS: 6 * H, endS: 12 * H }, startLocation: 0, endLocation: 0, costPerKm: 1,
    }],
    sweepTasks: [
      spread('spread:bridge', 4, 5, 6.5 * H),
      spread('spread:g1-a', 1, 2, 8 * H),
      spread('spread:g1-b', 2, 3, 8 * H),
      spread('spread:g1-c', 5, 6, 8 * H),
    ],
  });
}

describe('spreaders on a snow morning', () => {
  it('spreads the bridge first within its deadline, reloads salt when the hopper runs out, and the plan validates', async () => {
    const problem = snowMorning();
    const solution = await solve(problem, { seed: 1, maxIterations: 300 });
    expect(solution.unserved).toEqual([]);
    expect(solution.routes).toHaveLength(1);
    const route = solution.routes[0]!;
    expect(route.carries).toBe('deicer');
    const work = route.stops.filter((s) => s.type === 'sweep' || s.type === 'facility');
    expect(work[0]).toMatchObject({ type: 'sweep', id: 'spread:bridge' });
    // 1 km at 25 km/h = 144 s of spreading, finished by 06:30
    expect(work[0]!.startS + 144).toBeLessThanOrEqual(6.5 * H);
    // 800 kg of work, 400 kg a load: a reload at the salt yard between the spreading
    const reloads = route.stops.filter((s) => s.type === 'facility');
    expect(reloads.length).toBeGreaterThanOrEqual(1);
    expect(reloads.every((s) => s.id === 'salt-yard' && s.loadKg === 0)).toBe(true);
    expect(Math.max(...route.stops.map((s) => s.loadKg))).toBeLessThanOrEqual(400);
    // a reload comes between spreading, when the next stretch would not fit
    const firstReload = route.stops.findIndex((s) => s.type === 'facility');
    expect(route.stops.slice(firstReload).some((s) => s.type === 'sweep')).toBe(true);
    const report = validateSolution(problem, solution);
    expect(report.violations).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('the validator recomputes the salt on board: spreading past the hopper without the reload is a capacity violation', async () => {
    const problem = snowMorning();
    const solution = await solve(problem, { seed: 1, maxIterations: 300 });
    const tampered: Solution = structuredClone(solution);
    const route = tampered.routes[0]!;
    // keep the stated times and loads, drop the reload: only a recomputation sees the overload
    route.stops = route.stops.filter((s) => s.type !== 'facility');
    const report = validateSolution(problem, tampered);
    expect(report.valid).toBe(false);
    expect(report.violations.some((v) => v.rule === 'capacity')).toBe(true);
  });

  it('a sweeper cannot take a spreading task: unserved as no compatible vehicle, and the validator refuses one that does', async () => {
    const problem = snowMorning('sweeper');
    const solution = await solve(problem, { seed: 1, maxIterations: 100 });
    expect(solution.routes).toEqual([]);
    expect(solution.unserved.map((u) => u.reason)).toEqual(Array(4).fill('no_compatible_vehicle'));
    // the spreader's plan handed to a sweeper
    const spreaderPlan = await solve(snowMorning(), { seed: 1, maxIterations: 300 });
    const report = validateSolution(problem, spreaderPlan);
    expect(report.violations.some((v) => v.rule === 'sweep_kind')).toBe(true);
  });

  it('a spreader is not planned for water: a washing task stays with washers', async () => {
    const problem = snowMorning();
    problem.sweepTasks = [{ id: 'wash:g1-a', fromLocation: 1, toLocation: 2, lengthM: 1000, deadlineS: 8 * H, vehicleKind: 'washer', m3: 1 }];
    const solution = await solve(problem, { seed: 1, maxIterations: 100 });
    expect(solution.unserved).toMatchObject([{ id: 'wash:g1-a', reason: 'no_compatible_vehicle' }]);
  });

  it('the plan figures count the same classes as refills as the solver does (no salt delivered to a facility)', () => {
    for (const cls of ['water', 'deicer', 'sweepings', 'residual', 'food', 'muck']) expect(REFILLED_CLASSES.includes(cls)).toBe(isConsumable(cls));
  });
});
