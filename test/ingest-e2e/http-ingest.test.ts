import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * HTTP ingestion through the real server: the OsmAnd protocol as Traccar Client sends it
 * (every recorded request), the JSON batch endpoint for integrators, and tracks.
 */
interface OsmandCase {
  id: string;
  input: string;
  http: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string> };
  decoded?: { device_id?: string; lat?: number; lon?: number; time_utc?: string; time_local_server?: string };
}

const requests: OsmandCase[] = JSON.parse(readFileSync(new URL('../fixtures/protocols/osmand/requests.json', import.meta.url), 'utf8'));

/**
 * The recorded requests carry 2013-2025 timestamps, beyond any horizon the service accepts.
 * Each is replayed with its timestamp moved to `fixTimeMs`, written in the same format and
 * URL encoding as recorded, so the request is otherwise byte-for-byte what the device sent.
 */
function freshen(entry: OsmandCase, fixTimeMs: number): { path: string; body?: string; expectedMs: number | null } {
  const iso = new Date(fixTimeMs).toISOString();
  if (entry.http.method === 'POST') {
    const old = entry.decoded!.time_utc!;
    return { path: '', body: entry.input.split(old).join(iso), expectedMs: fixTimeMs };
  }
  const query = entry.http.path.slice(1);
  const raw = /[?&]timestamp=([^&]*)/.exec(query)?.[1];
  if (raw === undefined) return { path: query, expectedMs: null };
  const value = decodeURIComponent(raw.replace(/\+/g, ' '));
  let replacement: string;
  let expectedMs: number;
  if (/^\d{10}$/.test(value)) {
    expectedMs = Math.floor(fixTimeMs / 1000) * 1000;
    replacement = String(expectedMs / 1000);
  } else if (/^\d{13}$/.test(value)) {
    expectedMs = fixTimeMs;
    replacement = String(fixTimeMs);
  } else if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value)) {
    expectedMs = Math.floor(fixTimeMs / 1000) * 1000;
    replacement = iso.slice(0, 19).replace('T', '+').replace(/:/g, '%3A');
  } else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) {
    expectedMs = Math.floor(fixTimeMs / 1000) * 1000;
    replacement = `${iso.slice(0, 19)}Z`.replace(/:/g, '%3A');
  } else {
    throw new Error(`${entry.id}: unknown timestamp format ${value}`);
  }
  return { path: query.replace(`timestamp=${raw}`, `timestamp=${replacement}`), expectedMs };
}

