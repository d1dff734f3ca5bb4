import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { ensurePositionPartitions } from '../../src/store/positions-partitions.js';
import { PositionWriter, type StoredFix, type WriteResult } from '../../src/tracking/position-writer.js';
import { addressFor, encodeFrame, Jt808Session, locationBody, MsgId } from '../../src/ingest/jt808/index.js';
import { decodeSent, generalReplyOf } from '../ingest/jt808/helpers.js';
import { describeEachBackend, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { TEST_PGLITE_SHARED_BUFFERS } from '../helpers/store-root.js';

/**
 * Group commit as the TCP server drives it: each terminal's fix arrives in its own I/O
 * callback. Submissions made in one turn of the event loop must share a transaction — on
 * PGlite too, whose statements run without yielding to the loop.
 */
describeEachBackend('position writer group commit (%s)', (backend) => {
  let db: Db;
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(backend, { migrated: true });
    db = await openDb({ databaseUrl: testDb.url, dataDir: testDb.dataDir, pgliteSharedBuffers: TEST_PGLITE_SHARED_BUFFERS });
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

  it('commits the location frames a JT/T 808 terminal sent in one read in one transaction, and acks them in one write', async () => {
    const writer = new PositionWriter(db);
    const sent: Buffer[] = [];
    const session = new Jt808Session({
      directory: { findByTerminalId: async () => ({ vehicleId: 'v-run' }), issueAuthCode: async () => 'c', checkAuthCode: async () => true },
      sink: { submit: async (fixes) => void (await writer.write(fixes.map((f) => ({ ...f, vehicleId: 'v-run' })))) },
      send: (wire) => sent.push(wire),
      trustKnownTerminals: true,
    });
    const address = addressFor('13800000077');
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const chunk = Buffer.concat(Array.from({ length: 10 }, (_, i) => encodeFrame(MsgId.location, address, i, locationBody({ fixTimeMs: t0 + i * 1000, lat: 43.73, lon: 7.42 }))));
    await session.feed(chunk);
    expect(writer.transactions).toBe(1);
    expect(writer.committedRows).toBe(10);
    expect(sent).toHaveLength(1);
    const acks = decodeSent(sent).map(generalReplyOf);
    expect(acks.map((a) => [a.replySerial, a.result])).toEqual(Array.from({ length: 10 }, (_, i) => [i, 0]));
  });

  describe('one fix the store refuses never refuses the others of its batch', () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    let next = 0;
    const fix = (vehicleId: string, extra: Partial<StoredFix> = {}): StoredFix => ({
      deviceId: vehicleId, vehicleId, fixTimeMs: t0 + 1000 * next++, lat: 43.73, lon: 7.42, speedKmh: 10, headingDeg: 0, altitudeM: 0,
      positioned: true, alarms: [], source: 'jt808', ...extra,
    });
    /** Submissions made in separate callbacks of one loop turn: they share the group commit. */
    const oneTurn = (writer: PositionWriter, submissions: StoredFix[][]) => Promise.all(submissions.map((fixes) => new Promise<WriteResult | Error>((resolve) => {
      setImmediate(() => writer.write(fixes).then(resolve, (err: Error) => resolve(err)));
    })));
    const stored = async (vehicleId: string) => (await db.query<{ n: number }>('select count(*)::int as n from positions where vehicle_id = $1', [vehicleId])).rows[0]!.n;

    it('sets apart rows the store refuses (a constraint validation knows nothing of) and commits every other row', async () => {
      await db.query('alter table positions add constraint test_refuses_altitude check (altitude_m <> 1234)');
      try {
        const writer = new PositionWriter(db);
        // 30 good terminals of 4 fixes each; 3 submissions hold a refused fix between good ones.
        const submissions = Array.from({ length: 30 }, (_, i) => Array.from({ length: 4 }, () => fix(`good-${i}`)));
        submissions.push([fix('mixed-1'), fix('mixed-1', { altitudeM: 1234 }), fix('mixed-1')]);
        submissions.push([fix('bad-1', { altitudeM: 1234 })]);
        submissions.push([fix('mixed-2', { altitudeM: 1234 }), fix('mixed-2')]);
        const results = await oneTurn(writer, submissions);
        for (const [i, r] of results.slice(0, 30).entries()) expect(r, `good-${i}`).toEqual({ inserted: submissions[i], duplicates: 0, refused: [] });
        const [mixed1, bad1, mixed2] = results.slice(30) as WriteResult[];
        expect(mixed1!.inserted).toHaveLength(2);
        expect(mixed1!.refused).toEqual([{ index: 1, code: '23514', message: expect.stringContaining('test_refuses_altitude') }]);
        expect(bad1).toMatchObject({ inserted: [], duplicates: 0, refused: [{ index: 0, code: '23514' }] });
        expect(mixed2).toMatchObject({ duplicates: 0, refused: [{ index: 0 }] });
        expect(mixed2!.inserted).toHaveLength(1);
        for (let i = 0; i < 30; i++) expect(await stored(`good-${i}`)).toBe(4);
        expect([await stored('mixed-1'), await stored('bad-1'), await stored('mixed-2')]).toEqual([2, 0, 1]);
        expect(writer.refusedRows).toBe(3);
        expect(writer.committedRows).toBe(123);
      } finally {
        await db.query('alter table positions drop constraint test_refuses_altitude');
      }
    });

    it('isolates a row whatever the error (a test double failing on one row, with no SQLSTATE)', async () => {
      const flaky: Db = { ...db, query: async (sql, params) => {
        if (sql.startsWith('insert into positions') && (params?.[0] as string[] | undefined)?.includes('poison')) throw new TypeError('cannot serialize this row');
        return db.query(sql, params);
      } };
      const writer = new PositionWriter(flaky);
      const results = await oneTurn(writer, [[fix('d-1'), fix('d-1')], [fix('poison')], [fix('d-2'), fix('poison'), fix('d-2')]]);
      expect(results[0]).toMatchObject({ duplicates: 0, refused: [] });
      expect(results[1]).toEqual({ inserted: [], duplicates: 0, refused: [{ index: 0, message: 'cannot serialize this row' }] });
      expect(results[2]).toMatchObject({ duplicates: 0, refused: [{ index: 1 }] });
      expect([await stored('d-1'), await stored('poison'), await stored('d-2')]).toEqual([2, 0, 2]);
    });

    it('sets apart a row that cannot even be serialized, and commits the rest', async () => {
      const writer = new PositionWriter(db);
      const unserializable = fix('e-1', { attributes: { count: 10n } as unknown as StoredFix['attributes'] });
      const results = await oneTurn(writer, [[fix('e-1'), unserializable, fix('e-1')], [fix('e-2')]]);
      expect(results[0]).toMatchObject({ duplicates: 0, refused: [{ index: 1, message: expect.stringMatching(/BigInt/) }] });
      expect((results[0] as WriteResult).inserted).toHaveLength(2);
      expect(results[1]).toMatchObject({ duplicates: 0, refused: [] });
      expect([await stored('e-1'), await stored('e-2')]).toEqual([2, 1]);
    });

    it('splits nothing and refuses no row when the store itself is down: every submission is rejected (its device resends)', async () => {
      let inserts = 0;
      const down: Db = { ...db, query: async (sql, params) => {
        if (sql.startsWith('insert into positions')) {
          inserts++;
          throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        }
        return db.query(sql, params);
      } };
      const writer = new PositionWriter(down);
      const results = await oneTurn(writer, [[fix('u-1'), fix('u-1')], [fix('u-2')]]);
      expect(results.every((r) => r instanceof Error && /administrator/.test(r.message))).toBe(true);
      expect(inserts).toBe(1);
      expect(writer.refusedRows).toBe(0);
    });

    it('refuses no row when every insert fails for a reason that is no row\'s (the statement itself fails)', async () => {
      const broken: Db = { ...db, query: async (sql, params) => {
        if (sql.startsWith('insert into positions')) throw Object.assign(new Error('column "x" does not exist'), { code: '42703' });
        return db.query(sql, params);
      } };
      const writer = new PositionWriter(broken);
      const results = await oneTurn(writer, [[fix('s-1'), fix('s-1'), fix('s-1')], [fix('s-2')]]);
      expect(results.every((r) => r instanceof Error && /does not exist/.test(r.message))).toBe(true);
      expect(writer.refusedRows).toBe(0);
    });
  });
});
