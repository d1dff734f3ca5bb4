import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';

/**
 * Bad input on every resource: each gets a clear 4xx naming the field, and a refused
 * write leaves nothing behind. The service keeps answering afterwards.
 */
let svc: TestService;
const city = smallCity();
const valid: Record<string, Record<string, any>> = {
  depots: city.depots[0]!,
  facilities: city.facilities[0]!,
  vehicles: city.vehicles[0]!,
  'collection-points': city.collectionPoints[0]!,
  'construction-sites': city.constructionSites[0]!,
  permits: city.permits[0]!,
  'road-segments': city.roadSegments[0]!,
  'restricted-zones': city.restrictedZones[0]!,
};
/** A field of each resource holding a geometry, and a number field. */
const geometryField: Record<string, string> = {
  depots: 'location', facilities: 'location', vehicles: '', 'collection-points': 'location', 'construction-sites': 'location',
  permits: 'corridor', 'road-segments': 'geometry', 'restricted-zones': 'area',
};

beforeAll(async () => {
  svc = await startTestService();
  const r = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: city });
  expect(r.status).toBe(200);
});
afterAll(() => svc?.stop());

const post = (resource: string, body: unknown) => svc.call('POST', `/api/v1/${resource}`, { token: svc.adminToken, body });
const count = async (resource: string) => (await svc.call('GET', `/api/v1/${resource}`, { token: svc.adminToken })).body.total as number;
const paths = (res: { body: any }) => (res.body.details as Array<{ path: string }>).map((d) => d.path);

