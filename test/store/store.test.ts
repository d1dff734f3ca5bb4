import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate, currentMigrationVersion } from '../../src/store/migrate.js';
import { latestMigrationVersion, migrations } from '../../src/store/schema.js';
import { ensurePositionPartitions } from '../../src/store/positions-partitions.js';
import { CityRepo } from '../../src/store/city-repo.js';
import { resources } from '../../src/store/resources.js';
import { describeEachBackend, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { TEST_PGLITE_SHARED_BUFFERS } from '../helpers/store-root.js';

/** The store suite, once per backend (PGlite always; PostgreSQL when TEST_DATABASE_URL is set, else a visible skip). */
describeEachBackend('store [%s]', (backend) => {
  let testDb: TestDatabase;
  let dataDir: string | undefined;
  let db: Db;
  const open = () => openDb({ databaseUrl: testDb.url, dataDir, pgliteSharedBuffers: TEST_PGLITE_SHARED_BUFFERS });

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    // PGlite on disk (a restart must find the records): the suite's own copy of the empty store, or a new directory.
    dataDir = backend === 'pglite' ? testDb.dataDir ?? mkdtempSync(join(tmpdir(), 'sanifleet-store-')) : undefined;
    db = await open();
  });
  afterAll(async () => {
    await db?.close().catch(() => undefined);
    await testDb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates an empty store to the latest version, and running again changes nothing', async () => {
    expect(await migrate(db)).toBe(latestMigrationVersion);
    const tables = await db.query<{ n: number }>("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
    expect(await migrate(db)).toBe(latestMigrationVersion);
    const again = await db.query<{ n: number }>("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
    expect(again.rows[0]!.n).toBe(tables.rows[0]!.n);
    const applied = await db.query<{ version: number }>('select version from schema_migrations order by version');
    // Every migration once (versions are reserved per change, so the list may have gaps).
    expect(applied.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
  });

  it('rolls a failed migration back whole and records nothing of it', async () => {
    const broken = { version: 999, name: 'broken', sql: 'create table half_done (id int); select * from table_that_does_not_exist' };
    await expect(migrate(db, [broken])).rejects.toThrow();
    const half = await db.query("select 1 from information_schema.tables where table_name = 'half_done'");
    expect(half.rows).toHaveLength(0);
    expect(await currentMigrationVersion(db)).toBe(latestMigrationVersion);
  });

  it('writes, filters, pages and deletes city records', async () => {
    const repo = new CityRepo(db);
    const city = smallCity();
    await db.transaction(async (tx) => {
      for (const d of city.depots) await repo.write(resources.depots, d, 'insert', tx);
      for (const v of city.vehicles) await repo.write(resources.vehicles, v as any, 'insert', tx);
    });
    const collectors = await repo.list(resources.vehicles, { filters: { kind: 'collector' }, limit: 1, offset: 0 });
    expect(collectors.total).toBe(2);
    expect(collectors.items.map((v) => v.id)).toEqual(['col-1']);
    const page2 = await repo.list(resources.vehicles, { filters: { kind: 'collector' }, limit: 1, offset: 1 });
    expect(page2.items.map((v) => v.id)).toEqual(['col-2']);
    const byClass = await repo.list(resources.vehicles, { filters: { wasteClass: 'construction' }, limit: 10, offset: 0 });
    expect(byClass.items.map((v) => v.id)).toEqual(['muck-1']);
    const inBox = await repo.list(resources.depots, { filters: {}, bbox: [7.41, 43.73, 7.43, 43.74], limit: 10, offset: 0 });
    expect(inBox.total).toBe(1);
    const outside = await repo.list(resources.depots, { filters: {}, bbox: [0, 0, 1, 1], limit: 10, offset: 0 });
    expect(outside.total).toBe(0);
  });

  it('leaves nothing behind when a transaction fails half-way', async () => {
    const repo = new CityRepo(db);
    const before = await repo.count(resources.depots);
    await expect(db.transaction(async (tx) => {
      await repo.write(resources.depots, { id: 'depot-tx', name: 'tx', location: { type: 'Point', coordinates: [1, 1] } }, 'insert', tx);
      await repo.write(resources.vehicles, { ...smallCity().vehicles[0]!, id: 'v-tx', plate: 'TX', terminalId: '777', homeDepotId: 'missing' } as any, 'insert', tx);
    })).rejects.toMatchObject({ code: '23503' });
    expect(await repo.count(resources.depots)).toBe(before);
    expect(await repo.get(resources.depots, 'depot-tx')).toBeUndefined();
  });

  it('keeps the positions log partitioned by day, one row per vehicle and fix time', async () => {
    const day = Date.UTC(2026, 10, 23, 12);
    await ensurePositionPartitions(db, day, 1, 1);
    const parts = await db.query<{ relname: string }>(
      "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'positions' order by 1");
    expect(parts.rows.map((r) => r.relname)).toEqual(expect.arrayContaining(['positions_20261122', 'positions_20261123', 'positions_20261124', 'positions_default']));
    const insert = (t: number) => db.query(
      `insert into positions (vehicle_id, fix_time, lat, lon, speed_kmh, heading_deg, positioned, source)
       values ('col-1', $1, 43.7, 7.4, 20, 90, true, 'jt808') on conflict do nothing`, [new Date(t)]);
    await insert(day);
    await insert(day); // the same fix again: deduplicated by the key
    await insert(day + 1000);
    const rows = await db.query<{ n: number; part: string }>("select count(*)::int as n, min(tableoid::regclass::text) as part from positions where vehicle_id = 'col-1'");
    expect(rows.rows[0]!.n).toBe(2);
    expect(rows.rows[0]!.part).toBe('positions_20261123');
  });

  it('keeps every record across a restart', async () => {
    await db.close();
    db = await open();
    expect(await migrate(db)).toBe(latestMigrationVersion);
    const repo = new CityRepo(db);
    expect(await repo.count(resources.vehicles)).toBe(3);
    expect((await db.query<{ n: number }>('select count(*)::int as n from positions')).rows[0]!.n).toBe(2);
  });
});
