/**
 * Driver breaks and facility daily capacities inside the search (issue 15, item 3). Before,
 * the search knew neither: it planned with the shift shortened by the break and unloaded
 * where it was cheapest, and repairs after it took tasks off routes to make room for breaks
 * and sent trips to other facilities. Now the search's moves respect both, and the repairs
 * (still there as a safety net) have nothing left to do.
 */
import { describe, expect, it } from 'vitest';
import { solve, validateSolution, type ProblemInput } from '../../solver/index.js';
import { breakPlace } from '../../solver/vrp/breakFit.js';
import { compileProblem } from '../../solver/vrp/compile.js';
import { parseProblem } from '../../solver/problem.js';
import { collector, lineProblem } from './helpers.js';
import { SOLVER_HANG_GUARD_MS } from './timeouts.js';

const H = 3600;

/**
 * Ten points on a line, one every km (100 s), each with a one-minute window, 1,300 s apart:
 * one truck could serve them all back to back, but then its 30-minute break (to start
 * between 3.5 h and 5.5 h) finds no gap. Unloading: a small transfer point at the last
 * point (300 kg a day left) or the plant 2 km further (no limit that matters).
 */
function pressedDay(): ProblemInput {
  const jobs = Array.from({ length: 10 }, (_, k) => ({
    id: `p${k + 1}`, location: k + 1, wasteClass: 'residual' as const, kg: 100, serviceS: 1200,
    windows: [{ startS: 3 * H + k * 1300, endS: 3 * H + k * 1300 + 60 }],
  }));
  const vehicles = ['a', 'b', 'c'].map((id) => collector(id, { shift: { startS: 0, endS: 10 * H }, break: { durationS: 1800, window: { startS: 3.5 * H, endS: 5.5 * H } } }));
  const facilities = [
    { id: 'transfer', location: 10, accepts: ['residual' as const], windows: [{ startS: 0, endS: 10 * H }], dailyCapacityKg: 300, unloadS: 300 },
    { id: 'plant', location: 12, accepts: ['residual' as const], windows: [{ startS: 0, endS: 10 * H }], dailyCapacityKg: 100_000, unloadS: 300 },
  ];
  return lineProblem(13, { name: 'pressed day', vehicles, jobs, facilities });
}

describe('breaks and facility capacity inside the search', { timeout: SOLVER_HANG_GUARD_MS }, () => {
  it('plans a day with breaks and a nearly full facility that needs no repair after the search', async () => {
    const p = pressedDay();
    const before = await solve(p, { seed: 1, maxIterations: 2000, dayLimitsInSearch: false });
    const after = await solve(p, { seed: 1, maxIterations: 2000 });
    const repairsBefore = before.stats.repairs!;
    expect(repairsBefore.breakTasks + repairsBefore.facilityTrips).toBeGreaterThan(0);
    expect(after.stats.repairs).toEqual({ facilityTrips: 0, breakTasks: 0 });
    const report = validateSolution(p, after);
    expect(report.violations).toEqual([]);
    expect(report.complete).toBe(true);
    expect(after.cost.vehicles).toBeLessThanOrEqual(before.cost.vehicles);
    // the transfer point gets no more than it has left
    const toTransfer = after.routes.flatMap((r) => r.stops.map((s, i) => (s.type === 'facility' && s.id === 'transfer' ? r.stops[i - 1].loadKg : 0)));
    expect(toTransfer.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300);
  });

  it('finds the break a place only where the day leaves a gap long enough', () => {
    const p = parseProblem(pressedDay());
    const cm = compileProblem(p).models[0];
    const m = cm.model;
    const brk = { durationS: 1800, startS: 3.5 * H, endS: 5.5 * H };
    const node = (k: number) => m.taskNodes[k][0];
    const plant = m.groupIFAll[0].find((n) => cm.nodeRefs[n].kind === 'facility' && p.facilities[cm.nodeRefs[n].index].id === 'plant')!;
    const all = Array.from({ length: 10 }, (_, k) => node(k));
    expect(breakPlace(m, 0, [...all, plant], brk)).toBeNull();
    // without points 4 and 5 the break fits between 3 and 6
    const place = breakPlace(m, 0, [...all.filter((_, k) => k !== 3 && k !== 4), plant], brk);
    expect(place?.after).toBe(3);
  });
});
