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

describe('what valid and complete mean', () => {
  const job = (id: string, location: number, over: object = {}) =>
    ({ id, location, wasteClass: 'residual', kg: 100, windows: [{ startS: 0, endS: 30000 }], serviceS: 60, ...over });
  const inc = { id: 'inc', location: 9, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], unloadS: 300 };
  const empty = (p: ProblemInput, unserved: Solution['unserved']): Solution =>
    ({ problem: p.name ?? 'problem', routes: [], unserved, cost: { vehicles: 0, distanceM: 0, durationS: 0, fixed: 0, total: 0 }, stats: { iterations: 0, seed: 1 } });

  it('a plan with no routes that lists every point unserved is not valid while idle vehicles could serve them', () => {
    const p = lineProblem(10, { facilities: [inc], vehicles: [collector('c1'), collector('c2')], jobs: [job('a', 2), job('b', 4)] });
    const report = validateSolution(p, empty(p, [
      { id: 'a', reason: 'fleet_exhausted', detail: 'no vehicle left' }, { id: 'b', reason: 'fleet_exhausted', detail: 'no vehicle left' }]));
    expect(report).toMatchObject({ valid: false, complete: false, unservedCount: 2 });
    expect(report.violations.map((v) => [v.rule, v.id, v.vehicleId])).toEqual([
      ['unserved_servable', 'job:a:0', 'c1'], ['unserved_servable', 'job:b:0', 'c1']]);
  });

  it('is valid but not complete when nothing left out can be served: the benches read complete and unservedCount', async () => {
    // the shift ends before any truck can reach point a and unload
    const p = lineProblem(10, { facilities: [inc], vehicles: [collector('c1', { shift: { startS: 0, endS: 1000 } })], jobs: [job('a', 5)] });
    const sol = await solve(p, { seed: 1, maxIterations: 100 });
    expect(sol.unserved.map((u) => u.id)).toEqual(['a']);
    const report = validateSolution(p, sol);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ valid: true, complete: false, unservedCount: 1 });
  });

  it('counts unserved visits from the routes, not from the list', () => {
    const p = lineProblem(10, { facilities: [inc], vehicles: [collector('c1', { shift: { startS: 0, endS: 1000 } })], jobs: [job('a', 5)] });
    const report = validateSolution(p, empty(p, []));
    expect(report).toMatchObject({ valid: false, complete: false, unservedCount: 1 });
    expect(report.violations.map((v) => v.rule)).toEqual(['coverage']);
  });

  it('an idle vehicle that could serve a second visit only too close to the first does not count', () => {
    // d's visits must start 3,600 s apart; c1 serves the first at 300 s; c2 idle could start the second
    // at 3,900 s when the window ends at 4,000 s, not when it ends at 3,800 s
    const plan = (windowEndS: number) => {
      const p = lineProblem(10, {
        facilities: [inc], vehicles: [collector('c1'), collector('c2')],
        jobs: [job('d', 3, { visitsPerDay: 2, minGapS: 3600, windows: [{ startS: 0, endS: windowEndS }] })],
      });
      const stops: Solution['routes'][number]['stops'] = [
        { type: 'start', location: 0, arrivalS: 0, startS: 0, departureS: 0, loadKg: 0, loadM3: 0 },
        { type: 'job', id: 'd', visit: 0, location: 3, arrivalS: 300, startS: 300, departureS: 360, loadKg: 50, loadM3: 0 },
        { type: 'facility', id: 'inc', location: 9, arrivalS: 960, startS: 960, departureS: 1260, loadKg: 0, loadM3: 0 },
        { type: 'end', location: 0, arrivalS: 2160, startS: 2160, departureS: 2160, loadKg: 0, loadM3: 0 },
      ];
      const sol: Solution = {
        problem: 'line', routes: [{ vehicleId: 'c1', carries: 'residual', stops, distanceM: 18000, durationS: 2160, cost: 18 }],
        unserved: [{ id: 'd', visit: 1, reason: 'time_window', detail: 'gap' }],
        cost: { vehicles: 1, distanceM: 18000, durationS: 2160, fixed: 0, total: 18 }, stats: { iterations: 0, seed: 1 },
      };
      return validateSolution(p, sol);
    };
    expect(plan(4000).violations.map((v) => [v.rule, v.id, v.vehicleId])).toEqual([['unserved_servable', 'job:d:1', 'c2']]);
    expect(plan(3800)).toMatchObject({ valid: true, complete: false, unservedCount: 1, violations: [] });
  });

  it('an idle vehicle whose only facility is full for the day does not count', () => {
    const p = lineProblem(10, { facilities: [{ ...inc, dailyCapacityKg: 50 }], vehicles: [collector('c1')], jobs: [job('a', 2)] });
    expect(validateSolution(p, empty(p, [{ id: 'a', reason: 'facility_capacity', detail: 'full' }]))).toMatchObject({ valid: true, complete: false });
    p.facilities![0].dailyCapacityKg = 100;
    expect(validateSolution(p, empty(p, [{ id: 'a', reason: 'facility_capacity', detail: 'full' }])).violations.map((v) => v.rule)).toEqual(['unserved_servable']);
  });

  it('flags the solver\'s own plan when it leaves a point out that an idle truck could serve (the second try switched off)', async () => {
    const p = lineProblem(8, {
      facilities: [{ ...inc, location: 5 }],
      vehicles: [
        collector('c1', { break: { durationS: 1000, window: { startS: 3000, endS: 3100 } } }),
        collector('c2', { break: { durationS: 1000, window: { startS: 9000, endS: 12000 } } }),
      ],
      jobs: [job('a1', 2), job('b1', 3, { windows: [{ startS: 3000, endS: 3050 }], serviceS: 600 })],
    });
    // the search blind to breaks (the safety net's case): the break's repair takes b1 off c1
    const first = await solve(p, { seed: 1, maxIterations: 300, noRetry: true, dayLimitsInSearch: false });
    expect(first.routes.map((r) => r.vehicleId)).toEqual(['c1']);
    expect(validateSolution(p, first).violations.map((v) => [v.rule, v.id, v.vehicleId])).toEqual([['unserved_servable', 'job:b1:0', 'c2']]);
  });

  it('refuses numbers that are not finite, naming where they are (NaN written to JSON arrives as null)', async () => {
    const sol = clone(await planned());
    sol.routes[0].cost = NaN;
    sol.routes[0].stops[1].loadKg = Infinity;
    sol.cost.total = -Infinity;
    const found = validateSolution(problem, sol);
    expect(found).toMatchObject({ valid: false, complete: false });
    expect(found.violations.map((v) => [v.rule, v.detail.split(':')[0]])).toEqual([
      ['schema', 'solution.routes.0.stops.1.loadKg'], ['schema', 'solution.routes.0.cost'], ['schema', 'solution.cost.total']]);
    const viaJson = JSON.parse(JSON.stringify({ ...clone(await planned()), stats: { iterations: NaN, seed: 1 } }));
    expect(validateSolution(problem, viaJson).violations.map((v) => v.detail.split(':')[0])).toEqual(['solution.stats.iterations']);
  });
});
