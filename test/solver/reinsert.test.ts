import { describe, expect, it } from 'vitest';
import { parseProblem, validateSolution, type Solution } from '../../solver/index.js';
import { compileProblem } from '../../solver/vrp/compile.js';
import { breakFits, buildRoute, fitBreak } from '../../solver/vrp/plan.js';
import { reinsertTasks } from '../../solver/vrp/reinsert.js';
import { collector, lineProblem } from './helpers.js';

const job = (id: string, location: number, over: object = {}) =>
  ({ id, location, wasteClass: 'residual', kg: 100, windows: [{ startS: 0, endS: 36000 }], serviceS: 60, ...over });

/** c1 [a1, b1, unload] cannot keep b1 (c1's 1,000 s break must start 3000-3100 s; b1 must start
 * 3000-3050 s and takes 600 s); c2 [d1, unload] is busy too, its break later in the day. */
function twoBusyRoutes(dailyCapacityKg?: number) {
  const p = parseProblem(lineProblem(8, {
    facilities: [{ id: 'inc', location: 5, accepts: ['residual'], windows: [{ startS: 0, endS: 86400 }], unloadS: 300, dailyCapacityKg }],
    vehicles: [
      collector('c1', { break: { durationS: 1000, window: { startS: 3000, endS: 3100 } } }),
      collector('c2', { break: { durationS: 1000, window: { startS: 9000, endS: 12000 } } }),
    ],
    jobs: [job('a1', 2), job('b1', 3, { windows: [{ startS: 3000, endS: 3050 }], serviceS: 600 }), job('d1', 4)],
  }));
  const cm = compileProblem(p).models.find((c) => c.partition === 'collection')!;
  const m = cm.model;
  const node = (id: string) => m.taskNodes[cm.taskRefs.findIndex((r) => p.jobs[r.index].id === id)][0];
  const inc = m.groupIF[m.taskGroup[0]][0];
  const veh = (id: string) => cm.vehicles.findIndex((i) => p.vehicles[i].id === id);
  const fitted = fitBreak(p, cm, { veh: veh('c1'), nodes: [node('a1'), node('b1'), inc] });
  const routes = [fitted.route!, { veh: veh('c2'), nodes: [node('d1'), inc] }];
  return { p, cm, node, fitted, routes };
}

describe('a point pushed off a route by the driver\'s break', () => {
  it('moves to another busy vehicle whose break is elsewhere, and the plan validates', () => {
    const { p, cm, node, fitted, routes } = twoBusyRoutes();
    expect(fitted.dropped.map((u) => u.id)).toEqual(['b1']);
    const placed = reinsertTasks(p, cm, routes, fitted.droppedTasks, new Map());
    expect([...placed]).toEqual(fitted.droppedTasks);
    expect(routes[1].nodes).toContain(node('b1'));
    expect(breakFits(p, cm, routes[1])).toBe(true);

    const built = routes.map((r) => buildRoute(p, cm, r));
    const sol: Solution = {
      problem: p.name, routes: built, unserved: [], stats: { iterations: 0, seed: 1 },
      cost: { vehicles: 2, distanceM: built.reduce((a, r) => a + r.distanceM, 0), durationS: built.reduce((a, r) => a + r.durationS, 0),
        fixed: 0, total: built.reduce((a, r) => a + r.cost, 0) },
    };
    expect(validateSolution(p, sol).violations).toEqual([]);
  });

  it('stays out when the only other route has no room for it before its facility fills up', () => {
    const { p, cm, node, fitted, routes } = twoBusyRoutes(250);
    // a1 and d1 already bring 200 of the facility's 250 kg
    const placed = reinsertTasks(p, cm, routes, fitted.droppedTasks, new Map([['inc', 200]]));
    expect(placed.size).toBe(0);
    expect(routes[1].nodes).not.toContain(node('b1'));
  });
});