describeEachBackend('HTTP ingestion into the service (%s)', (backend) => {
  let svc: TestService;
  let template: Record<string, unknown>;
  let vehicles: Array<{ id: string; terminalId?: string }>;
  const vehicleOfDevice = new Map<string, string>();

  const admin = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: svc.adminToken, body });
  const osmand = (method: string, query: string, body?: string, headers?: Record<string, string>) =>
    fetch(`${svc.url}/api/v1/osmand${query}`, { method, body, headers }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const track = (vehicleId: string, fromMs: number, toMs: number, extra = '', token = svc.adminToken) =>
    svc.call('GET', `/api/v1/vehicles/${vehicleId}/track?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}${extra}`, { token });

  beforeAll(async () => {
    svc = await startTestService({ backend, demo: true });
    vehicles = (await admin('GET', '/api/v1/vehicles?limit=100')).body.items;
    template = { ...(vehicles.find((v) => (v as { kind?: string }).kind === 'collector') as Record<string, unknown>) };
    delete template.terminalId;
    delete template.terminalModel;
    // Phones with Traccar Client: one vehicle per recorded device id.
    const deviceIds = [...new Set(requests.map((r) => r.decoded?.device_id).filter((d): d is string => !!d))];
    for (const [i, deviceId] of deviceIds.entries()) {
      const id = `phone-${i + 1}`;
      const res = await admin('POST', '/api/v1/vehicles', { ...template, id, plate: `沪P${String(i + 1).padStart(5, '0')}`, deviceId });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      vehicleOfDevice.set(deviceId, id);
    }
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('stores every recorded OsmAnd request (GET and POST as Traccar Client sends them) for the bound vehicle', async () => {
    const baseMs = Date.now() - 20 * 60_000;
    let stored = 0;
    for (const [i, entry] of requests.entries()) {
      const deviceId = entry.decoded?.device_id;
      if (!deviceId) continue;
      const fixTimeMs = baseMs + i * 60_000 + 123;
      const { path, body, expectedMs } = freshen(entry, fixTimeMs);
      const before = Date.now();
      const res = entry.http.method === 'POST'
        ? await osmand('POST', '', body, entry.http.headers)
        : await osmand('GET', `?${path}`);
      const after = Date.now();
      expect(res.status, `${entry.id}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.rejected, entry.id).toEqual([]);
      const vehicleId = vehicleOfDevice.get(deviceId)!;
      const points = (await track(vehicleId, baseMs - 60_000, after + 1000)).body.features.filter((f: any) => f.properties.kind === 'fix');
      if (entry.decoded?.lat === undefined) {
        // osmand-005: cells and Wi-Fi only, nothing to place on the map; the device is still answered.
        expect(res.body.accepted, entry.id).toBe(0);
        continue;
      }
      expect(res.body.accepted, entry.id).toBe(1);
      stored++;
      const point = expectedMs === null
        ? points.find((p: any) => Date.parse(p.properties.fixTime) >= before && Date.parse(p.properties.fixTime) <= after)
        : points.find((p: any) => Date.parse(p.properties.fixTime) === expectedMs);
      expect(point, `${entry.id} not in the track`).toBeDefined();
      expect(point.geometry.coordinates[0]).toBeCloseTo(entry.decoded.lon!, 6);
      expect(point.geometry.coordinates[1]).toBeCloseTo(entry.decoded.lat!, 6);
      expect(point.properties.source).toBe('osmand');
    }
    expect(stored).toBe(13);
    const stats = (await admin('GET', '/api/v1/ingest/stats')).body;
    expect(stats.accepted).toBe(13);
  });

  it('answers a recorded request with its original (years-old) timestamp 200 but stores nothing: rejected as stale, counted', async () => {
    const entry = requests.find((r) => r.id === 'osmand-011')!;
    const before = (await admin('GET', '/api/v1/ingest/stats')).body.rejected.stale ?? 0;
    const res = await osmand('GET', entry.http.path.slice(1));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: 'stale' }] });
    expect((await admin('GET', '/api/v1/ingest/stats')).body.rejected.stale).toBe(before + 1);
  });

  it('refuses an unknown device id and a request without one with 401', async () => {
    const entry = requests.find((r) => r.id === 'osmand-011')!;
    const unknown = await osmand('GET', entry.http.path.slice(1).replace('id=123456', 'id=999999999'));
    expect(unknown.status).toBe(401);
    expect(unknown.body.details[0]).toMatchObject({ path: 'query.id' });
    const missing = await osmand('GET', requests.find((r) => r.id === 'osmand-006')!.http.path.slice(1));
    expect(missing.status).toBe(401);
  });

  it("answers a known device's bad values 400 naming the parameter, with or without a token; only an unknown device gets 401", async () => {
    const deviceId = [...vehicleOfDevice.keys()].find((d) => /^\d+$/.test(d))!;
    const device = await admin('POST', '/api/v1/tokens', { role: 'device', vehicleId: vehicleOfDevice.get(deviceId), label: 'phone' });
    const good = `lat=43.73&lon=7.42&timestamp=${Math.floor(Date.now() / 1000) - 60}&speed=5`;
    const bad: Array<[string, string]> = [['lat', 'lat=NaN'], ['lat', 'lat=91'], ['timestamp', 'timestamp=-1'], ['speed', 'speed=-5'], ['lon', 'lon=abc']];
    for (const [param, value] of bad) {
      const query = good.replace(new RegExp(`${param}=[^&]*`), value);
      // The id as the phone sends it, and with the zeros a BCD-minded integrator pads it with.
      for (const id of [deviceId, `00${deviceId}`]) {
        const anonymous = await osmand('GET', `?id=${id}&${query}`);
        expect(anonymous.status, `${id} ${value}`).toBe(400);
        expect(anonymous.body.details.map((d: { path: string }) => d.path), value).toEqual([`query.${param}`]);
      }
      const withToken = await svc.call('GET', `/api/v1/osmand?id=${deviceId}&${query}`, { token: device.body.token });
      expect(withToken.status, value).toBe(400);
      expect(withToken.body.details[0].path).toBe(`query.${param}`);
      const stranger = await osmand('GET', `?id=999999999&${query}`);
      expect(stranger.status, value).toBe(401);
      expect(stranger.body.details[0].path).toBe('query.id');
    }
    const json = await osmand('POST', '', JSON.stringify({ device_id: deviceId, location: { timestamp: new Date().toISOString(), coords: { latitude: 91, longitude: 7.42 } } }), { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(json.body.details[0].path).toBe('body.location.coords.latitude');
  });

  describe('JSON batch with a device token bound to one vehicle', () => {
    let token: string;
    let own: string;
    let other: string;
    beforeAll(async () => {
      own = vehicleOfDevice.get('902064')!;
      other = vehicleOfDevice.get('658765')!;
      const issued = await admin('POST', '/api/v1/tokens', { role: 'device', vehicleId: own, label: 'integrator box' });
      expect(issued.status).toBe(201);
      token = issued.body.token;
    });

    it("accepts its own vehicle's fixes, rejects another vehicle's as foreign_vehicle and bad items with their paths", async () => {
      const t = Date.now() - 60_000;
      const res = await svc.call('POST', '/api/v1/positions', {
        token,
        body: {
          positions: [
            { vehicleId: own, fixTime: new Date(t).toISOString(), lat: 43.73, lon: 7.42, speedKmh: 12 },
            { vehicleId: other, fixTime: t, lat: 43.73, lon: 7.42 },
            { deviceId: '902064', fixTime: t + 10_000, lat: 43.731, lon: 7.42 },
            { vehicleId: own, fixTime: Date.now() + 10 * 60_000, lat: 43.73, lon: 7.42 },
            { deviceId: 'no-such-device', fixTime: t, lat: 43.73, lon: 7.42 },
            { vehicleId: own, fixTime: new Date(t).toISOString(), lat: 43.73, lon: 7.42, speedKmh: 12 },
          ],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accepted: 2,
        duplicates: 1,
        rejected: [
          { path: 'body.positions.1', reason: 'foreign_vehicle' },
          { path: 'body.positions.3', reason: 'future' },
          { path: 'body.positions.4', reason: 'unknown_device' },
        ],
      });
      const otherTrack = (await track(other, t - 1000, t + 1000)).body;
      expect(otherTrack.properties.totalFixes).toBe(0);
    });

    it('refuses a NUL (U+0000) in a fix\'s strings with 400 naming the field, over JSON and OsmAnd, and stores nothing', async () => {
      const t = Date.now() - 40_000;
      const before = (await admin('GET', '/api/v1/ingest/stats')).body;
      const alarm = await svc.call('POST', '/api/v1/positions', {
        token, body: { positions: [{ vehicleId: own, fixTime: t, lat: 43.73, lon: 7.42 }, { vehicleId: own, fixTime: t + 1000, lat: 43.73, lon: 7.42, alarms: ['sos', 'over\u0000speed'] }] },
      });
      expect(alarm.status, JSON.stringify(alarm.body)).toBe(400);
      expect(alarm.body.details).toEqual([{ path: 'body.positions.1.alarms.1', message: expect.stringContaining('NUL') }]);
      const device = await svc.call('POST', '/api/v1/positions', { token, body: { positions: [{ deviceId: '902064\u0000', fixTime: t, lat: 43.73, lon: 7.42 }] } });
      expect(device.status).toBe(400);
      expect(device.body.details[0].path).toBe('body.positions.0.deviceId');

      const query = `id=902064&lat=43.73&lon=7.42&timestamp=${Math.floor(t / 1000)}`;
      for (const [extra, field] of [['note=a%00b', 'note'], ['alarm=sos%00', 'alarm'], ['x%00y=1', 'x\u0000y']] as const) {
        const res = await svc.call('GET', `/api/v1/osmand?${query}&${extra}`, { token });
        expect(res.status, `${extra}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.details, extra).toEqual([{ path: `query.${field}`, message: expect.stringContaining('NUL') }]);
      }
      const form = await svc.call('POST', '/api/v1/osmand', { token, rawBody: `${query}&note=a%00b`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(400);
      expect(form.body.details[0].path).toBe('body.note');
      // without a token the device id is the credential: a known device still learns the bad value
      const anonymousForm = await svc.call('POST', '/api/v1/osmand', { rawBody: `${query}&note=a%00b`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(anonymousForm.status, JSON.stringify(anonymousForm.body)).toBe(400);
      expect(anonymousForm.body.details[0].path).toBe('body.note');
      const json = await svc.call('POST', '/api/v1/osmand', {
        token, body: { device_id: '902064', location: { timestamp: new Date(t).toISOString(), coords: { latitude: 43.73, longitude: 7.42 }, extras: { note: 'a\u0000b' } } },
      });
      expect(json.status).toBe(400);
      expect(json.body.details[0].path).toBe('body.location.extras.note');

      expect((await track(own, t - 1000, t + 2000)).body.properties.totalFixes).toBe(0);
      const after = (await admin('GET', '/api/v1/ingest/stats')).body;
      expect(after.accepted).toBe(before.accepted);
    });

    it('stores alarms as sent: a comma (or a quote, brace or backslash) stays inside its alarm, over JSON and OsmAnd', async () => {
      const t = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
      const sent = ['sos,overspeed', 'lowVoltage', 'say "hi" {x} \\ ok'];
      const res = await svc.call('POST', '/api/v1/positions', { token, body: { positions: [{ vehicleId: own, fixTime: t, lat: 43.73, lon: 7.42, alarms: sent }] } });
      expect(res.body).toMatchObject({ accepted: 1, rejected: [] });
      const osm = await svc.call('GET', `/api/v1/osmand?id=902064&lat=43.73&lon=7.42&timestamp=${(t + 2000) / 1000}&alarm=sos%2Coverspeed`, { token });
      expect(osm.body).toMatchObject({ accepted: 1, rejected: [] });
      const points = (await track(own, t - 1000, t + 3000)).body.features.filter((f: any) => f.properties.kind === 'fix');
      expect(points.map((p: any) => p.properties.alarms)).toEqual([sent, ['sos,overspeed']]);
      const row = await svc.db.query<{ attributes: Record<string, unknown> | null }>('select attributes from positions where vehicle_id = $1 and fix_time = $2', [own, new Date(t + 2000)]);
      expect(row.rows[0]!.attributes?.alarm).toBeUndefined();
    });

    it('answers a malformed body 400 naming each bad field, and stores nothing of it', async () => {
      const t = Date.now() - 30_000;
      const res = await svc.call('POST', '/api/v1/positions', {
        token,
        body: { positions: [{ vehicleId: own, fixTime: t, lat: 43.73, lon: 7.42 }, { vehicleId: own, fixTime: 'yesterday', lat: 95, lon: 7.42, colour: 'red' }] },
      });
      expect(res.status).toBe(400);
      const paths = res.body.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['body.positions.1.fixTime', 'body.positions.1.lat', 'body.positions.1.colour']));
      expect((await track(own, t - 1000, t + 1000)).body.properties.totalFixes).toBe(0);

      const notJson = await svc.call('POST', '/api/v1/positions', { token, rawBody: '{"positions": [', headers: { 'content-type': 'application/json' } });
      expect(notJson.status).toBe(400);
      expect(notJson.body.details[0].path).toMatch(/^body/);
    });
  });

  describe('tracks', () => {
    const driver = () => svc.firstStartTokens.find((t) => t.role === 'driver')!;
    let fromMs: number;
    let toMs: number;
    const count = 60;

    beforeAll(async () => {
      // A zigzag drive of 60 fixes for the driver's vehicle, 10 s apart.
      fromMs = Math.floor((Date.now() - 15 * 60_000) / 1000) * 1000;
      toMs = fromMs + count * 10_000;
      const positions = Array.from({ length: count }, (_, i) => ({
        vehicleId: driver().vehicleId, fixTime: fromMs + i * 10_000, lat: 43.73 + i * 0.0004, lon: 7.42 + (i % 2) * 0.0003, speedKmh: 15,
      }));
      const res = await admin('POST', '/api/v1/positions', { positions });
      expect(res.body.accepted).toBe(count);
    });

    it('returns the path as a line plus every fix as a point with its attributes', async () => {
      const res = await track(driver().vehicleId!, fromMs, toMs);
      expect(res.status).toBe(200);
      const [line, ...points] = res.body.features;
      expect(line.geometry.type).toBe('LineString');
      expect(line.geometry.coordinates).toHaveLength(count);
      expect(points).toHaveLength(count);
      expect(points[0].properties).toMatchObject({ kind: 'fix', fixTime: new Date(fromMs).toISOString(), speedKmh: 15, source: 'json' });
    });

    it('downsamples on request (maxPoints, simplifyM) and keeps the first and last fix', async () => {
      for (const extra of ['&maxPoints=10', '&simplifyM=100']) {
        const res = await track(driver().vehicleId!, fromMs, toMs, extra);
        const points = res.body.features.filter((f: any) => f.properties.kind === 'fix');
        expect(points.length, extra).toBeLessThan(count / 2);
        expect(points.length, extra).toBeGreaterThanOrEqual(2);
        expect(res.body.properties).toMatchObject({ totalFixes: count, returnedFixes: points.length });
        expect(points[0].properties.fixTime).toBe(new Date(fromMs).toISOString());
        expect(points.at(-1).properties.fixTime).toBe(new Date(fromMs + (count - 1) * 10_000).toISOString());
      }
    });

    it('flags a GPS jump (1 km in 10 s) in the track and keeps it out of the line and the vehicle state', async () => {
      const vehicleId = vehicles.find((v) => v.id !== driver().vehicleId)!.id;
      const t = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
      const north = (m: number) => 43.73 + m / 111_195;
      const res = await admin('POST', '/api/v1/positions', { positions: [
        { vehicleId, fixTime: t, lat: north(0), lon: 7.42, speedKmh: 30 },
        { vehicleId, fixTime: t + 10_000, lat: north(100), lon: 7.42, speedKmh: 30 },
        { vehicleId, fixTime: t + 20_000, lat: north(1100), lon: 7.42, speedKmh: 30 },
      ] });
      expect(res.body.accepted).toBe(3);
      const body = (await track(vehicleId, t, t + 30_000)).body;
      const points = body.features.filter((f: any) => f.properties.kind === 'fix');
      expect(points.map((p: any) => p.properties.implausible)).toEqual([false, false, true]);
      expect(body.properties.implausibleFixes).toBe(1);
      expect(body.features.find((f: any) => f.properties.kind === 'path').geometry.coordinates).toHaveLength(2);
      const state = (await admin('GET', `/api/v1/vehicles/${vehicleId}/state`)).body;
      expect(state.latest.fixTimeMs).toBe(t + 10_000);
    });

    it("lets a driver read their own vehicle's track but not another's (403)", async () => {
      const own = await track(driver().vehicleId!, fromMs, toMs, '', driver().token);
      expect(own.status).toBe(200);
      expect(own.body.properties.totalFixes).toBe(count);
      const otherId = vehicles.find((v) => v.id !== driver().vehicleId)!.id;
      const other = await track(otherId, fromMs, toMs, '', driver().token);
      expect(other.status).toBe(403);
    });
  });
});
