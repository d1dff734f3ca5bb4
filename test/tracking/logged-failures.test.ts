import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeWith } from '../helpers/servers.js';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import type { Vehicle } from '../../src/domain/model.js';
import { scheduleJobs } from '../../src/jobs/scheduler.js';
import { openDb, type Db } from '../../src/store/db.js';
import { ensurePositionPartitions } from '../../src/store/positions-partitions.js';
import { FleetEvents } from '../../src/tracking/fleet-events.js';
import { VehicleTracker } from '../../src/tracking/vehicle-tracker.js';
import { createTestDatabase, describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';
import { captureLog } from '../helpers/log-capture.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';

/**
 * Failures that no caller sees — a background recompute, a partition, an idle pooled
 * connection, a JT/T 808 commit the session turns into result 1 — reach the log at warn
 * with their cause.
 */
const T0 = Date.parse('2026-11-23T02:00:00Z'); // 10:00 in Shanghai

describe('swallowed errors reach the log at warn with their cause', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the tracker's recompute of today's distance after a late fix", async () => {
    const log = captureLog();
    let failDistance = false;
    const db = {
      kind: 'pglite',
      query: async (sql: string) => {
        if (failDistance && sql.includes('with steps')) throw new Error('connection to the store lost');
        return { rows: [], rowCount: 0 };
      },
    } as unknown as Db;
    const tracker = new VehicleTracker(db, new FleetEvents(), () => defaultCityProfile(), () => T0 + 60_000, log.logger);
    await tracker.load([{ id: 'v1', plate: 'A1', kind: 'collector', wasteClasses: ['residual'] } as unknown as Vehicle]);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fix = (offsetS: number) => ({
      deviceId: 't1', vehicleId: 'v1', fixTimeMs: T0 + offsetS * 1000, lat: 43.73 + offsetS * 1e-5, lon: 7.42, speedKmh: 20, headingDeg: 0,
      altitudeM: 0, positioned: true, alarms: [], source: 'jt808' as const,
    });
    tracker.apply([fix(20)]);
    failDistance = true;
    tracker.apply([fix(10)]); // late: today's distance is recomputed from the log a moment later
    await vi.advanceTimersByTimeAsync(1500);
    const warned = log.warnings("today's distance not recomputed");
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ vehicleId: 'v1', err: { message: 'connection to the store lost' } });
    tracker.close();
  });

  it('the partition job when the store fails', async () => {
    const log = captureLog();
    const db = { kind: 'pglite', query: async () => { throw new Error('store unreachable'); }, exec: async () => undefined } as unknown as Db;
    const jobs = scheduleJobs({ db, logger: log.logger });
    try {
      await jobs.tasks[0]!.execute();
    } finally {
      await jobs.stop();
    }
    expect(log.warnings('job failed')).toEqual([expect.objectContaining({ job: 'position-partitions', err: expect.objectContaining({ message: 'store unreachable' }) })]);
  });
});

describeEachBackend('on the store (%s)', (backend) => {
  let store: TestStore;
  let db: Db;
  beforeAll(async () => {
    store = await openTestStore(backend);
    db = store.db;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a day partition that cannot be created (its rows already in positions_default) is reported, not hidden', async () => {
    const log = captureLog();
    const day = Date.UTC(2030, 0, 15, 12);
    await db.query(`insert into positions (vehicle_id, fix_time, lat, lon, speed_kmh, heading_deg, positioned, source)
      values ('v1', $1, 43.7, 7.4, 0, 0, true, 'jt808')`, [new Date(day)]);
    expect(await ensurePositionPartitions(db, day, 0, 0, log.logger)).toEqual([]);
    const warned = log.warnings('partition not created');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.partition).toBe('positions_20300115');
    expect(warned[0]!.err.message).toMatch(/default partition/);
  });

  describe('a JT/T 808 commit that fails', () => {
    let svc: TestService;
    const log = captureLog();
    beforeAll(async () => {
      svc = await startTestService({ backend, demo: true, logger: log.logger });
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it('is logged with its cause while the terminal is answered result 1', async () => {
      // The store refuses what validation let through: a constraint the service does not know.
      await svc.db.query('alter table positions add constraint test_refuses_altitude check (altitude_m <> 1234)');
      const bound = (await svc.call('GET', '/api/v1/vehicles?limit=10', { token: svc.adminToken })).body.items.find((v: { terminalId?: string }) => v.terminalId);
      const terminal = await SimTerminal.connect(svc.jt808Port!, bound.terminalId);
      try {
        await terminal.login();
        const serial = terminal.sendLocation({ fixTimeMs: Math.floor(Date.now() / 1000) * 1000 - 5000, lat: 43.73, lon: 7.42, altitudeM: 1234 });
        expect((await terminal.ack(serial)).result).toBe(1);
      } finally {
        await terminal.close();
      }
      const warned = log.warnings('jt808 fixes not committed');
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ fixes: 1 });
      expect(String(warned[0]!.terminalId).replace(/^0+/, '')).toBe(bound.terminalId.replace(/^0+/, ''));
      expect(warned[0]!.err.message).toMatch(/test_refuses_altitude/);
    });
  });
});

describeWith('postgres', 'the PostgreSQL pool (PGlite has no pool)', () => {
  it('reports an idle connection killed by the server', async () => {
    const testDb = await createTestDatabase('postgres');
    const log = captureLog();
    const db = await openDb({ databaseUrl: testDb.url, logger: log.logger });
    try {
      await db.query('select 1'); // leaves one idle client in the pool
      const admin = new pg.Client({ connectionString: testDb.url });
      await admin.connect();
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      await admin.end();
      for (let i = 0; i < 200 && log.warnings('idle PostgreSQL connection failed').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const warned = log.warnings('idle PostgreSQL connection failed');
      expect(warned).toHaveLength(1);
      expect(warned[0]!.err.message).toMatch(/terminat/i);
      expect((await db.query<{ one: number }>('select 1 as one')).rows[0]!.one).toBe(1);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });
});
