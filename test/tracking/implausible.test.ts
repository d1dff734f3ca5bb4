import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfileSchema, defaultCityProfile, type CityProfile } from '../../src/domain/city-profile.js';
import type { Vehicle } from '../../src/domain/model.js';
import type { Db } from '../../src/store/db.js';
import { FleetEvents } from '../../src/tracking/fleet-events.js';
import { haversineM } from '../../solver/index.js';
import { PlausibilityJudge, REANCHOR_AFTER_FIXES } from '../../src/tracking/plausibility.js';
import { PositionWriter, type StoredFix } from '../../src/tracking/position-writer.js';
import { queryTrack } from '../../src/tracking/track.js';
import { VehicleTracker } from '../../src/tracking/vehicle-tracker.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

/**
 * Implausible fixes: a jump faster than the profile's limit from the previous plausible fix
 * (in fix-time order) is stored flagged, shown flagged in the track, and left out of
 * distance and the vehicle's latest position.
 */
const T0 = Date.parse('2026-11-23T02:00:00Z'); // 10:00 in Shanghai
const LAT0 = 43.73;
const LON0 = 7.42;
/** Degrees of latitude per metre. */
const DEG_PER_M = 1 / 111_195;

describeEachBackend('implausible fixes (%s)', (backend) => {
  let store: TestStore;
  let db: Db;
  let profile: CityProfile = defaultCityProfile();
  let nowMs = T0 + 120_000;
  let tracker: VehicleTracker;
  let writer: PositionWriter;
  let judge: PlausibilityJudge;
  const vehicles = ['v1', 'v2', 'v3', 'v4'].map((id) => ({ id, plate: id, kind: 'collector', wasteClasses: ['residual'] }) as unknown as Vehicle);

  /** A fix `northM` metres north of the start, `offsetS` after T0. */
  const fix = (vehicleId: string, offsetS: number, northM: number, eastM = 0): StoredFix => ({
    deviceId: vehicleId, vehicleId, fixTimeMs: T0 + offsetS * 1000, lat: LAT0 + northM * DEG_PER_M, lon: LON0 + eastM * DEG_PER_M / Math.cos(LAT0 * Math.PI / 180), speedKmh: 20, headingDeg: 0,
    altitudeM: 0, positioned: true, alarms: [], source: 'jt808',
  });
  const flags = async (vehicleId: string) => (await db.query<{ s: number; implausible: boolean }>(
    'select extract(epoch from fix_time - $2::timestamptz)::int as s, implausible from positions where vehicle_id = $1 order by fix_time', [vehicleId, new Date(T0)])).rows
    .map((r) => [r.s, r.implausible]);

  beforeAll(async () => {
    store = await openTestStore(backend);
    db = store.db;
    tracker = new VehicleTracker(db, new FleetEvents(), () => profile, () => nowMs);
    await tracker.load(vehicles);
    judge = new PlausibilityJudge(db, () => profile.tracking.maxPlausibleSpeedKmh);
    writer = new PositionWriter(db, { judge: (rows) => judge.judge(rows), onCommitted: (f) => tracker.apply(f) });
  });
  afterAll(async () => {
    tracker?.close();
    await store?.close();
  });

  it('flags a 1 km jump in 10 s (360 km/h), keeps it in the log, and leaves it out of distance and the latest position', async () => {
    await writer.write([fix('v1', 0, 0), fix('v1', 10, 100)]);
    await writer.write([fix('v1', 20, 1100)]); // the jump: 1 km in 10 s
    expect(tracker.get('v1')!.latest!.fixTimeMs).toBe(T0 + 10_000);
    await writer.write([fix('v1', 30, 200)]); // back on the road: 100 m in 20 s from the last plausible fix
    expect(await flags('v1')).toEqual([[0, false], [10, false], [20, true], [30, false]]);
    const s = tracker.get('v1')!;
    expect(s.latest!.fixTimeMs).toBe(T0 + 30_000);
    expect(s.distanceTodayM).toBeCloseTo(200, 0);

    // Shown flagged in the track, and not part of its line.
    const track = await queryTrack(db, 'v1', { fromMs: T0 - 1000, toMs: T0 + 60_000 });
    const points = track.features.filter((f) => f.properties.kind === 'fix') as Array<{ properties: { implausible: boolean } }>;
    expect(points.map((p) => p.properties.implausible)).toEqual([false, false, true, false]);
    expect(track.properties).toMatchObject({ totalFixes: 4, implausibleFixes: 1 });
    const line = track.features.find((f) => f.properties.kind === 'path')!;
    expect((line.geometry.coordinates as number[][]).length).toBe(3);
    const simplified = await queryTrack(db, 'v1', { fromMs: T0 - 1000, toMs: T0 + 60_000, simplifyM: 1000 });
    expect(simplified.features.some((f) => f.properties.kind === 'fix' && (f.properties as { implausible?: boolean }).implausible)).toBe(true);

    // After a restart: state and distance come from the plausible fixes only.
    const fresh = new VehicleTracker(db, new FleetEvents(), () => profile, () => nowMs);
    await fresh.load(vehicles);
    expect(fresh.get('v1')!.latest!.fixTimeMs).toBe(T0 + 30_000);
    expect(fresh.get('v1')!.distanceTodayM).toBeCloseTo(200, 0);
    fresh.close();
  });

  it('judges a late fix against the previous plausible fix in fix-time order, from the log', async () => {
    // 15 s: 1 km on from the plausible fix at 10 s in 5 s → flagged; 25 s: 50 m on from it in 15 s → plausible.
    await writer.write([fix('v1', 15, 1100), fix('v1', 25, 150)]);
    expect(await flags('v1')).toEqual([[0, false], [10, false], [15, true], [20, true], [25, false], [30, false]]);
    await tracker.settle();
    // The recomputed distance takes the late plausible fix, never the jumps: 0 → 100 → 150 → 200 m north.
    expect(tracker.get('v1')!.distanceTodayM).toBeCloseTo(200, 0);
  });

  it('judges each fix of a late batch against the latest plausible fix before it, from the log or from the batch', async () => {
    await writer.write([fix('v4', 0, 0), fix('v4', 10, 100), fix('v4', 20, 200), fix('v4', 40, 400)]);
    await writer.write([
      fix('v4', 12, 110), // after the log's 10 s fix: plausible
      fix('v4', 22, 200, 300), // 300 m from the log's 20 s fix in 2 s (from the batch's 12 s fix it would pass)
      fix('v4', 24, 240), // from the log's 20 s fix (22 s is implausible): plausible
      fix('v4', 25, 240, 100), // 100 m from the batch's 24 s fix in 1 s (from the log's 20 s fix it would pass)
    ]);
    expect(await flags('v4')).toEqual([[0, false], [10, false], [12, false], [20, false], [22, true], [24, false], [25, true], [40, false]]);
  });

  it('takes the limit from the city profile: the same jump is plausible under a higher limit', async () => {
    profile = cityProfileSchema.parse({ tracking: { maxPlausibleSpeedKmh: 400 } });
    try {
      await writer.write([fix('v2', 0, 0), fix('v2', 10, 1000)]);
      expect(await flags('v2')).toEqual([[0, false], [10, false]]);
    } finally {
      profile = defaultCityProfile();
    }
    expect(defaultCityProfile().tracking.maxPlausibleSpeedKmh).toBe(200);
    for (const bad of [0, -5, 5000, 'fast']) {
      expect(cityProfileSchema.safeParse({ tracking: { maxPlausibleSpeedKmh: bad } }).success, String(bad)).toBe(false);
    }
  });

  it(`recovers from a wrong anchor: after ${REANCHOR_AFTER_FIXES} fixes that agree with each other, the vehicle is where they say`, async () => {
    // The first fix is 50 km off (a cold-start fix); the truck is really at the start and drives on.
    await writer.write([fix('v3', 0, 50_000)]);
    for (let i = 1; i <= 5; i++) await writer.write([fix('v3', i * 10, i * 100)]);
    const expected = [[0, false], ...[1, 2, 3, 4, 5].map((i) => [i * 10, i < REANCHOR_AFTER_FIXES])];
    expect(await flags('v3')).toEqual(expected);
    const s = tracker.get('v3')!;
    expect(s.latest!.fixTimeMs).toBe(T0 + 50_000);
    // The re-anchoring step is a jump, not driving: only the steps after it count.
    expect(s.distanceTodayM).toBeCloseTo(haversineM(LON0, LAT0 + 300 * DEG_PER_M, LON0, LAT0 + 500 * DEG_PER_M), 0);
  });
});
