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
  let matrices = base.problem.matrices;
  if (locations.length > base.mapping.locations.length) {
    matrices = {};
    for (const [name, info] of Object.entries(base.mapping.profiles)) {
      const placed: Array<SnappedPosition | null> = locations.map((l) => network.snap(l.lon, l.lat, { vehicleKind: info.networkKind }));
      const fallback = placed.find((x) => x !== null)!;
      const m = network.matrix(placed.map((x) => x ?? fallback), placed.map((x) => x ?? fallback), { vehicleKind: info.networkKind, restrictionIndices: info.restrictionIndices });
      const n = locations.length;
      const durationsS: number[][] = [], distancesM: number[][] = [];
      for (let i = 0; i < n; i++) {
        const dRow = new Array<number>(n), mRow = new Array<number>(n);
        for (let j = 0; j < n; j++) {
          const cell = i * n + j;
          const ok = placed[i] !== null && placed[j] !== null && Number.isFinite(m.durationsS[cell]!);
          dRow[j] = i === j ? 0 : ok ? m.durationsS[cell]! : UNREACHABLE_S;
          mRow[j] = i === j ? 0 : ok ? m.distancesM[cell]! : UNREACHABLE_M;
        }
        durationsS.push(dRow);
        distancesM.push(mRow);
      }
      matrices[name] = { durationsS, distancesM };
    }
  }
  return {
    base: { ...base, problem: { ...base.problem, matrices, jobs: [...(base.problem.jobs ?? []), ...jobs] }, mapping: { ...base.mapping, locations, jobs: mappingJobs } },
    excluded,
  };
}
