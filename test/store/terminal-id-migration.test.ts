import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/service.js';
import { openDb, type Db } from '../../src/store/db.js';
import { unresolvedTerminalIdConflicts } from '../../src/store/device-keys.js';
import { migrate } from '../../src/store/migrate.js';
import { latestMigrationVersion, migrations } from '../../src/store/schema.js';
import { describeEachBackend, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { TEST_PGLITE_SHARED_BUFFERS } from '../helpers/store-root.js';

/**
 * Migration 7 rewrites the terminal ids (and numeric device ids) of existing vehicles into
 * canonical form. Rows that collide once canonical: the vehicle the directory resolved the id
 * to so far (the greatest id) keeps it, the others are unbound, recorded in
 * terminal_id_conflicts, and logged at warn at every start until resolved.
 */
describeEachBackend('migration 7: canonical terminal ids [%s]', (backend) => {
  let testDb: TestDatabase;
  let dataDir: string | undefined;
  let db: Db;
  const open = () => openDb({ databaseUrl: testDb.url, dataDir, pgliteSharedBuffers: TEST_PGLITE_SHARED_BUFFERS });

  const vehicle = (id: string, ids: { terminalId?: string; deviceId?: string }) => ({
    id, plate: `P-${id}`, kind: 'collector', wasteClasses: ['residual'], capacityKg: 8000, capacityM3: 18, sealed: true, hazardousRated: false,
    sensors: { cover: false, lift: false, load: false, coverFaulty: false }, homeDepotId: 'depot-a', shift: { from: '04:00', to: '12:00' }, ...ids,
  });

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    // PGlite: the run's empty store (copied; saves an initdb).
    dataDir = backend === 'pglite' ? testDb.dataDir ?? mkdtempSync(join(tmpdir(), 'sanifleet-mig7-')) : undefined;
    db = await open();
    // A store as the service left it before migration 7, with ids written as they were sent.
    await migrate(db, migrations.filter((m) => m.version < 7));
    await db.query(`insert into depots (id, doc) values ('depot-a', '{"id":"depot-a","name":"A","location":{"type":"Point","coordinates":[7.42,43.73]}}'::jsonb)`);
    const rows = [
      vehicle('veh-a', { terminalId: '13800001001' }),
      vehicle('veh-b', { terminalId: '013800001001' }),
      vehicle('veh-c', { terminalId: '00000000013800001001' }),
      vehicle('veh-d', { terminalId: '013800002002', deviceId: 'phone-007' }),
      vehicle('veh-e', { deviceId: '0042' }),
      vehicle('veh-f', { deviceId: '42' }),
      vehicle('veh-g', { terminalId: '000000000000' }),
    ];
    for (const v of rows) {
      await db.query(
        'insert into vehicles (id, kind, home_depot_id, terminal_id, device_id, plate, doc) values ($1, $2, $3, $4, $5, $6, $7::jsonb)',
        [v.id, v.kind, v.homeDepotId, v.terminalId ?? null, v.deviceId ?? null, v.plate, JSON.stringify(v)],
      );
    }
  });

  afterAll(async () => {
    await db?.close().catch(() => undefined);
    await testDb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('rewrites ids canonical in the columns and the records, and keeps each colliding id on one vehicle', async () => {
    expect(await migrate(db)).toBe(latestMigrationVersion);
    const res = await db.query<{ id: string; terminal_id: string | null; device_id: string | null; doc: Record<string, unknown> }>(
      'select id, terminal_id, device_id, doc from vehicles order by id',
    );
    const byId = Object.fromEntries(res.rows.map((r) => [r.id, r]));
    const ids = (id: string) => ({ terminal: byId[id]!.terminal_id, device: byId[id]!.device_id, docTerminal: byId[id]!.doc.terminalId, docDevice: byId[id]!.doc.deviceId });
    // veh-c held the id in the directory (loaded in id order, the last binding won): it keeps it.
    expect(ids('veh-c')).toEqual({ terminal: '13800001001', device: null, docTerminal: '13800001001', docDevice: undefined });
    expect(ids('veh-a')).toEqual({ terminal: null, device: null, docTerminal: undefined, docDevice: undefined });
    expect(ids('veh-b')).toEqual({ terminal: null, device: null, docTerminal: undefined, docDevice: undefined });
    expect(ids('veh-d')).toEqual({ terminal: '13800002002', device: 'phone-007', docTerminal: '13800002002', docDevice: 'phone-007' });
    expect(ids('veh-e')).toEqual({ terminal: null, device: null, docTerminal: undefined, docDevice: undefined });
    expect(ids('veh-f')).toEqual({ terminal: null, device: '42', docTerminal: undefined, docDevice: '42' });
    expect(ids('veh-g')).toEqual({ terminal: '0', device: null, docTerminal: '0', docDevice: undefined });
    // Every record is still what the API would have written: the doc and its columns agree.
    for (const r of res.rows) expect([r.doc.terminalId ?? null, r.doc.deviceId ?? null]).toEqual([r.terminal_id, r.device_id]);
  });

  it('records every unbound vehicle with what it held and who kept it', async () => {
    expect(await unresolvedTerminalIdConflicts(db)).toEqual([
      { vehicleId: 'veh-a', field: 'terminalId', storedValue: '13800001001', canonicalValue: '13800001001', keptByVehicleId: 'veh-c' },
      { vehicleId: 'veh-b', field: 'terminalId', storedValue: '013800001001', canonicalValue: '13800001001', keptByVehicleId: 'veh-c' },
      { vehicleId: 'veh-e', field: 'deviceId', storedValue: '0042', canonicalValue: '42', keptByVehicleId: 'veh-f' },
    ]);
    // Binding a vehicle to its own id resolves its row.
    await db.query(`update vehicles set terminal_id = '13800009999', doc = jsonb_set(doc, '{terminalId}', '"13800009999"') where id = 'veh-a'`);
    expect((await unresolvedTerminalIdConflicts(db)).map((c) => c.vehicleId)).toEqual(['veh-b', 'veh-e']);
  });

  it('the service says so at warn at every start while a conflict is unresolved', async () => {
    await db.close();
    const lines: Array<Record<string, any>> = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: 'mig7-admin-token-0123456789abcdef', DEMO_CITY: 'never', JT808_ENABLED: 'false', OSM_FILE: 'none',
      ...(testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: dataDir! }),
    });
    const service = await startService(config, pino({ level: 'info' }, sink));
    try {
      const warnings = lines.filter((l) => l.level === 40 && l.conflict);
      expect(warnings.map((l) => [l.conflict.vehicleId, l.conflict.keptByVehicleId])).toEqual([['veh-b', 'veh-c'], ['veh-e', 'veh-f']]);
      expect(warnings[0]!.msg).toContain('migration 7');
    } finally {
      await service.close();
      db = await open();
    }
  });
});
