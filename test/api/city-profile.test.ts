import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import { ProfileRepo } from '../../src/store/profile-repo.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { describeEachBackend } from '../helpers/backends.js';

/**
 * PUT carries the whole profile (every key GET returns, at every level: the stored
 * profile is never rebuilt from defaults by accident); PATCH merges a part (RFC 7396:
 * objects merge deep, arrays and values replace, null removes a key so its default
 * returns). Both refuse unknown keys and validate the result before anything is stored.
 */
describeEachBackend('city profile PUT and PATCH [%s]', (backend) => {
  let svc: TestService;
  const admin = () => svc.adminToken;
  const paths = (res: { body: any }) => (res.body.details as Array<{ path: string }>).map((d) => d.path);
  const get = async () => (await svc.call('GET', '/api/v1/city-profile', { token: admin() })).body;
  const stored = async () => new ProfileRepo(svc.db).load();

  beforeAll(async () => {
    svc = await startTestService({ backend });
    // A profile that differs from the defaults, so a silent reset would show.
    const res = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: { ...defaultCityProfile(), name: 'Testville', directHaulMaxKm: 7 } });
    expect(res.status).toBe(200);
  });
  afterAll(() => svc?.stop());

  it('refuses an empty PUT body (Content-Length 0) and leaves the profile as it was', async () => {
    for (const headers of [{ 'content-type': 'application/json', 'content-length': '0' }, { 'content-length': '0' }] as Array<Record<string, string>>) {
      const res = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), rawBody: '', headers });
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const res = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(paths(res)).toContain('body');
    expect((await get()).name).toBe('Testville');
    expect((await stored())?.name).toBe('Testville');
  });

  it('refuses {} and a PUT missing any key, naming every missing one', async () => {
    const empty = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: {} });
    expect(empty.status).toBe(400);
    expect(paths(empty)).toEqual(expect.arrayContaining(['body.name', 'body.timeZone', 'body.corridor', 'body.tracking', 'body.directHaulMaxKm']));
    const profile = await get();
    delete profile.corridor.hysteresisM;
    const partial = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: profile });
    expect(partial.status).toBe(400);
    expect(paths(partial)).toEqual(['body.corridor.hysteresisM']);
    expect((await get()).corridor.hysteresisM).toBe(10);
    expect((await stored())?.directHaulMaxKm).toBe(7);
  });

  it('takes a whole profile: what GET returns, changed, comes back as sent', async () => {
    const profile = await get();
    profile.speedLimitsKmh.coverOpen = 18;
    profile.collectionWindows = [{ from: '05:00', to: '08:00' }];
    const res = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: profile });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await get()).toEqual(profile);
    expect(await stored()).toEqual(profile);
    const unknown = await svc.call('PUT', '/api/v1/city-profile', { token: admin(), body: { ...profile, colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(paths(unknown)).toEqual(['body.colour']);
  });

  it('PATCH merges deep: one nested value changes, everything else stays', async () => {
    const before = await get();
    const res = await svc.call('PATCH', '/api/v1/city-profile', { token: admin(), body: { speedLimitsKmh: { muckTruckInTown: 35 }, highwaySpeedsKmh: { busway: 30 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await get();
    expect(after).toEqual({
      ...before,
      speedLimitsKmh: { ...before.speedLimitsKmh, muckTruckInTown: 35 },
      highwaySpeedsKmh: { ...before.highwaySpeedsKmh, busway: 30 },
    });
    expect(res.body).toEqual(after);
    expect(await stored()).toEqual(after);
  });

  it('PATCH replaces arrays whole and null removes a key (its default returns)', async () => {
    const res = await svc.call('PATCH', '/api/v1/city-profile', {
      token: admin(), headers: { 'content-type': 'application/merge-patch+json' },
      body: { collectionWindows: [{ from: '04:00', to: '06:00' }, { from: '20:00', to: '22:00' }], name: null, highwaySpeedsKmh: { busway: null } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await get();
    expect(after.collectionWindows).toEqual([{ from: '04:00', to: '06:00' }, { from: '20:00', to: '22:00' }]);
    expect(after.name).toBe(defaultCityProfile().name);
    expect(after.highwaySpeedsKmh.busway).toBeUndefined();
    expect(after.speedLimitsKmh.muckTruckInTown).toBe(35);
  });

  it('PATCH refuses unknown keys, a result that breaks a rule, and an empty body; nothing changes', async () => {
    const before = await get();
    const unknown = await svc.call('PATCH', '/api/v1/city-profile', { token: admin(), body: { corridor: { widthX: 3 }, colour: null } });
    expect(unknown.status).toBe(400);
    expect(paths(unknown).sort()).toEqual(['body.colour', 'body.corridor.widthX']);
    const broken = await svc.call('PATCH', '/api/v1/city-profile', { token: admin(), body: { corridor: { minWidthM: 60 } } });
    expect(broken.status).toBe(400);
    expect(paths(broken)).toEqual(['body.corridor.minWidthM']);
    const badType = await svc.call('PATCH', '/api/v1/city-profile', { token: admin(), body: { tracking: 5 } });
    expect(badType.status).toBe(400);
    expect(paths(badType)).toEqual(['body.tracking']);
    const notObject = await svc.call('PATCH', '/api/v1/city-profile', { token: admin(), body: [1] });
    expect(notObject.status).toBe(400);
    const empty = await svc.call('PATCH', '/api/v1/city-profile', { token: admin(), rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    expect(await get()).toEqual(before);
    expect(await stored()).toEqual(before);
  });
});
