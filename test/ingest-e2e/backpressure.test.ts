import type net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MsgId, type LocationInput } from '../../src/ingest/jt808/index.js';
import type { Db } from '../../src/store/db.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { smallCity } from '../helpers/city-fixture.js';

/**
 * When the store falls behind, ingestion must push back instead of buffering without bound:
 * a JT/T 808 connection stops being read (and resumes when commits catch up), and the HTTP
 * batch endpoint answers 503 once the position writer's queue is full.
 */
interface SlowStore {
  /** Position inserts wait until release() or fail(). */
  stall(): void;
  /** Lets stalled and later inserts go through. */
  release(): void;
  /** Fails stalled and later inserts (a store that gave up), so nothing of them is written. */
  fail(): void;
}

/** Wraps the service's Db so position inserts wait at a gate the test opens. */
function slowPositionInserts(db: Db): SlowStore {
  const original = db.query.bind(db);
  let mode: 'pass' | 'stall' | 'fail' = 'pass';
  let opened: Promise<void> = Promise.resolve();
  let open = () => {};
  (db as { query: Db['query'] }).query = (async (sql: string, params?: unknown[]) => {
    if (sql.trimStart().startsWith('insert into positions')) {
      if (mode === 'stall') await opened;
      if (mode === 'fail') throw new Error('store unavailable');
    }
    return original(sql, params);
  }) as Db['query'];
  const settle = (next: 'pass' | 'fail') => {
    mode = next;
    open();
  };
  return {
    stall: () => {
      if (mode === 'stall') return;
      mode = 'stall';
      opened = new Promise<void>((r) => (open = r));
    },
    release: () => settle('pass'),
    fail: () => settle('fail'),
  };
}

/** The server's view of its connections (not part of its public surface). */
interface ServerConnection {
  socket: net.Socket;
  session: { unackedFixes: number; queuedFrames: number };
  paused: boolean;
  bytesReadAtPause: number;
}

/**
 * The most one read from a TCP socket delivers: libuv reads a stream into a buffer it asks
 * for as 64 KiB (uv__read calls alloc_cb with 64 * 1024), and Node allocates that size. A
 * 'data' chunk is one read, so no chunk is larger.
 */
const MAX_READ_BYTES = 64 * 1024;

const MAX_QUEUED_ROWS = 20_000;

