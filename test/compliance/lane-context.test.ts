import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import { IncidentFeed, StoreIncidentSink } from '../../src/compliance/incident-sink.js';
import { IncidentStore } from '../../src/compliance/incident-store.js';
import { storedLaneContext } from '../../src/compliance/lane-context.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

const T0 = Date.parse('2026-11-30T15:00:00Z');

describeEachBackend('the context of a late stretch read back from the store [%s]', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
    const rows: Array<[string, number, boolean, boolean, number]> = [
      ['muck-1', T0 - 20_000, true, false, 15_000], // before the range
      ['muck-1', T0, true, false, 15_000],
      ['muck-1', T0 + 10_000, true, true, 15_000], // implausible: no place the truck was
      ['muck-1', T0 + 20_000, false, false, 15_000], // no GNSS position
      ['muck-1', T0 + 30_000, true, false, 11_000],
      ['muck-2', T0 + 30_000, true, false, 9_000], // another truck
      ['muck-1', T0 + 90_000, true, false, 11_000], // after the range
    ];
    for (const [vehicleId, t, positioned, implausible, kg] of rows) {
      await store.db.query(
        `insert into positions (vehicle_id, fix_time, lat, lon, speed_kmh, heading_deg, positioned, implausible, source, load_state, load_kg, cover_closed, body_lifted)
         values ($1, $2, 43.76, 7.46, 30, 90, $3, $4, 'jt808', 'full', $5, true, false)`,
        [vehicleId, new Date(t), positioned, implausible, kg],
      );
    }
    const sink = new StoreIncidentSink({ store: new IncidentStore(store.db), feed: new IncidentFeed(), vehicleFacts: () => undefined });
    const event = (phase: IncidentEvent['phase'], over: Partial<IncidentEvent> = {}): IncidentEvent => ({
      key: `speeding:muck-1:${T0}`, phase, type: 'speeding', vehicleId: 'muck-1', startMs: T0, atMs: T0 + 20_000, level: 1,
      fixIds: ['muck-1:1'], thresholds: { limitKmh: 40 }, details: { maxSpeedKmh: 55 }, ...over,
    });
    await sink.emit(event('open'));
    await sink.emit(event('close', { endMs: T0 + 30_000, atMs: T0 + 30_000 }));
    await sink.emit(event('open', { key: `speeding:muck-1:${T0 + 3_600_000}`, startMs: T0 + 3_600_000, atMs: T0 + 3_600_000 })); // later, out of range
  });
  afterAll(async () => {
    await store?.close();
  });

  it('reads the vehicle\'s positioned, plausible fixes in the range in time order, and its incidents overlapping it', async () => {
    const context = await storedLaneContext(store.db)('muck-1', T0, T0 + 60_000);
    expect(context.fixes.map((f) => [f.fixTimeMs, f.loadKg, f.loadState, f.coverClosed, f.bodyLifted])).toEqual([
      [T0, 15_000, 'full', true, false], [T0 + 30_000, 11_000, 'full', true, false],
    ]);
    expect(context.incidents.map((i) => [i.event.key, i.event.type, i.event.startMs, i.event.endMs, i.closed])).toEqual([
      [`speeding:muck-1:${T0}`, 'speeding', T0, T0 + 30_000, true],
    ]);
  });
});
