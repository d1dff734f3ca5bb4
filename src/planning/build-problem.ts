import { haversineM, parseProblem, type ProblemInput, type VehicleKind as SolverVehicleKind } from '../../solver/index.js';
import {
  type Place, type RoadNetwork, type SnappedPosition, type TravelMatrix, type TravelOptions, type VehicleKind as NetworkKind,
} from '../../solver/network/index.js';
import type { CityProfile } from '../domain/city-profile.js';
import type { Facility, Vehicle, VehicleKind, WasteClass } from '../domain/model.js';
import { routeOnCorridor, type CorridorShape } from './corridor.js';
import { networkKindOf, zoneRestrictions, type ZoneRestriction } from './network-profile.js';
import { PlanClock } from './plan-clock.js';
import type { PlanMode } from './plan-model.js';
import type { PlanningSnapshot } from './snapshot.js';

/**
 * The store's city for one date and district → the solver's Problem, with every travel time
 * and distance from the road network's contraction hierarchies, and a mapping that turns the
 * Solution back into records and geometry.
 *
 * Restricted zones: the solver's matrices are static, so each vehicle group (fleet kind and
 * shift) gets the matrix of the weight set holding every ban in force for its kind at ANY hour
 * its shift touches — conservative: a plan never drives through a ban, at the price of
 * detours in hours the ban is not yet (or no longer) in force.
 */

/** Travel the network cannot make (a place inside a zone banned all shift): far beyond any shift. */
export const UNREACHABLE_S = 1_000_000;
export const UNREACHABLE_M = 1_000_000;

export type ItemKind = 'point' | 'segment' | 'muck_load' | 'vehicle';
export type ExclusionReason =
  | 'no_road' | 'unreachable' | 'corridor_not_drivable' | 'unknown_reference' | 'permit_hours'
  | 'manual_only' | 'not_required' | 'reserved';

/** Something left out of the Problem before solving, with the reason a dispatcher can act on. */
export interface ExcludedItem {
  kind: ItemKind;
  /** The record (point, road segment, permit, vehicle). */
  recordId: string;
  /** The solver item it would have been (muck loads: one per load). */
  itemId: string;
  reason: ExclusionReason;
  detail: string;
}

/**
 * Street work a task stands for; `plow` (sweepers), `deice` (washers) and `spread` (spreaders
 * putting down salt/grit) only on snow days.
 */
export type StreetWork = 'sweep' | 'wash' | 'water' | 'plow' | 'deice' | 'spread';

export interface MatrixProfileInfo {
  networkKind: NetworkKind;
  /** Indices into the network profile's restrictions (every ban of the group's shift hours). */
  restrictionIndices: number[];
  zoneIds: string[];
  vehicleKinds: VehicleKind[];
}

export interface PlanMapping {
  date: string;
  district: string | null;
  timeZone: string;
  /** UTC epoch ms of solver second 0. */
  midnightMs: number;
  locations: Array<{ lon: number; lat: number; refs: string[] }>;
  profiles: Record<string, MatrixProfileInfo>;
  /** solver job id → collection point id (the same string) */
  jobs: Record<string, { pointId: string }>;
  /** `geometry`: the road as stored (dropped from the stored mapping once the plan's GeoJSON is made) */
  sweepTasks: Record<string, { segmentId: string; work: StreetWork; geometry?: Array<[number, number]> }>;
  muckLoads: Record<string, { permitId: string; load: number }>;
  corridors: Record<string, {
    distanceM: number; durationS: number; geometry: Array<[number, number]>;
    unrestricted: { distanceM: number; durationS: number } | null;
    bufferM: number; disks: CorridorShape['disks']; segmentCount: number;
  }>;
  /** Facilities a class may not be hauled to directly (beyond directHaulMaxKm): via transfer. */
  directHaul: Array<{ wasteClass: string; facilityId: string; roadKm: number; allowed: boolean }>;
  /** a re-planned version: what it re-planned from, and what changed (replan.ts) */
  replan?: import('./replan.js').ReplanRecord;
}

export interface BuiltProblem {
  problem: ProblemInput;
  mapping: PlanMapping;
  excluded: ExcludedItem[];
  timingsMs: { records: number; corridors: number; matrices: number; total: number };
}

