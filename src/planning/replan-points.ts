import type { ProblemInput } from '../../solver/index.js';
import type { RoadNetwork, SnappedPosition } from '../../solver/network/index.js';
import { UNREACHABLE_M, UNREACHABLE_S, type PlanMapping } from './build-problem.js';
import { PlanClock } from './plan-clock.js';
import type { UnservedItem } from './plan-model.js';
import type { ReplanBase } from './replan.js';
import type { PlanningSnapshot } from './snapshot.js';

/**
 * New points during the day (a re-plan event): stored collection points the plan in force does
 * not have become jobs, and a point it has gets one extra collection (`<pointId>+extra`, e.g. a
 * bin reported overflowing). New places need rows in the matrices: every profile's matrix is
 * computed again on the road network over the old places and the new (the same contraction
 * hierarchies and bans as the plan's build, so the old cells do not change).
 */
export function withNewPoints(network: RoadNetwork, base: ReplanBase, snapshot: PlanningSnapshot, pointIds: string[]): { base: ReplanBase; excluded: UnservedItem[] } {
  const excluded: UnservedItem[] = [];
  const records = new Map(snapshot.collectionPoints.map((p) => [p.id, p]));
  const planned = new Set((base.problem.jobs ?? []).map((j) => j.id));
  const locations = base.mapping.locations.map((l) => ({ ...l, refs: [...l.refs] }));
  const index = new Map(locations.map((l, i) => [`${l.lon.toFixed(6)},${l.lat.toFixed(6)}`, i]));
  const planning = snapshot.profile.planning;
  const defaultWindows = snapshot.profile.collectionWindows.map(PlanClock.windowS);
  const jobs: NonNullable<ProblemInput['jobs']> = [];
  const mappingJobs: PlanMapping['jobs'] = { ...base.mapping.jobs };
  for (const pointId of [...new Set(pointIds)]) {
    const p = records.get(pointId);
    if (!p) {
      excluded.push({ kind: 'point', recordId: pointId, itemId: pointId, reason: 'unknown_reference', detail: `no collection point "${pointId}" is stored`, source: 'build' });
      continue;
    }
    const [lon, lat] = p.location.coordinates as [number, number];
    const snap = network.snap(lon, lat, { vehicleKind: 'truck' });
    if (!snap || snap.distanceM > planning.snapMaxM) {
      excluded.push({ kind: 'point', recordId: p.id, itemId: p.id, reason: 'no_road', detail: `the nearest road a truck may use is farther than ${planning.snapMaxM} m`, source: 'build' });
      continue;
    }
    const key = `${lon.toFixed(6)},${lat.toFixed(6)}`;
    let loc = index.get(key);
    if (loc === undefined) {
      loc = locations.length;
      index.set(key, loc);
      locations.push({ lon, lat, refs: [] });
    }
    const id = planned.has(p.id) ? `${p.id}+extra` : p.id;
    locations[loc]!.refs.push(`point:${id}`);
    const density = planning.densityKgPerM3[p.wasteClass as keyof typeof planning.densityKgPerM3] ?? 250;
    const perVisit = planned.has(p.id) ? p.visitsPerDay : 1;
    jobs.push({
      id, location: loc, wasteClass: p.wasteClass, kg: p.expectedKgPerDay / perVisit,
      m3: (p.expectedM3PerDay ?? p.expectedKgPerDay / density) / perVisit,
      windows: p.windows.length > 0 ? p.windows.map(PlanClock.windowS) : defaultWindows,
      serviceS: p.serviceS, visitsPerDay: planned.has(p.id) ? 1 : p.visitsPerDay, minGapS: p.minGapS,
    });
    mappingJobs[id] = { pointId: p.id };
  }
  if (jobs.length === 0) return { base, excluded };
  const matrices = extendMatrices(network, base, locations);
  return {
    base: { ...base, problem: { ...base.problem, matrices, jobs: [...(base.problem.jobs ?? []), ...jobs] }, mapping: { ...base.mapping, locations, jobs: mappingJobs } },
    excluded,
  };
}

/**
 * The plan's matrices with rows and columns for places appended after the old ones: only the
 * new cells are computed (new → all, all → new), on the road network with each profile's bans,
 * so the old cells stay exactly as planned.
 */
