import { z } from 'zod';
import { fixText, hasNul, NUL_MESSAGE, type Fix } from '../domain/fix.js';

/**
 * The OsmAnd protocol as Traccar Client and compatible phone apps send it:
 * - GET (or POST with an empty body) `/?id=..&lat=..&lon=..&timestamp=..&speed=..` query strings;
 * - POST application/x-www-form-urlencoded with the same fields;
 * - POST application/json in the newer Traccar Client format (Transistorsoft background
 *   geolocation: `{ device_id, location: { timestamp, coords: {...}, battery, ... } }`, where
 *   `location` may also be an array when the app uploads a backlog).
 * The lead wires this into express; this module only turns a request into Fixes or field errors.
 */

export type OsmandSpeedUnit = 'kn' | 'kmh' | 'mps';

export interface OsmandOptions {
  /** Unit of the query `speed` field. Traccar's default is knots (its `osmand.speed` setting). */
  querySpeedUnit?: OsmandSpeedUnit;
  /**
   * Offset of the zone in which naive "yyyy-MM-dd HH:mm:ss" timestamps are written, in minutes
   * east of UTC. Traccar uses its server's zone; we make it explicit (default 0 = UTC).
   */
  naiveTimeOffsetMin?: number;
  /** Receive time for requests without a timestamp. */
  now?: () => number;
}

export interface OsmandRequest {
  method: string;
  /** Query string with or without a leading "?" or path (e.g. "/?id=1&lat=..."). */
  query?: string;
  contentType?: string;
  /** Raw request body (string), or an already parsed JSON object. */
  body?: string | Record<string, unknown> | unknown[];
}

export interface OsmandFieldError {
  field: string;
  message: string;
}

export type OsmandParseResult =
  /** fixes is empty with note 'noCoordinates' when the device sent only cells/wifi or status. */
  | { ok: true; deviceId: string; fixes: Fix[]; note?: 'noCoordinates' }
  /** deviceId: the request's device id when it could be read, so the caller can tell a known device's bad values from an unknown device. */
  | { ok: false; errors: OsmandFieldError[]; deviceId?: string };

const KNOT_KMH = 1.852;

/** Metres, as POST /positions takes them: beyond is no place a truck drives (and 1e39 does not fit the log's real column). */
export const ALTITUDE_RANGE_M = { min: -1000, max: 10_000 } as const;

function speedToKmh(value: number, unit: OsmandSpeedUnit): number {
  return unit === 'kn' ? value * KNOT_KMH : unit === 'mps' ? value * 3.6 : value;
}

/** Integer < 2^31-1 is seconds (as Traccar reads it), larger is ms; else ISO-8601 or naive local. */
export function parseOsmandTimestamp(raw: string, naiveTimeOffsetMin = 0): number | null {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n < 2147483647 ? Math.round(n * 1000) : Math.round(n);
  }
  const naive = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(text);
  if (naive) {
    const [, y, mo, d, h, mi, s, frac] = naive;
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, frac ? Math.round(Number(frac) * 1000) : 0);
    return ms - naiveTimeOffsetMin * 60_000;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function toParams(query: string): URLSearchParams {
  const q = query.indexOf('?');
  return new URLSearchParams(q >= 0 ? query.slice(q + 1) : query);
}

function number(params: URLSearchParams, names: string[], errors: OsmandFieldError[]): number | undefined {
  for (const name of names) {
    const raw = params.get(name);
    if (raw === null || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      errors.push({ field: name, message: `not a number: ${raw}` });
      return undefined;
    }
    return n;
  }
  return undefined;
}

/** Fields the query parser consumes itself; every other field is kept as an attribute. */
const QUERY_FIELDS = new Set([
  'id', 'deviceid', 'lat', 'lon', 'location', 'timestamp', 'speed', 'bearing', 'heading', 'altitude', 'valid',
  'batt', 'hdop', 'accuracy', 'odometer', 'cell', 'wifi', 'alarm',
]);

