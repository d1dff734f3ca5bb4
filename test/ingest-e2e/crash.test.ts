import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MsgId, type LocationInput } from '../../src/ingest/jt808/index.js';
import { describeEachBackend, createTestDatabase, freshPgliteDataDir, type TestDatabase } from '../helpers/backends.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { smallCity } from '../helpers/city-fixture.js';
import { startChildService, type ChildService } from './child-service.js';

/**
 * "Kill the service mid-stream and count acknowledged fixes missing after restart (must be
 * zero)": terminals stream over TCP, every 0x8001 result 0 is recorded, the process is
 * SIGKILLed with frames in flight, and the restarted service must hold every acked fix.
 */
const ADMIN_TOKEN = 'crash-test-admin-token-0123456789';
const TERMINALS = 6;

/** The small city with `n` collectors, each with a JT/T 808 terminal. */
function terminalFleet(n: number) {
  const city = smallCity();
  const collector = city.vehicles.find((v) => v.kind === 'collector')!;
  const muckTrucks = city.vehicles.filter((v) => v.kind === 'muck_truck');
  const collectors = Array.from({ length: n }, (_, i) => ({
    ...collector, id: `crash-${i + 1}`, plate: `沪C${String(i + 1).padStart(5, '0')}`, terminalId: `0139000000${String(i + 1).padStart(2, '0')}`,
  }));
  return { ...city, vehicles: [...collectors, ...muckTrucks] };
}
/** Frames a terminal keeps un-acked at once (real terminals pipeline during blind-area uploads). */
const WINDOW = 16;

describeEachBackend('acknowledged fixes survive a crash (%s)', (backend) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('every fix acked before SIGKILL is in the store after restart', async () => {
    // PGlite: the run's migrated store (copied; saves the child an initdb and the migrations); PostgreSQL ignores DATA_DIR.
    const dataDir = (backend === 'pglite' ? freshPgliteDataDir({ migrated: true }) : undefined) ?? mkdtempSync(join(tmpdir(), 'sanifleet-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let testDb: TestDatabase | undefined;
    if (backend === 'postgres') {
      testDb = await createTestDatabase('postgres', { migrated: true });
      cleanups.push(() => testDb!.drop());
    }
    const env = {
      // No road network: this test is about the store, and the network would load beside it.
      DATA_DIR: dataDir, ADMIN_TOKEN, JT808_TRUST_KNOWN_TERMINALS: 'true', OSM_FILE: 'none',
      ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
    };

    let svc: ChildService = await startChildService({ ...env, DEMO_CITY: 'never' });
    cleanups.push(() => svc.kill());
    const api = async (path: string, body?: unknown) => {
      const res = await fetch(`${svc.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<any>;
    };
    // A fleet of its own, imported the way a city loads its vehicles (cheaper than the demo city).
    await api('/api/v1/import', terminalFleet(TERMINALS));
    const fleet = (await api('/api/v1/vehicles?limit=100')).items
      .filter((v: { terminalId?: string }) => v.terminalId)
      .slice(0, TERMINALS) as Array<{ id: string; terminalId: string }>;
    expect(fleet).toHaveLength(TERMINALS);

    // Whole seconds (BCD time), an hour back so thousands of fixes stay in the past.
    const baseMs = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const fixAt = (vehicle: number, k: number): LocationInput => ({
      fixTimeMs: baseMs + k * 1000, lat: 43.73 + vehicle * 0.001 + k * 0.00001, lon: 7.42 + k * 0.00001, speedKmh: 30,
    });
    const acked = fleet.map(() => new Set<number>());
    let ackedTotal = 0;
    let killed = false;

    /** One terminal: 0x0200s and every 8th frame a 0x0704 of 4, at most WINDOW frames awaiting their ack. */
    const stream = async (index: number) => {
      const terminal = await SimTerminal.connect(svc.jt808Port, fleet[index]!.terminalId);
      terminal.keepFrames = false;
      let k = 0;
      const inFlight = new Set<Promise<void>>();
      while (!killed && !terminal.closed) {
        let serial: number;
        let times: number[];
        let msgId: number;
        if (k % 8 === 7) {
          const batch = [k, k + 1, k + 2, k + 3].map((j) => fixAt(index, j));
          serial = terminal.sendBatch(batch, 1);
          times = batch.map((f) => f.fixTimeMs);
          msgId = MsgId.locationBatch;
          k += 4;
        } else {
          const fix = fixAt(index, k++);
          serial = terminal.sendLocation(fix);
          times = [fix.fixTimeMs];
          msgId = MsgId.location;
        }
        const p = terminal.ack(serial, msgId, 30_000).then(
          (reply) => {
            if (reply.result !== 0) return;
            for (const t of times) acked[index]!.add(t);
            ackedTotal += times.length;
          },
          () => undefined, // the connection died with this frame un-acked: the terminal would resend it
        ).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= WINDOW) await Promise.race(inFlight);
      }
      await Promise.allSettled(inFlight);
    };
    const streams = fleet.map((_, i) => stream(i));

    // Kill once a good number of fixes is acked, while every terminal has frames in flight.
    const deadline = Date.now() + 30_000;
    while (ackedTotal < 1500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ackedTotal).toBeGreaterThanOrEqual(1500);
    await svc.kill();
    killed = true;
    await Promise.all(streams);
    const ackedAtKill = acked.map((s) => new Set(s));

    svc = await startChildService({ ...env, DEMO_CITY: 'never' });
    let missing = 0;
    let stored = 0;
    for (const [i, vehicle] of fleet.entries()) {
      const track = await api(`/api/v1/vehicles/${vehicle.id}/track?from=${new Date(baseMs).toISOString()}&to=${new Date(baseMs + 3_000_000).toISOString()}`);
      const times = new Set<number>(track.features.filter((f: any) => f.properties.kind === 'fix').map((f: any) => Date.parse(f.properties.fixTime)));
      stored += times.size;
      for (const t of ackedAtKill[i]!) if (!times.has(t)) missing++;
    }
    const ackedCount = ackedAtKill.reduce((n, s) => n + s.size, 0);
    console.info(`[${backend}] acked before kill: ${ackedCount}, stored after restart: ${stored}, acked but missing: ${missing}`);
    expect(missing).toBe(0);
    // Committed-but-unacked fixes may be there too (the ack was lost with the process), never fewer.
    expect(stored).toBeGreaterThanOrEqual(ackedCount);
    await svc.stop();
  });
});