const kindOfVehicle: Record<VehicleKind, SolverVehicleKind> = {
  collector: 'collector', muck_truck: 'muck', sweeper: 'sweeper', washer: 'washer', waterer: 'waterer', spreader: 'spreader',
};

const facilityAccepts = (f: Facility): string[] => {
  if (f.kind === 'water_point') return ['water'];
  if (f.kind === 'deicer_store') return ['deicer'];
  const classes: string[] = f.acceptedClasses.map((c) => (c === 'construction' ? 'muck' : c));
  if (f.kind === 'transfer_station') classes.push('sweepings');
  return classes;
};

type Window = { startS: number; endS: number };

function intersect(a: Window, b: Window): Window | null {
  const startS = Math.max(a.startS, b.startS);
  const endS = Math.min(a.endS, b.endS);
  return endS > startS ? { startS, endS } : null;
}

function mergeWindows(ws: Window[]): Window[] {
  const sorted = [...ws].sort((a, b) => a.startS - b.startS);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.startS <= last.endS) last.endS = Math.max(last.endS, w.endS);
    else out.push({ ...w });
  }
  return out;
}

export function lineLengthM(line: Array<[number, number]> | number[][]): number {
  let m = 0;
  for (let i = 0; i + 1 < line.length; i++) m += haversineM(line[i]![0]!, line[i]![1]!, line[i + 1]![0]!, line[i + 1]![1]!);
  return m;
}

/**
 * The driver's break: inside the profile's window when the shift leaves room for it there
 * (at least the break's own length of latitude), else in the middle fifth of the shift;
 * none for shifts shorter than minShiftH.
 */
export function driverBreak(profile: CityProfile, shift: Window): { durationS: number; window: Window } | undefined {
  const rule = profile.planning.driverBreak;
  const durationS = rule.durationMin * 60;
  if (durationS === 0 || shift.endS - shift.startS < rule.minShiftH * 3600) return undefined;
  const base = PlanClock.windowS(rule.window);
  for (const offset of [0, 86_400, -86_400]) {
    const w = intersect({ startS: base.startS + offset, endS: base.endS + offset }, { startS: shift.startS, endS: shift.endS - durationS });
    if (w && w.endS - w.startS >= durationS) return { durationS, window: w };
  }
  const lengthS = shift.endS - shift.startS;
  return { durationS, window: { startS: shift.startS + Math.round(lengthS * 0.4), endS: shift.startS + Math.round(lengthS * 0.6) } };
}

/** The whole hours a window touches, 0-23. */
function hoursOf(w: Window): number[] {
  const hours = new Set<number>();
  for (let h = Math.floor(w.startS / 3600); h * 3600 < w.endS; h++) hours.add(((h % 24) + 24) % 24);
  return [...hours];
}

function activeAt(r: ZoneRestriction, hour: number): boolean {
  if (r.fromHour === r.toHour) return true;
  return r.fromHour < r.toHour ? hour >= r.fromHour && hour < r.toHour : hour >= r.fromHour || hour < r.toHour;
}

/** Every ban binding a fleet kind at any hour of a window (sorted restriction indices). */
export function bansDuring(restrictions: ZoneRestriction[], kind: VehicleKind, w: Window): ZoneRestriction[] {
  const hours = hoursOf(w);
  return restrictions.filter((r) => r.vehicleKinds.includes(kind) && hours.some((h) => activeAt(r, h)));
}

/**
 * `mode: 'snow'` replaces the day's sweeping, washing and watering by snow clearing (sweepers)
 * and de-icing (washers) of every segment from the profile's `winter` table; collection and
 * muck loads stay, as a published plan is THE plan of its date and district (it supersedes the
 * normal one) and the day's waste must still be collected.
 */
/**
 * `matrix`: how the travel matrix over the places is computed (default: the network's). A
 * capacity study passes a memo, as its days differ in demand, not in places (plan-job.ts).
 */
export type MatrixOf = (places: Place[], options: TravelOptions) => TravelMatrix;

