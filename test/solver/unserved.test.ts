import { describe, expect, it } from 'vitest';
import { solve, validateSolution, type ProblemInput } from '../../solver/index.js';
import { collector, lineProblem } from './helpers.js';

const facility = (over: Partial<NonNullable<ProblemInput['facilities']>[number]> = {}) =>
  ({ id: 'inc', location: 5, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], unloadS: 300, ...over });
const job = (id: string, location: number, over: Partial<NonNullable<ProblemInput['jobs']>[number]> = {}) =>
  ({ id, location, wasteClass: 'residual', kg: 100, windows: [{ startS: 0, endS: 36000 }], serviceS: 60, ...over });

async function reasons(p: ProblemInput): Promise<Record<string, string>> {
  const sol = await solve(p, { seed: 1, maxIterations: 300 });
  expect(validateSolution(p, sol).violations).toEqual([]);
  return Object.fromEntries(sol.unserved.map((u) => [u.id, u.reason]));
}

describe('what cannot be served comes back with its reason', () => {
  it('a point whose window leaves no room for the driver\'s break is reported, never planned over the break', async () => {
    // the break must start 3000-3100 s and lasts 1000 s; b1 must start 3000-3050 s: not both
    const p = lineProblem(8, {
      facilities: [facility()],
      vehicles: [collector('c1', { break: { durationS: 1000, window: { startS: 3000, endS: 3100 } } })],
      jobs: [job('a1', 2), job('b1', 3, { windows: [{ startS: 3000, endS: 3050 }], serviceS: 600 })],
    });
    const sol = await solve(p, { seed: 1, maxIterations: 300 });
    expect(validateSolution(p, sol).violations).toEqual([]);
    expect(sol.unserved.map((u) => [u.id, u.reason])).toEqual([['b1', 'time_window']]);
    expect(sol.unserved[0].detail).toMatch(/break/);
    expect(sol.routes[0].stops.map((x) => x.type)).toContain('break');
  });

  it('a point taken off a route for the driver\'s break gets a second try on an idle vehicle whose break is elsewhere', async () => {
    const p = lineProblem(8, {
      facilities: [facility()],
      vehicles: [
        collector('c1', { break: { durationS: 1000, window: { startS: 3000, endS: 3100 } } }),
        collector('c2', { break: { durationS: 1000, window: { startS: 9000, endS: 12000 } } }),
      ],
      jobs: [job('a1', 2), job('b1', 3, { windows: [{ startS: 3000, endS: 3050 }], serviceS: 600 })],
    });
    // the safety net: with the search blind to breaks (as before issue 15, item 3), the break's repair takes b1 off c1
    const first = await solve(p, { seed: 1, maxIterations: 300, noRetry: true, dayLimitsInSearch: false });
    expect(first.unserved.map((u) => [u.id, u.reason])).toEqual([['b1', 'time_window']]);
    const sol = await solve(p, { seed: 1, maxIterations: 300, dayLimitsInSearch: false });
    expect(sol.unserved).toEqual([]);
    expect(validateSolution(p, sol).violations).toEqual([]);
    const b1 = sol.routes.find((r) => r.stops.some((s) => s.id === 'b1'))!;
    expect(b1.vehicleId).toBe('c2');
    expect(b1.stops.map((s) => s.type)).toContain('break');
  });

  it('the second try serves a lone later visit of a twice-a-day point inside its own slice, keeping the gap', async () => {
    // visits 1,000 s apart within 0-4100 s: visit 0 in 0-1550 s, visit 1 in 2550-4100 s;
    // c1's 2,000 s break must start by 2550 s, so visit 1 cannot be on c1
    const p = lineProblem(8, {
      facilities: [facility()],
      vehicles: [
        collector('c1', { break: { durationS: 2000, window: { startS: 2500, endS: 2550 } } }),
        collector('c2', { break: { durationS: 1000, window: { startS: 9000, endS: 12000 } } }),
      ],
      jobs: [job('a1', 2), job('b1', 3, { visitsPerDay: 2, minGapS: 1000, windows: [{ startS: 0, endS: 4100 }], serviceS: 600 })],
    });
    const first = await solve(p, { seed: 1, maxIterations: 300, noRetry: true, dayLimitsInSearch: false });
    expect(first.unserved.map((u) => [u.id, u.visit, u.reason])).toEqual([['b1', 1, 'time_window']]);
    const sol = await solve(p, { seed: 1, maxIterations: 300, dayLimitsInSearch: false });
    expect(sol.unserved).toEqual([]);
    expect(validateSolution(p, sol).violations).toEqual([]);
    const visits = sol.routes.flatMap((r) => r.stops.filter((s) => s.id === 'b1').map((s) => [r.vehicleId, s.visit]));
    expect(visits).toEqual(expect.arrayContaining([['c1', 0], ['c2', 1]]));
  });

  it('food waste with only unsealed trucks: no compatible vehicle', async () => {
    const p = lineProblem(8, {
      facilities: [facility({ accepts: ['residual', 'food'] })],
      vehicles: [collector('c1', { classes: ['residual', 'food'] })],
      jobs: [job('r1', 2), job('f1', 3, { wasteClass: 'food' })],
    });
    expect(await reasons(p)).toEqual({ f1: 'no_compatible_vehicle' });
  });

  it('a sealed truck with a faulty cover sensor is not planned for food waste', async () => {
    const p = lineProblem(8, {
      facilities: [facility({ accepts: ['food'] })],
      vehicles: [collector('c1', { classes: ['food'], sealed: true, coverSensorOk: false })],
      jobs: [job('f1', 3, { wasteClass: 'food' })],
    });
    expect(await reasons(p)).toEqual({ f1: 'no_compatible_vehicle' });
  });

  it('a point heavier than any truck: capacity; a window nobody can reach: time window', async () => {
    const p = lineProblem(8, {
      facilities: [facility()],
      vehicles: [collector('c1')],
      jobs: [job('big', 2, { kg: 5000 }), job('early', 7, { windows: [{ startS: 0, endS: 200 }] }), job('ok', 3)],
    });
    expect(await reasons(p)).toEqual({ big: 'capacity', early: 'time_window' });
  });

  it('a class no facility takes: facility', async () => {
    const p = lineProblem(8, {
      facilities: [facility()],
      vehicles: [collector('c1', { classes: ['residual', 'recyclable'] })],
      jobs: [job('r1', 2), job('x1', 3, { wasteClass: 'recyclable' })],
    });
    expect(await reasons(p)).toEqual({ x1: 'facility' });
  });

  it('more work than the shift holds: the rest is fleet_exhausted, the plan still valid', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => job(`j${i}`, 1 + (i % 6), { serviceS: 1200 }));
    const p = lineProblem(8, { facilities: [facility()], vehicles: [collector('c1', { shift: { startS: 0, endS: 3 * 3600 } })], jobs });
    const r = await reasons(p);
    expect(Object.keys(r).length).toBeGreaterThan(0);
    expect(new Set(Object.values(r))).toEqual(new Set(['fleet_exhausted']));
  });

  it('a facility full for the day: the trips it cannot take are reported as facility_capacity', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => job(`j${i}`, 1 + i, { kg: 400 }));
    const p = lineProblem(8, { facilities: [facility({ dailyCapacityKg: 1000 })], vehicles: [collector('c1')], jobs });
    const sol = await solve(p, { seed: 1, maxIterations: 300 });
    expect(validateSolution(p, sol).violations).toEqual([]);
    const full = sol.unserved.filter((u) => u.reason === 'facility_capacity');
    expect(full.length).toBeGreaterThanOrEqual(3);
    expect(sol.unserved.length + sol.routes.flatMap((r) => r.stops).filter((s) => s.type === 'job').length).toBe(6);
  });

  it('muck loads go only to permitted, sealed trucks with a working cover sensor', async () => {
    const truck = (id: string, over = {}) => ({ id, kind: 'muck' as const, profile: 'truck', capacityKg: 20000, capacityM3: 15, sealed: true,
      shift: { startS: 20 * 3600, endS: 30 * 3600 }, startLocation: 0, endLocation: 0, ...over });
    const load = (id: string, ids: string[]) => ({ id, siteLocation: 3, disposalFacilityId: 'dump', kg: 15000, m3: 10, loadS: 600,
      permit: { id: 'p1', window: { startS: 21 * 3600, endS: 30 * 3600 }, vehicleIds: ids, corridorDistanceM: 4500, corridorDurationS: 500 } });
    const p = lineProblem(8, {
      facilities: [{ id: 'dump', location: 7, accepts: ['muck'], windows: [{ startS: 21 * 3600, endS: 30 * 3600 }], unloadS: 300 }],
      vehicles: [truck('ok'), truck('open', { sealed: false }), truck('sensor', { coverSensorOk: false })],
      muckLoads: [load('m1', ['ok', 'open']), load('m2', ['open', 'sensor'])],
    });
    const sol = await solve(p, { seed: 1, maxIterations: 200 });
    expect(validateSolution(p, sol).violations).toEqual([]);
    expect(sol.routes.map((r) => r.vehicleId)).toEqual(['ok']);
    expect(sol.unserved).toEqual([expect.objectContaining({ id: 'm2', reason: 'no_compatible_vehicle' })]);
  });
});