export function extendMatrices(network: RoadNetwork, base: ReplanBase, locations: PlanMapping['locations']): ProblemInput['matrices'] {
  const old = base.mapping.locations.length;
  const n = locations.length;
  if (n === old) return base.problem.matrices;
  const out: ProblemInput['matrices'] = {};
  for (const [name, info] of Object.entries(base.mapping.profiles)) {
    const prev = base.problem.matrices[name]!;
    const placed: Array<SnappedPosition | null> = locations.map((l) => network.snap(l.lon, l.lat, { vehicleKind: info.networkKind }));
    const fallback = placed.find((x) => x !== null)!;
    const all = placed.map((x) => x ?? fallback);
    const fresh = all.slice(old);
    const opts = { vehicleKind: info.networkKind, restrictionIndices: info.restrictionIndices };
    const from = network.matrix(fresh, all, opts);
    const to = network.matrix(all, fresh, opts);
    const k = n - old;
    const cell = (m: { durationsS: ArrayLike<number>; distancesM: ArrayLike<number> }, idx: number, i: number, j: number, unreachable: number, key: 'durationsS' | 'distancesM') =>
      i === j ? 0 : placed[i] !== null && placed[j] !== null && Number.isFinite(m.durationsS[idx]!) ? m[key][idx]! : unreachable;
    const durationsS: number[][] = [], distancesM: number[][] = [];
    for (let i = 0; i < n; i++) {
      const dRow = new Array<number>(n), mRow = new Array<number>(n);
      for (let j = 0; j < n; j++) {
        if (i < old && j < old) {
          dRow[j] = prev.durationsS[i]![j]!;
          mRow[j] = prev.distancesM[i]![j]!;
        } else if (i >= old) {
          const idx = (i - old) * n + j;
          dRow[j] = cell(from, idx, i, j, UNREACHABLE_S, 'durationsS');
          mRow[j] = cell(from, idx, i, j, UNREACHABLE_M, 'distancesM');
        } else {
          const idx = i * k + (j - old);
          dRow[j] = cell(to, idx, i, j, UNREACHABLE_S, 'durationsS');
          mRow[j] = cell(to, idx, i, j, UNREACHABLE_M, 'distancesM');
        }
      }
      durationsS.push(dRow);
      distancesM.push(mRow);
    }
    out[name] = { durationsS, distancesM };
  }
  return out;
}

/**
 * Each vehicle's last fix as a place of its own (when a road its kind may use is near enough),
 * so it starts the re-plan where it is, not at the nearest planned place.
 */
export function withFixes(network: RoadNetwork, base: ReplanBase, snapshot: PlanningSnapshot, positions: Record<string, { lon: number; lat: number }>): { base: ReplanBase; startLocations: Record<string, number> } {
  const locations = base.mapping.locations.map((l) => ({ ...l, refs: [...l.refs] }));
  const index = new Map(locations.map((l, i) => [`${l.lon.toFixed(6)},${l.lat.toFixed(6)}`, i]));
  const startLocations: Record<string, number> = {};
  const kinds = new Map(base.problem.vehicles.map((v) => [v.id, base.mapping.profiles[v.profile]?.networkKind]));
  for (const [vehicleId, p] of Object.entries(positions)) {
    const kind = kinds.get(vehicleId);
    if (!kind) continue;
    const snap = network.snap(p.lon, p.lat, { vehicleKind: kind });
    if (!snap || snap.distanceM > snapshot.profile.planning.snapMaxM) continue;
    const key = `${p.lon.toFixed(6)},${p.lat.toFixed(6)}`;
    let loc = index.get(key);
    if (loc === undefined) {
      loc = locations.length;
      index.set(key, loc);
      locations.push({ lon: p.lon, lat: p.lat, refs: [] });
    }
    locations[loc]!.refs.push(`fix:${vehicleId}`);
    startLocations[vehicleId] = loc;
  }
  if (locations.length === base.mapping.locations.length) return { base, startLocations };
  const matrices = extendMatrices(network, base, locations);
  return { base: { ...base, problem: { ...base.problem, matrices }, mapping: { ...base.mapping, locations } }, startLocations };
}