describe.each(Object.keys(valid))('bad input on %s', (resource) => {
  const fresh = (): Record<string, any> => ({ ...structuredClone(valid[resource]!), id: undefined as string | undefined });

  it('rejects an unknown field with 400 naming it', async () => {
    const before = await count(resource);
    const res = await post(resource, { ...fresh(), colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid request');
    expect(paths(res)).toContain('body.colour');
    expect(await count(resource)).toBe(before);
  });

  it('rejects a wrong type with 400 naming the field', async () => {
    const body = fresh();
    const key = Object.keys(body).find((k) => typeof body[k] === 'string' && k !== 'id')!;
    const res = await post(resource, { ...body, [key]: 12345 });
    expect(res.status).toBe(400);
    expect(paths(res)).toContain(`body.${key}`);
  });

  it('rejects out-of-range and non-numeric coordinates with the position path', async () => {
    const field = geometryField[resource]!;
    if (!field) {
      // vehicles carry no geometry: a NaN-like capacity stands in for the bad number
      const res = await post(resource, { ...fresh(), capacityKg: 'NaN' });
      expect(res.status).toBe(400);
      expect(paths(res)).toContain('body.capacityKg');
      return;
    }
    const body = fresh();
    const geom = field === 'corridor' ? body.corridor.line : body[field];
    const first = geom.type === 'Polygon' ? geom.coordinates[0][0] : geom.type === 'Point' ? geom.coordinates : geom.coordinates[0];
    first[1] = 95;
    const res = await post(resource, body);
    expect(res.status).toBe(400);
    const geomPath = field === 'corridor' ? 'body.corridor.line' : `body.${field}`;
    const expected = geom.type === 'Polygon' ? `${geomPath}.coordinates.0.0` : geom.type === 'Point' ? `${geomPath}.coordinates` : `${geomPath}.coordinates.0`;
    expect(paths(res).some((p) => p.startsWith(expected)), JSON.stringify(paths(res))).toBe(true);
    const body2 = fresh();
    const geom2 = field === 'corridor' ? body2.corridor.line : body2[field];
    if (geom2.type === 'Point') geom2.coordinates[0] = 'NaN';
    else if (geom2.type === 'Polygon') geom2.coordinates[0][1][0] = null;
    else geom2.coordinates[1][0] = 'abc';
    expect((await post(resource, body2)).status).toBe(400);
  });

  it('answers 404 naming the id for an unknown record, on read, replace and delete', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await svc.call(method, `/api/v1/${resource}/nope-404`, { token: svc.adminToken });
      expect(res.status).toBe(404);
      expect(paths(res)).toEqual(['params.id']);
    }
    const put = await svc.call('PUT', `/api/v1/${resource}/nope-404`, { token: svc.adminToken, body: fresh() });
    expect(put.status).toBe(404);
  });

  it('answers 409 to a duplicate id and keeps the original', async () => {
    const original = valid[resource]!;
    const res = await post(resource, { ...structuredClone(original) });
    expect(res.status).toBe(409);
    expect(paths(res)).toContain('body.id');
    const still = await svc.call('GET', `/api/v1/${resource}/${original.id}`, { token: svc.adminToken });
    expect(still.body).toMatchObject({ id: original.id });
  });

  it('answers 400 to malformed JSON, 415 to a non-JSON body and 413 to a huge body', async () => {
    const malformed = await svc.call('POST', `/api/v1/${resource}`, { token: svc.adminToken, rawBody: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('malformed JSON');
    const text = await svc.call('POST', `/api/v1/${resource}`, { token: svc.adminToken, rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    const huge = await svc.call('POST', `/api/v1/${resource}`, { token: svc.adminToken, body: { ...fresh(), name: 'x'.repeat(2_000_000) } });
    expect(huge.status).toBe(413);
    expect(paths(huge)).toEqual(['body']);
  });

  it('rejects bad list parameters with the query path', async () => {
    const res = await svc.call('GET', `/api/v1/${resource}?limit=0&bogus=1`, { token: svc.adminToken });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(expect.arrayContaining(['query.limit', 'query.bogus']));
  });
});

describe('rules across records', () => {
  it('refuses a vehicle whose depot does not exist with 422 and stores nothing', async () => {
    const before = await count('vehicles');
    const res = await post('vehicles', { ...structuredClone(valid.vehicles), id: 'v-orphan', plate: 'X1', terminalId: '1', homeDepotId: 'no-depot' });
    expect(res.status).toBe(422);
    expect(paths(res)).toEqual(['body.homeDepotId']);
    expect(await count('vehicles')).toBe(before);
  });

  it('refuses an unclosed polygon ring and an unsealed muck truck', async () => {
    const zone = structuredClone(valid['restricted-zones']);
    zone.id = 'zone-open';
    zone.area.coordinates[0][3] = [7.421, 43.731];
    const res = await post('restricted-zones', zone);
    expect(res.status).toBe(400);
    expect(res.body.details[0].message).toMatch(/closed/);
    const truck = await post('vehicles', { ...structuredClone(valid.vehicles), id: 'm2', plate: 'M2', terminalId: '2', kind: 'muck_truck', wasteClasses: ['residual'] });
    expect(truck.status).toBe(400);
    expect(paths(truck)).toContain('body.wasteClasses');
  });

  it('refuses a permit whose corridor does not join its site to its disposal site', async () => {
    const permit = structuredClone(valid.permits);
    permit.id = 'permit-bad';
    permit.number = 'ZT-BAD';
    permit.corridor.line.coordinates = [[7.40, 43.70], [7.405, 43.705]];
    permit.corridor.widthM = 500;
    permit.vehicleIds = ['muck-1', 'col-2'];
    const res = await post('permits', permit);
    expect(res.status).toBe(422);
    expect(paths(res)).toEqual(expect.arrayContaining(['body.corridor.widthM', 'body.corridor.line.coordinates.0', 'body.corridor.line.coordinates.1', 'body.vehicleIds.1']));
    expect((await svc.call('GET', '/api/v1/permits/permit-bad', { token: svc.adminToken })).status).toBe(404);
  });

  it('answers 409 when deleting a record others still refer to, and keeps it', async () => {
    const res = await svc.call('DELETE', '/api/v1/depots/depot-a', { token: svc.adminToken });
    expect(res.status).toBe(409);
    expect((await svc.call('GET', '/api/v1/depots/depot-a', { token: svc.adminToken })).status).toBe(200);
  });

  it('answers 409 naming the field when a plate is already in use', async () => {
    const res = await post('vehicles', { ...structuredClone(valid.vehicles), id: 'dup-plate', terminalId: '99' });
    expect(res.status).toBe(409);
    expect(paths(res)).toEqual(['body.plate']);
  });

  it('still answers health after all of the above', async () => {
    const res = await svc.call('GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.counts.vehicles).toBe(3);
  });
});
