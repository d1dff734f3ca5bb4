import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { Fleet, simClock } from '../../simulations/fleet/fleet.js';
import { planTracks } from '../../simulations/fleet/plan-tracks.js';
import { driveOverJt808, storedDevices, insertPublishedPlan, smallPlan, type SmallPlan } from '../helpers/actual.js';
import { startTestService, type TestService } from '../helpers/service.js';

const PLAN_ID = 'plan-fleet-sim';

let svc: TestService;
let plan: SmallPlan;
let fleet: Fleet;
let simulated: ReturnType<typeof planTracks>;
/** the fleet's simulated clock, which is also the plan-against-actual judge's */
let clock = { nowMs: () => 0 };
beforeAll(async () => {
  svc = await startTestService({ demo: true, roadNetwork: true, actualClock: () => clock.nowMs() });
  await svc.network;
  // yesterday's plan (local): its day lies in the past, so a sped-up clock never runs ahead of the service's
  const date = PlanClock.localDate(Date.now() - 86_400_000, 'Asia/Shanghai');
  plan = await smallPlan(date);
  await insertPublishedPlan(svc.db, PLAN_ID, date, plan);
  const devices = await storedDevices(svc.db);
  simulated = planTracks({ plan, network: plan.network, roads: plan.roads, devices, options: { seed: 3, skipShare: 0, delayShare: 0, speedVariation: 0.15 } });
  // the day at 5,000 times real time: a few seconds for the whole plan
  let drained: boolean;
  ({ fleet, drained } = await driveOverJt808(svc, simulated.vehicles, (c) => { clock = c; }));
  expect(drained).toBe(true);
}, 600_000);
afterAll(async () => {
  await fleet?.stop();
  await svc?.stop();
});

describe('the fleet simulator over JT/T 808', { timeout: 300_000 }, () => {
  it('registers, authenticates and sends each vehicle\'s route; the service stores the fixes along it', async () => {
    expect(fleet.stats.connected).toBe(simulated.vehicles.length);
    expect(fleet.stats.errors).toBe(0);
    for (const v of simulated.vehicles) {
      const stored = await svc.db.query<{ t: Date; lat: number; lon: number; working: boolean | null; implausible: boolean }>(
        'select fix_time as t, lat, lon, working, implausible from positions where vehicle_id = $1 order by fix_time', [v.vehicleId],
      );
      // every fix the truck recorded arrived, the blind area's among them
      expect(stored.rows.length).toBe(v.fixes.length);
      const sent = new Map(v.fixes.map((f) => [Math.floor(f.timeMs / 1000) * 1000, f]));
      for (const r of stored.rows) {
        const f = sent.get(new Date(r.t).getTime())!;
        expect(f).toBeDefined();
        expect(Math.abs(r.lat - f.lat)).toBeLessThan(2e-6);
        expect(Math.abs(r.lon - f.lon)).toBeLessThan(2e-6);
      }
      // along the roads it was routed over: all but the multipath outliers within a few noise widths of a road
      const profile = plan.problem.vehicles.find((x) => x.id === v.vehicleId)!.profile;
      const vehicleKind = plan.mapping.profiles[profile]!.networkKind as never;
      const offRoad = stored.rows.filter((r) => (plan.network.snap(r.lon, r.lat, { vehicleKind })?.distanceM ?? Infinity) > 40);
      expect(offRoad.length).toBeLessThanOrEqual(Math.ceil(stored.rows.length * 0.02));
      // the sweeper's brushes, sent in the bit its terminal profile names, are read back as working
      if (v.vehicleId.startsWith('sweeper')) expect(stored.rows.some((r) => r.working === true)).toBe(true);
    }
    // each vehicle passed a blind area and uploaded it as 0x0704 batches
    expect(fleet.stats.batches).toBeGreaterThan(0);
    expect(fleet.stats.batchedFixes).toBeGreaterThan(0);
  });

  it('turns the planned stops done through plan against actual', async () => {
    const res = await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token: svc.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.totals.stops.done).toBeGreaterThanOrEqual(1);
    const collector = res.body.vehicles.find((v: any) => v.vehicleId === 'collector-residual-1');
    expect(collector.stops.filter((s: any) => s.status === 'done' && s.source === 'gps').length).toBeGreaterThanOrEqual(1);
    // every stop was served in the simulation; none is judged missed
    expect(res.body.totals.stops.missed).toBe(0);
  });

  it('marks the blind area\'s fixes as such, and a phone reports over OsmAnd', async () => {
    const blind = await svc.db.query<{ n: number }>('select count(*)::int as n from positions where blind_area');
    expect(blind.rows[0]!.n).toBe(fleet.stats.batchedFixes);
    // a vehicle whose device is a phone (no terminal)
    const depot = (await svc.call('GET', '/api/v1/depots?limit=1', { token: svc.adminToken })).body.items[0];
    const created = await svc.call('POST', '/api/v1/vehicles', { token: svc.adminToken, body: {
      id: 'phone-van-1', plate: '沪A99999', kind: 'collector', wasteClasses: ['recyclable'], capacityKg: 1000, capacityM3: 4, sealed: false,
      homeDepotId: depot.id, shift: { from: '06:00', to: '14:00' }, deviceId: 'phone-van-1',
    } });
    expect(created.status).toBe(201);
    const track = simulated.vehicles[0]!.fixes.slice(0, 12);
    const phone = new Fleet({
      vehicles: [{ vehicleId: 'phone-van-1', deviceId: 'phone-van-1', fixes: track }],
      target: { httpUrl: svc.url }, clock: simClock(track[0]!.timeMs, 5000), tickMs: 20, blindShare: 0,
    }).start();
    await phone.done;
    await phone.stop();
    expect(phone.stats).toMatchObject({ osmand: 12, errors: 0 });
    const stored = await svc.db.query<{ n: number }>(`select count(*)::int as n from positions where vehicle_id = 'phone-van-1' and source = 'osmand'`);
    expect(stored.rows[0]!.n).toBe(12);
  });
});