export function buildProblem(snapshot: PlanningSnapshot, network: RoadNetwork, options: { mode?: PlanMode; matrix?: MatrixOf } = {}): BuiltProblem {
  const snow = options.mode === 'snow';
  const t0 = performance.now();
  const { profile, district } = snapshot;
  const planning = profile.planning;
  const clock = new PlanClock(snapshot.date, profile.timeZone);
  const restrictions = zoneRestrictions(snapshot.restrictedZones);
  if (network.profile.restrictions.length !== restrictions.length) {
    throw new Error(`the road network was built with ${network.profile.restrictions.length} zone bans, the city has ${restrictions.length}: reload the network with the city's zones`);
  }
  const excluded: ExcludedItem[] = [];
  const inDistrict = (d: string | undefined) => district === null || d === district;

  // ---- locations (one per distinct coordinate) --------------------------------------------
  const locations: PlanMapping['locations'] = [];
  const locationIndex = new Map<string, number>();
  const locate = (coords: number[], ref: string): number => {
    const key = `${coords[0]!.toFixed(6)},${coords[1]!.toFixed(6)}`;
    let i = locationIndex.get(key);
    if (i === undefined) {
      i = locations.length;
      locationIndex.set(key, i);
      locations.push({ lon: coords[0]!, lat: coords[1]!, refs: [] });
    }
    locations[i]!.refs.push(ref);
    return i;
  };
  const snaps = new Map<NetworkKind, Array<SnappedPosition | null>>();
  const snapOf = (loc: number, kind: NetworkKind): SnappedPosition | null => {
    let list = snaps.get(kind);
    if (!list) snaps.set(kind, (list = []));
    if (list[loc] === undefined) list[loc] = network.snap(locations[loc]!.lon, locations[loc]!.lat, { vehicleKind: kind });
    return list[loc]!;
  };
  /** null when the place is on a road the kind may use, else why not. */
  const roadProblem = (loc: number, kind: NetworkKind): string | null => {
    const s = snapOf(loc, kind);
    if (!s) return `no road a ${kind} may use within 5 km`;
    if (s.distanceM > planning.snapMaxM) return `the nearest road a ${kind} may use is ${Math.round(s.distanceM)} m away (planning.snapMaxM ${planning.snapMaxM} m)`;
    return null;
  };

  // ---- vehicles ------------------------------------------------------------------------------
  const depots = new Map(snapshot.depots.map((d) => [d.id, d]));
  const reservedVehicles = new Set(snapshot.reserved.vehicleIds);
  const vehicles: ProblemInput['vehicles'] = [];
  const vehicleRecords: Vehicle[] = [];
  const profiles: PlanMapping['profiles'] = {};
  const tSnap = performance.now();
  for (const v of snapshot.vehicles) {
    // a district plans its own vehicles and the city-wide ones (no district of their own)
    if (district !== null && v.district !== undefined && v.district !== district) continue;
    if (reservedVehicles.has(v.id)) {
      excluded.push({ kind: 'vehicle', recordId: v.id, itemId: v.id, reason: 'reserved', detail: `routed in a published plan of ${snapshot.date} (${snapshot.reserved.planIds.join(', ')})` });
      continue;
    }
    const depot = depots.get(v.homeDepotId);
    if (!depot) {
      excluded.push({ kind: 'vehicle', recordId: v.id, itemId: v.id, reason: 'unknown_reference', detail: `home depot "${v.homeDepotId}" does not exist` });
      continue;
    }
    const kind = networkKindOf[v.kind];
    const home = locate(depot.location.coordinates, `depot:${depot.id}`);
    const noRoad = roadProblem(home, kind);
    if (noRoad) {
      excluded.push({ kind: 'vehicle', recordId: v.id, itemId: v.id, reason: 'no_road', detail: `home depot ${depot.id}: ${noRoad}` });
      continue;
    }
    const shift = PlanClock.windowS(v.shift);
    const bans = bansDuring(restrictions, v.kind, shift);
    const indices = bans.map((b) => b.index);
    // vehicles that drive alike under the same bans share one matrix
    const profileName = indices.length === 0 ? kind : `${kind}+z${indices.join('.')}`;
    const info = (profiles[profileName] ??= { networkKind: kind, restrictionIndices: indices, zoneIds: [...new Set(bans.map((b) => b.zoneId))], vehicleKinds: [] });
    if (!info.vehicleKinds.includes(v.kind)) info.vehicleKinds.push(v.kind);
    const water = (v.kind === 'washer' || v.kind === 'waterer') && v.waterCapacityL !== undefined;
    vehicles.push({
      id: v.id, kind: kindOfVehicle[v.kind], profile: profileName,
      classes: v.kind === 'collector' ? v.wasteClasses : v.kind === 'muck_truck' ? ['muck'] : [],
      // a spreader's load is the material it spreads: its kg capacity is the hopper's
      capacityKg: v.kind === 'spreader' ? v.materialCapacityKg ?? 0 : v.capacityKg, capacityM3: water ? v.waterCapacityL! / 1000 : v.capacityM3,
      sealed: v.sealed, hazardousRated: v.hazardousRated, coverSensorOk: !v.sensors.coverFaulty,
      shift, break: driverBreak(profile, shift), startLocation: home, endLocation: home,
    });
    vehicleRecords.push(v);
  }
  const profilesOfKind = (kind: VehicleKind) => Object.keys(profiles).filter((p) => profiles[p]!.vehicleKinds.includes(kind));

  // ---- facilities ----------------------------------------------------------------------------
  const horizonEndS = Math.max(86_400, ...vehicles.map((v) => v.shift.endS));
  const facilityWindows = (f: Facility): Window[] => {
    const out: Window[] = [];
    for (const w of f.openingHours) {
      const base = PlanClock.windowS(w);
      // yesterday's night opening reaches into this morning; night shifts reach into tomorrow's
      for (const offset of [-86_400, 0, 86_400]) {
        const clipped = intersect({ startS: base.startS + offset, endS: base.endS + offset }, { startS: 0, endS: horizonEndS });
        if (clipped) out.push(clipped);
      }
    }
    return mergeWindows(out);
  };
  const facilities: ProblemInput['facilities'] = [];
  const facilityById = new Map(snapshot.facilities.map((f) => [f.id, f]));
  for (const f of snapshot.facilities) {
    const windows = facilityWindows(f);
    if (windows.length === 0) continue;
    const loc = locate(f.location.coordinates, `facility:${f.id}`);
    const accepts = facilityAccepts(f);
    if (accepts.length === 0) continue;
    facilities.push({
      id: f.id, location: loc, accepts, windows, unloadS: f.unloadS,
      ...(f.kind === 'water_point' || f.kind === 'deicer_store' ? {} : { dailyCapacityKg: Math.max(0, f.dailyCapacityKg - (snapshot.reserved.facilityKg[f.id] ?? 0)) }),
    });
  }

  // ---- collection points ---------------------------------------------------------------------
  const jobs: ProblemInput['jobs'] = [];
  const mappingJobs: PlanMapping['jobs'] = {};
  const jobLocations: Array<{ loc: number; id: string; kind: VehicleKind; record: ItemKind }> = [];
  const defaultWindows = profile.collectionWindows.map(PlanClock.windowS);
  for (const p of snapshot.collectionPoints) {
    if (!inDistrict(p.district)) continue;
    const loc = locate(p.location.coordinates, `point:${p.id}`);
    const noRoad = roadProblem(loc, 'truck');
    if (noRoad) {
      excluded.push({ kind: 'point', recordId: p.id, itemId: p.id, reason: 'no_road', detail: noRoad });
      continue;
    }
    const density = planning.densityKgPerM3[p.wasteClass as WasteClass] ?? 250;
    jobs.push({
      id: p.id, location: loc, wasteClass: p.wasteClass, kg: p.expectedKgPerDay,
      m3: p.expectedM3PerDay ?? Math.round((p.expectedKgPerDay / density) * 1000) / 1000,
      windows: p.windows.length > 0 ? p.windows.map(PlanClock.windowS) : defaultWindows,
      serviceS: p.serviceS, visitsPerDay: p.visitsPerDay, minGapS: p.minGapS,
    });
    mappingJobs[p.id] = { pointId: p.id };
    jobLocations.push({ loc, id: p.id, kind: 'collector', record: 'point' });
  }

  // ---- sweeping, washing, watering tasks -----------------------------------------------------
  const sweepTasks: ProblemInput['sweepTasks'] = [];
  const mappingSweep: PlanMapping['sweepTasks'] = {};
  const workSpeedKmh = (kind: VehicleKind) => kind === 'spreader'
    ? Math.min(profile.winter.spreadSpeedKmh, ...vehicleRecords.filter((v) => v.kind === kind).map((v) => v.workSpeedKmh ?? profile.winter.spreadSpeedKmh))
    : Math.min(profile.speedLimitsKmh.sweeperWorking,
    ...vehicleRecords.filter((v) => v.kind === kind).map((v) => v.workSpeedKmh ?? profile.sweeping.workSpeedKmh), profile.sweeping.workSpeedKmh);
  const sweepLocations: Array<{ loc: number; id: string; kind: VehicleKind; recordId: string }> = [];
  for (const seg of snapshot.roadSegments) {
    if (!inDistrict(seg.district)) continue;
    const line = seg.geometry.coordinates.map((c) => [c[0], c[1]] as [number, number]);
    const lengthM = lineLengthM(line);
    const grade = String(seg.grade) as '1' | '2' | '3' | '4';
    const work: Array<{ work: StreetWork; kind: 'sweeper' | 'washer' | 'waterer' | 'spreader'; passes: number; mechanical: number; deadline: string; kg: number; m3: number }> = [];
    if (snow) {
      const r = profile.winter.grades[grade];
      // a bridge or ramp freezes first: its deadline is the earlier of the two
      const deadline = (seg.bridge || seg.ramp) && r && profile.winter.bridgeRampDeadline < r.deadline ? profile.winter.bridgeRampDeadline : r?.deadline ?? '24:00';
      if (r && r.plowPasses > 0) work.push({ work: 'plow', kind: 'sweeper', passes: r.plowPasses, mechanical: r.plowPasses, deadline, kg: 0, m3: 0 });
      if (r && r.deicePasses > 0) work.push({ work: 'deice', kind: 'washer', passes: r.deicePasses, mechanical: r.deicePasses, deadline, kg: 0, m3: Math.round(profile.winter.deicerM3PerKm * lengthM) / 1000 });
      // a bridge or ramp is spread at least once whatever its grade: it ices before the rest
      const spreadPasses = Math.max(r?.spreadPasses ?? 0, seg.bridge || seg.ramp ? 1 : 0);
      if (spreadPasses > 0) {
        const widthM = seg.widthM ?? profile.sweeping.widthMByGrade[grade] ?? 0;
        const kg = Math.round(profile.winter.spreadGPerM2 * lengthM * widthM) / 1000;
        work.push({ work: 'spread', kind: 'spreader', passes: spreadPasses, mechanical: spreadPasses, deadline: r ? deadline : profile.winter.bridgeRampDeadline, kg, m3: 0 });
      }
      if (work.length === 0) {
        excluded.push({ kind: 'segment', recordId: seg.id, itemId: `plow:${seg.id}`, reason: 'not_required', detail: `grade ${grade}: no snow clearing or de-icing in the winter table` });
      }
    }
    const rule = profile.sweeping.grades[grade];
    const passes = seg.sweepsPerDay ?? rule?.sweepsPerDay ?? 0;
    const mechanical = Math.min(passes, seg.mechanicalSweepsPerDay ?? rule?.mechanicalSweepsPerDay ?? 0);
    if (snow) {
      // no sweeping, washing or watering on a snow day
    } else if (mechanical > 0) {
      work.push({ work: 'sweep', kind: 'sweeper', passes, mechanical, deadline: seg.deadline ?? rule!.deadline, kg: Math.round(planning.sweepingsKgPerKm * lengthM) / 1000, m3: 0 });
    } else {
      excluded.push({
        kind: 'segment', recordId: seg.id, itemId: `sweep:${seg.id}`, reason: passes > 0 ? 'manual_only' : 'not_required',
        detail: passes > 0 ? `grade ${grade}: ${passes} sweep(s) a day, none mechanical — swept by hand crews, not routed` : `grade ${grade}: no sweeping required`,
      });
    }
    for (const [name, kind, table] of snow ? [] : [['wash', 'washer', planning.washing], ['water', 'waterer', planning.watering]] as const) {
      const r = table.grades[grade];
      if (r && r.passesPerDay > 0) work.push({ work: name, kind, passes: r.passesPerDay, mechanical: r.passesPerDay, deadline: r.deadline, kg: 0, m3: Math.round(table.waterM3PerKm * lengthM) / 1000 });
    }
    if (work.length === 0) continue;
    const from = locate(line[0]!, `segment:${seg.id}:from`);
    const to = locate(line[line.length - 1]!, `segment:${seg.id}:to`);
    const noRoad = roadProblem(from, 'sweeper') ?? roadProblem(to, 'sweeper');
    for (const w of work) {
      const id = `${w.work}:${seg.id}`;
      if (noRoad || !(lengthM > 0)) {
        excluded.push({ kind: 'segment', recordId: seg.id, itemId: id, reason: 'no_road', detail: noRoad ?? 'the segment has no length' });
        continue;
      }
      sweepTasks.push({
        id, fromLocation: from, toLocation: to, lengthM, oneWay: seg.oneway, passes: w.passes, mechanicalPasses: w.mechanical,
        deadlineS: PlanClock.wallS(w.deadline), earliestS: 0, workSpeedKmh: workSpeedKmh(w.kind), vehicleKind: w.kind, kg: w.kg, m3: w.m3,
      });
      mappingSweep[id] = { segmentId: seg.id, work: w.work, geometry: line };
      sweepLocations.push({ loc: from, id, kind: w.kind, recordId: seg.id }, { loc: to, id, kind: w.kind, recordId: seg.id });
    }
  }

  // ---- muck loads from the permits valid that night ------------------------------------------
  const tCorridors = performance.now();
  const muckLoads: ProblemInput['muckLoads'] = [];
  const mappingMuck: PlanMapping['muckLoads'] = {};
  const corridors: PlanMapping['corridors'] = {};
  const sites = new Map(snapshot.constructionSites.map((s) => [s.id, s]));
  const muckVehicleIds = new Set(vehicles.filter((v) => v.kind === 'muck').map((v) => v.id));
  const muckHours = PlanClock.windowS(profile.muckTruckHours);
  const muckLocations: Array<{ loc: number; id: string; recordId: string }> = [];
  for (const permit of snapshot.permits) {
    if (permit.validFrom > snapshot.date || permit.validTo < snapshot.date) continue;
    const site = sites.get(permit.siteId);
    if (!inDistrict(site?.district)) continue;
    const loadIds = Array.from({ length: permit.loadsPerDay }, (_, k) => `${permit.id}#${k + 1}`);
    const exclude = (reason: ExclusionReason, detail: string) => {
      for (const itemId of loadIds) excluded.push({ kind: 'muck_load', recordId: permit.id, itemId, reason, detail });
    };
    const disposal = facilityById.get(permit.disposalFacilityId);
    if (!site || !disposal) {
      exclude('unknown_reference', !site ? `construction site "${permit.siteId}" does not exist` : `disposal facility "${permit.disposalFacilityId}" does not exist`);
      continue;
    }
    // the permit's hours and the city's muck-truck hours must both hold
    const base = PlanClock.windowS(permit.hours);
    const window = [0, 86_400, -86_400].map((o) => intersect({ startS: base.startS + o, endS: base.endS + o }, muckHours))
      .filter((w): w is Window => w !== null).sort((a, b) => (b.endS - b.startS) - (a.endS - a.startS))[0];
    if (!window) {
      exclude('permit_hours', `the permit's hours ${permit.hours.from}-${permit.hours.to} lie outside the city's muck-truck hours ${profile.muckTruckHours.from}-${profile.muckTruckHours.to}`);
      continue;
    }
    const siteLoc = locate(site.location.coordinates, `site:${site.id}`);
    const disposalLoc = locate(disposal.location.coordinates, `facility:${disposal.id}`);
    const noRoad = roadProblem(siteLoc, 'truck') ?? roadProblem(disposalLoc, 'truck');
    if (noRoad) {
      exclude('no_road', noRoad);
      continue;
    }
    const bans = bansDuring(restrictions, 'muck_truck', window);
    const corridor = routeOnCorridor(network, snapOf(siteLoc, 'truck')!, snapOf(disposalLoc, 'truck')!,
      { line: permit.corridor.line.coordinates.map((c) => [c[0], c[1]] as [number, number]), widthM: permit.corridor.widthM },
      { toleranceM: planning.corridorToleranceM, site: [site.location.coordinates[0], site.location.coordinates[1]], disposal: [disposal.location.coordinates[0], disposal.location.coordinates[1]], restrictionIndices: bans.map((b) => b.index) });
    if (!corridor.leg) {
      exclude('corridor_not_drivable', `no drivable road joins site ${site.id} to ${disposal.id} inside the corridor (${corridor.shape.bufferM} m either side of its line; ${corridor.segmentCount} road segments inside${bans.length ? `; bans in force: ${[...new Set(bans.map((b) => b.zoneId))].join(', ')}` : ''})`);
      continue;
    }
    corridors[permit.id] = {
      distanceM: corridor.leg.distanceM, durationS: corridor.leg.durationS, geometry: corridor.leg.geometry,
      unrestricted: corridor.unrestricted, bufferM: corridor.shape.bufferM, disks: corridor.shape.disks, segmentCount: corridor.segmentCount,
    };
    const m3 = Math.round((permit.loadKg / (planning.densityKgPerM3.construction ?? 1600)) * 1000) / 1000;
    loadIds.forEach((id, k) => {
      muckLoads.push({
        id, siteLocation: siteLoc, disposalFacilityId: disposal.id, kg: permit.loadKg, m3, loadS: planning.muckLoadMin * 60,
        permit: {
          id: permit.id, window, vehicleIds: permit.vehicleIds.filter((v) => muckVehicleIds.has(v)),
          corridorDistanceM: corridor.leg!.distanceM, corridorDurationS: corridor.leg!.durationS,
        },
      });
      mappingMuck[id] = { permitId: permit.id, load: k + 1 };
      muckLocations.push({ loc: siteLoc, id, recordId: permit.id });
    });
  }

  // ---- direct haul or via a transfer station -------------------------------------------------
  const directHaul: PlanMapping['directHaul'] = [];
  const transferClasses = new Set(snapshot.facilities.filter((f) => f.kind === 'transfer_station').flatMap((f) => f.acceptedClasses));
  for (const cls of new Set(jobs.map((j) => j.wasteClass))) {
    if (!transferClasses.has(cls as WasteClass)) continue;
    const points = jobs.filter((j) => j.wasteClass === cls).map((j) => locations[j.location]!);
    const centroid = { lon: points.reduce((a, p) => a + p.lon, 0) / points.length, lat: points.reduce((a, p) => a + p.lat, 0) / points.length };
    const from = network.snap(centroid.lon, centroid.lat, { vehicleKind: 'truck' });
    for (const f of facilities) {
      const record = facilityById.get(f.id)!;
      if (record.kind === 'transfer_station' || !f.accepts.includes(cls)) continue;
      const leg = from ? network.route(from, snapOf(f.location, 'truck') ?? locations[f.location]!, { vehicleKind: 'truck' }) : null;
      const roadKm = leg ? leg.distanceM / 1000 : Infinity;
      const allowed = roadKm <= profile.directHaulMaxKm;
      directHaul.push({ wasteClass: cls, facilityId: f.id, roadKm: Math.round(roadKm * 1000) / 1000, allowed });
      if (!allowed) f.accepts = f.accepts.filter((c) => c !== cls);
    }
  }
  const keptFacilities = facilities.filter((f) => f.accepts.length > 0);

  // ---- matrices: one per vehicle group, over every location ----------------------------------
  const tMatrices = performance.now();
  // the solver needs a matrix even with no vehicle at all (then it reports every item as such)
  if (Object.keys(profiles).length === 0) profiles.truck = { networkKind: 'truck', restrictionIndices: [], zoneIds: [], vehicleKinds: [] };
  const n = locations.length;
  const matrices: ProblemInput['matrices'] = {};
  const reach = new Map<string, { durationsS: number[][] }>();
  for (const [name, info] of Object.entries(profiles)) {
    const placed = locations.map((_, i) => snapOf(i, info.networkKind));
    const fallback = placed.find((p) => p !== null);
    const places = fallback ? placed.map((p) => p ?? fallback) : [];
    const m = places.length ? (options.matrix ?? ((ps, o) => network.matrix(ps, ps, o)))(places, { vehicleKind: info.networkKind, restrictionIndices: info.restrictionIndices })
      : { durationsS: new Float64Array(0), distancesM: new Float64Array(0) };
    const rows = matrixRows(m, placed);
    matrices[name] = rows;
    reach.set(name, { durationsS: rows.durationsS });
  }

  // A place no vehicle of its kind can reach and leave under the bans of its shift is left out.
  const vehiclesByProfile = new Map<string, typeof vehicles>();
  for (const v of vehicles) vehiclesByProfile.set(v.profile, [...(vehiclesByProfile.get(v.profile) ?? []), v]);
  const reachable = (loc: number, kind: VehicleKind): boolean | null => {
    const names = profilesOfKind(kind);
    if (names.length === 0) return null;
    return names.some((name) => {
      const d = reach.get(name)!.durationsS;
      return (vehiclesByProfile.get(name) ?? []).some((v) => v.kind === kindOfVehicle[kind] &&
        d[v.startLocation]![loc]! < UNREACHABLE_S && d[loc]![v.endLocation]! < UNREACHABLE_S);
    });
  };
  const unreachable = (kind: VehicleKind) => `inside a zone closed to every ${kind.replace('_', ' ')} during its shift (${profilesOfKind(kind).flatMap((p) => profiles[p]!.zoneIds).join(', ') || 'no zone'}) or cut off from the depots`;
  const dropJobs = new Set<string>();
  for (const j of jobLocations) {
    if (reachable(j.loc, j.kind) === false) {
      dropJobs.add(j.id);
      excluded.push({ kind: 'point', recordId: j.id, itemId: j.id, reason: 'unreachable', detail: unreachable(j.kind) });
    }
  }
  const dropSweeps = new Set<string>();
  for (const s of sweepLocations) {
    if (!dropSweeps.has(s.id) && reachable(s.loc, s.kind) === false) {
      dropSweeps.add(s.id);
      excluded.push({ kind: 'segment', recordId: s.recordId, itemId: s.id, reason: 'unreachable', detail: unreachable(s.kind) });
    }
  }
  const dropMuck = new Set<string>();
  for (const m of muckLocations) {
    if (reachable(m.loc, 'muck_truck') === false) {
      dropMuck.add(m.id);
      excluded.push({ kind: 'muck_load', recordId: m.recordId, itemId: m.id, reason: 'unreachable', detail: unreachable('muck_truck') });
    }
  }

  const problem: ProblemInput = {
    name: `${snapshot.date} ${district ?? 'city'}`,
    matrices,
    facilities: keptFacilities,
    vehicles,
    jobs: jobs.filter((j) => !dropJobs.has(j.id)),
    muckLoads: muckLoads.filter((l) => !dropMuck.has(l.id)),
    sweepTasks: sweepTasks.filter((t) => !dropSweeps.has(t.id)),
    objective: 'vehicles-then-cost',
  };
  for (const id of dropJobs) delete mappingJobs[id];
  for (const id of dropSweeps) delete mappingSweep[id];
  for (const id of dropMuck) delete mappingMuck[id];
  parseProblem(problem);
  const tEnd = performance.now();
  return {
    problem,
    mapping: {
      date: snapshot.date, district, timeZone: profile.timeZone, midnightMs: clock.midnightMs,
      locations, profiles, jobs: mappingJobs, sweepTasks: mappingSweep, muckLoads: mappingMuck, corridors, directHaul,
    },
    excluded,
    timingsMs: { records: tCorridors - tSnap, corridors: tMatrices - tCorridors, matrices: tEnd - tMatrices, total: tEnd - t0 },
  };
}

/**
 * The network's flat n×n matrix as the Problem's rows: a place the network could not snap, or a
 * pair it found no path between, gets the unreachable values the solver reads as "never".
 */
export function matrixRows(m: { durationsS: ArrayLike<number>; distancesM: ArrayLike<number> }, placed: readonly (unknown | null)[]): { durationsS: number[][]; distancesM: number[][] } {
  const n = placed.length;
  const durationsS: number[][] = [];
  const distancesM: number[][] = [];
  for (let i = 0; i < n; i++) {
    const dRow = new Array<number>(n);
    const mRow = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const cell = i * n + j;
      const ok = placed[i] !== null && placed[j] !== null && Number.isFinite(m.durationsS[cell]!);
      dRow[j] = i === j ? 0 : ok ? m.durationsS[cell]! : UNREACHABLE_S;
      mRow[j] = i === j ? 0 : ok ? m.distancesM[cell]! : UNREACHABLE_M;
    }
    durationsS.push(dRow);
    distancesM.push(mRow);
  }
  return { durationsS, distancesM };
}
