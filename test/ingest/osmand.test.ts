import { describe, expect, it } from 'vitest';
import { parseOsmandRequest, parseOsmandTimestamp } from '../../src/ingest/osmand.js';
import { loadOsmandRequests } from './jt808/helpers.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const requests = loadOsmandRequests();
const options = { now: () => NOW };

function parse(entry: any) {
  return parseOsmandRequest(
    entry.http.method === 'GET'
      ? { method: 'GET', query: entry.input }
      : { method: 'POST', contentType: entry.http.headers?.['Content-Type'], body: entry.input },
    options,
  );
}

describe('OsmAnd vectors from Traccar tests', () => {
  it.each(requests.filter((e) => e.assert === 'verifyPosition' || e.assert === 'verifyAttribute'))('$id → one Fix', (entry) => {
    const r = parse(entry);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.fixes.length).toBe(1);
    const fix = r.fixes[0];
    const d = entry.decoded;
    expect(r.deviceId).toBe(d.device_id);
    expect(fix.deviceId).toBe(d.device_id);
    expect(fix.source).toBe('osmand');
    expect(fix.lat).toBeCloseTo(d.lat, 7);
    expect(fix.lon).toBeCloseTo(d.lon, 7);
    if (d.time_utc) expect(fix.fixTimeMs).toBe(Date.parse(d.time_utc));
    else if (d.time_local_server) expect(fix.fixTimeMs).toBe(Date.parse(d.time_local_server.replace(' ', 'T') + 'Z'));
    else expect(fix.fixTimeMs).toBe(NOW); // no timestamp: receive time
    if (d.speed_knots !== undefined) expect(fix.speedKmh).toBeCloseTo(d.speed_knots * 1.852, 6);
    if (d.speed_mps !== undefined) expect(fix.speedKmh).toBeCloseTo(Math.max(0, d.speed_mps) * 3.6, 6);
    expect(fix.headingDeg).toBeGreaterThanOrEqual(0);
    for (const [key, value] of Object.entries(entry.expect.attributes ?? {})) expect(fix.attributes?.[key]).toBe(value);
  });

  it('osmand-005: cells and wifi only → accepted for the device, no Fix (no coordinates to store)', () => {
    const r = parse(requests.find((e) => e.id === 'osmand-005'));
    expect(r).toMatchObject({ ok: true, deviceId: '123456', fixes: [], note: 'noCoordinates' });
  });

  it('osmand-006: no device id → a validation error naming the field', () => {
    const r = parse(requests.find((e) => e.id === 'osmand-006'));
    expect(r).toEqual({ ok: false, errors: [{ field: 'id', message: 'missing device id (id or deviceid)' }] });
  });

  it('covers every vector', () => {
    expect(requests.length).toBe(15);
    for (const entry of requests) expect(['verifyPosition', 'verifyAttribute', 'verifyNotNull', 'verifyNull']).toContain(entry.assert);
  });
});

