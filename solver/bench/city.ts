/**
 * A generated city day (deterministic for a seed): a grid city of 40 x 40 junctions 250 m
 * apart, about 2,000 collection points over the four classes, 3,000 street segments to
 * sweep or wash, 50 night muck loads under permits, 80 vehicles and the facilities they use.
 * Used by the benchmark and tests; the numbers follow docs/domain.md.
 */
import type { ProblemInput } from '../problem.js';
import { Rng } from '../random.js';

export interface CityOptions {
  seed?: number;
  /** junctions per side (default 40) */
  gridSize?: number;
  /** scale the number of points, segments, loads and vehicles (default 1) */
  scale?: number;
}

const H = 3600;

export function generateCity(opts: CityOptions = {}): ProblemInput {
  const rng = new Rng(opts.seed ?? 7);
  const g = opts.gridSize ?? 40;
  const scale = opts.scale ?? 1;
  const spacingM = 250;
  const n = g * g;
  const xy = (i: number) => [i % g, Math.floor(i / g)];
  const manhattanM = (a: number, b: number) => { const [ax, ay] = xy(a), [bx, by] = xy(b); return (Math.abs(ax - bx) + Math.abs(ay - by)) * spacingM; };
  const matrix = (speedKmh: number) => {
    const distancesM: number[][] = [], durationsS: number[][] = [];
    for (let a = 0; a < n; a++) {
      const d = new Array<number>(n), t = new Array<number>(n);
      for (let b = 0; b < n; b++) { d[b] = manhattanM(a, b); t[b] = Math.round(d[b] / (speedKmh / 3.6)); }
      distancesM.push(d); durationsS.push(t);
    }
    return { distancesM, durationsS };
  };
  const at = (fx: number, fy: number) => Math.round(fy * (g - 1)) * g + Math.round(fx * (g - 1));
  const pick = () => rng.int(n);
  const count = (k: number) => Math.max(1, Math.round(k * scale));

  const day = { startS: 4 * H, endS: 22 * H };
  const facilities: NonNullable<ProblemInput['facilities']> = [
    { id: 'incinerator', location: at(0.95, 0.9), accepts: ['residual'], windows: [day], dailyCapacityKg: 600_000, unloadS: 600 },
    { id: 'food-plant', location: at(0.05, 0.95), accepts: ['food'], windows: [day], dailyCapacityKg: 200_000, unloadS: 600 },
    { id: 'sorting', location: at(0.5, 0.02), accepts: ['recyclable'], windows: [{ startS: 6 * H, endS: 20 * H }], dailyCapacityKg: 100_000, unloadS: 450 },
    { id: 'haz-store', location: at(0.9, 0.1), accepts: ['hazardous'], windows: [{ startS: 8 * H, endS: 17 * H }], dailyCapacityKg: 10_000, unloadS: 900 },
    { id: 'transfer-w', location: at(0.25, 0.5), accepts: ['residual', 'recyclable', 'sweepings'], windows: [{ startS: 2 * H, endS: 22 * H }], dailyCapacityKg: 300_000, unloadS: 420 },
    { id: 'transfer-e', location: at(0.75, 0.5), accepts: ['residual', 'recyclable', 'sweepings'], windows: [{ startS: 2 * H, endS: 22 * H }], dailyCapacityKg: 300_000, unloadS: 420 },
    { id: 'muck-north', location: at(0.6, 0.99), accepts: ['muck'], windows: [{ startS: 21 * H, endS: 30 * H }], unloadS: 300 },
    { id: 'muck-south', location: at(0.3, 0.0), accepts: ['muck'], windows: [{ startS: 21 * H, endS: 30 * H }], unloadS: 300 },
    ...[0.2, 0.4, 0.6, 0.8].map((f, k) => ({ id: `hydrant-${k + 1}`, location: at(f, 1 - f), accepts: ['water'], windows: [{ startS: 0, endS: 24 * H }], unloadS: 600 })),
  ];
  const depots = [at(0.35, 0.35), at(0.65, 0.65)];

  const vehicles: ProblemInput['vehicles'] = [];
  const addVehicles = (k: number, make: (i: number) => Omit<ProblemInput['vehicles'][number], 'id' | 'startLocation' | 'endLocation'>, prefix: string) => {
    for (let i = 0; i < count(k); i++) {
      const depot = depots[i % depots.length];
      vehicles.push({ id: `${prefix}-${i + 1}`, startLocation: depot, endLocation: depot, ...make(i) });
    }
  };
  const collectorShift = { startS: 4 * H, endS: 16 * H };
  const lunch = { durationS: 1800, window: { startS: 10.5 * H, endS: 13 * H } };
  addVehicles(20, () => ({ kind: 'collector', profile: 'truck', classes: ['residual', 'recyclable'], capacityKg: 8000, capacityM3: 20, sealed: false, shift: collectorShift, break: lunch, fixedCost: 500, costPerKm: 3, costPerHour: 60 }), 'res');
  addVehicles(10, (i) => ({ kind: 'collector', profile: 'truck', classes: ['food'], capacityKg: 6000, capacityM3: 12, sealed: true, coverSensorOk: i !== 9, shift: collectorShift, break: lunch, fixedCost: 500, costPerKm: 3, costPerHour: 60 }), 'food');
  addVehicles(6, () => ({ kind: 'collector', profile: 'truck', classes: ['recyclable'], capacityKg: 4000, capacityM3: 24, shift: collectorShift, break: lunch, fixedCost: 400, costPerKm: 2.5, costPerHour: 60 }), 'rec');
  addVehicles(2, () => ({ kind: 'collector', profile: 'truck', classes: ['hazardous'], capacityKg: 2000, capacityM3: 6, sealed: true, hazardousRated: true, shift: collectorShift, break: lunch, fixedCost: 600, costPerKm: 3, costPerHour: 60 }), 'haz');
  const muckShift = { startS: 20 * H, endS: 31 * H };
  addVehicles(12, (i) => ({ kind: 'muck', profile: 'truck', capacityKg: 16000, capacityM3: 12, sealed: i !== 11, coverSensorOk: i !== 10, shift: muckShift, fixedCost: 800, costPerKm: 5, costPerHour: 80 }), 'muck');
  const sweepShift = { startS: 3 * H, endS: 12 * H };
  addVehicles(22, () => ({ kind: 'sweeper', profile: 'sweeper', capacityKg: 1500, capacityM3: 6, shift: sweepShift, break: { durationS: 1800, window: { startS: 7.5 * H, endS: 9.5 * H } }, fixedCost: 300, costPerKm: 2, costPerHour: 50 }), 'sweep');
  addVehicles(8, () => ({ kind: 'washer', profile: 'sweeper', capacityKg: 0, capacityM3: 8, shift: { startS: 1 * H, endS: 8 * H }, fixedCost: 300, costPerKm: 2, costPerHour: 50 }), 'wash');

  const jobs: NonNullable<ProblemInput['jobs']> = [];
  const addJobs = (cls: string, k: number, kg: [number, number], windows: Array<{ startS: number; endS: number }>, serviceS: number) => {
    for (let i = 0; i < count(k); i++) {
      const twoVisits = cls === 'residual' && rng.next() < 0.05;
      jobs.push({
        id: `${cls}-${i + 1}`, location: pick(), wasteClass: cls, kg: Math.round(kg[0] + rng.next() * (kg[1] - kg[0])) * (twoVisits ? 2 : 1),
        m3: 0, windows: twoVisits ? [{ startS: 5 * H, endS: 15 * H }] : windows, serviceS: serviceS + rng.int(120),
        visitsPerDay: twoVisits ? 2 : 1, minGapS: twoVisits ? 4 * H : 0,
      });
    }
  };
  addJobs('residual', 1000, [150, 600], [{ startS: 4.5 * H, endS: 10 * H }, { startS: 13 * H, endS: 15.5 * H }], 120);
  addJobs('food', 500, [100, 300], [{ startS: 5 * H, endS: 9 * H }, { startS: 12 * H, endS: 15 * H }], 120);
  addJobs('recyclable', 400, [40, 160], [{ startS: 8 * H, endS: 15 * H }], 90);
  addJobs('hazardous', 100, [5, 30], [{ startS: 9 * H, endS: 15 * H }], 120);
  for (const j of jobs) j.m3 = Math.round((j.kg / 400) * 100) / 100;

  const sweepTasks: NonNullable<ProblemInput['sweepTasks']> = [];
  const edges: Array<[number, number]> = [];
  for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) {
    const i = y * g + x;
    if (x + 1 < g) edges.push([i, i + 1]);
    if (y + 1 < g) edges.push([i, i + g]);
  }
  const segments = Math.min(edges.length, count(3000));
  for (let k = 0; k < segments; k++) {
    const [a, b] = edges[k];
    const grade1 = rng.next() < 0.1;
    sweepTasks.push({ id: `seg-${k + 1}`, fromLocation: a, toLocation: b, lengthM: spacingM, oneWay: rng.next() < 0.15,
      passes: grade1 ? 3 : 1, mechanicalPasses: grade1 ? 2 : 1, deadlineS: grade1 ? 7 * H : 12 * H, earliestS: 3 * H,
      workSpeedKmh: 10, vehicleKind: 'sweeper', kg: 20 + rng.int(40), m3: 0 });
  }
  for (let k = 0; k < count(300); k++) {
    const [a, b] = edges[rng.int(edges.length)];
    sweepTasks.push({ id: `wash-${k + 1}`, fromLocation: a, toLocation: b, lengthM: spacingM, oneWay: false, passes: 1, mechanicalPasses: 1,
      deadlineS: 7.5 * H, earliestS: 1 * H, workSpeedKmh: 8, vehicleKind: 'washer', kg: 0, m3: 1.5 });
  }

  const muckLoads: NonNullable<ProblemInput['muckLoads']> = [];
  const sites = Array.from({ length: 8 }, () => pick());
  const muckIds = vehicles.filter((v) => v.kind === 'muck').map((v) => v.id);
  for (let k = 0; k < count(50); k++) {
    const site = sites[k % sites.length];
    const disposal = k % 2 === 0 ? 'muck-north' : 'muck-south';
    const fac = facilities.find((f) => f.id === disposal)!;
    const corridorDistanceM = Math.round(manhattanM(site, fac.location) * 1.15);
    const permitStart = k % 3 === 0 ? 22 * H : 21 * H;
    muckLoads.push({ id: `muck-${k + 1}`, siteLocation: site, disposalFacilityId: disposal, kg: 14000, m3: 10, loadS: 600,
      permit: { id: `permit-${(k % sites.length) + 1}`, window: { startS: permitStart, endS: 30 * H },
        vehicleIds: muckIds.filter((_, i) => (i + k) % 3 !== 0), corridorDistanceM, corridorDurationS: Math.round(corridorDistanceM / (30 / 3.6)) } });
  }

  return { name: `city-${opts.seed ?? 7}`, matrices: { truck: matrix(25), sweeper: matrix(20) }, facilities, vehicles, jobs, muckLoads, sweepTasks, objective: 'vehicles-then-cost' };
}
