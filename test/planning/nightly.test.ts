import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, TEST_ADMIN_TOKEN, type TestService } from '../helpers/service.js';

let svc: TestService;
beforeAll(async () => {
  // plans are queued here, never run (PLAN_WORKERS=0): this suite is about the schedule
  svc = await startTestService({ demo: true, roadNetwork: true, env: { PLAN_WORKERS: '0' } });
  await svc.network;
}, 600_000);
afterAll(async () => {
  await svc?.stop();
});

describe('nightly plan', { timeout: 300_000 }, () => {
  it('runs at the profile time in the city zone, follows a profile change, and can be turned off', async () => {
    expect(svc.nightlyPlanning.schedule).toBe('0 20 * * *');
    const next = svc.nightlyPlanning.nextRun()!;
    // 20:00 in Asia/Shanghai is 12:00 UTC
    expect(next.getUTCHours()).toBe(12);
    expect(next.getUTCMinutes()).toBe(0);
    const profile = (await svc.call('GET', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN })).body;
    const later = await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: { ...profile, planning: { ...profile.planning, nightlyAt: '21:15' } } });
    expect(later.status).toBe(200);
    expect(svc.nightlyPlanning.schedule).toBe('15 21 * * *');
    expect(svc.nightlyPlanning.nextRun()!.getUTCHours()).toBe(13);
    const bad = await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: { ...profile, planning: { ...profile.planning, nightlyAt: '25:00' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('body.planning.nightlyAt');
    await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: { ...profile, planning: { ...profile.planning, nightlyEnabled: false } } });
    expect(svc.nightlyPlanning.schedule).toBe('');
    expect(svc.nightlyPlanning.nextRun()).toBeNull();
    await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: profile });
    expect(svc.nightlyPlanning.schedule).toBe('0 20 * * *');
  });

  it('queues tomorrow (local date) for every district as drafts-to-be, once however often it fires', async () => {
    // 2026-12-10 17:00 UTC is already 2026-12-11 01:00 in Shanghai: tomorrow is the 12th
    const now = Date.UTC(2026, 11, 10, 17, 0);
    const queued = await svc.nightlyPlanning.runOnce(now);
    expect(queued).toHaveLength(4);
    expect(await svc.nightlyPlanning.runOnce(now)).toEqual([]);
    const plans = (await svc.call('GET', '/api/v1/plans?date=2026-12-12', { token: TEST_ADMIN_TOKEN })).body.items;
    expect(plans.map((p: any) => p.district).sort()).toEqual(['Fontvieille', 'La Condamine', 'Monaco-Ville', 'Monte-Carlo']);
    for (const p of plans) expect(p).toMatchObject({ status: 'planning', createdBy: 'nightly', version: 1, options: { mode: 'normal' } });
  });

  it('plans tomorrow as a snow day when the admin has declared it one', async () => {
    const profile = (await svc.call('GET', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN })).body;
    const bad = await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: { ...profile, winter: { ...profile.winter, snowDates: ['2026-13-01'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('body.winter.snowDates.0');
    const snowy = await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: { ...profile, winter: { ...profile.winter, snowDates: ['2026-12-21'] } } });
    expect(snowy.status).toBe(200);
    try {
      // 2026-12-20 12:00 UTC is 20:00 in Shanghai: tomorrow is the declared snow day; the day after is not
      expect(await svc.nightlyPlanning.runOnce(Date.UTC(2026, 11, 20, 12))).toHaveLength(4);
      expect(await svc.nightlyPlanning.runOnce(Date.UTC(2026, 11, 21, 12))).toHaveLength(4);
      const snow = (await svc.call('GET', '/api/v1/plans?date=2026-12-21', { token: TEST_ADMIN_TOKEN })).body.items;
      expect(snow.map((p: any) => p.options.mode)).toEqual(['snow', 'snow', 'snow', 'snow']);
      const normal = (await svc.call('GET', '/api/v1/plans?date=2026-12-22', { token: TEST_ADMIN_TOKEN })).body.items;
      expect(normal.map((p: any) => p.options.mode)).toEqual(['normal', 'normal', 'normal', 'normal']);
    } finally {
      await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: profile });
    }
  });
});
