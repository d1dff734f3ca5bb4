import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

const importCity = (body: unknown) => svc.call('POST', '/api/v1/import', { token: svc.adminToken, body });
const health = async () => (await svc.call('GET', '/api/v1/health')).body.counts;

describe('city import', () => {
  it('imports a whole city and serves it back as GeoJSON', async () => {
    const res = await importCity(smallCity());
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ depots: 1, facilities: 2, vehicles: 3, permits: 1, roadSegments: 1 });
    const permit = await svc.call('GET', '/api/v1/permits/permit-1', { token: svc.adminToken });
    expect(permit.body.corridor.line.type).toBe('LineString');
    expect(permit.body.loadKg).toBe(15000);
  });

  it('lists every error with its path and writes nothing when any item is bad', async () => {
    const before = await health();
    const city = smallCity();
    city.depots.push({ id: 'depot-b', name: 'B', district: 'x', location: { type: 'Point', coordinates: [200, 0] } } as any);
    (city.vehicles[1] as any).capacityKg = -5;
    (city.collectionPoints[0] as any).wasteClass = 'plutonium';
    const res = await importCity(city);
    expect(res.status).toBe(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.depots.1.location.coordinates.0', 'body.vehicles.1.capacityKg', 'body.collectionPoints.0.wasteClass']));
    expect(await health()).toEqual(before);
  });

  it('checks references inside the batch and names each broken one', async () => {
    const city = smallCity();
    city.vehicles[0]!.homeDepotId = 'nowhere';
    city.permits[0]!.disposalFacilityId = 'inc-1';
    city.vehicles.push({ ...city.vehicles[1]!, id: 'col-1' });
    const dup = await importCity(city);
    expect(dup.status).toBe(400);
    expect(dup.body.details).toEqual([{ path: 'body.vehicles.3.id', message: 'id "col-1" repeats item 0' }]);
    city.vehicles.pop();
    const res = await importCity({ ...city, mode: 'replace' });
    expect(res.status).toBe(422);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.vehicles.0.homeDepotId', 'body.permits.0.disposalFacilityId']));
    // replace mode rolled back too: the earlier import is intact
    expect((await health()).vehicles).toBe(3);
  });

  it('rolls back everything when the database refuses an item mid-way', async () => {
    const vehicles = [{ ...smallCity().vehicles[0]!, id: 'col-9', plate: '沪A00002', terminalId: '55' }];
    const res = await importCity({ depots: [{ id: 'depot-new', name: 'New', location: { type: 'Point', coordinates: [7.4, 43.7] } }], vehicles });
    expect(res.status).toBe(409);
    expect(res.body.details[0].path).toBe('body.vehicles.0.plate');
    expect((await svc.call('GET', '/api/v1/depots/depot-new', { token: svc.adminToken })).status).toBe(404);
  });

  it('replaces the city in replace mode and takes its profile', async () => {
    const city = smallCity();
    const res = await importCity({ mode: 'replace', depots: city.depots, vehicles: [city.vehicles[0]], profile: { name: 'Replaced city', muckTruckHours: { from: '21:00', to: '06:00' } } });
    expect(res.status).toBe(200);
    const counts = await health();
    expect(counts.vehicles).toBe(1);
    expect(counts.permits).toBe(0);
    const profile = await svc.call('GET', '/api/v1/city-profile', { token: svc.adminToken });
    expect(profile.body.name).toBe('Replaced city');
    expect(profile.body.muckTruckHours).toEqual({ from: '21:00', to: '06:00' });
    expect(profile.body.corridor.defaultWidthM).toBe(30);
  });

  it('refuses a bad profile in the import with the profile path', async () => {
    const res = await importCity({ profile: { timeZone: 'Mars/Olympus', sweeping: { workSpeedKmh: -1 } } });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.profile.timeZone', 'body.profile.sweeping.workSpeedKmh']));
  });
});
