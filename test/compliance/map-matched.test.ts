import { beforeAll, describe, expect, it } from 'vitest';
import { haversineM, metresPerDegree } from '../../solver/index.js';
import { networkFromOsm, readOsm, type RoadNetwork } from '../../solver/network/index.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import { facilitySchema, permitSchema, constructionSiteSchema, vehicleSchema, type Permit, type Vehicle } from '../../src/domain/model.js';
import { ComplianceMonitor } from '../../src/compliance/monitor.js';
import { roadMatcher } from '../../src/compliance/road-matcher.js';
import type { CityModel } from '../../src/compliance/city.js';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import type { StoredFix } from '../../src/tracking/position-writer.js';
import { cityProfileSchema } from '../../src/domain/city-profile.js';

/**
 * Off-route on the demo city's real roads, judged on map-matched positions: a truck on its
 * corridor's road whose fixes all sit 20 m to one side (a street canyon's multipath, beyond the
 * 15 m half width) is on the road; a truck on a parallel street is off it.
 */
const T0 = Date.UTC(2026, 11, 1, 15, 0, 0);
type LonLat = [number, number];

/** Points every `stepM` along a polyline, each moved `sideM` to the left of the direction of travel. */
function along(line: LonLat[], stepM: number, sideM: number): LonLat[] {
  const out: LonLat[] = [];
  const { xM, yM } = metresPerDegree(line[0]![1]);
  let carry = 0;
  for (let i = 0; i + 1 < line.length; i++) {
    const [ax, ay] = line[i]!;
    const [bx, by] = line[i + 1]!;
    const len = haversineM(ax, ay, bx, by);
    if (len === 0) continue;
    const ux = ((bx - ax) * xM) / len;
    const uy = ((by - ay) * yM) / len;
    for (let d = carry; d < len; d += stepM) {
      out.push([ax + ((bx - ax) * d) / len - (uy * sideM) / xM, ay + ((by - ay) * d) / len + (ux * sideM) / yM]);
    }
    carry = (carry - len) % stepM;
    if (carry < 0) carry += stepM;
  }
  return out;
}

describe('off_route on map-matched positions (demo road network)', () => {
  let network: RoadNetwork;
  let corridor: LonLat[];
  let detour: LonLat[];

  beforeAll(async () => {
    network = networkFromOsm(await readOsm(DEMO_OSM_FILE));
    const travel = { vehicleKind: 'truck' as const };
    // A corridor about 1.5 km long across the city, and a way between its ends through a point off it.
    const a = network.snap(7.4195, 43.7325, travel)!;
    const b = network.snap(7.4285, 43.7395, travel)!;
    corridor = network.route(a, b, travel)!.geometry as LonLat[];
    const mid = network.snap(7.4265, 43.7335, travel)!;
    detour = [...(network.route(a, mid, travel)!.geometry as LonLat[]), ...(network.route(mid, b, travel)!.geometry as LonLat[])];
  });

  function model(): CityModel {
    const vehicle: Vehicle = { ...vehicleSchema.parse({
      plate: 'M1', kind: 'muck_truck', wasteClasses: ['construction'], capacityKg: 20_000, capacityM3: 12, sealed: true,
      sensors: { cover: true, lift: true, load: true }, homeDepotId: 'dep1', shift: { from: '22:00', to: '06:00' },
    }), id: 'M1' };
    const first = corridor[0]!;
    const last = corridor[corridor.length - 1]!;
    const permit: Permit = { ...permitSchema.parse({
      number: 'P', siteId: 'S', disposalFacilityId: 'D', vehicleIds: ['M1'],
      corridor: { line: { type: 'LineString', coordinates: corridor }, widthM: 30 },
      hours: { from: '22:00', to: '06:00' }, loadsPerDay: 5, validFrom: '2026-01-01', validTo: '2026-12-31',
    }), id: 'P' };
    return {
      vehicles: [vehicle], permits: [permit],
      facilities: [{ ...facilitySchema.parse({ name: 'D', kind: 'construction_disposal', location: { type: 'Point', coordinates: last }, acceptedClasses: ['construction'], openingHours: [{ from: '00:00', to: '24:00' }], dailyCapacityKg: 1e7, unloadS: 300 }), id: 'D' }],
      sites: [{ ...constructionSiteSchema.parse({ name: 'S', location: { type: 'Point', coordinates: first } }), id: 'S' }],
      zones: [],
    };
  }

  async function run(points: LonLat[], matched: boolean): Promise<IncidentEvent[]> {
    const events: IncidentEvent[] = [];
    const profile = cityProfileSchema.parse({ timeZone: 'Asia/Shanghai', compliance: { facilityPointRadiusM: 40 } });
    const matcher = matched ? roadMatcher(network) : undefined;
    const m = new ComplianceMonitor({ sink: { emit: (e) => void events.push(e) }, profile: () => profile, now: () => T0, matcher: () => matcher });
    m.setCity(model());
    const fixes: StoredFix[] = points.map(([lon, lat], i) => ({
      deviceId: 'M1', vehicleId: 'M1', fixTimeMs: T0 + i * 5_000, lon, lat, speedKmh: 30, headingDeg: 0, altitudeM: 0, positioned: true,
      alarms: [], source: 'jt808', loadState: 'full', loadKg: 15_000, coverClosed: true, bodyLifted: false,
    }));
    m.accept(fixes);
    await m.flush();
    return events.filter((e) => e.type === 'off_route');
  }

  it('fixes 20 m beside the corridor road all the way raise nothing when matched (and an incident on raw positions)', async () => {
    const beside = along(corridor, 40, 20);
    expect(beside.length).toBeGreaterThan(30);
    expect((await run(beside, false)).map((e) => e.phase)).toContain('open');
    expect((await run(beside, true)).map((e) => e.phase)).toEqual([]);
  });

  it('a detour along other streets raises off_route with matching on', async () => {
    const events = await run(along(detour, 40, 0), true);
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
    expect(events[0]!.details.matched).toBe(true);
  });
});