function attributeValue(raw: string): number | string | boolean {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

function inRange(field: string, value: number, limit: number, errors: OsmandFieldError[]): void {
  if (Math.abs(value) > limit) errors.push({ field, message: `out of range ±${limit}: ${value}` });
}

/** A NUL in any parameter (its name or value) is refused naming that parameter, before anything is read. */
function nulParameterErrors(params: URLSearchParams): OsmandFieldError[] {
  const errors: OsmandFieldError[] = [];
  for (const [key, value] of params) {
    if (hasNul(key)) errors.push({ field: key, message: `parameter name ${NUL_MESSAGE}` });
    else if (hasNul(value)) errors.push({ field: key, message: NUL_MESSAGE });
  }
  return errors;
}

export function parseOsmandQuery(query: string, options: OsmandOptions = {}): OsmandParseResult {
  const params = toParams(query);
  const deviceId = (params.get('id') ?? params.get('deviceid') ?? '').trim();
  const nulErrors = nulParameterErrors(params);
  // a known device with a NUL elsewhere learns which value is wrong (400), like any bad value
  if (nulErrors.length > 0) return deviceId && !hasNul(deviceId) ? { ok: false, errors: nulErrors, deviceId } : { ok: false, errors: nulErrors };
  const errors: OsmandFieldError[] = [];
  if (!deviceId) errors.push({ field: 'id', message: 'missing device id (id or deviceid)' });

  let lat = number(params, ['lat'], errors);
  let lon = number(params, ['lon'], errors);
  const location = params.get('location');
  if (location !== null && (lat === undefined || lon === undefined)) {
    const parts = location.split(',').map(Number);
    if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p))) {
      errors.push({ field: 'location', message: `expected "lat,lon": ${location}` });
    } else [lat, lon] = parts;
  }
  const coordinateError = errors.some((e) => e.field === 'lat' || e.field === 'lon');
  if ((lat === undefined) !== (lon === undefined) && !coordinateError) {
    errors.push({ field: lat === undefined ? 'lat' : 'lon', message: 'latitude and longitude must come together' });
  }
  if (lat !== undefined) inRange('lat', lat, 90, errors);
  if (lon !== undefined) inRange('lon', lon, 180, errors);

  let fixTimeMs = (options.now ?? Date.now)();
  const rawTime = params.get('timestamp');
  if (rawTime !== null && rawTime !== '') {
    const t = parseOsmandTimestamp(rawTime, options.naiveTimeOffsetMin);
    if (t === null) errors.push({ field: 'timestamp', message: `unrecognised time: ${rawTime}` });
    else fixTimeMs = t;
  }
  const speed = number(params, ['speed'], errors);
  const heading = number(params, ['bearing', 'heading'], errors);
  const altitude = number(params, ['altitude'], errors);
  const battery = number(params, ['batt'], errors);
  const hdop = number(params, ['hdop'], errors);
  const accuracy = number(params, ['accuracy'], errors);
  const odometer = number(params, ['odometer'], errors);
  if (speed !== undefined && speed < 0) errors.push({ field: 'speed', message: `negative: ${speed}` });
  if (altitude !== undefined && (altitude < ALTITUDE_RANGE_M.min || altitude > ALTITUDE_RANGE_M.max)) {
    errors.push({ field: 'altitude', message: `out of range ${ALTITUDE_RANGE_M.min}..${ALTITUDE_RANGE_M.max} m: ${altitude}` });
  }
  if (errors.length > 0) return deviceId ? { ok: false, errors, deviceId } : { ok: false, errors };

  const attributes: Record<string, number | string | boolean> = {};
  if (battery !== undefined) attributes.batteryLevel = battery;
  if (hdop !== undefined) attributes.hdop = hdop;
  if (accuracy !== undefined) attributes.accuracyM = accuracy;
  const cells = params.getAll('cell');
  if (cells.length) attributes.cells = cells.join(';');
  const wifis = params.getAll('wifi');
  if (wifis.length) attributes.wifi = wifis.join(';');
  for (const [key, value] of params) {
    if (!QUERY_FIELDS.has(key) && !(key in attributes)) attributes[key] = attributeValue(value);
  }

  if (lat === undefined || lon === undefined) return { ok: true, deviceId, fixes: [], note: 'noCoordinates' };
  const fix: Fix = {
    deviceId,
    fixTimeMs,
    lat,
    lon,
    speedKmh: speed === undefined ? 0 : speedToKmh(speed, options.querySpeedUnit ?? 'kn'),
    headingDeg: heading === undefined || heading < 0 ? 0 : heading % 360,
    altitudeM: altitude ?? 0,
    positioned: params.get('valid') !== 'false' && params.get('valid') !== '0',
    // One alarm per request, kept as sent (Traccar Client sends e.g. alarm=sos; a comma stays inside it).
    alarms: params.getAll('alarm').filter((a) => a !== ''),
    source: 'osmand',
  };
  if (odometer !== undefined) fix.odometerM = odometer;
  if (typeof attributes.ignition === 'boolean') fix.accOn = attributes.ignition;
  if (Object.keys(attributes).length > 0) fix.attributes = attributes;
  return { ok: true, deviceId, fixes: [fix] };
}

