import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import type { Fix } from '../../src/domain/fix.js';
import type { Vehicle } from '../../src/domain/model.js';
import type { VehicleState } from '../../src/domain/vehicle-state.js';
import { FleetEvents } from '../../src/tracking/fleet-events.js';
import { VehicleTracker } from '../../src/tracking/vehicle-tracker.js';
import { PositionWriter, type StoredFix } from '../../src/tracking/position-writer.js';
import { haversineM } from '../../solver/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { TEST_PGLITE_SHARED_BUFFERS } from '../helpers/store-root.js';

/** The tracker and the writer together, on a real (PGlite) store, with a controlled clock. */
const profile = defaultCityProfile();
const vehicle = { id: 'v1', plate: 'A1', kind: 'collector', wasteClasses: ['residual'], district: 'North' } as unknown as Vehicle;
const T0 = Date.parse('2026-11-23T02:00:00Z'); // 10:00 in Shanghai

let db: Db;
let testDb: TestDatabase;
let nowMs = T0;
let events: FleetEvents;
let tracker: VehicleTracker;
let writer: PositionWriter;
const seen: VehicleState[] = [];

function fix(offsetS: number, lat: number, lon: number, speedKmh: number, extra: Partial<Fix> = {}): StoredFix {
  return { deviceId: 't1', vehicleId: 'v1', fixTimeMs: T0 + offsetS * 1000, lat, lon, speedKmh, headingDeg: 90, altitudeM: 0, positioned: true, alarms: [], source: 'jt808', ...extra };
}

beforeAll(async () => {
  testDb = await createTestDatabase('pglite', { migrated: true });
  db = await openDb({ dataDir: testDb.dataDir, pgliteSharedBuffers: TEST_PGLITE_SHARED_BUFFERS });
  await migrate(db);
  events = new FleetEvents();
  events.on('state', (s) => seen.push(s));
  tracker = new VehicleTracker(db, events, () => profile, () => nowMs);
  writer = new PositionWriter(db, { onCommitted: (f) => tracker.apply(f) });
  await tracker.load([vehicle]);
});
afterAll(async () => {
  tracker.close();
  await db.close();
  await testDb?.drop();
});

describe('vehicle state from committed fixes', () => {
  it('starts offline with no fix', () => {
    expect(tracker.get('v1')).toMatchObject({ motion: 'offline', distanceTodayM: 0 });
  });

  it('moves with in-order fixes, sums distance and keeps load and cover state', async () => {
    nowMs = T0 + 60_000;
    const r = await writer.write([
      fix(0, 43.7300, 7.4200, 25, { loadState: 'empty', coverClosed: true }),
      fix(20, 43.7310, 7.4200, 25),
      fix(40, 43.7320, 7.4200, 24, { loadState: 'half' }),
    ]);
    expect(r.inserted).toHaveLength(3);
    const s = tracker.get('v1')!;
    expect(s.motion).toBe('moving');
    expect(s.latest!.fixTimeMs).toBe(T0 + 40_000);
    expect(s.loadState).toBe('half');
    expect(s.coverClosed).toBe(true);
    const expected = haversineM(7.42, 43.73, 7.42, 43.731) + haversineM(7.42, 43.731, 7.42, 43.732);
    expect(Math.abs(s.distanceTodayM - expected)).toBeLessThan(1);
    expect(s.tripStartedAtMs).toBe(T0);
  });

  it('ignores duplicates and keeps the latest fix when an older batch arrives late', async () => {
    const r = await writer.write([fix(20, 43.7310, 7.4200, 25), fix(10, 43.7305, 7.4200, 25), fix(30, 43.7315, 7.4200, 25)]);
    expect(r.duplicates).toBe(1);
    expect(r.inserted.map((f) => f.fixTimeMs - T0)).toEqual([10_000, 30_000]);
    expect(tracker.get('v1')!.latest!.fixTimeMs).toBe(T0 + 40_000);
    // The late points lie on the same straight path, so the recomputed distance is the same length.
    await tracker.settle();
    const s = tracker.get('v1')!;
    const direct = haversineM(7.42, 43.73, 7.42, 43.732);
    expect(Math.abs(s.distanceTodayM - direct)).toBeLessThan(1);
  });

  it('does not count a GPS jump as distance', async () => {
    const before = tracker.get('v1')!.distanceTodayM;
    await writer.write([fix(60, 44.2, 7.42, 20)]); // 50 km away 20 s later
    expect(tracker.get('v1')!.distanceTodayM).toBe(before);
  });

  it('turns stopped below the threshold and offline after the configured silence', async () => {
    await writer.write([fix(80, 44.2, 7.42, 1)]);
    expect(tracker.get('v1')!.motion).toBe('stopped');
    nowMs = T0 + 80_000 + (profile.tracking.offlineAfterS + 1) * 1000;
    const before = seen.length;
    tracker.sweep();
    expect(tracker.get('v1')!.motion).toBe('offline');
    expect(seen.length).toBe(before + 1);
    tracker.sweep();
    expect(seen.length).toBe(before + 1);
  });

  it('restores latest fix and distance today from the log after a restart', async () => {
    const before = tracker.get('v1')!;
    const fresh = new VehicleTracker(db, new FleetEvents(), () => profile, () => nowMs);
    await fresh.load([vehicle]);
    const after = fresh.get('v1')!;
    expect(after.latest).toEqual(before.latest);
    expect(Math.abs(after.distanceTodayM - before.distanceTodayM)).toBeLessThanOrEqual(1);
    fresh.close();
  });

  it('commits concurrent submissions together and answers each with its own rows', async () => {
    const txBefore = writer.transactions;
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 50 }, (_, i) => fix(1000 + b * 50 + i, 43.74, 7.43, 10)));
    const results = await Promise.all(batches.map((batch) => writer.write(batch)));
    expect(results.every((r) => r.inserted.length === 50 && r.duplicates === 0)).toBe(true);
    // Group commit: far fewer transactions than submissions.
    expect(writer.transactions - txBefore).toBeLessThan(20);
    const n = await db.query<{ n: number }>("select count(*)::int as n from positions where vehicle_id = 'v1'");
    expect(n.rows[0]!.n).toBe(7 + 1000);
  });

  it('refuses new work when the queue is full instead of growing without bound', async () => {
    const small = new PositionWriter(db, { maxQueuedRows: 10 });
    const first = small.write(Array.from({ length: 8 }, (_, i) => fix(5000 + i, 43.74, 7.43, 10)));
    await expect(small.write(Array.from({ length: 8 }, (_, i) => fix(6000 + i, 43.74, 7.43, 10)))).rejects.toThrow(/behind/);
    await first;
  });
});
