import type { ProblemInput } from '../../solver/index.js';

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
