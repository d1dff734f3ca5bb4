import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/auth/login-limiter.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';
import { SessionStore } from '../../src/auth/sessions.js';
import { UserStore } from '../../src/auth/users.js';
import type { Db } from '../../src/store/db.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { client, refusal } from '../live/fixtures.js';

/**
 * People log in as people: sessions that work like tokens over REST and socket.io, the
 * same refusal for an unknown name and a wrong password, rate-limited attempts, logout,
 * password change, and the admin's user management with its 409/422 rules.
 */
describeEachBackend('login, sessions and users [%s]', (backend) => {
  let svc: TestService;
  const admin = () => svc.adminToken;
  const paths = (res: { body: any }) => (res.body.details as Array<{ path: string }>).map((d) => d.path);
  const login = (name: string, password: string, headers?: Record<string, string>) =>
    svc.call('POST', '/api/v1/auth/login', { body: { name, password }, headers });
  const createUser = (body: Record<string, unknown>) => svc.call('POST', '/api/v1/users', { token: admin(), body });

  beforeAll(async () => {
    svc = await startTestService({ backend });
    expect((await svc.call('POST', '/api/v1/import', { token: admin(), body: smallCity() })).status).toBe(200);
  });
  afterAll(() => svc?.stop());

  it('logs a person in: the session works over REST and socket.io like a token, and /auth/me names them', async () => {
    const created = await createUser({ name: 'Li.Wei', displayName: '李伟', role: 'dispatcher', district: 'North', password: 'correct horse 1' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'Li.Wei', displayName: '李伟', role: 'dispatcher', district: 'North', disabledAt: null });
    expect(created.body.password).toBeUndefined();
    expect(JSON.stringify(created.body)).not.toMatch(/scrypt/);

    const res = await login('li.wei', 'correct horse 1');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.token).toMatch(/^ss_/);
    const hours = (Date.parse(res.body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    expect(res.body.user).toEqual({ id: created.body.id, name: 'Li.Wei', displayName: '李伟', role: 'dispatcher', district: 'North' });

    const me = await svc.call('GET', '/api/v1/auth/me', { token: res.body.token });
    expect(me.body).toEqual({ credential: 'session', role: 'dispatcher', expiresAt: res.body.expiresAt, user: res.body.user });
    expect((await svc.call('GET', '/api/v1/fleet/state', { token: res.body.token })).status).toBe(200);
    expect((await svc.call('GET', '/api/v1/users', { token: res.body.token })).status).toBe(403);
    const c = client(svc.url, { token: res.body.token });
    try {
      // A snapshot arrives: the session is accepted. Li Wei's account is scoped to district
      // North, which none of the small city's three vehicles is in (fleet-scope.test.ts).
      expect(await c.ready).toEqual([]);
    } finally {
      c.socket.close();
    }
    const tokenMe = await svc.call('GET', '/api/v1/auth/me', { token: admin() });
    expect(tokenMe.body).toMatchObject({ credential: 'api_token', role: 'admin', expiresAt: null, token: { role: 'admin' } });
  });

  it('answers an unknown name and a wrong password alike: 401 auth.invalid_credentials', async () => {
    await createUser({ name: 'wang', displayName: 'Wang', role: 'enforcement', password: 'enforce-me-now' });
    const wrong = await login('wang', 'not the password');
    const unknown = await login('nobody-here', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('auth.invalid_credentials');
    expect((await login('wang', 'enforce-me-now')).status).toBe(200);
  });

  it('refuses a sixth attempt after five failures for a name with 429 auth.rate_limited and Retry-After, even with the right password', async () => {
    await createUser({ name: 'zhao', displayName: 'Zhao', role: 'planner', password: 'plan-the-city' });
    for (let i = 0; i < 5; i++) expect((await login('zhao', `guess ${i}`)).status).toBe(401);
    const limited = await login('ZHAO', 'plan-the-city');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('auth.rate_limited');
    const retryAfterS = Number(limited.headers.get('retry-after'));
    expect(retryAfterS).toBeGreaterThan(14 * 60);
    expect(retryAfterS).toBeLessThanOrEqual(15 * 60);
    // Another person from the same address is not locked out by zhao's failures.
    expect((await login('wang', 'enforce-me-now')).status).toBe(200);
  });

  it('ends a session at logout, over REST and socket.io', async () => {
    const session = (await login('wang', 'enforce-me-now')).body.token as string;
    expect((await svc.call('GET', '/api/v1/auth/me', { token: session })).status).toBe(200);
    expect((await svc.call('POST', '/api/v1/auth/logout', { token: session })).status).toBe(204);
    const after = await svc.call('GET', '/api/v1/auth/me', { token: session });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('auth.invalid_token');
    expect((await refusal(svc.url, { token: session })).message).toBe('unauthorized');
    const byToken = await svc.call('POST', '/api/v1/auth/logout', { token: admin() });
    expect(byToken.status).toBe(400);
    expect(byToken.body.code).toBe('auth.not_a_session');
  });

  it('changes one\'s own password: the current one is checked, the other sessions end, this one stays', async () => {
    await createUser({ name: 'sun', displayName: 'Sun', role: 'dispatcher', password: 'first-password' });
    const a = (await login('sun', 'first-password')).body.token as string;
    const b = (await login('sun', 'first-password')).body.token as string;
    const wrong = await svc.call('POST', '/api/v1/auth/password', { token: a, body: { currentPassword: 'nope', newPassword: 'second-password' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('auth.wrong_password');
    expect(paths(wrong)).toEqual(['body.currentPassword']);
    const short = await svc.call('POST', '/api/v1/auth/password', { token: a, body: { currentPassword: 'first-password', newPassword: 'short' } });
    expect(short.status).toBe(400);
    expect(paths(short)).toEqual(['body.newPassword']);
    const ok = await svc.call('POST', '/api/v1/auth/password', { token: a, body: { currentPassword: 'first-password', newPassword: 'second-password' } });
    expect(ok.status).toBe(204);
    expect((await svc.call('GET', '/api/v1/auth/me', { token: a })).status).toBe(200);
    expect((await svc.call('GET', '/api/v1/auth/me', { token: b })).status).toBe(401);
    expect((await login('sun', 'first-password')).status).toBe(401);
    expect((await login('sun', 'second-password')).status).toBe(200);
    const byToken = await svc.call('POST', '/api/v1/auth/password', { token: admin(), body: { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' } });
    expect(byToken.body.code).toBe('auth.not_a_session');
  });

  it('binds a driver to an existing vehicle (400 without one, 422 for an unknown one) and scopes the session to it', async () => {
    const none = await createUser({ name: 'driver-x', displayName: 'X', role: 'driver', password: 'drive-safely-1' });
    expect(none.status).toBe(400);
    expect(paths(none)).toEqual(['body.vehicleId']);
    const unknown = await createUser({ name: 'driver-x', displayName: 'X', role: 'driver', vehicleId: 'no-such-truck', password: 'drive-safely-1' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('reference.broken');
    expect(paths(unknown)).toEqual(['body.vehicleId']);
    const notDriver = await createUser({ name: 'disp-x', displayName: 'X', role: 'dispatcher', vehicleId: 'col-1', password: 'drive-safely-1' });
    expect(notDriver.status).toBe(400);
    const ok = await createUser({ name: 'driver-x', displayName: 'X', role: 'driver', vehicleId: 'col-1', password: 'drive-safely-1' });
    expect(ok.status).toBe(201);
    const session = (await login('driver-x', 'drive-safely-1')).body;
    expect(session.user.vehicleId).toBe('col-1');
    const list = await svc.call('GET', '/api/v1/vehicles', { token: session.token });
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual(['col-1']);
    expect((await svc.call('GET', '/api/v1/fleet/state', { token: session.token })).status).toBe(403);
    const c = client(svc.url, { token: session.token });
    try {
      expect((await c.ready).map((s) => s.vehicleId)).toEqual(['col-1']);
    } finally {
      c.socket.close();
    }
    // The vehicle a driver is bound to cannot be deleted from under them.
    const del = await svc.call('DELETE', '/api/v1/vehicles/col-1', { token: admin() });
    expect(del.status).toBe(409);
  });

  it('refuses a duplicate name in any case with 409, and generates a password when none is given', async () => {
    const dup = await createUser({ name: 'LI.WEI', displayName: 'Another', role: 'planner' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('conflict');
    expect(paths(dup)).toEqual(['body.name']);
    const gen = await createUser({ name: 'qian', displayName: '钱', role: 'planner' });
    expect(gen.status).toBe(201);
    expect(gen.body.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await login('qian', gen.body.password)).status).toBe(200);
    const renamed = await svc.call('PUT', `/api/v1/users/${gen.body.id}`, { token: admin(), body: { name: 'li.wei', displayName: '钱', role: 'planner' } });
    expect(renamed.status).toBe(409);
  });

  it('replaces a user: a role change reaches the live session, a new password ends the sessions', async () => {
    const user = (await createUser({ name: 'zhou', displayName: 'Zhou', role: 'dispatcher', password: 'zhou-password' })).body;
    const session = (await login('zhou', 'zhou-password')).body.token as string;
    const put = await svc.call('PUT', `/api/v1/users/${user.id}`, { token: admin(), body: { name: 'zhou', displayName: 'Zhou Min', role: 'planner', contractor: 'Clean Co' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Zhou Min', role: 'planner', contractor: 'Clean Co' });
    const me = await svc.call('GET', '/api/v1/auth/me', { token: session });
    expect(me.body.role).toBe('planner');
    expect((await svc.call('GET', '/api/v1/fleet/state', { token: session })).status).toBe(403);
    expect((await svc.call('GET', '/api/v1/road-segments', { token: session })).status).toBe(200);
    const pw = await svc.call('PUT', `/api/v1/users/${user.id}`, { token: admin(), body: { name: 'zhou', displayName: 'Zhou Min', role: 'planner', password: 'a-new-password' } });
    expect(pw.status).toBe(200);
    expect(pw.body.contractor).toBeUndefined();
    expect((await svc.call('GET', '/api/v1/auth/me', { token: session })).status).toBe(401);
    expect((await login('zhou', 'a-new-password')).status).toBe(200);
    expect((await svc.call('GET', `/api/v1/users/${user.id}`, { token: admin() })).body.displayName).toBe('Zhou Min');
    expect((await svc.call('GET', '/api/v1/users/usr_nope', { token: admin() })).status).toBe(404);
  });

  it('disables a user on DELETE: login and sessions refused, listed only on request, enabled again by PUT', async () => {
    const user = (await createUser({ name: 'wu', displayName: 'Wu', role: 'enforcement', password: 'wu-password-1' })).body;
    const session = (await login('wu', 'wu-password-1')).body.token as string;
    expect((await svc.call('DELETE', `/api/v1/users/${user.id}`, { token: admin() })).status).toBe(204);
    expect((await svc.call('GET', '/api/v1/auth/me', { token: session })).status).toBe(401);
    const refused = await login('wu', 'wu-password-1');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('auth.invalid_credentials');
    const listed = await svc.call('GET', '/api/v1/users', { token: admin() });
    expect(listed.body.items.map((u: { name: string }) => u.name)).not.toContain('wu');
    const all = await svc.call('GET', '/api/v1/users?includeDisabled=true&role=enforcement', { token: admin() });
    expect(all.body.items.find((u: { name: string }) => u.name === 'wu').disabledAt).not.toBeNull();
    const enable = await svc.call('PUT', `/api/v1/users/${user.id}`, { token: admin(), body: { name: 'wu', displayName: 'Wu', role: 'enforcement', disabled: false } });
    expect(enable.body.disabledAt).toBeNull();
    expect((await login('wu', 'wu-password-1')).status).toBe(200);
  });

  it('never disables or demotes the last admin who can log in, nor lets an admin disable themself', async () => {
    const boss = (await createUser({ name: 'boss', displayName: 'Boss', role: 'admin', password: 'boss-password' })).body;
    const last = await svc.call('DELETE', `/api/v1/users/${boss.id}`, { token: admin() });
    expect(last.status).toBe(409);
    const demote = await svc.call('PUT', `/api/v1/users/${boss.id}`, { token: admin(), body: { name: 'boss', displayName: 'Boss', role: 'dispatcher' } });
    expect(demote.status).toBe(409);
    const second = (await createUser({ name: 'boss2', displayName: 'Boss 2', role: 'admin', password: 'boss-password' })).body;
    const bossSession = (await login('boss', 'boss-password')).body.token as string;
    expect((await svc.call('DELETE', `/api/v1/users/${boss.id}`, { token: bossSession })).status).toBe(409);
    expect((await svc.call('DELETE', `/api/v1/users/${boss.id}`, { token: admin() })).status).toBe(204);
    expect((await svc.call('DELETE', `/api/v1/users/${second.id}`, { token: admin() })).status).toBe(409);
  });
});

describeEachBackend('sessions and users in the store [%s]', (backend) => {
  let store: TestStore;
  let db: Db;
  beforeAll(async () => {
    store = await openTestStore(backend);
    db = store.db;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('refuses a session as expired from its fixed end on, cached or not', async () => {
    let nowMs = Date.parse('2026-05-01T06:00:00Z');
    const users = new UserStore(db);
    const user = await users.create({ name: 'clock', displayName: 'Clock', role: 'planner' }, await hashPassword('clock-password'));
    const sessions = new SessionStore(db, { now: () => nowMs, ttlMs: 3_600_000 });
    const s = await sessions.create(user.id);
    expect(s.expiresAt).toBe('2026-05-01T07:00:00.000Z');
    expect(await sessions.check(s.token)).toMatchObject({ principal: { credential: 'session', role: 'planner', userId: user.id } });
    nowMs += 3_600_000 - 1;
    expect('principal' in (await sessions.check(s.token))).toBe(true);
    nowMs += 1;
    expect(await sessions.check(s.token)).toEqual({ refused: 'expired' });
    // Use does not extend it (fixed, not sliding).
    expect(await new SessionStore(db, { now: () => nowMs }).check(s.token)).toEqual({ refused: 'expired' });
    nowMs += 8 * 86_400_000;
    expect(await sessions.deleteExpired()).toBe(1);
  });
});

describe('password hashes and the login limiter', () => {
  it('stores scrypt with its parameters and a per-user salt; verifies in constant time; refuses tampered parameters', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same passwore', a)).toBe(false);
    const cheap = await hashPassword('old hash', { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('old hash', cheap)).toBe(true);
    expect(await verifyPassword('same password', a.replace('N=32768', 'N=1073741824'))).toBe(false);
    expect(await verifyPassword('x', 'plain text')).toBe(false);
  });

  it('counts failures per name and per address in a sliding window', () => {
    let nowMs = 0;
    const limiter = new LoginLimiter({ windowMs: 900_000, maxFailuresPerName: 5, maxFailuresPerAddress: 20 }, () => nowMs);
    for (let i = 0; i < 5; i++) {
      expect(limiter.retryAfterMs('a', '10.0.0.1')).toBe(0);
      limiter.recordFailure('a', '10.0.0.1');
      nowMs += 1_000;
    }
    expect(limiter.retryAfterMs('a', '10.0.0.2')).toBe(900_000 - 5_000);
    nowMs = 900_000;
    expect(limiter.retryAfterMs('a', '10.0.0.1')).toBe(0);
    limiter.recordSuccess('a');
    for (let i = 0; i < 20; i++) limiter.recordFailure(`name${i}`, '10.0.0.9');
    expect(limiter.retryAfterMs('fresh', '10.0.0.9')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('fresh', '10.0.0.8')).toBe(0);
  });
});
