import type { Vehicle } from '../../src/domain/model.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { pointKg, type DayDraw } from './draws.js';
import type { PointClass, Scenario } from './scenario.js';

/**
 * The city as it is on one simulated day for one fleet: the fleet cut or grown to the sizes
 * tried, broken vehicles off the road, each point's kg of the day, rain's slower service and
 * street work, facilities closed or cut. The real planner then plans it as it would any day.
 */
export type FleetConfig = Record<string, number>;

export function fleetLabel(fleet: FleetConfig): string {
  return Object.entries(fleet).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ');
}

const matches = (v: Vehicle, key: string) => {
  const [kind, cls] = key.split(':');
  return v.kind === kind && (cls === undefined || v.wasteClasses.includes(cls as PointClass));
};

/** Copies of a group's vehicles, in turn, until there are `n`: a bigger fleet of the same trucks. */
function sized(group: Vehicle[], n: number): Vehicle[] {
  const out = group.slice(0, n);
  for (let i = group.length; i < n; i++) {
    const { terminalId: _t, deviceId: _d, terminalModel: _m, ...base } = group[i % group.length]!;
    out.push({ ...base, id: `${base.id}.x${Math.floor(i / group.length) + 1}`, plate: `${base.plate}#${Math.floor(i / group.length) + 1}` });
  }
  return out;
}

/** Splits `n` over the groups in proportion to their sizes (largest remainder). */
function apportion(sizes: number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (n * s) / total);
  const out = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; out.reduce((a, b) => a + b, 0) < n; k++) out[order[k % order.length]![1]]! += 1;
  return out;
}

/**
 * The vehicles of a fleet configuration (before breakdowns). A key names a kind (`collector`)
 * or a kind and class (`collector:food`); a kind of several classes is sized class by class
 * in proportion to the city's mix, so `collector=17` on the demo city is its own fleet.
 */
export function fleetVehicles(vehicles: readonly Vehicle[], fleet: FleetConfig): Vehicle[] {
  const sorted = [...vehicles].sort((a, b) => a.id.localeCompare(b.id));
  const keys = Object.keys(fleet).sort((a, b) => b.length - a.length); // kind:class before kind
  const taken = new Set<string>();
  const out: Vehicle[] = [];
  for (const key of keys) {
    const group = sorted.filter((v) => !taken.has(v.id) && matches(v, key));
    if (group.length === 0) throw new Error(`the city has no vehicle of ${key} to size`);
    group.forEach((v) => taken.add(v.id));
    const byClass = new Map<string, Vehicle[]>();
    for (const v of group) byClass.set(v.wasteClasses.join('+'), [...(byClass.get(v.wasteClasses.join('+')) ?? []), v]);
    const groups = [...byClass.values()];
    const counts = apportion(groups.map((g) => g.length), fleet[key]!);
    groups.forEach((g, i) => out.push(...sized(g, counts[i]!)));
  }
  out.push(...sorted.filter((v) => !taken.has(v.id)));
  return out;
}

/**
 * The part of the city a study plans from: the records of work it does not plan are dropped
 * (daySnapshot drops them from every day too), so a run stored with its city (day-jobs.ts)
 * holds no road segments when it plans no street work.
 */
export function studiedCity(base: PlanningSnapshot, s: Scenario): PlanningSnapshot {
  const work = new Set(s.work);
  return {
    ...base,
    collectionPoints: work.has('points') ? base.collectionPoints : [],
    permits: work.has('muck') ? base.permits : [],
    roadSegments: work.has('streets') ? base.roadSegments : [],
  };
}

export function daySnapshot(base: PlanningSnapshot, s: Scenario, day: DayDraw, vehicles: readonly Vehicle[], inRepair: (vehicleId: string) => boolean): PlanningSnapshot {
  const slow = day.snow ? 1 + s.snow.slowdown : day.rain ? 1 + s.rain.slowdown : 1;
  const work = new Set(s.work);
  return {
    ...base,
    date: day.date,
    vehicles: vehicles.filter((v) => !inRepair(v.id)).map((v) => (v.workSpeedKmh && slow > 1 ? { ...v, workSpeedKmh: v.workSpeedKmh / slow } : v)),
    collectionPoints: work.has('points')
      ? base.collectionPoints.map((p) => {
        const kg = pointKg(s, day, p.id, p.wasteClass, p.expectedKgPerDay);
        const scale = p.expectedKgPerDay > 0 ? kg / p.expectedKgPerDay : 1;
        return {
          ...p, expectedKgPerDay: Math.round(kg * 10) / 10,
          ...(p.expectedM3PerDay === undefined ? {} : { expectedM3PerDay: Math.round(p.expectedM3PerDay * scale * 100) / 100 }),
          serviceS: Math.min(3600, Math.round(p.serviceS * slow)),
        };
      })
      : [],
    permits: work.has('muck') ? base.permits : [],
    roadSegments: work.has('streets') ? base.roadSegments : [],
    facilities: base.facilities.map((f) => (day.facilityFactor[f.id] === undefined ? f : { ...f, dailyCapacityKg: Math.round(f.dailyCapacityKg * day.facilityFactor[f.id]!) })),
  };
}
