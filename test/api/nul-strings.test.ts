import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { describeEachBackend } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';

/**
 * PostgreSQL cannot hold U+0000 in text or JSONB (22021 / 22P05), so a NUL anywhere in a
 * request must be refused at validation with a 400 naming the field, on both stores,
 * before any query runs. Each case would reach the store (and answer 500) without the check.
 */
const NUL = '\u0000';

describeEachBackend('NUL in request strings [%s]', (backend) => {
  let svc: TestService;
  const admin = () => svc.adminToken;
  const paths = (res: { body: any }) => (res.body.details as Array<{ path: string }>).map((d) => d.path);

  beforeAll(async () => {
    svc = await startTestService({ backend });
    const r = await svc.call('POST', '/api/v1/import', { token: admin(), body: smallCity() });
    expect(r.status).toBe(200);
  });
  afterAll(() => svc?.stop());

  const expectNulRefusal = (res: { status: number; body: any }, path: string): void => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(paths(res)).toContain(path);
    expect(res.body.details.find((d: { path: string }) => d.path === path).message).toMatch(/NUL/);
  };

  it('refuses a vehicle whose district holds a NUL, and stores nothing', async () => {
    const vehicle = { ...smallCity().vehicles[0]!, id: 'nul-veh', plate: 'NUL1', terminalId: undefined, district: `North${NUL}` };
    expectNulRefusal(await svc.call('POST', '/api/v1/vehicles', { token: admin(), body: vehicle }), 'body.district');
    expect((await svc.call('GET', '/api/v1/vehicles/nul-veh', { token: admin() })).status).toBe(404);
  });

  it('refuses a collection point name and a replaced record with a NUL', async () => {
    const point = { ...smallCity().collectionPoints[0]!, id: 'cp-nul', name: `a${NUL}b` };
    expectNulRefusal(await svc.call('POST', '/api/v1/collection-points', { token: admin(), body: point }), 'body.name');
    const depot = { ...smallCity().depots[0]!, name: `Depot${NUL}` };
    expectNulRefusal(await svc.call('PUT', '/api/v1/depots/depot-a', { token: admin(), body: depot }), 'body.name');
    expect((await svc.call('GET', '/api/v1/depots/depot-a', { token: admin() })).body.name).toBe('Depot A');
  });

  it('refuses a token label with a NUL', async () => {
    expectNulRefusal(await svc.call('POST', '/api/v1/tokens', { token: admin(), body: { role: 'dispatcher', label: `x${NUL}` } }), 'body.label');
  });

  it('refuses a city profile with a NUL in a value or in a key', async () => {
    const profile = (await svc.call('GET', '/api/v1/city-profile', { token: admin() })).body;
    expectNulRefusal(await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: { ...profile, name: `City${NUL}` } }), 'body.name');
    const withKey = { ...profile, highwaySpeedsKmh: { ...profile.highwaySpeedsKmh, [`prim${NUL}ary`]: 50 } };
    expectNulRefusal(await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: withKey }), `body.highwaySpeedsKmh.prim${NUL}ary`);
    expect((await svc.call('GET', '/api/v1/city-profile', { token: admin() })).body.name).toBe(profile.name);
  });

  it('refuses an import with a NUL deep inside, naming the item', async () => {
    const city = smallCity();
    (city.vehicles[1] as Record<string, unknown>).district = `East${NUL}`;
    const res = await svc.call('POST', '/api/v1/import', { token: admin(), body: { ...city, mode: 'merge' } });
    expectNulRefusal(res, 'body.vehicles.1.district');
    const profileRes = await svc.call('POST', '/api/v1/import', { token: admin(), body: { profile: { name: `P${NUL}` } } });
    expectNulRefusal(profileRes, 'body.profile.name');
  });

  it('refuses a list filter and a path id with a NUL', async () => {
    expectNulRefusal(await svc.call('GET', '/api/v1/vehicles?district=x%00y', { token: admin() }), 'query.district');
    expectNulRefusal(await svc.call('GET', '/api/v1/collection-points?wasteClass=res%00idual', { token: admin() }), 'query.wasteClass');
    expectNulRefusal(await svc.call('GET', '/api/v1/depots/depot%00a', { token: admin() }), 'params.id');
  });

  it('keeps answering afterwards', async () => {
    const health = await svc.call('GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body.counts.vehicles).toBe(3);
  });
});
