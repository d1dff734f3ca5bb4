import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { simulatePlanDay, type PlanDay } from '../../simulations/plan-day.js';
import { insertPublishedPlan, smallPlan, type SmallPlan } from '../helpers/actual.js';
import { describeEachBackend } from '../helpers/backends.js';
import { startTestService, type TestService } from '../helpers/service.js';

const SKIP = new Set(['collector-residual-1#3', 'collector-residual-1#8', 'sweeper-03#7']);
const PLAN_ID = 'plan-actual-live';

describeEachBackend('plan against actual and the reports over the API (%s)', (backend) => {
  let svc: TestService;
  let dispatcher: string;
  let enforcement: string;
  let driver: string;
  let plan: SmallPlan;
  let day: PlanDay;
  /** the judge's wall clock: moved along with the fixes sent */
  let clockMs = 0;
  beforeAll(async () => {
    svc = await startTestService({ backend, demo: true, roadNetwork: true, actualClock: () => clockMs });
    await svc.network;
    dispatcher = svc.roleToken('dispatcher');
    enforcement = svc.roleToken('enforcement');
    driver = svc.roleToken('driver');
    // yesterday's plan (local): its whole day lies in the past, and it is still being judged
    const date = PlanClock.localDate(Date.now() - 86_400_000, 'Asia/Shanghai');
    plan = await smallPlan(date);
    day = simulatePlanDay({ network: plan.network, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id) },
      { seed: 5, skip: SKIP, delayShare: 0 });
    await insertPublishedPlan(svc.db, PLAN_ID, date, plan);
    clockMs = plan.mapping.midnightMs + 60_000; // 00:01 of the plan day, before any window
    await svc.actual.planChanged(); // as publishing does: the plan is being driven
  }, 600_000);
  afterAll(async () => {
    await svc?.stop();
  });

  describe('plan against actual over the API and live push', { timeout: 300_000 }, () => {
    it('judges the fixes as they are committed: dispatchers get each stop that changes and each plan event', async () => {
      const socket: Socket = connect(svc.url, { auth: { token: dispatcher }, transports: ['websocket'] });
      const stops: any[] = [];
      const events: any[] = [];
      socket.on('plan:stop', (e) => stops.push(e));
      socket.on('plan:event', (e) => events.push(e));
      await new Promise<void>((resolve, reject) => { socket.on('connect', () => resolve()); socket.on('connect_error', reject); });
      try {
        // the day as its terminals send it: in time order, in batches; one batch twice (a re-sent upload)
        const all = [...day.fixes].flatMap(([vehicleId, fixes]) => fixes.map((f) => ({ vehicleId, fixTime: f.timeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, working: f.working })))
          .sort((a, b) => a.fixTime - b.fixTime);
        expect((await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token: dispatcher })).body.totals.stops).toEqual({ pending: 8, done: 0, late: 0, missed: 0 });
        for (let i = 0; i < all.length; i += 400) {
          clockMs = all[Math.min(all.length, i + 400) - 1]!.fixTime + 1000;
          const res = await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions: all.slice(i, i + 400) } });
          expect(res.status).toBe(200);
          expect(res.body.rejected).toEqual([]);
        }
        const again = await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions: all.slice(0, 400) } });
        expect(again.body.duplicates).toBe(400);
        await svc.actual.idle();
        // every stop that was missed turned so only once its window had ended
        for (const s of stops.filter((x) => x.status === 'missed')) expect(s.dueMs).toBeLessThan(clockMs);
        clockMs = plan.mapping.midnightMs + 40 * 3_600_000; // the day is over
        await svc.actual.tick();

        const res = await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token: dispatcher });
        expect(res.status).toBe(200);
        expect(res.body.totals).toEqual({ stops: { pending: 0, done: 6, late: 0, missed: 2 }, segments: { pending: 0, done: 4, late: 0, missed: 1 } });
        const collector = res.body.vehicles.find((v: any) => v.vehicleId === 'collector-residual-1');
        expect(collector.stops.map((s: any) => s.status)).toEqual(['done', 'done', 'missed', 'done', 'done', 'done', 'missed', 'done']);
        const first = collector.stops[0];
        expect(first).toMatchObject({ key: 'collector-residual-1#1', status: 'done', source: 'gps', arrival: expect.any(String), departure: expect.any(String) });
        expect(Date.parse(first.arrival)).toBeLessThanOrEqual(Date.parse(first.windowEnd));
        const sweeper = res.body.vehicles.find((v: any) => v.vehicleId === 'sweeper-03');
        expect(sweeper.segments.filter((s: any) => s.status === 'missed')).toEqual([expect.objectContaining({ passes: 1, requiredPasses: 2 })]);

        await new Promise((r) => setTimeout(r, 300)); // the pushes leave the server before the answer above
        expect(stops.filter((s) => s.planId === PLAN_ID && s.status === 'missed').map((s) => s.key).sort()).toEqual(
          ['collector-residual-1#3', 'collector-residual-1#8', sweeper.segments.find((s: any) => s.status === 'missed').key].sort(),
        );
        expect(stops.some((s) => s.key === 'collector-residual-1#1' && s.status === 'done')).toBe(true);
        expect(events.map((e) => e.type).sort()).toEqual(['missed_collection', 'missed_collection', 'sweeping_gap']);

        const listed = await svc.call('GET', `/api/v1/plan-events?planId=${PLAN_ID}&type=missed_collection`, { token: enforcement });
        expect(listed.status).toBe(200);
        expect(listed.body.items.map((e: any) => e.key).sort()).toEqual(['collector-residual-1#3', 'collector-residual-1#8']);
        expect(listed.body.items[0]).toMatchObject({ type: 'missed_collection', planId: PLAN_ID, vehicleId: 'collector-residual-1', details: { windowEnd: expect.any(String) } });

        // the same missed collections reach the enforcement desk as incidents, one each, already ended (a moment, not a stretch)
        await svc.incidentSink.settle();
        const desk = await svc.call('GET', '/api/v1/incidents?type=missed_collection', { token: enforcement });
        expect(desk.status).toBe(200);
        const mine = desk.body.items.filter((i: any) => i.details?.planId === PLAN_ID);
        expect(mine.map((i: any) => i.details.stop).sort()).toEqual(['collector-residual-1#3', 'collector-residual-1#8']);
        expect(mine[0]).toMatchObject({ type: 'missed_collection', vehicleId: 'collector-residual-1', status: 'open', endAt: expect.any(String) });
        // and the street swept once of the twice it needed, with its coverage and the rule it was judged by
        const gaps = (await svc.call('GET', '/api/v1/incidents?type=sweeping_gap', { token: enforcement })).body.items.filter((i: any) => i.details?.planId === PLAN_ID);
        const street = sweeper.segments.find((s: any) => s.status === 'missed');
        expect(gaps).toHaveLength(1);
        expect(gaps[0]).toMatchObject({
          type: 'sweeping_gap', vehicleId: 'sweeper-03', status: 'open',
          details: { stop: street.key, passes: 1, requiredPasses: 2, lengthM: expect.any(Number), partialShare: expect.any(Number) },
          thresholds: { requiredPasses: 2, minCoverage: 0.7, segmentToleranceM: 20 },
        });

        // the evidence is plan against track: the street, and the vehicle's fixes from its planned time to its deadline
        const evidence = (await svc.call('GET', `/api/v1/incidents/${gaps[0].id}/evidence`, { token: enforcement })).body;
        const streetFeature = evidence.features.find((f: any) => f.properties.kind === 'street');
        expect(streetFeature).toMatchObject({ geometry: { type: 'LineString' }, properties: { segmentId: gaps[0].details.segmentId, passes: 1, requiredPasses: 2 } });
        const fixTimes = evidence.features.filter((f: any) => f.properties.kind === 'fix').map((f: any) => Date.parse(f.properties.fixTime));
        const [from, to] = [Date.parse(gaps[0].details.plannedStart), Date.parse(gaps[0].details.deadline)];
        const sweeperFixes = day.fixes.get('sweeper-03')!.filter((f) => f.timeMs >= from && f.timeMs <= to);
        expect(sweeperFixes.length).toBeGreaterThan(0);
        for (const f of sweeperFixes) expect(fixTimes).toContain(f.timeMs);
        // the printable page draws the street under the track, and states the coverage
        const page = (await svc.call('GET', `/api/v1/incidents/${gaps[0].id}/print`, { token: enforcement })).body as string;
        expect(page).toContain('漏扫');
        expect(page).toMatch(/<polyline [^>]*stroke="#6a1b9a"/);
        expect(page).toMatch(/requiredPasses<\/th><td>2</);
        // a missed collection's evidence: the point, and the collector's track over the point's window
        const missedEvidence = (await svc.call('GET', `/api/v1/incidents/${mine[0].id}/evidence`, { token: enforcement })).body;
        expect(missedEvidence.features.find((f: any) => f.properties.kind === 'collection_point')).toMatchObject({ geometry: { type: 'Point' }, properties: { pointId: mine[0].details.pointId } });
        expect(Date.parse(missedEvidence.properties.window.from)).toBeLessThanOrEqual(Date.parse(mine[0].details.windowStart));
      } finally {
        socket.close();
      }
    });

    it('judging the stored day again gives the same statuses and raises nothing twice', async () => {
      const before = await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token: dispatcher });
      const again = await svc.call('POST', `/api/v1/plans/${PLAN_ID}/actual/judge`, { token: dispatcher });
      expect(again.status).toBe(200);
      expect(again.body.totals).toEqual(before.body.totals);
      const listed = await svc.call('GET', `/api/v1/plan-events?planId=${PLAN_ID}`, { token: dispatcher });
      expect(listed.body.total).toBe(3);
    });

    it("gives the day's figures: clearance, 日产日清, on-time rate, adherence, km and hours per vehicle from its fixes", async () => {
      const date = PlanClock.localDate(Date.now() - 86_400_000, 'Asia/Shanghai');
      const res = await svc.call('GET', `/api/v1/reports/daily?date=${date}&district=Fontvieille`, { token: enforcement });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        date, district: 'Fontvieille', plans: [{ id: PLAN_ID, status: 'published' }],
        points: { due: 8, collected: 6, done: 6, late: 0, missed: 2, pending: 0, notPlanned: 0 },
        clearanceRate: 0.75, onTimeRate: 0.75, streets: { planned: 5, done: 4, missed: 1 },
        planAdherence: Math.round((10 / 13) * 10_000) / 10_000,
      });
      // the day is over (yesterday): 日产日清 was not met
      expect(res.body.final).toBe(true);
      expect(res.body.dailyClearanceMet).toBe(false);
      // km from the fixes: the route as planned less what the skipped stops and pass saved, give or take GPS noise
      for (const route of plan.solution.routes) {
        const v = res.body.vehicles.find((x: any) => x.vehicleId === route.vehicleId);
        expect(v.fixes).toBe(day.fixes.get(route.vehicleId)!.length);
        expect(v.distanceKm).toBeGreaterThan((route.distanceM / 1000) * 0.5);
        expect(v.distanceKm).toBeLessThan((route.distanceM / 1000) * 1.5);
        expect(v.onDutyH).toBeGreaterThan(0);
        expect(v.movingH).toBeLessThanOrEqual(v.onDutyH);
      }
      // the mechanised sweeping rate: the streets swept by machine (4 done of 5) of the district's area to sweep
      const { sweptAreaM2, mechanicalAreaM2 } = res.body.sweeping;
      expect(mechanicalAreaM2).toBeGreaterThan(0);
      expect(mechanicalAreaM2).toBeLessThan(sweptAreaM2);
      expect(res.body.mechanisedSweepingRate).toBe(Math.round((mechanicalAreaM2 / sweptAreaM2) * 10_000) / 10_000);
      // a street swept by machine given a width of its own widens the swept area by machine
      const sweptId = (await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token: dispatcher })).body.vehicles
        .flatMap((v: any) => v.segments).find((x: any) => x.status === 'done' && x.itemId === `sweep:${x.recordId}`).recordId;
      const seg = (await svc.call('GET', `/api/v1/road-segments/${sweptId}`, { token: svc.adminToken })).body;
      const { id: _id, createdAt: _c, updatedAt: _u, ...segBody } = seg;
      const put = await svc.call('PUT', `/api/v1/road-segments/${sweptId}`, { token: svc.adminToken, body: { ...segBody, widthM: 150 } });
      expect(put.status).toBe(200);
      expect(put.body.widthM).toBe(150);
      const wider = (await svc.call('GET', `/api/v1/reports/daily?date=${date}&district=Fontvieille`, { token: enforcement })).body;
      expect(wider.sweeping.mechanicalAreaM2).toBeGreaterThan(mechanicalAreaM2);
      expect(wider.sweeping.sweptAreaM2 - sweptAreaM2).toBe(wider.sweeping.mechanicalAreaM2 - mechanicalAreaM2);
      expect((await svc.call('PUT', `/api/v1/road-segments/${sweptId}`, { token: svc.adminToken, body: { ...segBody, widthM: -2 } })).body.details[0].path).toBe('body.widthM');
      await svc.call('PUT', `/api/v1/road-segments/${sweptId}`, { token: svc.adminToken, body: segBody });
      // per contractor of the planned vehicles: the stops add up to the district's
      const stops = res.body.contractors.reduce((n: number, c: any) => n + c.stops.planned, 0);
      expect(stops).toBe(8);
      expect(res.body.contractors.reduce((n: number, c: any) => n + c.stops.done, 0)).toBe(6);
      // the month's ranking (月排名) holds the same stops
      const monthly = await svc.call('GET', `/api/v1/reports/monthly?month=${date.slice(0, 7)}&district=Fontvieille`, { token: enforcement });
      expect(monthly.status).toBe(200);
      // only this day of the month has a plan: the ranking holds its contractors, with their figures
      expect(monthly.body.ranking.map((r: any) => r.contractor).sort()).toEqual(res.body.contractors.map((c: any) => c.contractor).sort());
      for (const c of res.body.contractors) {
        expect(monthly.body.ranking.find((r: any) => r.contractor === c.contractor)).toMatchObject({ days: 1, stops: c.stops, clearanceRate: c.clearanceRate, onTimeRate: c.onTimeRate });
      }
      expect(monthly.body.ranking.reduce((n: number, r: any) => n + r.stops.planned, 0)).toBe(8);
      expect(monthly.body.ranking[0].rank).toBe(1);
      expect((await svc.call('GET', '/api/v1/reports/monthly?month=2026-13', { token: dispatcher })).status).toBe(400);
      expect((await svc.call('GET', `/api/v1/reports/monthly?month=${date.slice(0, 7)}`, { token: driver })).status).toBe(403);
      // another district has no plan in force that date: nothing due, nothing to judge
      const none = await svc.call('GET', `/api/v1/reports/daily?date=${date}&district=Monaco-Ville`, { token: dispatcher });
      expect(none.body).toMatchObject({ plans: [], points: { due: 0 }, clearanceRate: null, dailyClearanceMet: null });
      expect((await svc.call('GET', '/api/v1/reports/daily?date=2026-02-30', { token: dispatcher })).status).toBe(400);
      expect((await svc.call('GET', `/api/v1/reports/daily?date=${date}`, { token: driver })).status).toBe(403);
    });

    it('gives the figures of a range of days, each as the daily report gives it; at most 31 days, read like the daily report', async () => {
      const date = PlanClock.localDate(Date.now() - 86_400_000, 'Asia/Shanghai');
      const from = PlanClock.previousDate(PlanClock.previousDate(date));
      const res = await svc.call('GET', `/api/v1/reports/daily-range?from=${from}&to=${date}&district=Fontvieille`, { token: enforcement });
      expect(res.status).toBe(200);
      expect(res.body.days.map((d: any) => d.date)).toEqual([from, PlanClock.nextDate(from), date]);
      const daily = await svc.call('GET', `/api/v1/reports/daily?date=${date}&district=Fontvieille`, { token: enforcement });
      expect(res.body.days[2]).toEqual(daily.body);
      expect(res.body.days[0]).toMatchObject({ plans: [], clearanceRate: null });
      const long = await svc.call('GET', '/api/v1/reports/daily-range?from=2026-01-01&to=2026-02-01', { token: dispatcher });
      expect(long.status).toBe(400);
      expect(long.body.details[0].path).toBe('query.to');
      expect((await svc.call('GET', '/api/v1/reports/daily-range?from=2026-01-05&to=2026-01-01', { token: dispatcher })).status).toBe(400);
      expect((await svc.call('GET', `/api/v1/reports/daily-range?from=${from}&to=${date}`, { token: driver })).status).toBe(403);
    });

    it("a dispatcher scoped to another district does not see this district's plan against actual, events or figures", async () => {
      const created = await svc.call('POST', '/api/v1/users', { token: svc.adminToken, body: { name: 'mc.dispatch', displayName: 'MC', role: 'dispatcher', district: 'Monte-Carlo', password: 'correct horse 1' } });
      expect(created.status).toBe(201);
      const token = (await svc.call('POST', '/api/v1/auth/login', { body: { name: 'mc.dispatch', password: 'correct horse 1' } })).body.token;
      expect((await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token })).status).toBe(403);
      expect((await svc.call('POST', `/api/v1/plans/${PLAN_ID}/actual/judge`, { token })).status).toBe(403);
      expect((await svc.call('GET', `/api/v1/plan-events?planId=${PLAN_ID}`, { token })).body).toMatchObject({ items: [], total: 0 });
      const date = PlanClock.localDate(Date.now() - 86_400_000, 'Asia/Shanghai');
      expect((await svc.call('GET', `/api/v1/reports/daily?date=${date}&district=Fontvieille`, { token })).status).toBe(403);
      expect((await svc.call('GET', `/api/v1/reports/daily?date=${date}&district=Monte-Carlo`, { token })).body.plans).toEqual([]);
      expect((await svc.call('GET', `/api/v1/reports/daily-range?from=${date}&to=${date}&district=Fontvieille`, { token })).status).toBe(403);
    });

    it('is read like plans: a driver is refused, enforcement may not judge again, an unknown plan is 404, a bad filter 400', async () => {
      expect((await svc.call('GET', `/api/v1/plans/${PLAN_ID}/actual`, { token: driver })).status).toBe(403);
      expect((await svc.call('GET', '/api/v1/plan-events', { token: driver })).status).toBe(403);
      expect((await svc.call('POST', `/api/v1/plans/${PLAN_ID}/actual/judge`, { token: enforcement })).status).toBe(403);
      expect((await svc.call('GET', '/api/v1/plans/plan-nope/actual', { token: dispatcher })).status).toBe(404);
      const bad = await svc.call('GET', '/api/v1/plan-events?type=spill', { token: dispatcher });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].path).toBe('query.type');
    });
  });
});