const waitUntil = async (what: string, ok: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('backpressure when the store falls behind', () => {
  let svc: TestService;
  let store: SlowStore;
  let vehicleId: string;
  let terminalId: string;

  beforeAll(async () => {
    // a writer queue of 20,000 rows: a few batches of 10,000 fill it (200,000 by default)
    svc = await startTestService({ env: { POSITION_QUEUE_MAX_ROWS: String(MAX_QUEUED_ROWS) } });
    // One terminal is all it takes: the small city, not the demo city.
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: smallCity() })).status).toBe(200);
    store = slowPositionInserts(svc.db);
    const vehicle = (await svc.call('GET', '/api/v1/vehicles?limit=5', { token: svc.adminToken })).body.items.find((v: { terminalId?: string }) => v.terminalId);
    vehicleId = vehicle.id;
    terminalId = vehicle.terminalId;
  });

  // A failed test must not leave the next one behind a closed gate.
  afterEach(() => store?.release());

  afterAll(async () => {
    store?.release();
    await svc?.stop();
  });

  it('pauses reading a JT/T 808 connection while commits stall, keeps un-acked fixes bounded, and resumes when they complete', async () => {
    const terminal = await SimTerminal.connect(svc.jt808Port!, terminalId);
    terminal.keepFrames = false;
    await terminal.login();
    store.stall();

    // A terminal back from a long coverage gap uploads 14,000 buffered points as fast as TCP takes them.
    // Enough for what is asserted below: frames are about 620 bytes, so 430 KB go out, while the
    // design lets the server take at most about 160 KB (the bound's frames and one 64 KiB read
    // before the pause, one high-water mark and one read after it): more than half must wait.
    const frames = 700;
    const perFrame = 20;
    const baseMs = Math.floor(Date.now() / 1000) * 1000 - 30 * 3_600_000;
    const serials: number[] = [];
    let smallestFrameBytes = Infinity; // on the wire, escapes included (bytesWritten counts queued bytes too)
    for (let i = 0; i < frames; i++) {
      const fixes: LocationInput[] = Array.from({ length: perFrame }, (_, j) => ({
        fixTimeMs: baseMs + (i * perFrame + j) * 1000, lat: 43.73 + j * 1e-5, lon: 7.42 + i * 1e-5, speedKmh: 20,
      }));
      const before = terminal.socket.bytesWritten;
      serials.push(terminal.sendBatch(fixes, 1));
      smallestFrameBytes = Math.min(smallestFrameBytes, terminal.socket.bytesWritten - before);
    }
    const sentFixes = frames * perFrame;

    const server = svc.jt808!;
    await waitUntil('the connection to pause', () => server.pauses > 0);
    const conn = [...(server as unknown as { connections: Set<ServerConnection> }).connections].find((c) => c.session.unackedFixes > 0)!;
    expect(conn.paused).toBe(true);
    const { maxUnackedFixes } = server as unknown as { maxUnackedFixes: number };

    // What pausing promises (server.ts, the 'data' handler): the read that takes the session over
    // its bound pauses the socket. A paused net.Socket still pushes what it reads into its own
    // buffer and stops reading the kernel once that buffer holds a high-water mark; every read
    // may bring up to MAX_READ_BYTES. So after the pause it takes in less than one high-water
    // mark plus one read, then nothing until resumed: the rest waits in the terminal (TCP flow control).
    await waitUntil('reading to stop', () => conn.socket.readableLength >= conn.socket.readableHighWaterMark || conn.socket.bytesRead === terminal.socket.bytesWritten, 15_000);
    const readWhenFull = conn.socket.bytesRead;
    await new Promise((r) => setTimeout(r, 300));
    expect(conn.socket.bytesRead).toBe(readWhenFull);
    expect(readWhenFull - conn.bytesReadAtPause).toBeLessThan(conn.socket.readableHighWaterMark + MAX_READ_BYTES);
    expect(conn.socket.readableLength).toBe(readWhenFull - conn.bytesReadAtPause);
    expect(readWhenFull).toBeLessThan(terminal.socket.bytesWritten / 2);
    // And the session, fed only by 'data' events, holds at most its bound plus the fixes of the
    // frames that one read completed (a read of B bytes completes at most 1 + (B - 1) / frame size frames).
    const framesPerRead = 1 + Math.floor((MAX_READ_BYTES - 1) / smallestFrameBytes);
    expect(conn.session.unackedFixes).toBeLessThanOrEqual(maxUnackedFixes + framesPerRead * perFrame);
    console.info(`paused at ${conn.bytesReadAtPause} of ${terminal.socket.bytesWritten} bytes sent, ${readWhenFull - conn.bytesReadAtPause} buffered after; ${conn.session.unackedFixes} of ${sentFixes} fixes held un-acked (bound ${maxUnackedFixes} + ${framesPerRead * perFrame}), ${conn.session.queuedFrames} frames queued`);
    // The session submits one run of frames at a time and waits for its commit: the writer holds
    // at most one run of this connection (maxRunFixes, or one frame when a frame is larger).
    const { maxRunFixes } = conn.session as unknown as { maxRunFixes: number };
    expect(svc.tracking.writer.backlogRows).toBeLessThanOrEqual(Math.max(maxRunFixes, perFrame));
    expect(terminal.acked(serials[0]!, MsgId.locationBatch)).toBeUndefined();

    store.release();
    for (const serial of serials) expect((await terminal.ack(serial, MsgId.locationBatch, 30_000)).result).toBe(0);
    expect(conn.paused).toBe(false);
    expect(conn.session.unackedFixes).toBe(0);
    const rows = await svc.db.query<{ n: number }>('select count(*)::int as n from positions where vehicle_id = $1', [vehicleId]);
    expect(rows.rows[0]!.n).toBe(sentFixes);
    await terminal.close();
  });

  it('answers HTTP batches 503 once the writer queue is full instead of growing it', async () => {
    store.stall();
    // The writer holds MAX_QUEUED_ROWS queued rows at most (plus the transaction in flight): 4 batches of 10,000 overflow it.
    const baseMs = Date.now() - 10 * 3_600_000;
    const batch = (n: number) => ({
      positions: Array.from({ length: 10_000 }, (_, i) => ({ vehicleId, fixTime: baseMs + (n * 10_000 + i) * 100, lat: 43.73, lon: 7.42 })),
    });
    const statuses: number[] = [];
    const pending: Array<Promise<void>> = [];
    for (let n = 0; n < 5; n++) {
      const body = batch(n);
      pending.push(svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body }).then((r) => {
        statuses.push(r.status);
        if (r.status === 503) expect(r.body.details[0].path).toBe('body');
      }));
    }
    await waitUntil('a 503', () => statuses.includes(503), 30_000);
    expect(svc.tracking.writer.backlogRows).toBeLessThanOrEqual(MAX_QUEUED_ROWS);
    // Those not refused are still waiting for their commit: none was answered 2xx before it.
    expect(statuses.every((s) => s === 503)).toBe(true);
    store.fail();
    await Promise.all(pending);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
    expect(svc.tracking.writer.backlogRows).toBe(0);
    store.release();

    // Once the store keeps up again, the same endpoint accepts.
    const ok = await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions: [{ vehicleId, fixTime: Date.now() - 1000, lat: 43.73, lon: 7.42 }] } });
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(1);
  });
});
