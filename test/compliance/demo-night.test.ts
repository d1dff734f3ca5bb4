import { beforeAll, describe, expect, it } from 'vitest';
import { haversineM, mulberry32 } from '../../solver/index.js';
import { networkFromOsm, readOsm, simulateTrace, type Leg, type RoadNetwork } from '../../solver/network/index.js';
import { generateDemoCity, type DemoCity } from '../../src/demo/demo-city.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import { cityProfileSchema } from '../../src/domain/city-profile.js';
import type { LoadState } from '../../src/domain/fix.js';
import type { CityModel } from '../../src/compliance/city.js';
import { ComplianceMonitor } from '../../src/compliance/monitor.js';
import { roadMatcher } from '../../src/compliance/road-matcher.js';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import type { StoredFix } from '../../src/tracking/position-writer.js';

/**
 * A muck-truck trip on the demo city's real permit, site, disposal site and roads, with GPS
 * noise (σ 5 m): loading at the site with the cover open, the loaded run along the corridor,
 * tipping at the disposal site with the body lifted, the empty run back. A clean trip raises
 * nothing, with or without map matching; the same trip with a detour off the corridor raises
 * one off_route (escalated once).
 */
type LonLat = [number, number];
const T0 = Date.UTC(2026, 11, 1, 15, 0, 0); // 23:00 Asia/Shanghai

/** Fixes every 10 s along a path at 30 km/h with 5 m of GPS noise (the network library's trace simulator). */
function drive(path: LonLat[], seed: number): LonLat[] {
  let lengthM = 0;
  for (let i = 1; i < path.length; i++) lengthM += haversineM(path[i - 1]![0], path[i - 1]![1], path[i]![0], path[i]![1]);
  const leg = { geometry: path, durationS: lengthM / (30 / 3.6) } as Leg;
  return simulateTrace(leg, { seed, intervalS: 10, noiseM: 5 }).map((f) => [f.lon, f.lat]);
}

