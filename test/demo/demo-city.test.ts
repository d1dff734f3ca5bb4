import { describe, expect, it, beforeAll } from 'vitest';
import { generateDemoCity, DEMO_OSM_FILE, type DemoCity } from '../../src/demo/demo-city.js';
import { readOsm, type OsmData } from '../../solver/network/osm-read.js';
import { distanceM } from '../../src/domain/geo.js';
import { startTestService } from '../helpers/service.js';
import { latestMigrationVersion } from '../../src/store/schema.js';

let osm: OsmData;
let city: DemoCity;
beforeAll(async () => {
  osm = await readOsm(DEMO_OSM_FILE);
  city = await generateDemoCity({ seed: 7, osm });
});

describe('demo city', () => {
  it('is the same city for the same seed and a different one for another seed', async () => {
    const again = await generateDemoCity({ seed: 7, osm });
    expect(JSON.stringify(again)).toBe(JSON.stringify(city));
    const other = await generateDemoCity({ seed: 8, osm });
    expect(JSON.stringify(other.collectionPoints)).not.toBe(JSON.stringify(city.collectionPoints));
  });

  it('has every facility kind, every vehicle kind, ~300 points over the four classes and ~40 vehicles', () => {
    expect(new Set(city.facilities.map((f) => f.kind))).toEqual(new Set(['transfer_station', 'incinerator', 'food_waste_plant', 'sorting_centre', 'hazardous_store', 'construction_disposal', 'water_point', 'deicer_store']));
    expect(new Set(city.vehicles.map((v) => v.kind))).toEqual(new Set(['sweeper', 'washer', 'waterer', 'muck_truck', 'collector', 'spreader']));
    expect(city.collectionPoints).toHaveLength(300);
    expect(new Set(city.collectionPoints.map((p) => p.wasteClass))).toEqual(new Set(['residual', 'food', 'recyclable', 'hazardous']));
    expect(city.vehicles.length).toBeGreaterThanOrEqual(38);
    expect(city.vehicles.length).toBeLessThanOrEqual(45);
    expect(city.constructionSites).toHaveLength(3);
    expect(city.permits).toHaveLength(3);
  });

  it('runs each permit corridor along real OSM road nodes from its site to its disposal site', () => {
    const nodeCoords = new Set([...osm.nodes.values()].map(([lon, lat]) => `${Math.round(lon * 1e6)},${Math.round(lat * 1e6)}`));
    for (const permit of city.permits) {
      const line = permit.corridor.line.coordinates;
      expect(line.length).toBeGreaterThan(5);
      for (const [lon, lat] of line) expect(nodeCoords.has(`${Math.round(lon * 1e6)},${Math.round(lat * 1e6)}`)).toBe(true);
      let lengthM = 0;
      for (let i = 0; i + 1 < line.length; i++) lengthM += distanceM(line[i]!, line[i + 1]!);
      expect(lengthM).toBeGreaterThan(1000);
      const site = city.constructionSites.find((s) => s.id === permit.siteId)!;
      const disposal = city.facilities.find((f) => f.id === permit.disposalFacilityId)!;
      expect(distanceM(line[0]!, site.location.coordinates)).toBeLessThan(5);
      expect(distanceM(line[line.length - 1]!, disposal.location.coordinates)).toBeLessThan(5);
    }
  });

  it('grades road segments from the OSM highway class', () => {
    const byHighway = new Map(city.roadSegments.map((s) => [s.highway, s.grade]));
    expect(byHighway.get('primary')).toBe(1);
    expect(byHighway.get('secondary')).toBe(2);
    expect(byHighway.get('residential')).toBe(4);
    expect(city.roadSegments.length).toBeGreaterThan(300);
  });

  it('loads on an empty store at start with a token per role, and answers health', async () => {
    const svc = await startTestService({ demo: true });
    try {
      const health = await svc.call('GET', '/api/v1/health');
      expect(health.body).toMatchObject({ status: 'ok', store: 'pglite', migrationVersion: latestMigrationVersion });
      expect(health.body.counts['collection-points']).toBe(300);
      expect(svc.firstStartTokens.map((t) => t.role).sort()).toEqual(['device', 'dispatcher', 'driver', 'enforcement', 'planner']);
      const driver = svc.firstStartTokens.find((t) => t.role === 'driver')!;
      const own = await svc.call('GET', `/api/v1/vehicles/${driver.vehicleId}`, { token: driver.token });
      expect(own.status).toBe(200);
    } finally {
      await svc.stop();
    }
  });
});