describe('OsmAnd details', () => {
  it('reads the JSON format\'s units: m/s speed, battery 0..1, unknown negatives', () => {
    const r = parse(requests.find((e) => e.id === 'osmand-004'));
    if (!r.ok) throw new Error('004');
    expect(r.fixes[0]).toMatchObject({ headingDeg: 63, altitudeM: 35.7, attributes: { batteryLevel: 79, accuracyM: 3.8, motion: false } });
    expect(r.fixes[0].speedKmh).toBeCloseTo(67.212, 6);
    const unknown = parse(requests.find((e) => e.id === 'osmand-003'));
    if (!unknown.ok) throw new Error('003');
    expect(unknown.fixes[0].speedKmh).toBe(0);
    expect(unknown.fixes[0].attributes?.batteryLevel).toBeUndefined();
  });

  it('query speed unit is configurable (knots by default)', () => {
    const q = '/?id=1&lat=30&lon=120&speed=10';
    const kn = parseOsmandRequest({ method: 'GET', query: q });
    const kmh = parseOsmandRequest({ method: 'GET', query: q }, { querySpeedUnit: 'kmh' });
    expect(kn.ok && kn.fixes[0].speedKmh).toBeCloseTo(18.52, 6);
    expect(kmh.ok && kmh.fixes[0].speedKmh).toBe(10);
  });

  it('accepts a form POST and merges it with the URL query', () => {
    const r = parseOsmandRequest({
      method: 'POST', query: '/?id=77', contentType: 'application/x-www-form-urlencoded',
      body: 'lat=31.2&lon=121.5&timestamp=1700000000&bearing=400&ignition=true',
    });
    expect(r).toMatchObject({ ok: true, deviceId: '77' });
    if (!r.ok) return;
    expect(r.fixes[0]).toMatchObject({ fixTimeMs: 1_700_000_000_000, headingDeg: 40, accOn: true });
  });

  it('a JSON backlog (location array) becomes several fixes, refused whole if one point is bad', () => {
    const point = (ts: string, lat: number) => ({ timestamp: ts, coords: { latitude: lat, longitude: 121, speed: 1, heading: 90, altitude: 3 } });
    const ok = parseOsmandRequest({ method: 'POST', contentType: 'application/json', body: { device_id: 'p1', location: [point('2026-01-01T00:00:00Z', 31), point('2026-01-01T00:00:10Z', 31.1)] } });
    expect(ok.ok && ok.fixes.map((f) => f.fixTimeMs)).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 10)]);
    const bad = parseOsmandRequest({ method: 'POST', contentType: 'application/json', body: { device_id: 'p1', location: [point('2026-01-01T00:00:00Z', 31), point('2026-01-01T00:00:10Z', 95)] } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0].field).toBe('location.1.coords.latitude');
  });

  it('names the field of every validation error', () => {
    const errs = (q: string) => {
      const r = parseOsmandRequest({ method: 'GET', query: q });
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(errs('/?id=1&lat=91&lon=0')).toEqual(['lat']);
    expect(errs('/?id=1&lat=abc&lon=0')).toEqual(['lat']);
    expect(errs('/?id=1&lat=5')).toEqual(['lon']);
    expect(errs('/?id=1&lat=1&lon=1&timestamp=yesterday')).toEqual(['timestamp']);
    expect(errs('/?id=1&location=1;2')).toEqual(['location']);
    // 1e39 passed once and the store refused it (real overflow); an altitude no truck reaches is a field error.
    expect(errs('/?id=1&lat=1&lon=1&altitude=1e39')).toEqual(['altitude']);
    expect(errs('/?id=1&lat=1&lon=1&altitude=-20000')).toEqual(['altitude']);
    expect(errs('/?id=1&lat=1&lon=1&altitude=8848')).toEqual([]);
    const high = parseOsmandRequest({ method: 'POST', contentType: 'application/json', body: { device_id: 'p', location: { timestamp: '2026-01-01T00:00:00Z', coords: { latitude: 1, longitude: 1, altitude: 1e39 } } } });
    expect(high.ok === false && high.errors[0]!.field).toBe('location.coords.altitude');
    const json = parseOsmandRequest({ method: 'POST', contentType: 'application/json', body: '{"device_id":"x"' });
    expect(json.ok === false && json.errors[0].field).toBe('(body)');
  });

  it('alarm= is an alarm, kept whole as sent (a comma stays inside it), not an attribute', () => {
    const r = parseOsmandRequest({ method: 'GET', query: '/?id=1&lat=30&lon=120&alarm=sos%2Coverspeed' });
    expect(r.ok && r.fixes[0]!.alarms).toEqual(['sos,overspeed']);
    expect(r.ok && r.fixes[0]!.attributes).toBeUndefined();
    const none = parseOsmandRequest({ method: 'GET', query: '/?id=1&lat=30&lon=120&alarm=' });
    expect(none.ok && none.fixes[0]!.alarms).toEqual([]);
  });

  it('refuses a NUL (U+0000) in any text parameter, naming the parameter: the store cannot hold it', () => {
    const errs = (q: string) => {
      const r = parseOsmandRequest({ method: 'GET', query: q });
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(errs('/?id=1&lat=30&lon=120&note=a%00b')).toEqual(['note']);
    expect(errs('/?id=1&lat=30&lon=120&alarm=sos%00')).toEqual(['alarm']);
    expect(errs('/?id=1%002&lat=30&lon=120')).toEqual(['id']);
    expect(errs('/?id=1&lat=30&lon=120&speed=5%00')).toEqual(['speed']);
    expect(errs('/?id=1&lat=30&lon=120&a%00b=1')).toEqual(['a\u0000b']);
    // A form POST's fields, and cells without coordinates, too.
    const form = parseOsmandRequest({ method: 'POST', query: '/?id=77', contentType: 'application/x-www-form-urlencoded', body: 'lat=31.2&lon=121.5&driver=x%00' });
    expect(form.ok === false && form.errors.map((e) => e.field)).toEqual(['driver']);
    expect(errs('/?id=1&cell=460,0,1%00,2')).toEqual(['cell']);
  });

  it('refuses a NUL in any string of the JSON format, naming its path', () => {
    const point = { timestamp: '2026-01-01T00:00:00Z', coords: { latitude: 31, longitude: 121 } };
    const fields = (body: unknown) => {
      const r = parseOsmandRequest({ method: 'POST', contentType: 'application/json', body: body as Record<string, unknown> });
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(fields({ device_id: 'p1', location: { ...point, event: 'motion\u0000' } })).toEqual(['location.event']);
    expect(fields({ device_id: 'p1', location: { ...point, activity: { type: 'still\u0000' } } })).toEqual(['location.activity.type']);
    expect(fields({ device_id: 'p1', location: [point, { ...point, extras: { note: 'a\u0000b' } }] })).toEqual(['location.1.extras.note']);
    expect(fields({ device_id: 'p1', location: { ...point, extras: { 'n\u0000': 1 } } })).toEqual(['location.extras.n\u0000']);
    expect(fields({ device_id: 'p\u00001', location: point })).toEqual(['device_id']);
    expect(fields({ device_id: 'p1', location: { ...point, extras: { note: 'fine' } } })).toEqual([]);
  });

  it('timestamps: seconds vs milliseconds, ISO, naive local with an explicit offset', () => {
    expect(parseOsmandTimestamp('1377177267')).toBe(1377177267000);
    expect(parseOsmandTimestamp('1442068686579')).toBe(1442068686579);
    expect(parseOsmandTimestamp('2016-01-27T18:55:47Z')).toBe(Date.UTC(2016, 0, 27, 18, 55, 47));
    expect(parseOsmandTimestamp('2014-06-04 09:10:11', 480)).toBe(Date.UTC(2014, 5, 4, 1, 10, 11));
    expect(parseOsmandTimestamp('soon')).toBeNull();
  });
});
