import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import { ActualStore } from '../../src/planning/actual/actual-store.js';
import { judgeStoredPlan } from '../../src/planning/actual/monitor.js';
import { actualSettings, detectDay, type ActualStatus } from '../../src/planning/actual/plan-actual.js';
import { roadRouters } from '../../src/planning/actual/road-router.js';
import { planTargets } from '../../src/planning/actual/targets.js';
import { CityRepo } from '../../src/store/city-repo.js';
import { ensurePositionPartitions } from '../../src/store/positions-partitions.js';
import { resources } from '../../src/store/resources.js';
import { PositionWriter, type StoredFix } from '../../src/tracking/position-writer.js';
import { simulatePlanDay, type PlanDay } from '../../simulations/plan-day.js';
import { insertPublishedPlan, smallPlan, type SmallPlan } from '../helpers/actual.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

const SKIP = new Set(['collector-residual-1#3', 'collector-residual-1#8', 'sweeper-03#7']);
const PLAN_ID = 'plan-actual-small';

describeEachBackend('plan against actual in the store', (backend) => {
  let store: TestStore;
  let plan: SmallPlan;
  let day: PlanDay;
  let actual: ActualStore;
  beforeAll(async () => {
    plan = await smallPlan();
    day = simulatePlanDay({ network: plan.network, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id) },
      { seed: 5, skip: SKIP, delayShare: 0 });
    store = await openTestStore(backend);
    const { db } = store;
    actual = new ActualStore(db);
    const repo = new CityRepo(db);
    for (const r of plan.city.roadSegments) await repo.write(resources['road-segments'], r, 'insert');
    const mapping = { ...plan.mapping, sweepTasks: Object.fromEntries(Object.entries(plan.mapping.sweepTasks).map(([id, t]) => [id, { segmentId: t.segmentId, work: t.work }])) };
    await insertPublishedPlan(db, PLAN_ID, '2026-12-01', { ...plan, mapping }, null);
    await ensurePositionPartitions(db, plan.mapping.midnightMs, 2, 3);
    const writer = new PositionWriter(db);
    const rows: StoredFix[] = [];
    for (const [vehicleId, fixes] of day.fixes) {
      for (const f of fixes) {
        rows.push({ deviceId: vehicleId, vehicleId, fixTimeMs: f.timeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, headingDeg: f.headingDeg, altitudeM: 0,
          positioned: true, alarms: [], source: 'json', working: f.working });
      }
    }
    // GPS jumps flagged implausible: a long stand at a skipped stop that never happened
    const skipped = planTargets({ planId: PLAN_ID, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id),
      servicePosition: (lon, lat, kind) => plan.network.snap(lon, lat, { vehicleKind: kind as 'truck' }) }).stops.find((s) => s.key === 'collector-residual-1#3')!;
    const collector = day.fixes.get('collector-residual-1')!;
    for (let i = 0; i < 10; i++) {
      rows.push({ deviceId: 'x', vehicleId: 'collector-residual-1', fixTimeMs: collector[0]!.timeMs + 500 + i * 7_000, lat: skipped.lat, lon: skipped.lon, speedKmh: 0,
        headingDeg: 0, altitudeM: 0, positioned: true, alarms: [], source: 'json', implausible: true });
    }
    await writer.write(rows);
    // the same fixes again: duplicates, not stored twice
    expect((await writer.write(rows.slice(0, 100))).duplicates).toBe(100);
  }, 600_000);
  afterAll(async () => {
    await store?.close();
  });

  it(`[${backend}] keeps the sweeping gear's state with each fix, and reads a vehicle's plausible fixes in order`, async () => {
    const end = plan.mapping.midnightMs + 36 * 3_600_000;
    const sweeper = await actual.fixes('sweeper-03', plan.mapping.midnightMs - 7_200_000, end);
    expect(sweeper).toHaveLength(day.fixes.get('sweeper-03')!.length);
    expect(sweeper.filter((f) => f.working).length).toBe(day.fixes.get('sweeper-03')!.filter((f) => f.working).length);
    expect(sweeper.some((f) => f.working === false)).toBe(true);
    const collector = await actual.fixes('collector-residual-1', plan.mapping.midnightMs - 7_200_000, end);
    expect(collector).toHaveLength(day.fixes.get('collector-residual-1')!.length); // the ten implausible ones left out
    expect(collector.every((f, i) => i === 0 || f.timeMs > collector[i - 1]!.timeMs)).toBe(true);
  });

  it(`[${backend}] judges a stored day as the batch function does, stores every status and raises each plan event once`, async () => {
    const profile = defaultCityProfile();
    const atMs = plan.mapping.midnightMs + 40 * 3_600_000;
    const judged = (await judgeStoredPlan(actual, PLAN_ID, profile, plan.network, atMs))!;
    const targets = planTargets({ planId: PLAN_ID, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id),
      servicePosition: (lon, lat, kind) => plan.network.snap(lon, lat, { vehicleKind: kind as 'truck' }) });
    const batch = detectDay(targets, day.fixes, actualSettings(profile), atMs, roadRouters(plan.network, plan.problem, plan.mapping, actualSettings(profile).maxFixGapS, targets.segments));
    expect(judged.statuses).toEqual(batch);
    const missed = batch.filter((s) => s.status === 'missed').map((s) => s.key).sort();
    expect(missed).toHaveLength(3);
    expect(missed.filter((k) => !k.startsWith('segment:'))).toEqual(['collector-residual-1#3', 'collector-residual-1#8']);

    const stored = await actual.statuses(PLAN_ID);
    expect(stored.map((s) => [s.key, s.status]).sort()).toEqual(batch.map((s) => [s.key, s.status]).sort());
    const served = stored.find((s) => s.key === 'collector-residual-1#1')!;
    expect(served).toMatchObject({ status: 'done', source: 'gps', arrivalMs: batch.find((s) => s.key === served.key)!.arrivalMs });

    expect(judged.events.map((e) => [e.type, e.key]).sort()).toEqual([
      ['missed_collection', 'collector-residual-1#3'], ['missed_collection', 'collector-residual-1#8'],
      ['sweeping_gap', missed.find((k) => k.startsWith('segment:'))!],
    ]);
    const gap = judged.events.find((e) => e.type === 'sweeping_gap')!;
    expect(gap).toMatchObject({ planId: PLAN_ID, vehicleId: 'sweeper-03', details: { passes: 1, requiredPasses: 2 } });
    const stop = judged.events.find((e) => e.key === 'collector-residual-1#3')!;
    expect(stop.at).toBe(new Date(targets.stops.find((s) => s.key === stop.key)!.windowEndMs).toISOString());

    // a driver marks a skipped stop done by hand (the driver-route table): done, by the driver's word
    await store.db.query(`create table if not exists stop_marks (plan_id text not null references plans(id) on delete cascade, stop_id text not null,
      vehicle_id text not null, seq integer not null, status text not null check (status in ('done')), note text, marked_by text not null,
      marked_at timestamptz not null default now(), primary key (plan_id, stop_id))`);
    const window = targets.stops.find((s) => s.key === 'collector-residual-1#8')!;
    await store.db.query(`insert into stop_marks (plan_id, stop_id, vehicle_id, seq, status, marked_by, marked_at) values ($1, 'collector-residual-1.8', 'collector-residual-1', 8, 'done', 'driver:u1', $2)`,
      [PLAN_ID, new Date(window.windowEndMs - 60_000)]);
    const marked = (await judgeStoredPlan(actual, PLAN_ID, profile, plan.network, atMs))!.statuses.find((s) => s.key === 'collector-residual-1#8')!;
    expect(marked).toMatchObject({ status: 'done', source: 'driver', arrivalMs: window.windowEndMs - 60_000 });
    await store.db.query('delete from stop_marks where plan_id = $1', [PLAN_ID]);

    // judged again: nothing new is raised, the list holds each event once
    expect((await judgeStoredPlan(actual, PLAN_ID, profile, plan.network, atMs))!.events).toEqual([]);
    const listed = await actual.events({ planId: PLAN_ID, limit: 100, offset: 0 });
    expect(listed.total).toBe(3);
    expect((await actual.events({ type: 'sweeping_gap', limit: 100, offset: 0 })).items.map((e) => e.id)).toEqual([gap.id]);
  });

  it(`[${backend}] stores a day of thousands of statuses whole, a key given twice with its last state`, async () => {
    const planId = `${PLAN_ID}-bulk`;
    await insertPublishedPlan(store.db, planId, '2026-12-02', plan, null);
    const t0 = plan.mapping.midnightMs;
    const status = (i: number, state: 'done' | 'missed'): ActualStatus => ({
      key: `bulk-${i}#1`, kind: 'stop', vehicleIds: [`veh-${i % 7}`], recordId: `cp-${i}`, itemId: `job-${i}`, visit: 1, seq: i, status: state,
      source: state === 'done' ? 'gps' : null, fromMs: t0 + i * 1_000, dueMs: t0 + i * 1_000 + 3_600_000, plannedStartMs: t0 + i * 1_000 + 60_000,
      ...(state === 'done' ? { arrivalMs: t0 + i * 1_000 + 90_000, departureMs: t0 + i * 1_000 + 150_000 } : {}),
    });
    const rows = Array.from({ length: 1_201 }, (_, i) => status(i, 'missed'));
    rows.push(status(700, 'done'));
    await actual.save(planId, rows);
    const stored = await actual.statuses(planId);
    expect(stored).toHaveLength(1_201);
    const byKey = new Map(stored.map((s) => [s.key, s]));
    expect(byKey.get('bulk-700#1')).toMatchObject({ status: 'done', source: 'gps', arrivalMs: t0 + 790_000, vehicleIds: ['veh-0'] });
    expect(byKey.get('bulk-1200#1')).toMatchObject({ status: 'missed', seq: 1_200, dueMs: t0 + 1_200_000 + 3_600_000 });
    expect(stored.filter((s) => s.status === 'done')).toHaveLength(1);
  });
});
