import { afterAll, beforeAll, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import { fixId } from '../../src/compliance/fix-id.js';
import { describeEachBackend } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The enforcement desk end to end on a running service: facility outlines through import and
 * the API, incidents raised through the sink the detectors use, listed, read with their
 * evidence (GeoJSON and the printable page), acted on by officers (logged), pushed live to the
 * enforcement room, and hidden from those who may not see them.
 */
const T0 = Date.now() - 3_600_000;
const DISPOSAL_OUTLINE = { type: 'Polygon', coordinates: [[[7.4395, 43.7395], [7.4405, 43.7395], [7.4405, 43.7405], [7.4395, 43.7405], [7.4395, 43.7395]]] };

function city() {
  const c = smallCity() as any;
  c.vehicles.find((v: any) => v.id === 'muck-1').contractor = 'Acme Haulage';
  c.vehicles.find((v: any) => v.id === 'muck-1').district = 'North';
  c.vehicles.push({ ...c.vehicles.find((v: any) => v.id === 'muck-1'), id: 'muck-2', plate: '沪A00004', contractor: 'Other Co' });
  c.permits[0].vehicleIds = ['muck-1', 'muck-2'];
  c.facilities.find((f: any) => f.id === 'disp-1').outline = DISPOSAL_OUTLINE;
  return c;
}

function offRoute(phase: IncidentEvent['phase'], over: Partial<IncidentEvent> = {}): IncidentEvent {
  return {
    key: `off_route:muck-1:${T0 + 60_000}`, phase, type: 'off_route', vehicleId: 'muck-1', permitId: 'permit-1',
    startMs: T0 + 60_000, atMs: T0 + 120_000, level: 1,
    fixIds: [fixId('muck-1', T0 + 60_000), fixId('muck-1', T0 + 70_000)], thresholds: { corridorWidthM: 30, minOutsideS: 60 },
    details: { distanceOutsideM: 45, disposalFacilityId: 'disp-1' }, ...over,
  };
}

describeEachBackend('incidents over the API [%s]', (backend) => {
  let svc: TestService;
  const tokens: Record<string, string> = {};
  const sockets: Socket[] = [];

  const login = async (name: string, role: string, extra: Record<string, unknown> = {}) => {
    const password = 'correct horse battery';
    const created = await svc.call('POST', '/api/v1/users', { token: svc.adminToken, body: { name, displayName: name, role, password, ...extra } });
    expect(created.status).toBe(201);
    const res = await svc.call('POST', '/api/v1/auth/login', { body: { name, password } });
    tokens[name] = res.body.token;
    return created.body.id as string;
  };
  const listen = (token: string): Promise<{ socket: Socket; got: any[] }> => new Promise((resolve, reject) => {
    const socket = connect(svc.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const got: any[] = [];
    socket.on('incident', (n) => got.push(n));
    socket.on('connect', () => resolve({ socket, got }));
    socket.on('connect_error', reject);
  });
  const until = async (what: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  };
  let officerId = '';

  beforeAll(async () => {
    svc = await startTestService({ backend });
    const imported = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: city() });
    expect(imported.status).toBe(200);
    officerId = await login('officer', 'enforcement');
    await login('acme-dispatch', 'dispatcher', { contractor: 'Acme Haulage' });
    await login('other-dispatch', 'dispatcher', { contractor: 'Other Co' });
    await login('planner1', 'planner');
    // The detectors judge the fixes posted below as well (45 m off the corridor, loaded, maybe
    // outside the permit's hours); this suite raises its incidents through the sink itself, so the
    // rules those fixes would break wait longer than the track lasts.
    const profile = (await svc.call('GET', '/api/v1/city-profile', { token: svc.adminToken })).body;
    profile.corridor.offRouteAfterS = 3600;
    profile.compliance.outsideHoursAfterS = 3600;
    profile.compliance.noPermitAfterS = 3600;
    expect((await svc.call('PUT', '/api/v1/city-profile', { token: svc.adminToken, body: profile })).status).toBe(200);
    const positions = [];
    for (let k = 0; k < 30; k++) {
      // along the corridor, then 45 m off it between 60 s and 120 s
      const off = k >= 6 && k <= 12 ? 0.0005 : 0;
      positions.push({
        vehicleId: 'muck-1', fixTime: T0 + k * 10_000, lat: 43.7351 + k * 0.0001 + off, lon: 7.4301 + k * 0.0002,
        speedKmh: 30, loadState: 'full', coverClosed: true, bodyLifted: false, loadKg: 15000,
      });
    }
    const sent = await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions } });
    expect(sent.body.accepted).toBe(30);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await svc?.stop();
  });

  it('keeps a facility outline through import and the API, finds the facility by it, and refuses a broken one naming the field', async () => {
    const got = await svc.call('GET', '/api/v1/facilities/disp-1', { token: svc.adminToken });
    expect(got.body.outline).toEqual(DISPOSAL_OUTLINE);
    // a box touching only the outline's far corner, not the point
    const byOutline = await svc.call('GET', '/api/v1/facilities?bbox=7.4402,43.7402,7.4410,43.7410', { token: svc.adminToken });
    expect(byOutline.body.items.map((f: any) => f.id)).toEqual(['disp-1']);
    const open = { ...got.body, id: 'disp-2', outline: { type: 'Polygon', coordinates: [[[7.4, 43.7], [7.41, 43.7], [7.41, 43.71], [7.4, 43.71]]] } };
    const bad = await svc.call('POST', '/api/v1/facilities', { token: svc.adminToken, body: open });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.path)).toContain('body.outline.coordinates.0');
    const short = { ...open, outline: { type: 'Polygon', coordinates: [[[7.4, 43.7], [7.41, 43.7], [7.4, 43.7]]] } };
    expect((await svc.call('POST', '/api/v1/facilities', { token: svc.adminToken, body: short })).body.details[0].message).toMatch(/at least 4/);
    const nan = { ...open, outline: { type: 'Polygon', coordinates: [[[7.4, 43.7], [7.41, 43.7], [7.41, 91], [7.4, 43.7]]] } };
    expect((await svc.call('POST', '/api/v1/facilities', { token: svc.adminToken, body: nan })).body.details[0].path).toBe('body.outline.coordinates.0.2.1');
    const badImport = city();
    badImport.facilities[1].outline = open.outline;
    const imported = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: badImport });
    expect(imported.status).toBe(400);
    expect(JSON.stringify(imported.body.details)).toContain('facilities.1.outline');
  });

  it('pushes incidents to the enforcement room as they open and change; a dispatcher gets their fleet only', async () => {
    const officer = await listen(tokens.officer!);
    const acme = await listen(tokens['acme-dispatch']!);
    const other = await listen(tokens['other-dispatch']!);
    await svc.incidentSink.emit(offRoute('open'));
    await svc.incidentSink.emit(offRoute('open')); // repeated: no second incident
    await svc.incidentSink.emit(offRoute('update', { level: 2, atMs: T0 + 110_000, fixIds: [fixId('muck-1', T0 + 80_000)] }));
    await svc.incidentSink.emit(offRoute('close', { atMs: T0 + 130_000, endMs: T0 + 120_000, fixIds: [fixId('muck-1', T0 + 120_000)] }));
    await until(() => officer.got.length === 4 && acme.got.length === 4);
    expect(officer.got.map((n) => n.change)).toEqual(['opened', 'updated', 'updated', 'ended']);
    expect(officer.got[3].incident).toMatchObject({ type: 'off_route', vehicleId: 'muck-1', level: 2, detection: 'closed' });
    // muck-2's incident reaches the other contractor's dispatcher and the officer, not Acme's
    await svc.incidentSink.emit({ ...offRoute('open'), key: `speeding:muck-2:${T0}`, type: 'speeding', vehicleId: 'muck-2', startMs: T0, fixIds: [] });
    await until(() => other.got.length === 1 && officer.got.length === 5);
    expect(acme.got).toHaveLength(4);
    expect(other.got[0].incident.vehicleId).toBe('muck-2');
  });

  it('lists with filters and paging, scoped for dispatchers; refuses drivers and planners', async () => {
    const all = await svc.call('GET', '/api/v1/incidents', { token: tokens.officer });
    expect(all.body.total).toBe(2);
    expect((await svc.call('GET', '/api/v1/incidents?type=off_route&status=open&vehicleId=muck-1', { token: tokens.officer })).body.total).toBe(1);
    expect((await svc.call('GET', '/api/v1/incidents?contractor=Other%20Co', { token: tokens.officer })).body.items[0].vehicleId).toBe('muck-2');
    // where it began: the first fix involved (60 s in, 45 m off the corridor)
    const offRoute = all.body.items.find((i: any) => i.type === 'off_route');
    expect(offRoute.location.coordinates[0]).toBeCloseTo(7.4301 + 6 * 0.0002, 9);
    expect(offRoute.location.coordinates[1]).toBeCloseTo(43.7351 + 6 * 0.0001 + 0.0005, 9);
    expect((await svc.call('GET', '/api/v1/incidents?active=true', { token: tokens.officer })).body.total).toBe(2);
    const paged = await svc.call('GET', '/api/v1/incidents?limit=1&offset=1', { token: svc.adminToken });
    expect(paged.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(paged.body.items).toHaveLength(1);
    const from = new Date(T0 + 200_000).toISOString();
    expect((await svc.call('GET', `/api/v1/incidents?from=${encodeURIComponent(from)}&type=off_route`, { token: tokens.officer })).body.total).toBe(0);
    const acme = await svc.call('GET', '/api/v1/incidents', { token: tokens['acme-dispatch'] });
    expect(acme.body.items.map((i: any) => i.vehicleId)).toEqual(['muck-1']);
    expect((await svc.call('GET', '/api/v1/incidents?contractor=Other%20Co', { token: tokens['acme-dispatch'] })).body.total).toBe(0);
    const other = all.body.items.find((i: any) => i.vehicleId === 'muck-2');
    expect((await svc.call('GET', `/api/v1/incidents/${other.id}`, { token: tokens['acme-dispatch'] })).status).toBe(404);
    expect((await svc.call('GET', '/api/v1/incidents', { token: tokens.planner1 })).status).toBe(403);
    const bad = await svc.call('GET', '/api/v1/incidents?status=done&type=x', { token: tokens.officer });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.path).sort()).toEqual(['query.status', 'query.type']);
  });

  it('answers the evidence chain as GeoJSON: track snippet with the fixes involved, corridor, facility outline, status series, thresholds', async () => {
    const inc = (await svc.call('GET', '/api/v1/incidents?type=off_route', { token: tokens.officer })).body.items[0];
    const res = await svc.call('GET', `/api/v1/incidents/${inc.id}/evidence`, { token: tokens.officer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/geo\+json/);
    const ev = res.body;
    expect(ev.type).toBe('FeatureCollection');
    const kinds = ev.features.map((f: any) => f.properties.kind);
    expect(kinds).toContain('track');
    expect(kinds).toContain('corridor');
    const facility = ev.features.find((f: any) => f.properties.kind === 'facility');
    expect(facility.geometry).toEqual(DISPOSAL_OUTLINE);
    expect(ev.features.find((f: any) => f.properties.kind === 'corridor').geometry.type).toBe('Polygon');
    const fixes = ev.features.filter((f: any) => f.properties.kind === 'fix');
    // 60 s..120 s plus 2 min either side: fixes 0..24 of the 30 sent
    expect(fixes[0].properties.fixTime).toBe(new Date(T0).toISOString());
    expect(fixes.at(-1).properties.fixTime).toBe(new Date(T0 + 240_000).toISOString());
    expect(fixes.filter((f: any) => f.properties.involved).map((f: any) => f.properties.fixId))
      .toEqual([60_000, 70_000, 80_000, 120_000].map((d) => fixId('muck-1', T0 + d)));
    expect(ev.properties.thresholds).toEqual({ corridorWidthM: 30, minOutsideS: 60 });
    expect(ev.properties.statusSeries[0]).toMatchObject({ speedKmh: 30, loadState: 'full', coverClosed: true, bodyLifted: false, loadKg: 15000 });
    expect(ev.properties.vehicle).toMatchObject({ plate: '沪A00003', contractor: 'Acme Haulage' });
  });

  it('lets officers acknowledge, assign, close and reopen, each logged with who and when; dispatchers may not act', async () => {
    const inc = (await svc.call('GET', '/api/v1/incidents?type=off_route', { token: tokens.officer })).body.items[0];
    const act = (action: string, body: unknown, token = tokens.officer) => svc.call('POST', `/api/v1/incidents/${inc.id}/${action}`, { token, body });
    expect((await act('acknowledge', {}, tokens['acme-dispatch'])).status).toBe(403);
    expect((await act('acknowledge', { note: 'on it' })).body.status).toBe('acknowledged');
    expect((await act('acknowledge', {})).status).toBe(409);
    const planner = (await svc.call('GET', '/api/v1/users', { token: svc.adminToken })).body.items.find((u: any) => u.name === 'planner1');
    expect((await act('assign', { userId: planner.id })).status).toBe(422);
    expect((await act('assign', { userId: officerId })).body).toMatchObject({ status: 'assigned', assignedTo: officerId });
    const noNote = await act('close', { disposition: 'warned' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.details[0].path).toBe('body.note');
    const closed = await act('close', { disposition: 'penalised', note: 'fined 2000 yuan' }, svc.adminToken);
    expect(closed.body).toMatchObject({ status: 'closed', disposition: 'penalised' });
    expect((await act('reopen', { note: 'appeal' })).body.status).toBe('open');
    const read = await svc.call('GET', `/api/v1/incidents/${inc.id}`, { token: tokens['acme-dispatch'] });
    expect(read.body.log.map((e: any) => [e.action, e.actorRole])).toEqual([
      ['acknowledge', 'enforcement'], ['assign', 'enforcement'], ['close', 'admin'], ['reopen', 'enforcement'],
    ]);
    expect(read.body.log[0].actor).toContain('officer');
    expect(read.body.log[2]).toMatchObject({ disposition: 'penalised', note: 'fined 2000 yuan' });
    expect(Date.parse(read.body.log[0].at)).toBeGreaterThan(0);
  });

  it('prints the evidence chain as a page with the same facts', async () => {
    const inc = (await svc.call('GET', '/api/v1/incidents?type=off_route', { token: tokens.officer })).body.items[0];
    const res = await svc.call('GET', `/api/v1/incidents/${inc.id}/print`, { token: tokens.officer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = res.body as string;
    expect(html).toContain('执法全过程记录');
    expect(html).toContain('沪A00003');
    expect(html).toContain('corridorWidthM');
    expect(html).toContain('<svg');
    expect(html).toContain('fined 2000 yuan');
    expect(html.match(/class="involved"/g)).toHaveLength(4);
    expect((await svc.call('GET', `/api/v1/incidents/${inc.id}/print`)).status).toBe(401);
  });

  it('matches a spill report to the muck trucks that passed, ranked, and raises a spill incident with the candidates', async () => {
    const positions = [];
    for (let k = 0; k <= 10; k++) {
      // muck-2 passes 30 m north of the spot with its cover open and drops 2.5 t there
      positions.push({
        vehicleId: 'muck-2', fixTime: T0 + 150_000 + k * 10_000, lat: 43.7371 + 0.00027, lon: 7.4331 + k * 0.0002, speedKmh: 25,
        loadState: k <= 5 ? 'full' : 'half', loadKg: k <= 5 ? 15_000 : 12_500, coverClosed: false, bodyLifted: false,
      });
      // a collector drives over the spot: not a muck truck, never a candidate
      positions.push({ vehicleId: 'col-1', fixTime: T0 + 150_000 + k * 10_000, lat: 43.7371, lon: 7.4331 + k * 0.0002, speedKmh: 20 });
    }
    expect((await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions } })).body.accepted).toBe(22);
    const reportedAt = new Date(T0 + 30 * 60_000).toISOString();
    const res = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: {
      location: { type: 'Point', coordinates: [7.4341, 43.7371] }, reportedAt, reporterKind: 'citizen', note: 'mud on the road',
      photo: `data:image/png;base64,${Buffer.from('not really a png').toString('base64')}`,
    } });
    expect(res.status).toBe(201);
    expect(res.body.candidates.map((c: any) => c.vehicleId)).toEqual(['muck-2', 'muck-1']);
    expect(res.body.candidates[0]).toMatchObject({ coverOpenNearPass: true, loadDropKg: 2500, loadStateStepDown: true, loadedAtPass: true, plate: '沪A00004' });
    expect(res.body.candidates[1]).toMatchObject({ coverOpenNearPass: false, loadDropKg: 0, distanceM: 0 });
    expect(res.body.candidates[0].score).toBeGreaterThan(res.body.candidates[1].score);
    const incident = (await svc.call('GET', `/api/v1/incidents/${res.body.incidentId}`, { token: tokens.officer })).body;
    expect(incident).toMatchObject({ type: 'spill', vehicleId: 'muck-2', contractor: 'Other Co', spillReportId: res.body.id, status: 'open' });
    expect(incident.details.candidates).toHaveLength(2);
    const ev = (await svc.call('GET', `/api/v1/incidents/${incident.id}/evidence`, { token: tokens.officer })).body;
    expect(ev.features.filter((f: any) => f.properties.kind === 'spill_report')).toHaveLength(1);
    expect(ev.features.filter((f: any) => f.properties.kind === 'candidate_pass').map((f: any) => f.properties.vehicleId)).toEqual(['muck-2', 'muck-1']);
    const print = (await svc.call('GET', `/api/v1/incidents/${incident.id}/print`, { token: tokens.officer })).body as string;
    expect(print).toContain('沪A00004');
    expect((await svc.call('GET', `/api/v1/spill-reports/${res.body.id}`, { token: tokens.officer })).body.candidates).toHaveLength(2);
    // where no truck passed, the report is still an incident to handle, on no vehicle
    const lonely = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: { location: { type: 'Point', coordinates: [7.40, 43.72] }, reportedAt, reporterKind: 'officer' } });
    expect(lonely.body.candidates).toEqual([]);
    const lonelyIncident = (await svc.call('GET', `/api/v1/incidents/${lonely.body.incidentId}`, { token: tokens.officer })).body;
    expect(lonelyIncident.type).toBe('spill');
    expect(lonelyIncident.vehicleId).toBeUndefined();
    expect(lonelyIncident.location).toEqual({ type: 'Point', coordinates: [7.40, 43.72] });
  });

  it('lets a sweeper report without seeing other trucks, and bounds the photo', async () => {
    await login('sweeper1', 'driver', { vehicleId: 'col-1' });
    const body = { location: { type: 'Point', coordinates: [7.4341, 43.7371] }, reporterKind: 'sweeper' };
    const res = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.sweeper1, body });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'incidentId', 'reportedAt']);
    expect((await svc.call('GET', `/api/v1/spill-reports/${res.body.id}`, { token: tokens.sweeper1 })).status).toBe(403);
    expect((await svc.call('GET', '/api/v1/incidents', { token: tokens.sweeper1 })).status).toBe(403);
    // just over 256 KiB of image: the field is named; far over: the body is refused whole
    const big = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: { ...body, photo: `data:image/jpeg;base64,${'A'.repeat(350_000)}` } });
    expect(big.status).toBe(400);
    expect(big.body.details[0].path).toBe('body.photo');
    expect((await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: { ...body, photo: `data:image/jpeg;base64,${'A'.repeat(2_000_000)}` } })).status).toBe(413);
    const ok = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: { ...body, photo: `data:image/jpeg;base64,${'A'.repeat(300_000)}` } });
    expect(ok.status).toBe(201);
    expect(ok.body.photo).toHaveLength(300_000 + 'data:image/jpeg;base64,'.length);
    const notImage = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: { ...body, photo: 'javascript:alert(1)' } });
    expect(notImage.body.details[0].path).toBe('body.photo');
    const future = await svc.call('POST', '/api/v1/spill-reports', { token: tokens.officer, body: { ...body, reportedAt: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(future.body.details[0].path).toBe('body.reportedAt');
  });

  it('derives a night\'s e-manifest from the position log and answers the trips and the site-to-disposal balance', async () => {
    // the night that began a day and a half ago (local Asia/Shanghai), well inside the 72 h fixes are accepted for
    const night = new Date(Date.now() - 36 * 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const at = (hhmm: string) => Date.parse(`${night}T${hhmm}:00+08:00`);
    const SITE = { lon: 7.43, lat: 43.735 };
    const AWAY = { lon: 7.4341, lat: 43.7371 };
    const DISP = { lon: 7.44, lat: 43.74 };
    const f = (vehicleId: string, hhmm: string, p: { lon: number; lat: number }, over: Record<string, unknown> = {}) => ({
      vehicleId, fixTime: at(hhmm), ...p, speedKmh: 20, loadState: 'full', loadKg: vehicleId === 'muck-1' ? 15_000 : 14_000, coverClosed: true, bodyLifted: false, ...over,
    });
    const positions = [
      // muck-1: a full trip, closed in the disposal site with the body lifted
      f('muck-1', '23:00', SITE), f('muck-1', '23:01', AWAY), f('muck-1', '23:20', DISP), f('muck-1', '23:21', DISP, { bodyLifted: true }),
      f('muck-1', '23:25', DISP, { loadState: 'empty', loadKg: 0 }),
      // muck-2: tips on the road
      f('muck-2', '23:05', SITE), f('muck-2', '23:06', AWAY), f('muck-2', '23:30', { lon: 7.436, lat: 43.738 }, { bodyLifted: true, speedKmh: 0 }),
      // muck-1 again: leaves loaded and is never seen again (late by the morning)
      f('muck-1', '23:40', SITE), f('muck-1', '23:41', AWAY),
    ];
    expect((await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions } })).body.accepted).toBe(positions.length);
    expect((await svc.call('POST', '/api/v1/manifests/rebuild', { token: tokens['acme-dispatch'], body: { date: night } })).status).toBe(403);
    const rebuilt = await svc.call('POST', '/api/v1/manifests/rebuild', { token: tokens.officer, body: { date: night } });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.trips).toBe(3);
    // again: the same trips, not twice as many
    expect((await svc.call('POST', '/api/v1/manifests/rebuild', { token: svc.adminToken, body: { date: night } })).body.trips).toBe(3);
    const res = await svc.call('GET', `/api/v1/manifests?date=${night}&permit=permit-1`, { token: tokens.officer });
    expect(res.status).toBe(200);
    expect(res.body.trips.map((t: any) => [t.vehicleId, t.openedAt, t.status, t.flag ?? null, t.closedFacilityId ?? null])).toEqual([
      ['muck-1', new Date(at('23:01')).toISOString(), 'closed', null, 'disp-1'],
      ['muck-2', new Date(at('23:06')).toISOString(), 'flagged', 'ended_elsewhere', null],
      ['muck-1', new Date(at('23:41')).toISOString(), 'flagged', 'late', null],
    ]);
    expect(res.body.trips[0]).toMatchObject({ siteId: 'site-1', disposalFacilityId: 'disp-1', night, openFixId: fixId('muck-1', at('23:01')), closeFixId: fixId('muck-1', at('23:21')) });
    expect(res.body.balance).toEqual([{
      night, siteId: 'site-1', permitId: 'permit-1', disposalFacilityId: 'disp-1',
      trips: 3, loads: 1, flagged: 2, open: 1, endedElsewhere: 1, late: 1, kg: 44_000, kgDelivered: 15_000, unaccounted: 2,
    }]);
    expect((await svc.call('GET', `/api/v1/manifests?date=${night}&site=site-9`, { token: tokens.officer })).body).toEqual({ date: night, trips: [], balance: [] });
    // a dispatcher sees their contractor's trucks' trips
    const acme = (await svc.call('GET', `/api/v1/manifests?date=${night}`, { token: tokens['acme-dispatch'] })).body;
    expect(acme.trips.map((t: any) => t.vehicleId)).toEqual(['muck-1', 'muck-1']);
    expect(acme.balance[0]).toMatchObject({ trips: 2, loads: 1 });
    expect((await svc.call('GET', '/api/v1/manifests?date=30-11-2026', { token: tokens.officer })).body.details[0].path).toBe('query.date');
  });

  it('answers the enforcement figures: per type, the contractors\' ranking, the spill detection-and-handling rate', async () => {
    const spills = (await svc.call('GET', '/api/v1/incidents?type=spill&limit=100', { token: tokens.officer })).body.items;
    expect(spills.length).toBeGreaterThanOrEqual(3);
    const close = (id: string, disposition: string) => svc.call('POST', `/api/v1/incidents/${id}/close`, { token: tokens.officer, body: { disposition, note: 'checked on site' } });
    expect((await close(spills[0].id, 'penalised')).status).toBe(200);
    expect((await close(spills[1].id, 'false_alarm')).status).toBe(200);
    const range = `from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`;
    const res = await svc.call('GET', `/api/v1/incidents/figures?${range}`, { token: tokens.officer });
    expect(res.status).toBe(200);
    const all = (await svc.call('GET', '/api/v1/incidents?limit=100', { token: tokens.officer })).body;
    expect(res.body.total).toBe(all.total);
    expect(res.body.spill).toEqual({ total: spills.length, dismissed: 1, handled: 1, rate: Math.round((1 / (spills.length - 1)) * 10_000) / 10_000 });
    expect(res.body.byType.find((t: any) => t.type === 'spill')).toMatchObject({ total: spills.length, closed: 2, confirmed: 1, dismissed: 1 });
    // the ranking counts what was not dismissed: the false alarm closed above is held against nobody
    const ranking = res.body.byContractor.map((c: any) => c.counted);
    expect(ranking).toEqual([...ranking].sort((a: number, b: number) => b - a));
    for (const c of res.body.byContractor) expect(c.counted).toBe(c.total - c.dismissed);
    expect(res.body.byContractor.reduce((n: number, c: any) => n + c.dismissed, 0)).toBeGreaterThanOrEqual(1);
    expect(res.body.byContractor.find((c: any) => c.contractor === 'Acme Haulage').byType).toMatchObject({ off_route: 1 });
    // a dispatcher's figures are their contractor's
    const acme = await svc.call('GET', `/api/v1/incidents/figures?${range}`, { token: tokens['acme-dispatch'] });
    expect(acme.body.byContractor.map((c: any) => c.contractor)).toEqual(['Acme Haulage']);
    expect((await svc.call('GET', '/api/v1/incidents/figures?month=2026-13', { token: tokens.officer })).body.details[0].path).toBe('query.month');
    expect((await svc.call('GET', '/api/v1/incidents/figures', { token: tokens.officer })).status).toBe(400);
    expect((await svc.call('GET', '/api/v1/incidents/figures?month=2026-11', { token: tokens.officer })).body.month).toBe('2026-11');
  });
});
