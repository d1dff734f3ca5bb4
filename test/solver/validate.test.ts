import { describe, expect, it } from 'vitest';
import { solve, validateSolution, type ProblemInput, type Solution } from '../../solver/index.js';
import { collector, lineProblem } from './helpers.js';

const problem: ProblemInput = lineProblem(10, {
  facilities: [
    { id: 'inc', location: 9, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], unloadS: 300, dailyCapacityKg: 5000 },
    { id: 'food-plant', location: 8, accepts: ['food'], windows: [{ startS: 0, endS: 86400 }], unloadS: 300 },
  ],
  vehicles: [collector('c1', { break: { durationS: 1800, window: { startS: 3600, endS: 7200 } } }), collector('c2', { classes: ['food'], sealed: true })],
  jobs: [
    { id: 'a', location: 2, wasteClass: 'residual', kg: 600, windows: [{ startS: 0, endS: 30000 }], serviceS: 60 },
    { id: 'b', location: 4, wasteClass: 'residual', kg: 600, windows: [{ startS: 0, endS: 30000 }], serviceS: 60 },
    { id: 'c', location: 6, wasteClass: 'food', kg: 300, windows: [{ startS: 1000, endS: 30000 }], serviceS: 60 },
    { id: 'd', location: 3, wasteClass: 'residual', kg: 200, windows: [{ startS: 0, endS: 30000 }], serviceS: 60, visitsPerDay: 2, minGapS: 3600 },
  ],
});

async function planned(): Promise<Solution> {
  const sol = await solve(problem, { seed: 1, maxIterations: 300 });
  expect(validateSolution(problem, sol).violations).toEqual([]);
  return sol;
}

const rules = (sol: Solution) => new Set(validateSolution(problem, sol).violations.map((v) => v.rule));
const clone = (s: Solution): Solution => JSON.parse(JSON.stringify(s));

describe('the independent validator', () => {
  it('accepts the planned day: capacity trips, a break, a two-visit point with its gap', async () => {
    const sol = await planned();
    const c1 = sol.routes.find((r) => r.vehicleId === 'c1')!;
    expect(c1.stops.filter((s) => s.type === 'facility').length).toBeGreaterThanOrEqual(2);
    expect(c1.stops.filter((s) => s.type === 'break').length).toBe(1);
    const d = c1.stops.filter((s) => s.id === 'd').map((s) => s.startS);
    expect(d.length).toBe(2);
    expect(Math.abs(d[1] - d[0])).toBeGreaterThanOrEqual(3600);
  });

  it('catches a dropped stop that is not reported unserved', async () => {
    const sol = clone(await planned());
    const r = sol.routes.find((x) => x.vehicleId === 'c2')!;
    r.stops = r.stops.filter((s) => s.id !== 'c');
    expect(rules(sol)).toContain('coverage');
  });

  it('catches a load carried back to the depot and an overloaded truck', async () => {
    const sol = clone(await planned());
    const r = sol.routes.find((x) => x.vehicleId === 'c1')!;
    r.stops = r.stops.filter((s) => s.type !== 'facility');
    const found = rules(sol);
    expect(found).toContain('capacity');
    expect(found).toContain('unload_before_return');
  });

  it('catches arriving faster than the road allows and serving outside the window', async () => {
    const sol = clone(await planned());
    const stop = sol.routes.find((x) => x.vehicleId === 'c2')!.stops.find((s) => s.id === 'c')!;
    stop.arrivalS = stop.startS = 10;
    stop.departureS = 70;
    const found = rules(sol);
    expect(found).toContain('travel_time');
    expect(found).toContain('time_window');
  });

  it('catches mixed classes and food on an unsealed truck', async () => {
    const sol = clone(await planned());
    const food = sol.routes.find((x) => x.vehicleId === 'c2')!;
    food.vehicleId = 'c1';
    sol.routes = sol.routes.filter((r) => r === food);
    const found = rules(sol);
    expect(found).toContain('vehicle_class');
    expect(found).toContain('sealed');
  });

  it('catches a recomputed cost that differs from the reported one', async () => {
    const sol = clone(await planned());
    sol.routes[0].distanceM -= 500;
    expect(rules(sol)).toContain('cost');
  });

  it('catches a facility receiving more than its daily capacity', async () => {
    const p = JSON.parse(JSON.stringify(problem)) as ProblemInput;
    const sol = await solve(p, { seed: 1, maxIterations: 300 });
    p.facilities![0].dailyCapacityKg = 500;
    expect(validateSolution(p, sol).violations.map((v) => v.rule)).toContain('facility_capacity');
  });
});
