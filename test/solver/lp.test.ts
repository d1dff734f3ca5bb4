import { describe, expect, it } from 'vitest';
import { parseProblem, fleetLowerBound, allocateFacilities } from '../../solver/index.js';
import { buildAllocationModel } from '../../solver/lp/allocation.js';
import { buildFleetBoundModel } from '../../solver/lp/fleetBound.js';
import { solveWithHighs, solveWithJsLp } from '../../solver/lp/lp.js';
import { improves } from '../../solver/lp/setPartition.js';
import { generateCity } from '../../solver/fixtures/grid-city.js';
import { collector, lineProblem } from './helpers.js';

describe('LP models', () => {
  const p = parseProblem(lineProblem(10, {
    facilities: [
      { id: 'near', location: 1, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], dailyCapacityKg: 500, unloadS: 0 },
      { id: 'far', location: 9, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], unloadS: 0 },
    ],
    vehicles: [collector('c1'), collector('c2'), collector('c3')],
    jobs: Array.from({ length: 8 }, (_, i) => ({ id: `j${i}`, location: 2, wasteClass: 'residual', kg: 100, windows: [{ startS: 0, endS: 36000 }], serviceS: 3600 })),
  }));

  it('allocates each class to facilities within their daily capacity, nearest first', async () => {
    const a = await allocateFacilities(p);
    const near = a.flows.find((f) => f.facilityId === 'near')!.kg;
    const far = a.flows.find((f) => f.facilityId === 'far')!.kg;
    expect(near).toBeCloseTo(500, 6);
    expect(far).toBeCloseTo(300, 6);
    expect(a.shortKg.size).toBe(0);
  });

  it('bounds the fleet from below by the work hours (8 h of service, 10 h shifts -> 1 vehicle)', async () => {
    const b = await fleetLowerBound(p);
    expect(b.byKindAndClass['collector:residual']).toBe(1);
  });

  it('javascript-lp-solver and HiGHS agree on the city models', async () => {
    const city = parseProblem(generateCity({ seed: 2, gridSize: 12, scale: 0.05 }));
    for (const model of [buildAllocationModel(city).model, buildFleetBoundModel(city).model]) {
      const a = solveWithJsLp(model);
      const b = await solveWithHighs(model);
      expect(a.feasible && b.feasible).toBe(true);
      expect(a.objective).toBeCloseTo(b.objective, 4);
    }
  });
});

describe('set partitioning never trades a vehicle for distance when vehicles come first', () => {
  it('takes fewer routes even if dearer, refuses more routes even if cheaper, and compares cost alone for the cost objective', () => {
    const current = { routes: 39, cost: 7201 };
    expect(improves(true, { routes: 41, cost: 7000 }, current)).toBe(false);
    expect(improves(true, { routes: 38, cost: 7400 }, current)).toBe(true);
    expect(improves(true, { routes: 39, cost: 7199 }, current)).toBe(true);
    expect(improves(true, { routes: 39, cost: 7201 }, current)).toBe(false);
    expect(improves(false, { routes: 41, cost: 7000 }, current)).toBe(true);
  });
});
