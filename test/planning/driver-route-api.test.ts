import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import iconv from 'iconv-lite';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { describeEachBackend } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { insertRoutePlan } from '../helpers/route-plan.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * Routes reach drivers (issue 12, item 4) through the whole service on each store: the
 * driver's route of the day, who may read which route, live route changes to the driver's
 * own room, stops marked done, problem reports reaching dispatchers, and the route sent as
 * 0x8300 chunks to the in-cab terminals over real TCP with their 0x0001 replies stored.
 */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function socketFor(svc: TestService, token: string): Promise<Socket> {
  const s = connect(svc.url, { auth: { token }, transports: ['websocket'] });
  return new Promise((resolve, reject) => {
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
  });
}

describeEachBackend('driver routes (%s)', (backend) => {
  let svc: TestService;
  const tokens: Record<string, string> = {};
  const sockets: Socket[] = [];
  const terminals: SimTerminal[] = [];
  const events: Record<string, Array<{ event: string; payload: any }>> = {};
  const today = PlanClock.localDate(Date.now(), 'Asia/Shanghai');
  const planV1 = `plan-${backend}-v1`;
  const planV2 = `plan-${backend}-v2`;
  let dir: string | undefined;

  beforeAll(async () => {
    // col-1's terminal model has a small screen: its route goes in several chunks
    dir = mkdtempSync(join(tmpdir(), 'sanifleet-driver-'));
    const profiles = join(dir, 'terminal-profiles.json');
    writeFileSync(profiles, JSON.stringify({ models: { 'small-screen': { name: 'small-screen', textMaxBytes: 120 } } }));
    svc = await startTestService({ backend, env: { TERMINAL_PROFILES: profiles } });
    const city = smallCity();
    (city.vehicles[0] as Record<string, unknown>).terminalModel = 'small-screen';
    const imported = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: city });
    expect(imported.status).toBe(200);
    for (const [name, role, vehicleId] of [['dispatcher', 'dispatcher'], ['driver1', 'driver', 'col-1'], ['driver2', 'driver', 'col-2'], ['muckDriver', 'driver', 'muck-1'], ['enforcement', 'enforcement']] as const) {
      const r = await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role, vehicleId, label: name } });
      tokens[name] = r.body.token;
    }
    for (const name of ['dispatcher', 'driver1', 'muckDriver']) {
      const s = await socketFor(svc, tokens[name]!);
      events[name] = [];
      s.onAny((event, payload) => events[name]!.push({ event, payload }));
      sockets.push(s);
    }
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const t of terminals) await t.close();
    await svc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers "no plan yet" as an empty route while nothing is published', async () => {
    await insertRoutePlan(svc.db, { id: planV1, date: today });
    const r = await svc.call('GET', '/api/v1/driver/route', { token: tokens.driver1 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ vehicleId: 'col-1', date: today, plan: null, route: null, stops: [], nextSeq: null });
  });

  it('publishing sends each routed driver a live update, the route in order with windows and what to do, and the texts to the connected terminal', async () => {
    const t1 = await SimTerminal.connect(svc.jt808Port!, '013800000001');
    terminals.push(t1);
    await t1.login();

    const pub = await svc.call('POST', `/api/v1/plans/${planV1}/publish`, { token: tokens.dispatcher });
    expect(pub.status).toBe(200);
    const changed = await until('route:changed', () => events.driver1!.find((e) => e.event === 'route:changed'));
    expect(changed.payload).toEqual({ vehicleId: 'col-1', planId: planV1, status: 'published', change: 'publish' });

    const r = await svc.call('GET', '/api/v1/driver/route', { token: tokens.driver1 });
    expect(r.body.plan).toMatchObject({ id: planV1, status: 'published', version: 1 });
    expect(r.body.route).toMatchObject({ carries: 'residual', stops: 6, unloadTrips: 1, startLocal: '04:00', endLocal: '11:13' });
    expect(r.body.route.break).toMatchObject({ startLocal: '10:33', endLocal: '11:03', durationS: 1800 });
    expect(r.body.route.path.type).toBe('LineString');
    expect(r.body.stops.map((s: any) => s.id)).toEqual(['col-1.0', 'col-1.1', 'col-1.2', 'col-1.3', 'col-1.4', 'col-1.5']);
    expect(r.body.stops.map((s: any) => s.action)).toEqual([
      { kind: 'leave_depot' },
      { kind: 'collect', pointId: 'cp-1', wasteClass: 'residual', kg: 300, visit: 1, visits: 1 },
      { kind: 'street_work', work: 'sweep', segmentId: 'seg-1', lengthM: 140, pass: 1, mechanicalPasses: 2, passes: 3, mechanical: true },
      { kind: 'unload', facilityId: 'inc-1', carries: 'residual', kg: 310 },
      { kind: 'break', durationS: 1800 },
      { kind: 'return_depot' },
    ]);
    // the collection window 04:00-07:00 local is 20:00-23:00 UTC the evening before
    expect(r.body.stops[1]).toMatchObject({ arrivalLocal: '04:05', window: { startLocal: '04:00', endLocal: '07:00' }, done: null });
    expect(r.body.stops[1].window.start).toBe(new Date(new PlanClock(today, 'Asia/Shanghai').epochMs(14_400)).toISOString());
    expect(r.body.stops[2].window).toMatchObject({ startLocal: '00:00', endLocal: '07:00' });
    expect(r.body.nextSeq).toBe(1);
    // a driver of a vehicle the plan does not route hears nothing and has no plan
    expect(events.muckDriver!.filter((e) => e.event === 'route:changed')).toEqual([]);
    expect((await svc.call('GET', '/api/v1/driver/route', { token: tokens.muckDriver })).body.plan).toBeNull();

    // col-1's terminal got its route in numbered chunks of at most 120 GBK bytes, each answered
    const sent = await until('chunks replied', async () => {
      const m = await svc.call('GET', `/api/v1/plans/${planV1}/terminal-messages?vehicleId=col-1`, { token: tokens.dispatcher });
      return m.body.items.length > 0 && m.body.items.every((i: any) => i.status === 'replied') ? m.body.items : undefined;
    });
    expect(sent.length).toBeGreaterThan(2);
    expect(t1.texts).toEqual(sent.map((i: any) => i.text));
    sent.forEach((item: any, i: number) => {
      expect(item).toMatchObject({ terminalId: '13800000001', chunk: i + 1, chunks: sent.length, replyResult: 0, attempts: 1 });
      expect(item.text.startsWith(`(${i + 1}/${sent.length}) `)).toBe(true);
      expect(iconv.encode(item.text, 'gbk').length).toBe(item.gbkBytes);
      expect(item.gbkBytes).toBeLessThanOrEqual(120);
    });
    // the replies answer the serials of the 0x8300 frames the terminal received, in order
    const frames = t1.received.filter((m) => m.header.msgId === 0x8300);
    expect(sent.map((i: any) => i.replySerial)).toEqual(frames.map((f) => f.header.serial));
    const whole = t1.texts.map((t) => t.replace(/^\(\d+\/\d+\) /, '')).join('');
    expect(whole).toContain('收运其他垃圾 cp-1 约300kg 窗口04:00-07:00');
    expect(whole).toContain('机械清扫 seg-1 140m 第1/2遍');
    expect(whole).toContain('卸其他垃圾 inc-1 约310kg');
    expect(whole).toContain('休息30分钟');
    // col-2's terminal is not connected: its one chunk waits
    const waiting = await svc.call('GET', `/api/v1/plans/${planV1}/terminal-messages?vehicleId=col-2`, { token: tokens.dispatcher });
    expect(waiting.body.items).toMatchObject([{ status: 'queued', chunk: 1, chunks: 1, attempts: 0, replyResult: null }]);
  });

  it('a driver reads only their own route; staff read any vehicle\'s', async () => {
    const other = await svc.call('GET', '/api/v1/vehicles/col-2/route', { token: tokens.driver1 });
    expect(other.status).toBe(403);
    expect(other.body.details[0].path).toBe('params.id');
    const own = await svc.call('GET', '/api/v1/vehicles/col-1/route', { token: tokens.driver1 });
    expect(own.body.plan.id).toBe(planV1);
    const staff = await svc.call('GET', '/api/v1/vehicles/col-2/route', { token: tokens.enforcement });
    expect(staff.body.stops.map((s: any) => s.action.kind)).toEqual(['leave_depot', 'unload', 'return_depot']);
    expect((await svc.call('GET', '/api/v1/vehicles/nope/route', { token: tokens.dispatcher })).status).toBe(404);
    expect((await svc.call('GET', '/api/v1/driver/route', { token: tokens.dispatcher })).status).toBe(403);
    const bad = await svc.call('GET', '/api/v1/driver/route?date=2026-02-30', { token: tokens.driver1 });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('query.date');
    // another date has no plan
    expect((await svc.call('GET', '/api/v1/driver/route?date=2020-01-01', { token: tokens.driver1 })).body.plan).toBeNull();
  });

  it('marks a stop done with who and when, once; checks the stop, the driver and the body', async () => {
    const url = `/api/v1/plans/${planV1}/stops/col-1.1/done`;
    const done = await svc.call('POST', url, { token: tokens.driver1, body: { note: '自动识别失败' } });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ planId: planV1, stopId: 'col-1.1', vehicleId: 'col-1', seq: 1, status: 'done', note: '自动识别失败', markedBy: 'driver:' + done.body.markedBy.split(':')[1] });
    const again = await svc.call('POST', url, { token: tokens.dispatcher, body: {} });
    expect(again.status).toBe(200);
    expect(again.body.markedAt).toBe(done.body.markedAt);
    const notify = await until('stop-done to dispatchers', () => events.dispatcher!.find((e) => e.event === 'route:stop-done'));
    expect(notify.payload).toMatchObject({ stopId: 'col-1.1', vehicleId: 'col-1' });
    await until('stop-done to the driver', () => events.driver1!.find((e) => e.event === 'route:changed' && e.payload.change === 'stop_done'));
    const route = await svc.call('GET', '/api/v1/driver/route', { token: tokens.driver1 });
    expect(route.body.stops[1].done).toMatchObject({ note: '自动识别失败' });
    expect(route.body.nextSeq).toBe(2);

    const foreign = await svc.call('POST', `/api/v1/plans/${planV1}/stops/col-2.1/done`, { token: tokens.driver1, body: {} });
    expect(foreign.status).toBe(403);
    for (const stopId of ['col-1.99', 'col-9.1', 'nodot']) {
      const unknown = await svc.call('POST', `/api/v1/plans/${planV1}/stops/${stopId}/done`, { token: tokens.driver1, body: {} });
      expect(unknown.status, stopId).toBe(404);
      expect(unknown.body.details[0].path).toBe('params.stopId');
    }
    expect((await svc.call('POST', '/api/v1/plans/plan-nope/stops/col-1.1/done', { token: tokens.driver1, body: {} })).status).toBe(404);
    const badNote = await svc.call('POST', url, { token: tokens.driver1, body: { note: 5 } });
    expect(badNote.status).toBe(400);
    expect(badNote.body.details[0].path).toBe('body.note');
    const extra = await svc.call('POST', url, { token: tokens.driver1, body: { done: true } });
    expect(extra.body.details[0].path).toBe('body.done');
  });

  it('a problem report is stored with the plan, position and stop, and reaches the dispatchers', async () => {
    const sent = await svc.call('POST', '/api/v1/driver/reports', {
      token: tokens.driver1, body: { kind: 'blocked_road', note: '道路施工封闭', position: { lon: 7.4205, lat: 43.7355 }, stopId: 'col-1.2' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ vehicleId: 'col-1', planId: planV1, stopId: 'col-1.2', kind: 'blocked_road', note: '道路施工封闭', position: { lon: 7.4205, lat: 43.7355 } });
    const pushed = await until('driver:report', () => events.dispatcher!.find((e) => e.event === 'driver:report'));
    expect(pushed.payload.id).toBe(sent.body.id);
    const bare = await svc.call('POST', '/api/v1/driver/reports', { token: tokens.muckDriver, body: { kind: 'vehicle_breakdown' } });
    expect(bare.body).toMatchObject({ vehicleId: 'muck-1', planId: null, note: null, position: null });

    const list = await svc.call('GET', '/api/v1/driver-reports?vehicleId=col-1', { token: tokens.dispatcher });
    expect(list.body.items.map((r: any) => r.id)).toEqual([sent.body.id]);
    expect((await svc.call('GET', '/api/v1/driver-reports', { token: tokens.dispatcher })).body.total).toBe(2);
    expect((await svc.call('GET', '/api/v1/driver-reports', { token: tokens.driver1 })).status).toBe(403);
    expect((await svc.call('POST', '/api/v1/driver/reports', { token: tokens.dispatcher, body: { kind: 'bin_overflow' } })).status).toBe(403);

    for (const [body, path] of [
      [{ kind: 'flat_tyre' }, 'body.kind'],
      [{ kind: 'bin_overflow', position: { lon: 7.42, lat: 91 } }, 'body.position.lat'],
      [{ kind: 'bin_overflow', note: 'x'.repeat(501) }, 'body.note'],
    ] as const) {
      const bad = await svc.call('POST', '/api/v1/driver/reports', { token: tokens.driver1, body });
      expect(bad.status, path).toBe(400);
      expect(bad.body.details[0].path).toBe(path);
    }
    const unknownStop = await svc.call('POST', '/api/v1/driver/reports', { token: tokens.driver1, body: { kind: 'point_not_accessible', stopId: 'col-2.1' } });
    expect(unknownStop.status).toBe(404);
    expect(unknownStop.body.details[0].path).toBe('body.stopId');
  });

  it('a re-published plan supersedes the texts still waiting; a terminal that connects later gets only the plan in force', async () => {
    await insertRoutePlan(svc.db, { id: planV2, date: today });
    const before = events.driver1!.length;
    expect((await svc.call('POST', `/api/v1/plans/${planV2}/publish`, { token: tokens.dispatcher })).status).toBe(200);
    const changed = await until('route:changed v2', () => events.driver1!.slice(before).find((e) => e.event === 'route:changed'));
    expect(changed.payload).toMatchObject({ planId: planV2, change: 'publish' });
    expect((await svc.call('GET', '/api/v1/driver/route', { token: tokens.driver1 })).body.plan).toMatchObject({ id: planV2, version: 2 });
    const old = await until('v1 chunk cancelled', async () => {
      const m = await svc.call('GET', `/api/v1/plans/${planV1}/terminal-messages?vehicleId=col-2`, { token: tokens.dispatcher });
      return m.body.items[0]?.status === 'cancelled' ? m.body.items : undefined;
    });
    expect(old).toHaveLength(1);

    const t2 = await SimTerminal.connect(svc.jt808Port!, '013800000002');
    terminals.push(t2);
    await t2.login();
    const got = await until('v2 text replied', async () => {
      const m = await svc.call('GET', `/api/v1/plans/${planV2}/terminal-messages?vehicleId=col-2`, { token: tokens.dispatcher });
      return m.body.items[0]?.status === 'replied' ? m.body.items : undefined;
    });
    expect(t2.texts).toEqual([got[0].text]);
    expect(t2.texts[0]).toContain('路线 v2');
    expect(got[0].text).not.toMatch(/^\(1\/1\)/);

    // the plan under way, then closed: the driver hears both
    for (const move of ['start', 'close']) {
      const n = events.driver1!.length;
      expect((await svc.call('POST', `/api/v1/plans/${planV2}/${move}`, { token: tokens.dispatcher })).status).toBe(200);
      await until(move, () => events.driver1!.slice(n).find((e) => e.event === 'route:changed' && e.payload.change === move));
    }
    // a closed plan is no longer in force: no route for today
    expect((await svc.call('GET', '/api/v1/driver/route', { token: tokens.driver1 })).body.plan).toBeNull();
    // nor can its stops, or those of the version it replaced, be marked any more
    for (const planId of [planV2, planV1]) {
      const late = await svc.call('POST', `/api/v1/plans/${planId}/stops/col-1.2/done`, { token: tokens.driver1, body: {} });
      expect(late.status, planId).toBe(409);
      expect(late.body.details[0].path).toBe('params.id');
    }
  });

  it("a night shift still under way after midnight: the driver gets yesterday's route until it ends, and reports against it", async () => {
    const yesterday = PlanClock.previousDate(today);
    // the route left half an hour ago, counted from yesterday's midnight (past 86,400 s)
    const nowS = (Date.now() - new PlanClock(yesterday, 'Asia/Shanghai').midnightMs) / 1000;
    await insertRoutePlan(svc.db, { id: `plan-${backend}-night`, date: yesterday, district: 'North', vehicles: ['muck-1'], startS: Math.round(nowS - 1800) });
    expect((await svc.call('POST', `/api/v1/plans/plan-${backend}-night/publish`, { token: tokens.dispatcher })).status).toBe(200);
    const now = await svc.call('GET', '/api/v1/driver/route', { token: tokens.muckDriver });
    expect(now.body).toMatchObject({ date: yesterday, plan: { id: `plan-${backend}-night` }, nextSeq: 1 });
    expect(Date.parse(now.body.route.end)).toBeGreaterThan(Date.now());
    // asked for today by date, there is none
    expect((await svc.call('GET', `/api/v1/driver/route?date=${today}`, { token: tokens.muckDriver })).body.plan).toBeNull();
    const report = await svc.call('POST', '/api/v1/driver/reports', { token: tokens.muckDriver, body: { kind: 'point_not_accessible', stopId: 'muck-1.1' } });
    expect(report.status).toBe(201);
    expect(report.body).toMatchObject({ planId: `plan-${backend}-night`, stopId: 'muck-1.1' });
  });
});
