import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';

/** Spreaders (撒布机) and de-icer stores through the city model API and the import. */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

const spreader = (over: Record<string, unknown> = {}) => ({
  plate: '沪A09001', kind: 'spreader', wasteClasses: [], capacityKg: 0, capacityM3: 0, sealed: false,
  homeDepotId: 'depot-a', shift: { from: '02:00', to: '10:00' }, materialCapacityKg: 6000, ...over,
});
const paths = (res: { body: any }) => (res.body.details as Array<{ path: string }>).map((d) => d.path);

describe('spreaders in the city model', () => {
  it('imports a city with a spreader and a salt yard, and adds another spreader over the API', async () => {
    const city = smallCity();
    const imported = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: {
      ...city,
      vehicles: [...city.vehicles, { id: 'spreader-1', ...spreader() }],
      facilities: [...city.facilities, { id: 'salt-1', name: 'Salt yard', kind: 'deicer_store', location: { type: 'Point', coordinates: [7.42, 43.735] },
        acceptedClasses: [], openingHours: [{ from: '00:00', to: '24:00' }], dailyCapacityKg: 0, unloadS: 900 }],
    } });
    expect(imported.status).toBe(200);
    const got = await svc.call('GET', '/api/v1/vehicles/spreader-1', { token: svc.adminToken });
    expect(got.body).toMatchObject({ kind: 'spreader', materialCapacityKg: 6000 });
    expect((await svc.call('GET', '/api/v1/facilities/salt-1', { token: svc.adminToken })).body).toMatchObject({ kind: 'deicer_store' });

    const added = await svc.call('POST', '/api/v1/vehicles', { token: svc.adminToken, body: { id: 'spreader-2', ...spreader({ plate: '沪A09002' }) } });
    expect(added.status).toBe(201);
  });

  it('refuses a spreader with a bad or missing material capacity, naming the field', async () => {
    const before = (await svc.call('GET', '/api/v1/vehicles', { token: svc.adminToken })).body.total as number;
    for (const body of [spreader({ materialCapacityKg: -5 }), spreader({ materialCapacityKg: 'lots' }), spreader({ materialCapacityKg: undefined })]) {
      const res = await svc.call('POST', '/api/v1/vehicles', { token: svc.adminToken, body });
      expect(res.status).toBe(400);
      expect(paths(res)).toContain('body.materialCapacityKg');
    }
    // a sweeper carries no de-icing material
    const sweeper = await svc.call('POST', '/api/v1/vehicles', { token: svc.adminToken, body: spreader({ kind: 'sweeper' }) });
    expect(sweeper.status).toBe(400);
    expect(paths(sweeper)).toContain('body.materialCapacityKg');
    expect((await svc.call('GET', '/api/v1/vehicles', { token: svc.adminToken })).body.total).toBe(before);
  });
});
