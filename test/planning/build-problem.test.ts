import { beforeAll, describe, expect, it } from 'vitest';
import { parseProblem, solve, validateSolution, type ProblemInput } from '../../solver/index.js';
import type { RoadNetwork } from '../../solver/network/index.js';
import { buildProblem, driverBreak, type BuiltProblem } from '../../src/planning/build-problem.js';
import { CorridorGeometry } from '../../src/planning/corridor.js';
import { PlanClock } from '../../src/planning/plan-clock.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { demoSnapshot, networkFor, withProfile } from '../helpers/planning.js';

let city: PlanningSnapshot;
let network: RoadNetwork;
let built: BuiltProblem;
beforeAll(async () => {
  city = await demoSnapshot();
  network = await networkFor(city);
  built = buildProblem(city, network);
}, 600_000);

const coords = (c: number[]) => [c[0]!, c[1]!] as [number, number];

describe('store → Problem (demo city)', { timeout: 300_000 }, () => {
  it('is a valid Problem whose travel comes from the road network, one matrix per vehicle group', () => {
    const p = parseProblem(built.problem);
    expect(Object.keys(p.matrices).sort()).toEqual(['sweeper', 'truck']);
    // every location is a distinct place (de-duplicated), and every cell is a road-network answer
    const keys = built.mapping.locations.map((l) => `${l.lon},${l.lat}`);
    expect(new Set(keys).size).toBe(keys.length);
    const [a, b] = [p.jobs[0]!.location, p.jobs[1]!.location];
    const leg = network.route(built.mapping.locations[a]!, built.mapping.locations[b]!, { vehicleKind: 'truck' })!;
    expect(p.matrices.truck!.durationsS[a]![b]).toBe(leg.durationS);
    expect(p.matrices.truck!.distancesM[a]![b]).toBe(leg.distanceM);
    // sweepers deadhead on their own network kind
    expect(p.vehicles.find((v) => v.kind === 'sweeper')!.profile).toBe('sweeper');
  });

  it('lists every point, road segment and permit load: in the Problem or left out with a reason', () => {
    const p = parseProblem(built.problem);
    const excluded = new Map(built.excluded.map((e) => [e.itemId, e]));
    for (const e of built.excluded) expect(e.detail.length).toBeGreaterThan(10);
    const jobs = new Set(p.jobs.map((j) => j.id));
    for (const point of city.collectionPoints) expect(jobs.has(point.id) || excluded.has(point.id)).toBe(true);
    const tasks = new Set(p.sweepTasks.map((t) => t.id));
    for (const seg of city.roadSegments) {
      expect(tasks.has(`sweep:${seg.id}`) || excluded.has(`sweep:${seg.id}`)).toBe(true);
      const washes = city.profile.planning.washing.grades[String(seg.grade) as '1']!.passesPerDay > 0;
      if (washes) expect(tasks.has(`wash:${seg.id}`) || excluded.has(`wash:${seg.id}`)).toBe(true);
    }
    // grade 4 (residential) is swept by hand only in the default table
    const residential = city.roadSegments.find((s) => s.grade === 4)!;
    expect(excluded.get(`sweep:${residential.id}`)).toMatchObject({ reason: 'manual_only', kind: 'segment' });
    const loads = new Set(p.muckLoads.map((l) => l.id));
    for (const permit of city.permits) {
      for (let k = 1; k <= permit.loadsPerDay; k++) expect(loads.has(`${permit.id}#${k}`) || excluded.has(`${permit.id}#${k}`)).toBe(true);
    }
    expect(p.muckLoads.length).toBe(city.permits.reduce((a, x) => a + x.loadsPerDay, 0));
  });

  it('takes windows, m3, facility classes, hours and night windows from the store and the profile', () => {
    const p = parseProblem(built.problem);
    // a point with no windows of its own gets the profile's collection windows
    const plain = city.collectionPoints.find((c) => c.windows.length === 0 && c.expectedM3PerDay !== undefined)!;
    expect(p.jobs.find((j) => j.id === plain.id)!.windows).toEqual(city.profile.collectionWindows.map(PlanClock.windowS));
    // m3 derived from kg by the class's density where the point gives none
    const noM3 = { ...city, collectionPoints: city.collectionPoints.map((c) => (c.id === plain.id ? { ...c, expectedM3PerDay: undefined } : c)) };
    const derived = buildProblem(noM3, network).problem.jobs!.find((j) => j.id === plain.id)!;
    expect(derived.m3).toBeCloseTo(plain.expectedKgPerDay / city.profile.planning.densityKgPerM3[plain.wasteClass]!, 3);
    const accepts = (id: string) => p.facilities.find((f) => f.id === id)!.accepts;
    expect(accepts('fac-construction-disposal-1')).toEqual(['muck']);
    expect(accepts('fac-water-point-7')).toEqual(['water']);
    expect(accepts('fac-transfer-station-1')).toContain('sweepings');
    // the disposal site opens 21:00-06:30: that night and the early morning of the plan day
    expect(p.facilities.find((f) => f.id === 'fac-construction-disposal-1')!.windows).toEqual([{ startS: 0, endS: 23_400 }, { startS: 75_600, endS: 109_800 }]);
    // a permit's night (22:00-06:00) runs past 86,400 s
    expect(p.muckLoads[0]!.permit.window).toEqual({ startS: 79_200, endS: 108_000 });
    const muckTruck = p.vehicles.find((v) => v.kind === 'muck')!;
    expect(muckTruck.shift).toEqual({ startS: 75_600, endS: 111_600 });
    expect(muckTruck.break!.window.startS).toBeGreaterThan(muckTruck.shift.startS);
    // sweepers work at the slower of their own speed and the limit for sweepers at work
    expect(p.sweepTasks[0]!.workSpeedKmh).toBe(Math.min(10, city.profile.speedLimitsKmh.sweeperWorking));
  });

  it('places the driver break in the profile window on day shifts, mid-shift otherwise', () => {
    const day = driverBreak(city.profile, PlanClock.windowS({ from: '04:00', to: '12:00' }))!;
    expect(day).toEqual({ durationS: 1800, window: { startS: 37_800, endS: 41_400 } });
    const early = driverBreak(city.profile, PlanClock.windowS({ from: '03:00', to: '11:00' }))!;
    expect(early.window).toEqual({ startS: 3 * 3600 + 0.4 * 8 * 3600, endS: 3 * 3600 + 0.6 * 8 * 3600 });
    expect(driverBreak(city.profile, PlanClock.windowS({ from: '08:00', to: '12:00' }))).toBeUndefined();
  });

  it('keeps a muck truck with a faulty cover sensor off muck loads', async () => {
    const faulty = {
      ...city,
      vehicles: city.vehicles.map((v) => (v.id === 'muck-01' ? { ...v, sensors: { ...v.sensors, coverFaulty: true } } : v)),
    };
    const problem = buildProblem(faulty, network).problem;
    expect(problem.vehicles.find((v) => v.id === 'muck-01')!.coverSensorOk).toBe(false);
    const muckOnly: ProblemInput = { ...problem, jobs: [], sweepTasks: [], vehicles: problem.vehicles.filter((v) => v.kind === 'muck') };
    const solution = await solve(muckOnly, { seed: 1, maxIterations: 300 });
    expect(validateSolution(muckOnly, solution).valid).toBe(true);
    expect(solution.routes.find((r) => r.vehicleId === 'muck-01')).toBeUndefined();
    // its permit's other trucks carry the loads
    expect(solution.routes.some((r) => ['muck-02', 'muck-03'].includes(r.vehicleId) && r.stops.some((s) => s.type === 'muck'))).toBe(true);
  });

  it('routes the loaded muck trip on the permit corridor: never shorter than the fastest path, inside the buffer', () => {
    const permit = city.permits[0]!;
    const site = city.constructionSites.find((s) => s.id === permit.siteId)!;
    const disposal = city.facilities.find((f) => f.id === permit.disposalFacilityId)!;
    const plain = network.route({ lon: site.location.coordinates[0], lat: site.location.coordinates[1] }, { lon: disposal.location.coordinates[0], lat: disposal.location.coordinates[1] }, { vehicleKind: 'truck' })!;
    // an approved corridor that is a detour: site → a point off the fastest path → disposal
    const bufferM = permit.corridor.widthM / 2 + city.profile.planning.corridorToleranceM;
    let detour: Array<[number, number]> | undefined;
    for (const point of city.collectionPoints) {
      const via = { lon: point.location.coordinates[0], lat: point.location.coordinates[1] };
      const a = network.route({ lon: site.location.coordinates[0], lat: site.location.coordinates[1] }, via, { vehicleKind: 'truck' });
      const b = network.route(via, { lon: disposal.location.coordinates[0], lat: disposal.location.coordinates[1] }, { vehicleKind: 'truck' });
      if (!a || !b || a.distanceM + b.distanceM < plain.distanceM * 1.3) continue;
      const line = [coords(site.location.coordinates), ...a.geometry, ...b.geometry, coords(disposal.location.coordinates)];
      const shape = new CorridorGeometry({ line, bufferM, disks: [] });
      // the fastest path must leave this corridor somewhere, else the test proves nothing
      if (plain.geometry.every(([lon, lat]) => shape.contains(lon, lat))) continue;
      detour = line;
      break;
    }
    expect(detour).toBeDefined();
    const withDetour = { ...city, permits: city.permits.map((p) => (p.id === permit.id ? { ...p, corridor: { ...p.corridor, line: { type: 'LineString' as const, coordinates: detour! } } } : p)) };
    const b = buildProblem(withDetour, network);
    const corridor = b.mapping.corridors[permit.id]!;
    expect(corridor.unrestricted!.durationS).toBe(plain.durationS);
    expect(corridor.durationS).toBeGreaterThan(plain.durationS);
    expect(corridor.distanceM).toBeGreaterThan(plain.distanceM);
    const load = b.problem.muckLoads!.find((l) => l.permit.id === permit.id)!;
    expect(load.permit.corridorDistanceM).toBe(corridor.distanceM);
    expect(load.permit.corridorDurationS).toBe(corridor.durationS);
    // every point of the leg lies inside the buffer (or the disks joining site and disposal to its ends)
    const shape = new CorridorGeometry({ line: detour!, bufferM, disks: corridor.disks });
    for (const [lon, lat] of corridor.geometry) expect(shape.distanceToLineM(lon, lat) <= bufferM + 0.5 || shape.contains(lon, lat, 0.5)).toBe(true);
  });

  it('lists the loads of a corridor no road follows (a straight line) as not drivable, with the reason', () => {
    const permit = city.permits[1]!;
    const site = city.constructionSites.find((s) => s.id === permit.siteId)!;
    const disposal = city.facilities.find((f) => f.id === permit.disposalFacilityId)!;
    const straight = { ...city, permits: city.permits.map((p) => (p.id === permit.id ? { ...p, corridor: { ...p.corridor, line: { type: 'LineString' as const, coordinates: [coords(site.location.coordinates), coords(disposal.location.coordinates)] } } } : p)) };
    const b = buildProblem(straight, network);
    expect(b.problem.muckLoads!.some((l) => l.permit.id === permit.id)).toBe(false);
    const out = b.excluded.filter((e) => e.recordId === permit.id);
    expect(out).toHaveLength(permit.loadsPerDay);
    expect(out[0]).toMatchObject({ kind: 'muck_load', reason: 'corridor_not_drivable' });
    expect(out[0]!.detail).toContain('inside the corridor');
  });

  it('gives each vehicle group the matrix of every ban in force during its shift: a ban changes a cell that crosses it', async () => {
    // two points whose fastest truck path runs through a spot away from both
    const p = built.problem;
    const locs = built.mapping.locations;
    let zoneAt: [number, number] | undefined;
    let from = -1, to = -1;
    for (let k = 0; k + 1 < p.jobs!.length && !zoneAt; k++) {
      const [a, b] = [p.jobs![k]!.location, p.jobs![k + 1]!.location];
      const leg = network.route(locs[a]!, locs[b]!, { vehicleKind: 'truck' })!;
      if (leg.distanceM < 800) continue;
      zoneAt = leg.geometry[Math.floor(leg.geometry.length / 2)];
      from = a;
      to = b;
    }
    const square = (c: [number, number], halfM: number) => {
      const dLat = halfM / 111_320, dLon = halfM / (111_320 * Math.cos((c[1] * Math.PI) / 180));
      const ring: Array<[number, number]> = [[c[0] - dLon, c[1] - dLat], [c[0] + dLon, c[1] - dLat], [c[0] + dLon, c[1] + dLat], [c[0] - dLon, c[1] + dLat], [c[0] - dLon, c[1] - dLat]];
      return { type: 'Polygon' as const, coordinates: [ring] };
    };
    const zone = { id: 'zone-test', name: 'Market, mornings', area: square(zoneAt!, 40), vehicleKinds: ['collector' as const], hours: [{ from: '07:00', to: '09:00' }], mode: 'ban' as const };
    const banned = { ...city, restrictedZones: [...city.restrictedZones, zone] };
    const b = buildProblem(banned, await networkFor(banned, { cached: false }));
    // the morning collectors (04:00-12:00) meet the ban, the afternoon ones (14:00-22:30) do not
    const morning = b.problem.vehicles.find((v) => v.id === 'collector-residual-1')!;
    const afternoon = b.problem.vehicles.find((v) => v.id === 'collector-residual-2')!;
    expect(morning.profile).toMatch(/^truck\+z\d+$/);
    expect(b.mapping.profiles[morning.profile]!.zoneIds).toEqual(['zone-test']);
    expect(afternoon.profile).toBe('truck');
    // the muck trucks are not named by the zone
    expect(b.problem.vehicles.find((v) => v.kind === 'muck')!.profile).toBe('truck');
    const key = (bp: BuiltProblem, loc: number) => bp.mapping.locations.findIndex((l) => l.lon === locs[loc]!.lon && l.lat === locs[loc]!.lat);
    const [f, t] = [key(b, from), key(b, to)];
    expect(b.problem.matrices[morning.profile]!.durationsS[f]![t]).toBeGreaterThan(b.problem.matrices.truck!.durationsS[f]![t]!);
    expect(b.problem.matrices.truck!.durationsS[f]![t]).toBe(p.matrices.truck!.durationsS[from]![to]);
  });

  it('narrows to a district, and keeps the vehicles and facility capacity published plans hold', () => {
    const district = { ...city, district: 'Fontvieille', reserved: { planIds: ['plan_x'], vehicleIds: ['collector-food-1'], facilityKg: { 'fac-incinerator-3': 100_000 } } };
    const b = buildProblem(district, network);
    const points = city.collectionPoints.filter((c) => c.district === 'Fontvieille').map((c) => c.id).sort();
    expect(b.problem.jobs!.map((j) => j.id).sort()).toEqual(points);
    expect(b.problem.vehicles.some((v) => v.id === 'collector-food-1')).toBe(false);
    expect(b.excluded.find((e) => e.recordId === 'collector-food-1')).toMatchObject({ kind: 'vehicle', reason: 'reserved' });
    // sweepers of other districts are not this district's; city-wide vehicles are shared
    expect(b.problem.vehicles.filter((v) => v.kind === 'sweeper').every((v) => city.vehicles.find((x) => x.id === v.id)!.district === 'Fontvieille')).toBe(true);
    expect(b.problem.vehicles.some((v) => v.id === 'collector-residual-1')).toBe(true);
    expect(b.problem.facilities!.find((f) => f.id === 'fac-incinerator-3')!.dailyCapacityKg).toBe(400_000);
    // all permit sites are in Monte-Carlo
    expect(b.problem.muckLoads).toHaveLength(0);
  });

  it('sends a class via a transfer station when its plant is beyond the direct-haul limit', () => {
    const near = buildProblem(withProfile(city, (pr) => { pr.directHaulMaxKm = 2; }), network);
    const incinerator = near.mapping.directHaul.find((d) => d.facilityId === 'fac-incinerator-3')!;
    expect(incinerator.roadKm).toBeGreaterThan(2);
    expect(incinerator.allowed).toBe(false);
    expect(near.problem.facilities!.find((f) => f.id === 'fac-incinerator-3')?.accepts ?? []).not.toContain('residual');
    expect(built.problem.facilities!.find((f) => f.id === 'fac-incinerator-3')!.accepts).toContain('residual');
  });

  it('reports every item of a district with no vehicle as such (the solver still gets a matrix)', async () => {
    const b = buildProblem({ ...city, district: 'Monaco-Ville', vehicles: [] }, network);
    expect(Object.keys(b.problem.matrices)).toEqual(['truck']);
    const solution = await solve(b.problem, { seed: 1, maxIterations: 50 });
    expect(validateSolution(b.problem, solution).valid).toBe(true);
    expect(solution.routes).toHaveLength(0);
    expect(solution.unserved.length).toBeGreaterThan(0);
    expect(new Set(solution.unserved.map((u) => u.reason))).toEqual(new Set(['no_compatible_vehicle']));
  });

  it('on a snow day clears every segment by the winter table: bridges and ramps first, no sweeping or washing, collection kept', () => {
    const snow = buildProblem({ ...city, district: 'Fontvieille' }, network, { mode: 'snow' });
    const p = parseProblem(snow.problem);
    const segments = city.roadSegments.filter((s) => s.district === 'Fontvieille');
    const winter = city.profile.winter;
    expect(segments.some((s) => s.bridge || s.ramp)).toBe(true);
    expect(p.sweepTasks.every((t) => /^(plow|deice|spread):/.test(t.id))).toBe(true);
    const tasks = new Map(p.sweepTasks.map((t) => [t.id, t]));
    const excluded = new Set(snow.excluded.map((e) => e.itemId));
    for (const seg of segments) {
      const rule = winter.grades[String(seg.grade) as '1']!;
      // every segment is snow-cleared (grade 4 too, which has no machine sweeping) or left out with a reason
      expect(tasks.has(`plow:${seg.id}`) || excluded.has(`plow:${seg.id}`)).toBe(true);
      const plow = tasks.get(`plow:${seg.id}`);
      if (!plow) continue;
      expect(plow).toMatchObject({ vehicleKind: 'sweeper', mechanicalPasses: rule.plowPasses });
      const due = seg.bridge || seg.ramp ? winter.bridgeRampDeadline : rule.deadline;
      expect(plow.deadlineS).toBe(PlanClock.wallS(due < rule.deadline ? due : rule.deadline));
      if (rule.deicePasses > 0) expect(tasks.get(`deice:${seg.id}`) ?? excluded.has(`deice:${seg.id}`)).toBeTruthy();
      // spreaders salt bridges, ramps and the grades the table names; the salt is length × width × rate
      const spread = tasks.get(`spread:${seg.id}`);
      if (seg.bridge || seg.ramp || rule.spreadPasses > 0) {
        expect(spread).toMatchObject({ vehicleKind: 'spreader', deadlineS: plow.deadlineS, mechanicalPasses: Math.max(rule.spreadPasses, 1) });
        const widthM = seg.widthM ?? city.profile.sweeping.widthMByGrade[String(seg.grade) as '1']!;
        expect(spread!.kg).toBeCloseTo(winter.spreadGPerM2 * spread!.lengthM * widthM / 1000, 2);
      } else {
        expect(spread).toBeUndefined();
      }
    }
    expect(p.sweepTasks.some((t) => t.vehicleKind === 'spreader' && t.deadlineS === PlanClock.wallS(winter.bridgeRampDeadline))).toBe(true);
    // spreaders load their material at the salt yard; their capacity is the material's
    expect(p.facilities.find((f) => f.accepts.includes('deicer'))).toMatchObject({ id: 'fac-deicer-store-1' });
    expect(p.vehicles.filter((v) => v.kind === 'spreader').map((v) => v.capacityKg)).toEqual([4000, 4000]);
    // a grade 1 bridge or ramp is due before its grade: cleared first
    const early = p.sweepTasks.find((t) => t.vehicleKind === 'sweeper' && t.deadlineS === PlanClock.wallS(winter.bridgeRampDeadline))!;
    expect(early.deadlineS).toBeLessThan(PlanClock.wallS(winter.grades['1']!.deadline));
    const residential = segments.find((s) => s.grade === 4 && tasks.has(`plow:${s.id}`));
    expect(residential).toBeDefined();
    expect(p.sweepTasks.filter((t) => t.vehicleKind === 'washer').every((t) => t.id.startsWith('deice:') && t.m3 > 0)).toBe(true);
    expect(p.sweepTasks.some((t) => t.vehicleKind === 'waterer')).toBe(false);
    // a normal day gives spreaders nothing to do: no spreading task, no error
    expect(parseProblem(built.problem).sweepTasks.some((t) => t.vehicleKind === 'spreader')).toBe(false);
    // the snow plan supersedes the district's plan of the day: its collection stays in it
    expect(p.jobs.map((j) => j.id).sort()).toEqual(city.collectionPoints.filter((c) => c.district === 'Fontvieille').map((c) => c.id).sort());
  });
});
