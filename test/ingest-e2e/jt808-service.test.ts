import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../solver/index.js';
import { localDayStartMs } from '../../src/tracking/local-day.js';
import { MsgId } from '../../src/ingest/jt808/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';

/**
 * The JT/T 808 path through the whole service: a terminal on a real TCP socket, the
 * session, the fix pipeline, the position log on each store backend, vehicle state and
 * the dispatcher's text back to the cab.
 */
describeEachBackend('JT/T 808 into the service (%s)', (backend) => {
  let svc: TestService;
  let vehicleId: string;
  let terminalId: string;
  let others: Array<{ id: string; terminalId: string }>;
  const terminals: SimTerminal[] = [];

  beforeAll(async () => {
    svc = await startTestService({ backend, demo: true });
    const list = await svc.call('GET', '/api/v1/vehicles?limit=10', { token: svc.adminToken });
    const bound = list.body.items.filter((v: { terminalId?: string }) => v.terminalId);
    vehicleId = bound[0].id;
    terminalId = bound[0].terminalId;
    others = bound.slice(1, 3);
  });

  afterAll(async () => {
    for (const t of terminals) await t.close();
    await svc?.stop();
  });

  async function connect(id: string): Promise<SimTerminal> {
    const t = await SimTerminal.connect(svc.jt808Port!, id);
    terminals.push(t);
    return t;
  }

  async function positionRows(): Promise<number[]> {
    const res = await svc.db.query<{ fix_time: Date | string }>('select fix_time from positions where vehicle_id = $1 order by fix_time', [vehicleId]);
    return res.rows.map((r) => new Date(r.fix_time).getTime());
  }

  it('an unknown terminal is refused at registration (0x8100 result 4)', async () => {
    const stranger = await connect('013999999999');
    expect(await stranger.register()).toEqual({ result: 4 });
  });

  it('stores a live stream plus an out-of-order blind-area batch with duplicates exactly once; state and distance follow fix time', async () => {
    const t = await connect(terminalId);
    await t.login();

    // Fixes whole seconds apart (BCD time has 1 s resolution), all inside today's local day.
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    const dayStart = localDayStartMs(nowMs, 'Asia/Shanghai');
    const t0 = Math.max(nowMs - 150_000, dayStart + 1000);
    // A path that leaves the straight line for fixes 3-5: a live sum that skipped them would be short.
    const path = [
      [43.7300, 7.4200], [43.7305, 7.4200], [43.7310, 7.4200], [43.7315, 7.4210],
      [43.7320, 7.4220], [43.7325, 7.4210], [43.7330, 7.4200], [43.7335, 7.4200],
    ] as const;
    const fixes = path.map(([lat, lon], i) => ({ fixTimeMs: t0 + i * 10_000, lat, lon, speedKmh: 20, headingDeg: 0 }));

    // Live: 0, 1, 2 then the terminal loses coverage and reports 6, 7 when it is back.
    const live = [0, 1, 2, 6, 7].map((i) => t.sendLocation(fixes[i]!));
    for (const serial of live) expect((await t.ack(serial)).result).toBe(0);
    expect(svc.tracking.tracker.get(vehicleId)?.latest?.fixTimeMs).toBe(fixes[7]!.fixTimeMs);

    // The buffered points come late, out of order, with a duplicate inside the batch and one already stored.
    const batch = t.sendBatch([fixes[5]!, fixes[3]!, fixes[2]!, fixes[4]!, fixes[4]!], 1);
    expect((await t.ack(batch, MsgId.locationBatch)).result).toBe(0);
    // And the terminal resends a point it thinks was lost.
    expect((await t.ack(t.sendLocation(fixes[7]!))).result).toBe(0);

    expect(await positionRows()).toEqual(fixes.map((f) => f.fixTimeMs));
    await svc.tracking.tracker.settle();
    const state = (await svc.call('GET', `/api/v1/vehicles/${vehicleId}/state`, { token: svc.adminToken })).body;
    // The late batch did not move the vehicle back.
    expect(state.latest.fixTimeMs).toBe(fixes[7]!.fixTimeMs);
    expect(state.latest.lat).toBeCloseTo(path[7]![0], 6);
    expect(state.motion).toBe('moving');
    let expectedM = 0;
    for (let i = 1; i < path.length; i++) expectedM += haversineM(path[i - 1]![1], path[i - 1]![0], path[i]![1], path[i]![0]);
    const straightM = haversineM(path[2]![1], path[2]![0], path[6]![1], path[6]![0]);
    expect(expectedM - straightM).toBeGreaterThan(100);
    expect(Math.abs(state.distanceTodayM - expectedM)).toBeLessThanOrEqual(1);

    const stats = (await svc.call('GET', '/api/v1/ingest/stats', { token: svc.adminToken })).body;
    expect(stats.accepted).toBe(8);
    // Fix 2 (stored live), fix 4's second copy, and the resent fix 7.
    expect(stats.duplicates).toBe(3);
  });

  it('rejects a fix 10 minutes ahead and one older than the horizon, stores neither, and counts both by reason', async () => {
    const t = await connect(terminalId);
    await t.login();
    const before = await positionRows();
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    const horizonH = svc.profiles.get().tracking.maxFixAgeH;
    const future = t.sendLocation({ fixTimeMs: nowMs + 10 * 60_000, lat: 43.74, lon: 7.42 });
    const stale = t.sendLocation({ fixTimeMs: nowMs - (horizonH + 1) * 3_600_000, lat: 43.74, lon: 7.42 });
    // The terminal is still answered: resending an invalid fix would not make it valid.
    expect((await t.ack(future)).result).toBe(0);
    expect((await t.ack(stale)).result).toBe(0);
    expect(await positionRows()).toEqual(before);
    const stats = (await svc.call('GET', '/api/v1/ingest/stats', { token: svc.adminToken })).body;
    expect(stats.rejected).toMatchObject({ future: 1, stale: 1 });
  });

  it('derives trip, stop, load and offline state from what terminals report', async () => {
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    const [truck, parked] = others;
    const t = await connect(truck!.terminalId);
    await t.login();
    // Drives loaded for a minute (status bits 8-9 = 11: full), then stops.
    const fullLoad = 0x3 | (3 << 8);
    const drive = Array.from({ length: 6 }, (_, i) => ({ fixTimeMs: nowMs - 60_000 + i * 10_000, lat: 43.74 + i * 0.0005, lon: 7.43, speedKmh: 18, statusWord: fullLoad }));
    const stop = { fixTimeMs: nowMs - 5_000, lat: 43.7425, lon: 7.43, speedKmh: 0, statusWord: fullLoad };
    for (const fix of [...drive, stop]) expect((await t.ack(t.sendLocation(fix))).result).toBe(0);
    const state = (await svc.call('GET', `/api/v1/vehicles/${truck!.id}/state`, { token: svc.adminToken })).body;
    expect(state).toMatchObject({ motion: 'stopped', loadState: 'full', tripStartedAtMs: drive[0]!.fixTimeMs });
    expect(state.tripDistanceM).toBeGreaterThan(5 * 50);
    expect(state.tripDistanceM).toBeLessThan(5 * 60);
    // The default terminal profile guesses no vendor bits: cover state stays unknown, not "open".
    expect(state.coverClosed).toBeUndefined();

    // A terminal whose last fix is older than the profile's offline threshold is offline.
    const p = await connect(parked!.terminalId);
    await p.login();
    const offlineAfterS = svc.profiles.get().tracking.offlineAfterS;
    expect((await p.ack(p.sendLocation({ fixTimeMs: nowMs - (offlineAfterS + 60) * 1000, lat: 43.75, lon: 7.43, speedKmh: 30 }))).result).toBe(0);
    const parkedState = (await svc.call('GET', `/api/v1/vehicles/${parked!.id}/state`, { token: svc.adminToken })).body;
    expect(parkedState.motion).toBe('offline');
    const offline = (await svc.call('GET', '/api/v1/fleet/state?motion=offline', { token: svc.adminToken })).body;
    expect(offline.items.map((s: { vehicleId: string }) => s.vehicleId)).toContain(parked!.id);
    expect(offline.items.map((s: { vehicleId: string }) => s.vehicleId)).not.toContain(truck!.id);
  });

  it("delivers the dispatcher's text to the cab as 0x8300 and returns the terminal's 0x0001 answer", async () => {
    const t = await connect(terminalId);
    await t.login();
    const text = '请前往3号收集点 (collect point 3 next)';
    const res = await svc.call('POST', `/api/v1/vehicles/${vehicleId}/messages`, { token: svc.adminToken, body: { text } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ delivered: true, terminalResult: 0 });
    expect(t.texts).toEqual([text]);
  });

  it('answers 409 when the vehicle has no connected terminal', async () => {
    for (const t of terminals.splice(0)) await t.close();
    // The server sees the close a moment after the terminal does.
    for (let i = 0; i < 100 && svc.jt808!.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const res = await svc.call('POST', `/api/v1/vehicles/${vehicleId}/messages`, { token: svc.adminToken, body: { text: 'hello' } });
    expect(res.status).toBe(409);
  });
});
