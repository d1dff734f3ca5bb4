import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/api/errors.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';
import { refusal } from '../live/fixtures.js';

/** Every error answer carries a stable code beside `error` and `details`, which the pages translate. */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: smallCity() })).status).toBe(200);
});
afterAll(() => svc?.stop());

const expectCode = (res: { status: number; body: any }, status: number, code: string): void => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.code).toBe(code);
  expect(errorCodes).toContain(res.body.code);
  expect(typeof res.body.error).toBe('string');
  expect(Array.isArray(res.body.details)).toBe(true);
};

describe('error codes', () => {
  it('names authentication and authorisation failures', async () => {
    expectCode(await svc.call('GET', '/api/v1/vehicles'), 401, 'auth.required');
    expectCode(await svc.call('GET', '/api/v1/vehicles', { headers: { authorization: 'Basic x' } }), 401, 'auth.malformed_header');
    expectCode(await svc.call('GET', '/api/v1/vehicles', { token: 'sf_forged' }), 401, 'auth.invalid_token');
    expectCode(await svc.call('GET', '/api/v1/vehicles', { token: 'ss_forged' }), 401, 'auth.invalid_token');
    const device = (await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role: 'device' } })).body.token;
    expectCode(await svc.call('GET', '/api/v1/vehicles', { token: device }), 403, 'auth.forbidden');
    const err = await refusal(svc.url, { token: 'sf_forged' });
    expect((err as any).data.code).toBe('auth.invalid_token');
  });

  it('names body and validation failures', async () => {
    const token = svc.adminToken;
    expectCode(await svc.call('POST', '/api/v1/depots', { token, rawBody: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'body.malformed_json');
    expectCode(await svc.call('POST', '/api/v1/depots', { token, rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }), 415, 'body.not_json');
    expectCode(await svc.call('POST', '/api/v1/depots', { token, rawBody: '', headers: { 'content-type': 'application/json' } }), 400, 'body.required');
    expectCode(await svc.call('POST', '/api/v1/depots', { token, rawBody: JSON.stringify({ name: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } }), 413, 'body.too_large');
    expectCode(await svc.call('POST', '/api/v1/depots', { token, body: { name: 1 } }), 400, 'validation.failed');
  });

  it('names missing things, conflicts and broken references', async () => {
    const token = svc.adminToken;
    expectCode(await svc.call('GET', '/api/v1/depots/none', { token }), 404, 'not_found');
    expectCode(await svc.call('GET', '/api/v1/nowhere', { token }), 404, 'route.not_found');
    expectCode(await svc.call('POST', '/api/v1/depots', { token, body: smallCity().depots[0] }), 409, 'conflict');
    expectCode(await svc.call('DELETE', '/api/v1/depots/depot-a', { token }), 409, 'reference.in_use');
    const vehicle = { ...smallCity().vehicles[0]!, id: 'v-x', plate: 'X1', terminalId: undefined, homeDepotId: 'no-depot' };
    const broken = await svc.call('POST', '/api/v1/vehicles', { token, body: vehicle });
    expect(broken.status).toBe(422);
    expect(['reference.broken', 'rule.violated']).toContain(broken.body.code);
    expectCode(await svc.call('POST', '/api/v1/tokens', { token, body: { role: 'driver', vehicleId: 'no-such' } }), 422, 'reference.broken');
  });
});
