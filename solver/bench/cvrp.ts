/** TSPLIB/CVRPLIB CVRP (EUC_2D, distances rounded to the nearest integer) -> Problem. */
import type { ProblemInput } from '../problem.js';
import { readText } from './common.js';

export function parseCvrp(text: string, vehicles?: number): ProblemInput {
  const tok = text.split(/\r?\n/);
  const header = (key: string) => {
    const l = tok.find((x) => x.trim().startsWith(key));
    return l ? l.split(':').slice(1).join(':').trim() : '';
  };
  const name = header('NAME');
  const dim = Number(header('DIMENSION'));
  const capacity = Number(header('CAPACITY'));
  const section = (key: string) => {
    const i = tok.findIndex((x) => x.trim().startsWith(key));
    return tok.slice(i + 1, i + 1 + dim).map((l) => l.trim().split(/\s+/).map(Number));
  };
  const coords = section('NODE_COORD_SECTION');
  const demand = section('DEMAND_SECTION');
  const depotLine = tok.findIndex((x) => x.trim().startsWith('DEPOT_SECTION'));
  const depot = Number(tok[depotLine + 1].trim()) - 1;
  const d: number[][] = [];
  for (let i = 0; i < dim; i++) {
    d.push([]);
    for (let j = 0; j < dim; j++) d[i].push(Math.round(Math.hypot(coords[i][1] - coords[j][1], coords[i][2] - coords[j][2])));
  }
  const k = Number(/-k(\d+)/.exec(name)?.[1] ?? '10');
  const fleet = vehicles ?? Math.ceil(k * 1.3) + 2;
  const jobs = [];
  for (let i = 0; i < dim; i++) {
    if (i === depot) continue;
    jobs.push({ id: String(i + 1), location: i, wasteClass: 'goods', kg: demand[i][1], windows: [{ startS: 0, endS: 1e12 }] });
  }
  return {
    name,
    matrices: { euclid: { durationsS: d, distancesM: d } },
    vehicles: Array.from({ length: fleet }, (_, v) => ({
      id: `v${v + 1}`, kind: 'collector' as const, profile: 'euclid', classes: ['goods'], capacityKg: capacity, capacityM3: 0,
      shift: { startS: 0, endS: 1e12 }, startLocation: depot, endLocation: depot, costPerKm: 1000, costPerHour: 0,
    })),
    jobs,
    objective: 'cost',
  };
}

export function loadCvrp(path: string, vehicles?: number): ProblemInput {
  return parseCvrp(readText(path), vehicles);
}
