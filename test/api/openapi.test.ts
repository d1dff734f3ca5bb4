import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The OpenAPI description is built from the route table and its zod schemas: every route
 * the router declares (GET /api/v1 lists them) is in it, with its roles, and nothing else.
 */
let svc: TestService;
let doc: any;
beforeAll(async () => {
  svc = await startTestService();
  const res = await svc.call('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => svc?.stop());

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('OpenAPI description', () => {
  it('is OpenAPI 3.1, public, with a readable page that needs nothing from outside', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('sanifleet API');
    const page = await svc.call('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain('/api/openapi.json');
    expect(page.body).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('holds every declared route with its roles, and no route that is not declared', async () => {
    const index = await svc.call('GET', '/api/v1', { token: svc.adminToken });
    const routes = index.body.routes as Array<{ method: string; path: string; roles: string[] | 'public' }>;
    expect(routes.length).toBe(svc.api.table.length);
    let operations = 0;
    for (const item of Object.values(doc.paths) as Array<Record<string, unknown>>) operations += Object.keys(item).length;
    expect(operations).toBe(routes.length);
    for (const route of routes) {
      const op = doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      const roles = route.roles === 'public' ? ['public'] : route.roles;
      expect(op['x-roles'], `${route.method} ${route.path}`).toEqual(roles);
      for (const role of roles) expect(op.description).toContain(role);
      expect(op.security).toEqual(route.roles === 'public' ? [] : expect.arrayContaining([{ bearer: [] }]));
    }
  });

  it('describes requests from the zod schemas that validate them', () => {
    const login = doc.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name', 'password'], additionalProperties: false });
    expect(login.responses['200'].content['application/json'].schema.properties).toHaveProperty('token');
    const patch = doc.paths['/api/v1/city-profile'].patch;
    expect(Object.keys(patch.requestBody.content)).toEqual(['application/json', 'application/merge-patch+json']);
    expect(doc.paths['/api/v1/city-profile'].put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CityProfile' });
    expect(doc.components.schemas.Vehicle.properties).toHaveProperty('plate');
    const list = doc.paths['/api/v1/vehicles'].get;
    expect(list.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['limit', 'offset', 'district', 'kind']));
    const one = doc.paths['/api/v1/users/{id}'].put;
    expect(one.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(doc.paths['/api/v1/users/{id}'].delete.responses).toHaveProperty('204');
    expect(doc.paths['/api/v1/users'].post.responses).toHaveProperty('201');
    expect(doc.components.schemas.Error.properties.code.enum).toContain('auth.invalid_credentials');
  });
});
