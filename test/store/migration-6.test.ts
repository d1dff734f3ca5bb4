import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/schema.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

/** Migration 6 on a store that holds rows from before it: OsmAnd's alarm moves from attributes into alarms. */
describeEachBackend('migration 6: alarms as sent (%s)', (backend) => {
  let store: TestStore;
  let db: Db;
  beforeAll(async () => {
    store = await openTestStore(backend, migrations.filter((m) => m.version < 6));
    db = store.db;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('moves an OsmAnd alarm out of attributes into alarms, whole, and leaves every other row as it was', async () => {
    const insert = (vehicleId: string, source: string, alarms: string[], attributes: unknown) => db.query(
      `insert into positions (vehicle_id, fix_time, lat, lon, speed_kmh, heading_deg, positioned, source, alarms, attributes)
       values ($1, now(), 43.7, 7.4, 0, 0, true, $2, $3, $4::jsonb)`, [vehicleId, source, alarms, attributes === null ? null : JSON.stringify(attributes)]);
    await insert('phone-1', 'osmand', [], { alarm: 'sos,overspeed', batteryLevel: 80 });
    await insert('phone-2', 'osmand', [], { alarm: 'sos' });
    await insert('phone-3', 'osmand', [], { batteryLevel: 50 });
    await insert('phone-4', 'osmand', [], { alarm: '' });
    await insert('truck-1', 'jt808', ['sos', 'overspeed'], { item_e1: 'ab' });
    await insert('json-1', 'json', [], { alarm: 'not an OsmAnd field' });

    await migrate(db);
    const rows = await db.query<{ vehicle_id: string; alarms: string[]; attributes: Record<string, unknown> | null }>(
      'select vehicle_id, alarms, attributes from positions order by vehicle_id');
    expect(rows.rows).toEqual([
      { vehicle_id: 'json-1', alarms: [], attributes: { alarm: 'not an OsmAnd field' } },
      { vehicle_id: 'phone-1', alarms: ['sos,overspeed'], attributes: { batteryLevel: 80 } },
      { vehicle_id: 'phone-2', alarms: ['sos'], attributes: null },
      { vehicle_id: 'phone-3', alarms: [], attributes: { batteryLevel: 50 } },
      { vehicle_id: 'phone-4', alarms: [], attributes: { alarm: '' } },
      { vehicle_id: 'truck-1', alarms: ['sos', 'overspeed'], attributes: { item_e1: 'ab' } },
    ]);
  });
});
