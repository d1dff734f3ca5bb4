/**
 * Arc-routing benchmark formats -> Problem with sweep tasks:
 * CARPLIB (gdb, val: undirected, cost = traversal cost, capacity on demand) and
 * MCARPTIF (Lpr-IF, mval-IF: mixed graph, intermediate facilities, route duration limit).
 * Costs become seconds (work speed 3.6 km/h makes a task of "length" c take c seconds).
 */
import type { ProblemInput } from '../problem.js';
import { readText, shortestPaths } from './common.js';

function header(lines: string[], key: string): string {
  const l = lines.find((x) => x.trim().startsWith(key));
  return l ? l.split(':').slice(1).join(':').trim() : '';
}

export function parseCarp(text: string, extraVehicles = 3): ProblemInput {
  const lines = text.split(/\r?\n/);
  const name = header(lines, 'NOMBRE');
  const nV = Number(header(lines, 'VERTICES'));
  const vehicles = Number(header(lines, 'VEHICULOS'));
  const capacity = Number(header(lines, 'CAPACIDAD'));
  const depot = Number(header(lines, 'DEPOSITO')) - 1;
  const cost: number[][] = Array.from({ length: nV }, () => new Array(nV).fill(Infinity));
  const tasks: ProblemInput['sweepTasks'] = [];
  const re = /\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*coste\s+(\d+)\s+demanda\s+(\d+)/;
  for (const l of lines) {
    const mm = re.exec(l);
    if (!mm) continue;
    const [i, j, c, q] = [Number(mm[1]) - 1, Number(mm[2]) - 1, Number(mm[3]), Number(mm[4])];
    cost[i][j] = Math.min(cost[i][j], c);
    cost[j][i] = Math.min(cost[j][i], c);
    tasks!.push({ id: `${i + 1}-${j + 1}`, fromLocation: i, toLocation: j, lengthM: c, oneWay: false, passes: 1,
      mechanicalPasses: 1, deadlineS: 1e12, workSpeedKmh: 3.6, vehicleKind: 'sweeper', kg: q });
  }
  const d = shortestPaths(cost);
  return {
    name,
    matrices: { road: { durationsS: d, distancesM: d } },
    vehicles: Array.from({ length: vehicles + extraVehicles }, (_, v) => ({
      id: `s${v + 1}`, kind: 'sweeper' as const, profile: 'road', capacityKg: capacity, capacityM3: 0,
      shift: { startS: 0, endS: 1e12 }, startLocation: depot, endLocation: depot, costPerKm: 1000, costPerHour: 0,
    })),
    sweepTasks: tasks,
    objective: 'cost',
  };
}

export function parseMcarptif(text: string, fleet = 30): ProblemInput {
  const lines = text.split(/\r?\n/);
  const name = header(lines, 'NAME').replace(/\.dat$/, '');
  const nV = Number(header(lines, 'NODES'));
  const capacity = Number(header(lines, 'CAPACITY'));
  const dumpS = Number(header(lines, 'DUMPING_COST'));
  const maxTrip = Number(header(lines, 'MAX_TRIP'));
  const depot = Number(header(lines, 'DEPOT')) - 1;
  const dumps = header(lines, 'DUMPING_SITES').split(/[,\s]+/).filter(Boolean).map((x) => Number(x) - 1);
  const cost: number[][] = Array.from({ length: nV }, () => new Array(nV).fill(Infinity));
  const tasks: NonNullable<ProblemInput['sweepTasks']> = [];
  let section = '';
  const req = /\((\d+),(\d+)\)\s+serv_cost\s+(\d+)\s+trav_cost\s+(\d+)\s+demand\s+(\d+)/;
  const noreq = /\((\d+),(\d+)\)\s+cost\s+(\d+)/;
  for (const l of lines) {
    if (l.startsWith('LIST_')) { section = l.split(':')[0].trim(); continue; }
    const undirected = section.includes('EDGES');
    let mm = req.exec(l);
    if (mm) {
      const [i, j, s, t, q] = [Number(mm[1]) - 1, Number(mm[2]) - 1, Number(mm[3]), Number(mm[4]), Number(mm[5])];
      cost[i][j] = Math.min(cost[i][j], t);
      if (undirected) cost[j][i] = Math.min(cost[j][i], t);
      tasks.push({ id: `${i + 1}-${j + 1}${undirected ? '' : '>'}`, fromLocation: i, toLocation: j, lengthM: Math.max(s, 1e-9),
        oneWay: !undirected, passes: 1, mechanicalPasses: 1, deadlineS: 1e12, workSpeedKmh: 3.6, vehicleKind: 'sweeper', kg: q });
      continue;
    }
    mm = noreq.exec(l);
    if (mm) {
      const [i, j, c] = [Number(mm[1]) - 1, Number(mm[2]) - 1, Number(mm[3])];
      cost[i][j] = Math.min(cost[i][j], c);
      if (undirected) cost[j][i] = Math.min(cost[j][i], c);
    }
  }
  const d = shortestPaths(cost);
  return {
    name,
    matrices: { road: { durationsS: d, distancesM: d } },
    facilities: dumps.map((loc, k) => ({ id: `IF${k + 1}`, location: loc, accepts: ['sweepings'], windows: [{ startS: 0, endS: 1e12 }], unloadS: dumpS })),
    vehicles: Array.from({ length: fleet }, (_, v) => ({
      id: `s${v + 1}`, kind: 'sweeper' as const, profile: 'road', capacityKg: capacity, capacityM3: 0,
      shift: { startS: 0, endS: maxTrip }, startLocation: depot, endLocation: depot, costPerKm: 0, costPerHour: 3600,
    })),
    sweepTasks: tasks,
    objective: 'vehicles-then-cost',
  };
}

export function loadCarp(path: string): ProblemInput {
  return parseCarp(readText(path));
}

export function loadMcarptif(path: string): ProblemInput {
  return parseMcarptif(readText(path));
}