const numberOrNull = z.number().nullable().optional();
const jsonLocation = z.object({
  timestamp: fixText,
  coords: z.object({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    accuracy: numberOrNull,
    speed: numberOrNull,
    heading: numberOrNull,
    altitude: z.number().min(ALTITUDE_RANGE_M.min).max(ALTITUDE_RANGE_M.max).nullable().optional(),
  }),
  is_moving: z.boolean().optional(),
  odometer: numberOrNull,
  event: fixText.optional(),
  battery: z.object({ level: numberOrNull, is_charging: z.boolean().optional() }).optional(),
  activity: z.object({ type: fixText.optional() }).optional(),
  extras: z.record(z.string(), z.unknown()).optional().superRefine((extras, ctx) => {
    for (const [key, value] of Object.entries(extras ?? {})) {
      if (hasNul(key) || (typeof value === 'string' && hasNul(value))) ctx.addIssue({ code: 'custom', path: [key], message: NUL_MESSAGE });
    }
  }),
  mock: z.boolean().optional(),
});
const jsonBody = z.object({
  device_id: z.union([fixText.min(1), z.number()]),
  location: z.union([jsonLocation, z.array(jsonLocation).min(1)]),
});

function fixFromJson(deviceId: string, loc: z.infer<typeof jsonLocation>, options: OsmandOptions, index: string, errors: OsmandFieldError[]): Fix | null {
  const fixTimeMs = parseOsmandTimestamp(loc.timestamp, options.naiveTimeOffsetMin);
  if (fixTimeMs === null) {
    errors.push({ field: `${index}timestamp`, message: `unrecognised time: ${loc.timestamp}` });
    return null;
  }
  const c = loc.coords;
  const attributes: Record<string, number | string | boolean> = {};
  // Negative speed/heading/accuracy/battery mean "unknown" in this format.
  if (c.accuracy != null && c.accuracy >= 0) attributes.accuracyM = c.accuracy;
  if (loc.battery?.level != null && loc.battery.level >= 0) attributes.batteryLevel = Math.round(loc.battery.level * 100);
  if (loc.battery?.is_charging !== undefined) attributes.charging = loc.battery.is_charging;
  if (loc.is_moving !== undefined) attributes.motion = loc.is_moving;
  if (loc.event) attributes.event = loc.event;
  if (loc.activity?.type) attributes.activity = loc.activity.type;
  if (loc.mock) attributes.mock = true;
  for (const [key, value] of Object.entries(loc.extras ?? {})) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') attributes[key] = value;
  }
  const fix: Fix = {
    deviceId,
    fixTimeMs,
    lat: c.latitude,
    lon: c.longitude,
    speedKmh: c.speed != null && c.speed >= 0 ? c.speed * 3.6 : 0,
    headingDeg: c.heading != null && c.heading >= 0 ? c.heading % 360 : 0,
    altitudeM: c.altitude ?? 0,
    positioned: true,
    alarms: [],
    source: 'osmand',
  };
  if (loc.odometer != null && loc.odometer >= 0) fix.odometerM = loc.odometer;
  if (Object.keys(attributes).length > 0) fix.attributes = attributes;
  return fix;
}

export function parseOsmandJson(input: unknown, options: OsmandOptions = {}): OsmandParseResult {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, errors: [{ field: '(body)', message: `invalid JSON: ${(error as Error).message}` }] };
    }
  }
  const parsed = jsonBody.safeParse(value);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
    const id = (value as { device_id?: unknown } | null)?.device_id;
    const deviceId = typeof id === 'string' || typeof id === 'number' ? String(id).trim() : '';
    return deviceId ? { ok: false, errors, deviceId } : { ok: false, errors };
  }
  const deviceId = String(parsed.data.device_id).trim();
  const locations = Array.isArray(parsed.data.location) ? parsed.data.location : [parsed.data.location];
  const errors: OsmandFieldError[] = [];
  const fixes: Fix[] = [];
  locations.forEach((loc, i) => {
    const fix = fixFromJson(deviceId, loc, options, Array.isArray(parsed.data.location) ? `location.${i}.` : 'location.', errors);
    if (fix) fixes.push(fix);
  });
  // All or nothing: a batch with one bad point is refused whole, so nothing is half-written.
  if (errors.length > 0) return { ok: false, errors, deviceId };
  return { ok: true, deviceId, fixes };
}

/** One entry point for the HTTP handler: picks the form by method and content type. */
export function parseOsmandRequest(request: OsmandRequest, options: OsmandOptions = {}): OsmandParseResult {
  const contentType = (request.contentType ?? '').toLowerCase();
  const body = request.body;
  const hasBody = body !== undefined && !(typeof body === 'string' && body.trim() === '');
  if (request.method.toUpperCase() === 'POST' && hasBody) {
    if (contentType.includes('json') || typeof body === 'object' || (typeof body === 'string' && body.trim().startsWith('{'))) {
      return parseOsmandJson(body, options);
    }
    // Form body: its fields join (and override) the URL's.
    const merged = toParams(request.query ?? '');
    const form = new URLSearchParams(String(body));
    for (const key of new Set(form.keys())) merged.delete(key);
    for (const [k, v] of form) merged.append(k, v);
    return parseOsmandQuery(merged.toString(), options);
  }
  return parseOsmandQuery(request.query ?? '', options);
}
