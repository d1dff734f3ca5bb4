import { describe, expect, it } from 'vitest';
import { solve, validateSolution, type ProblemInput } from '../../solver/index.js';
import { collector, lineProblem } from './helpers.js';

// Re-planning keeps a point on the vehicle that had it: a point may name the only vehicles allowed to serve it.
const facility = { id: 'inc', location: 5, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], unloadS: 300 };
const job = (id: string, location: number, over: Partial<NonNullable<ProblemInput['jobs']>[number]> = {}) =>
  ({ id, location, wasteClass: 'residual', kg: 100, windows: [{ startS: 0, endS: 36000 }], serviceS: 60, ...over });

describe('a point or segment restricted to some vehicles', () => {
  it('is served by the named vehicle, and the validator refuses it on another', async () => {
    // both start at the depot next to everything; unrestricted, one truck would do all three
    const p = lineProblem(10, {
      objective: 'cost',
      facilities: [facility],
      vehicles: [collector('c1'), collector('c2', { fixedCost: 1000 })],
      jobs: [job('a', 2), job('b', 3, { vehicleIds: ['c2'] }), job('c', 4)],
    });
    const sol = await solve(p, { seed: 1, maxIterations: 300 });
    expect(validateSolution(p, sol).violations).toEqual([]);
    const on = (id: string) => sol.routes.find((r) => r.stops.some((s) => s.id === id))?.vehicleId;
    expect(on('b')).toBe('c2');
    // the same routes with the trucks' names swapped (same depot, same truck): only b's restriction breaks
    const swapped = { ...sol, routes: sol.routes.map((r) => ({ ...r, vehicleId: r.vehicleId === 'c1' ? 'c2' : 'c1' })) };
    const broken = validateSolution({ ...p, vehicles: p.vehicles.map((v) => ({ ...v, fixedCost: 0 })) }, { ...swapped, cost: { ...swapped.cost, fixed: 0 } }).violations;
    expect(broken.filter((v) => v.rule === 'vehicle_class').map((v) => v.id)).toEqual(['b']);
  });

  it('is left out when its vehicle cannot, and the idle-vehicle check does not call it servable by another', async () => {
    const p = lineProblem(10, {
      facilities: [facility],
      vehicles: [collector('c1'), collector('c2', { classes: ['food'] })],
      jobs: [job('a', 2, { vehicleIds: ['c2'] })],
    });
    const sol = await solve(p, { seed: 1, maxIterations: 200 });
    expect(sol.routes).toEqual([]);
    expect(sol.unserved.map((u) => [u.id, u.reason])).toEqual([['a', 'no_compatible_vehicle']]);
    const report = validateSolution(p, sol);
    expect(report.violations).toEqual([]);
  });
});
