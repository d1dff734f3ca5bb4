import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEMO_CITY_NAME, DEMO_OSM_FILE, isDemoCity } from '../../src/demo/demo-city.js';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { startTestService } from '../helpers/service.js';

describe('the demo fleet is on in the demo city only', { timeout: 300_000 }, () => {
  it('DEMO_FLEET is on unless set off; a bad value stops the start naming it', () => {
    expect(loadConfig({}).demoFleet).toBe(true);
    expect(loadConfig({ DEMO_FLEET: 'off' }).demoFleet).toBe(false);
    expect(loadConfig({ DEMO_FLEET: 'false' }).demoFleet).toBe(false);
    expect(() => loadConfig({ DEMO_FLEET: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO_FLEET: 'maybe' })).toThrow(/DEMO_FLEET="maybe"/);
    expect(() => loadConfig({ DEMO_FLEET_PLAN_ITERATIONS: '1' })).toThrow(/DEMO_FLEET_PLAN_ITERATIONS/);
  });

  it('the demo city is its profile on the demo road network, nothing else', () => {
    expect(isDemoCity({ name: DEMO_CITY_NAME }, DEMO_OSM_FILE)).toBe(true);
    expect(isDemoCity({ name: 'Hangzhou' }, DEMO_OSM_FILE)).toBe(false);
    expect(isDemoCity({ name: DEMO_CITY_NAME }, '/data/hangzhou.osm.pbf')).toBe(false);
    expect(isDemoCity({ name: DEMO_CITY_NAME }, undefined)).toBe(false);
  });

  it('DEMO_FLEET=off starts no fleet in the demo city', async () => {
    const svc = await startTestService({ demo: true, roadNetwork: true, env: { DEMO_FLEET: 'off' } });
    try {
      expect(svc.demoFleet).toBeUndefined();
    } finally {
      await svc.stop();
    }
  });

  it('a city that is not the demo starts no fleet, even with DEMO_FLEET=on', async () => {
    const svc = await startTestService({ roadNetwork: true, env: { DEMO_FLEET: 'on' } });
    try {
      expect(svc.demoFleet).toBeUndefined();
      expect((await svc.db.query('select 1 from plans')).rows).toEqual([]);
    } finally {
      await svc.stop();
    }
  });

  it('the demo city with DEMO_FLEET=on plans today as the system, publishes it and puts its vehicles on the road', async () => {
    // The fleet's clock starts at 04:05 local, whatever the hour of the run: five minutes after the
    // first shifts leave, so the day so far is a few thousand fixes less than at 06:00 (two hours of
    // the fleet, 5,400 fixes: most of the file's cost) and still uploaded before publishing.
    const timeZone = defaultCityProfile().timeZone;
    const startS = 4 * 3600 + 5 * 60;
    let day = PlanClock.localDate(Date.now(), timeZone);
    if (new PlanClock(day, timeZone).epochMs(startS) > Date.now()) day = PlanClock.previousDate(day);
    const startMs = new PlanClock(day, timeZone).epochMs(startS);
    const wallStartMs = Date.now();
    const svc = await startTestService({
      demo: true, roadNetwork: true, env: { DEMO_FLEET: 'on', DEMO_FLEET_PLAN_ITERATIONS: '20' }, demoFleetClock: () => startMs + (Date.now() - wallStartMs),
    });
    try {
      expect(svc.demoFleet).toBeDefined();
      await svc.demoFleet!.ready();
      expect(svc.profiles.get().timeZone).toBe(timeZone);
      const today = day;
      const plans = await svc.db.query<{ status: string; created_by: string; published_by: string }>(
        `select status, created_by, published_by from plans where to_char(plan_date, 'YYYY-MM-DD') = $1`, [today],
      );
      expect(plans.rows).toEqual([{ status: 'published', created_by: 'demo fleet', published_by: 'demo fleet' }]);
      // every routed vehicle of the plan reports through its terminal
      expect(svc.demoFleet!.stats!.vehicles).toBeGreaterThan(0);
      // the day so far (since the 04:00 shifts left) went up as blind-area batches before the plan was published
      expect(svc.demoFleet!.stats!.batchedFixes).toBeGreaterThan(0);
    } finally {
      await svc.stop();
    }
  });
});