describe('a muck-truck trip on the demo city', () => {
  let city: DemoCity;
  let network: RoadNetwork;
  let model: CityModel;

  beforeAll(async () => {
    const osm = await readOsm(DEMO_OSM_FILE);
    city = await generateDemoCity({ seed: 1, osm });
    network = networkFromOsm(osm);
    model = { vehicles: city.vehicles as never, permits: city.permits as never, facilities: city.facilities as never, sites: city.constructionSites as never, zones: city.restrictedZones as never };
  });

  function trip(loadedPath: LonLat[], tipAt?: LonLat): StoredFix[] {
    const permit = city.permits[0]!;
    const truck = permit.vehicleIds[0]!;
    const site = city.constructionSites.find((s) => s.id === permit.siteId)!.location.coordinates as LonLat;
    const disposal = tipAt ?? city.facilities.find((f) => f.id === permit.disposalFacilityId)!.location.coordinates as LonLat;
    const rng = mulberry32(3);
    const fixes: StoredFix[] = [];
    const add = (p: LonLat, speedKmh: number, s: { loadState: LoadState; loadKg: number; coverClosed: boolean; bodyLifted: boolean }) => {
      fixes.push({
        deviceId: truck, vehicleId: truck, fixTimeMs: T0 + fixes.length * 10_000, lon: p[0], lat: p[1],
        speedKmh, headingDeg: 0, altitudeM: 0, positioned: true, alarms: [], source: 'jt808', ...s,
      });
    };
    for (let i = 0; i < 12; i++) add(site, 0, { loadState: i < 8 ? 'empty' : 'full', loadKg: i < 8 ? 300 : 15_200, coverClosed: i >= 10, bodyLifted: false });
    for (const p of drive(loadedPath, 1)) add(p, 26 + rng() * 8, { loadState: 'full', loadKg: 15_000 + rng() * 300, coverClosed: true, bodyLifted: false });
    for (let i = 0; i < 10; i++) add(disposal, 0, { loadState: i < 5 ? 'full' : 'empty', loadKg: i < 5 ? 15_100 : 200, coverClosed: true, bodyLifted: i >= 2 && i < 8 });
    for (const p of drive([...(permit.corridor.line.coordinates as LonLat[])].reverse(), 2)) add(p, 30, { loadState: 'empty', loadKg: 150, coverClosed: true, bodyLifted: false });
    return fixes;
  }

  async function run(fixes: StoredFix[], matched: boolean): Promise<IncidentEvent[]> {
    const events: IncidentEvent[] = [];
    const profile = cityProfileSchema.parse(city.profile);
    const matcher = matched ? roadMatcher(network) : undefined;
    const m = new ComplianceMonitor({ sink: { emit: (e) => void events.push(e) }, profile: () => profile, now: () => T0, matcher: () => matcher });
    m.setCity(model);
    m.accept(fixes);
    await m.flush();
    return events;
  }

  it('a clean trip raises nothing, with map matching and without', async () => {
    const fixes = trip(city.permits[0]!.corridor.line.coordinates as LonLat[]);
    expect(fixes.length).toBeGreaterThan(40);
    expect((await run(fixes, true)).map((e) => `${e.type} ${e.phase}`)).toEqual([]);
    expect((await run(fixes, false)).map((e) => `${e.type} ${e.phase}`)).toEqual([]);
  });

  it('near misses on the same trip raise nothing: leaving the site at 22:00:00 exactly, a multipath spike, a one-fix speed spike, swapped and duplicate fixes', async () => {
    const fixes = trip(city.permits[0]!.corridor.line.coordinates as LonLat[]).map((f) => ({ ...f, fixTimeMs: f.fixTimeMs - 12 * 10_000 - 60 * 60_000 }));
    // the twelve fixes at the site end at 21:59:50: the first fix of the run is at 22:00:00
    expect(new Date(fixes[12]!.fixTimeMs).toISOString()).toBe('2026-12-01T14:00:00.000Z');
    fixes[20] = { ...fixes[20]!, lat: fixes[20]!.lat + 80 / 111_195 };
    fixes[25] = { ...fixes[25]!, speedKmh: 70 };
    [fixes[30], fixes[31]] = [fixes[31]!, fixes[30]!];
    const noisy = [...fixes, ...fixes.slice(40, 50)];
    expect((await run(noisy, true)).map((e) => `${e.type} ${e.phase}`)).toEqual([]);
  });

  it('the same trip with a 7-minute detour on other streets raises one off_route, escalated once', async () => {
    const line = city.permits[0]!.corridor.line.coordinates as LonLat[];
    const travel = { vehicleKind: 'truck' as const };
    const a = network.snap(...line[Math.floor(line.length * 0.3)]!, travel)!;
    const b = network.snap(...line[Math.floor(line.length * 0.7)]!, travel)!;
    // a way from a to b through a street 400 m off the corridor
    const mid = line[Math.floor(line.length * 0.5)]!;
    const off = network.snap(mid[0] + 400 / 80_000, mid[1] + 400 / 111_195, travel)!;
    const detour = [...(network.route(a, off, travel)!.geometry as LonLat[]), ...(network.route(off, b, travel)!.geometry as LonLat[])];
    const path = [...line.slice(0, Math.floor(line.length * 0.3)), ...detour, ...line.slice(Math.floor(line.length * 0.7) + 1)];
    const events = await run(trip(path), true);
    // the detour takes about 7 minutes: escalated to level 2 at 5
    expect(events.map((e) => `${e.type} ${e.phase} ${e.level}`)).toEqual(['off_route open 1', 'off_route update 2', 'off_route close 2']);
    expect(events[0]!.details.matched).toBe(true);
  });

  it('the disposal sites are fenced yards, not points 140 m apart: tipping inside the outline is legal, 60 m outside it is illegal_dumping', async () => {
    const disposals = city.facilities.filter((f) => f.kind === 'construction_disposal');
    const gate = city.facilities.find((f) => f.id === city.permits[0]!.disposalFacilityId)!;
    const ring = gate.outline!.coordinates[0]! as LonLat[];
    // the yard runs from the gate (where the corridor ends) to its far edge, between corners 1 and 2
    const farEdge: LonLat = [(ring[1]![0] + ring[2]![0]) / 2, (ring[1]![1] + ring[2]![1]) / 2];
    const [gx, gy] = gate.location.coordinates as LonLat;
    const depthM = haversineM(gx, gy, farEdge[0], farEdge[1]);
    const along = (m: number): LonLat => [gx + ((farEdge[0] - gx) * m) / depthM, gy + ((farEdge[1] - gy) * m) / depthM];
    const corridor = city.permits[0]!.corridor.line.coordinates as LonLat[];
    const judged = async (tipAt: LonLat) => (await run(trip(corridor, tipAt), false)).filter((e) => e.type === 'illegal_dumping' || e.type === 'wrong_site').map((e) => `${e.type} ${e.phase}`);
    expect(await judged(along(depthM / 2))).toEqual([]);
    expect(await judged(along(depthM + 60))).toEqual(['illegal_dumping open', 'illegal_dumping close']);
    // each yard is clear of the other by more than twice the fence's tolerance: tipping in one is not inside the other
    const [a, b] = disposals.map((f) => f.outline!.coordinates[0]! as LonLat[]);
    const gapM = Math.min(...a!.flatMap((p) => b!.map((q) => haversineM(p[0], p[1], q[0], q[1]))));
    expect(gapM).toBeGreaterThan(2 * city.profile.compliance.facilityToleranceM);
  });
});
