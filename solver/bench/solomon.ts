/** Solomon VRPTW text format -> Problem (real-valued Euclidean distance = travel time). */
import type { ProblemInput } from '../problem.js';
import { readText } from './common.js';

export interface SolomonOptions {
  /** 'vehicles-then-cost' (the best-known table's convention) or 'cost' (distance only) */
  objective?: 'vehicles-then-cost' | 'cost';
  /** truncate every distance to one decimal (the DIMACS exact-methods convention) */
  truncate1?: boolean;
}

export function parseSolomon(text: string, opts: SolomonOptions = {}): ProblemInput {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const name = lines[0];
  const vi = lines.findIndex((l) => l.startsWith('VEHICLE'));
  const [count, capacity] = lines[vi + 2].split(/\s+/).map(Number);
  const ci = lines.findIndex((l) => l.startsWith('CUST'));
  const rows = lines.slice(ci + 1).map((l) => l.split(/\s+/).map(Number)).filter((r) => r.length >= 7 && r.every(Number.isFinite));
  const n = rows.length;
  const d: number[][] = [];
  for (let i = 0; i < n; i++) {
    d.push([]);
    for (let j = 0; j < n; j++) {
      const e = Math.hypot(rows[i][1] - rows[j][1], rows[i][2] - rows[j][2]);
      d[i].push(opts.truncate1 ? Math.floor(e * 10) / 10 : e);
    }
  }
  const horizon = rows[0][5];
  return {
    name,
    matrices: { euclid: { durationsS: d, distancesM: d } },
    vehicles: Array.from({ length: count }, (_, k) => ({
      id: `v${k + 1}`, kind: 'collector' as const, profile: 'euclid', classes: ['goods'], capacityKg: capacity, capacityM3: 0,
      shift: { startS: rows[0][4], endS: horizon }, startLocation: 0, endLocation: 0,
      // cost = distance in the instance's units
      costPerKm: 1000, costPerHour: 0, fixedCost: 0,
    })),
    jobs: rows.slice(1).map((r, i) => ({
      id: String(r[0]), location: i + 1, wasteClass: 'goods', kg: r[3], m3: 0,
      windows: [{ startS: r[4], endS: r[5] }], serviceS: r[6],
    })),
    objective: opts.objective ?? 'vehicles-then-cost',
  };
}

export function loadSolomon(path: string, opts: SolomonOptions = {}): ProblemInput {
  return parseSolomon(readText(path), opts);
}
