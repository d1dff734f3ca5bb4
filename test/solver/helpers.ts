import type { ProblemInput } from '../../solver/index.js';
import { parseProblem } from '../../solver/problem.js';
import { compileProblem } from '../../solver/vrp/compile.js';
import { SearchState } from '../../solver/vrp/search/state.js';

/** Locations on a line 1 km apart, 36 km/h (100 s per km): easy to reason about by hand. */
export function lineProblem(nLoc: number, partial: Partial<ProblemInput>): ProblemInput {
  const d: number[][] = [], t: number[][] = [];
  for (let i = 0; i < nLoc; i++) {
    d.push([]); t.push([]);
    for (let j = 0; j < nLoc; j++) { d[i].push(Math.abs(i - j) * 1000); t[i].push(Math.abs(i - j) * 100); }
  }
  return { name: 'line', matrices: { truck: { distancesM: d, durationsS: t } }, vehicles: [], ...partial };
}

export function collector(id: string, over: Partial<ProblemInput['vehicles'][number]> = {}): ProblemInput['vehicles'][number] {
  return { id, kind: 'collector', profile: 'truck', classes: ['residual'], capacityKg: 1000, capacityM3: 10, shift: { startS: 0, endS: 36000 },
    startLocation: 0, endLocation: 0, costPerKm: 1, ...over };
}

/**
 * Two trucks (a, b) on a line of 21 points 1 km apart with the depot in the middle (point 10),
 * already driving the given routes (point numbers), in a search state: what an operator's test
 * starts from. Each point is a job of kg[point] (100 when not given).
 */
export function twoRouteState(routes: { a: number[]; b: number[] }, kg: Record<number, number>, capacityKg: number) {
  const locations = [...routes.a, ...routes.b];
  const p = parseProblem(lineProblem(21, {
    vehicles: ['a', 'b'].map((id) => collector(id, { startLocation: 10, endLocation: 10, capacityKg, capacityM3: 100 })),
    jobs: locations.map((location) => ({ id: `p${location}`, location, wasteClass: 'residual' as const, kg: kg[location] ?? 100, serviceS: 60, windows: [{ startS: 0, endS: 36000 }] })),
  }));
  const m = compileProblem(p).models[0].model;
  const st = new SearchState(m, { seed: 1 });
  const taskAt = new Map<number, number>();
  for (let t = 0; t < m.nTasks; t++) taskAt.set(m.nodeStart[m.taskNodes[t][0]], t);
  ([[0, routes.a], [1, routes.b]] as const).forEach(([v, locs]) => {
    st.nodes[v] = locs.map((l) => m.taskNodes[taskAt.get(l)!][0]);
    for (const l of locs) st.taskVeh[taskAt.get(l)!] = v;
    st.update(v);
  });
  const routeLocations = (v: number) => st.nodes[v].map((n) => m.nodeStart[n]);
  return { st, taskAt, routeLocations };
}

/** Metres of a route on twoRouteState's line, depot (point 10) to depot. */
export const lineMetres = (locs: number[]) => [10, ...locs, 10].reduce((sum, l, i, all) => (i === 0 ? 0 : sum + Math.abs(l - all[i - 1]) * 1000), 0);
