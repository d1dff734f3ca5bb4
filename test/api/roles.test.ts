import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../src/domain/principal.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';

/**
 * Walks every route the service declares with no token, with a bad token and with each
 * role: 401 without credentials, 403 for a role the route does not admit, and never
 * 401/403 for a role it admits. The route table comes from the service itself, so a new
 * route is covered the moment it exists.
 */
let svc: TestService;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  svc = await startTestService();
  const imp = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: smallCity() });
  expect(imp.status).toBe(200);
  for (const role of roles) {
    const vehicleId = role === 'driver' || role === 'device' ? 'col-1' : undefined;
    const r = await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role, vehicleId, label: `test ${role}` } });
    expect(r.status).toBe(201);
    tokens[role] = r.body.token;
  }
});
afterAll(() => svc?.stop());

/** A concrete URL for a route pattern: ids of records that exist, so admitted roles reach the handler. */
function concretePath(path: string, method: string): string {
  // Writes aim at an id that does not exist, so walking them changes nothing.
  if (method === 'delete' || method === 'put') return `/api/v1${path.replace(/:id$/, 'does-not-exist')}`;
  const ids: Record<string, string> = {
    '/depots/:id': 'depot-a', '/facilities/:id': 'inc-1', '/vehicles/:id': 'col-1', '/collection-points/:id': 'cp-1',
    '/construction-sites/:id': 'site-1', '/permits/:id': 'permit-1', '/road-segments/:id': 'seg-1', '/restricted-zones/:id': 'zone-1',
    '/tokens/:id': 'tok_doesnotexist',
  };
  return `/api/v1${path.replace(/:id$/, ids[path] ?? 'x')}`;
}

describe('every route checks who is asking', () => {
  it('names each list by its plural ("List facilities", never "facilitys")', async () => {
    const listed = await svc.call('GET', '/api/v1', { token: svc.adminToken });
    const summaries: string[] = listed.body.routes.map((r: { summary: string }) => r.summary);
    expect(summaries.filter((s) => /[^aeiou\s]ys\b/i.test(s))).toEqual([]);
    for (const plural of ['depots', 'facilities', 'vehicles', 'collection points', 'construction sites', 'permits', 'road segments', 'restricted zones']) {
      expect(summaries.some((s) => s.startsWith(`List ${plural} (`)), plural).toBe(true);
    }
  });

  it('declares a role list for every route, and only /health and /auth/login are public', () => {
    expect(svc.api.table.length).toBeGreaterThan(40);
    const publicRoutes = svc.api.table.filter((r) => r.roles === 'public').map((r) => r.path);
    expect(publicRoutes.sort()).toEqual(['/auth/login', '/health']);
  });

  it('answers 401 without a token and with a forged token, on every non-public route', async () => {
    for (const route of svc.api.table.filter((r) => r.roles !== 'public')) {
      const url = concretePath(route.path, route.method);
      const none = await svc.call(route.method.toUpperCase(), url, { body: route.hasBody ? {} : undefined });
      expect(none.status, `${route.method} ${url} without token`).toBe(401);
      // Device-protocol routes take a bound device id instead of a header: the refusal names that field.
      expect(none.body.details[0].path).toBe(route.allowAnonymous ? 'query.id' : 'headers.authorization');
      const forged = await svc.call(route.method.toUpperCase(), url, { token: 'sf_forged', body: route.hasBody ? {} : undefined });
      expect(forged.status, `${route.method} ${url} forged token`).toBe(401);
    }
  });

  it('answers 403 to each role a route does not admit, and lets admitted roles through', async () => {
    // Writes run against an empty body: an admitted role then gets 400/422 (validation), never 401/403.
    for (const route of svc.api.table.filter((r) => r.roles !== 'public')) {
      const url = concretePath(route.path, route.method);
      for (const role of roles) {
        const res = await svc.call(route.method.toUpperCase(), url, {
          token: tokens[role],
          body: route.hasBody ? {} : undefined,
        });
        const admitted = (route.roles as readonly Role[]).includes(role);
        const label = `${role} ${route.method.toUpperCase()} ${url} -> ${res.status}`;
        if (admitted) {
          // A driver reading another vehicle's record is refused by scope — that is checked below.
          expect([401], label).not.toContain(res.status);
          if (!(role === 'driver' && /\/(vehicles|permits)\//.test(url))) expect(res.status, label).not.toBe(403);
        } else {
          expect(res.status, label).toBe(403);
        }
      }
    }
  });

  it('lets a driver read their own vehicle and permits but no other vehicle', async () => {
    const own = await svc.call('GET', '/api/v1/vehicles/col-1', { token: tokens.driver });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe('col-1');
    const other = await svc.call('GET', '/api/v1/vehicles/col-2', { token: tokens.driver });
    expect(other.status).toBe(403);
    expect(other.body.details[0].message).toBe('a driver may only read their own vehicle');
    const list = await svc.call('GET', '/api/v1/vehicles', { token: tokens.driver });
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual(['col-1']);
    expect(list.body.total).toBe(1);
    const permits = await svc.call('GET', '/api/v1/permits', { token: tokens.driver });
    expect(permits.body.items).toEqual([]);
    const permit = await svc.call('GET', '/api/v1/permits/permit-1', { token: tokens.driver });
    expect(permit.status).toBe(403);
    expect(permit.body.details[0].message).toBe("a driver may only read their own vehicle's permits");
  });

  it('shows dispatchers the whole fleet and keeps enforcement read-only', async () => {
    const fleet = await svc.call('GET', '/api/v1/vehicles', { token: tokens.dispatcher });
    expect(fleet.body.total).toBe(3);
    const write = await svc.call('POST', '/api/v1/depots', { token: tokens.enforcement, body: { name: 'x', location: { type: 'Point', coordinates: [1, 1] } } });
    expect(write.status).toBe(403);
  });

  it('stops honouring a token once it is revoked', async () => {
    const issued = await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role: 'dispatcher' } });
    expect((await svc.call('GET', '/api/v1/depots', { token: issued.body.token })).status).toBe(200);
    expect((await svc.call('DELETE', `/api/v1/tokens/${issued.body.tokenId}`, { token: svc.adminToken })).status).toBe(204);
    expect((await svc.call('GET', '/api/v1/depots', { token: issued.body.token })).status).toBe(401);
  });
});
