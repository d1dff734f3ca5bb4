import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { ensurePositionPartitions } from '../../src/store/positions-partitions.js';
import { PositionWriter, type StoredFix } from '../../src/tracking/position-writer.js';
import { describeEachBackend, createTestDatabase, type TestDatabase } from '../helpers/backends.js';

/**
 * Group commit as the TCP server drives it: each terminal's fix arrives in its own I/O
 * callback. Submissions made in one turn of the event loop must share a transaction — on
 * PGlite too, whose statements run without yielding to the loop.
 */
describeEachBackend('position writer group commit (%s)', (backend) => {
  let db: Db;
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    db = await openDb({ databaseUrl: testDb.url, dataDir: testDb.dataDir });
    await migrate(db);
    await ensurePositionPartitions(db, Date.now());
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('commits fixes submitted from separate callbacks of one loop turn in one transaction, each acknowledged after it', async () => {
    const writer = new PositionWriter(db);
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const fix = (i: number): StoredFix => ({
      deviceId: `t${i}`, vehicleId: `v${i}`, fixTimeMs: t0, lat: 43.73, lon: 7.42, speedKmh: 0, headingDeg: 0, altitudeM: 0,
      positioned: true, alarms: [], source: 'jt808',
    });
    // 40 callbacks of one loop phase (like the socket reads of one poll), each submitting one fix.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => new Promise<number>((resolve, reject) => {
      setImmediate(() => writer.write([fix(i)]).then((r) => resolve(r.inserted.length), reject));
    })));
    expect(results).toEqual(new Array(40).fill(1));
    expect(writer.committedRows).toBe(40);
    expect(writer.transactions).toBe(1);
  });
});
