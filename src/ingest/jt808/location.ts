import type { Fix, LoadState } from '../../domain/fix.js';
import { DEFAULT_TERMINAL_PROFILE, type SignalSource, type TerminalModelProfile } from './profile.js';

/** Alarm DWORD bit → name (2013 meanings; reserved bits 15-17 are vendor-specific and not named). */
export const ALARM_BIT_NAMES: readonly (string | null)[] = [
  'sos', 'overspeed', 'fatigueDriving', 'dangerWarning', 'gnssFault', 'gnssAntennaCut',
  'gnssAntennaShort', 'powerLow', 'powerLost', 'displayFault', 'ttsFault', 'cameraFault',
  'icCardFault', 'overspeedWarning', 'fatigueWarning', null, null, null,
  'dailyDrivingTimeExceeded', 'parkingTooLong', 'areaInOut', 'routeInOut', 'routeSegmentTime',
  'routeDeviation', 'vssFault', 'fuelAbnormal', 'vehicleStolen', 'illegalIgnition',
  'illegalDisplacement', 'collisionWarning', 'rolloverWarning', 'illegalDoorOpen',
];

export type LocationRejectReason = 'short' | 'time' | 'range';

export type DecodeLocationResult = { ok: true; fix: Fix } | { ok: false; reason: LocationRejectReason };

const GMT8_MS = 8 * 3600_000;
const LOAD_STATES: readonly (LoadState | undefined)[] = ['empty', 'half', undefined, 'full'];
const LOCATION_FIXED_BYTES = 28;
/**
 * Non-TLV vendor block some terminals append after the fixed part (Traccar special-cases it by
 * length alone; we also require that the bytes do not read as clean TLV items).
 */
const VENDOR_TAIL_BYTES = 18;

function bcd2(b: number): number {
  const hi = b >> 4;
  const lo = b & 15;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

/** BCD[6] YYMMDDhhmmss in GMT+8 → UTC epoch ms, or NaN when the digits are not a real time. */
export function decodeBcdTimeGmt8(buf: Uint8Array, offset: number): number {
  const y = bcd2(buf[offset]);
  const mo = bcd2(buf[offset + 1]);
  const d = bcd2(buf[offset + 2]);
  const h = bcd2(buf[offset + 3]);
  const mi = bcd2(buf[offset + 4]);
  const s = bcd2(buf[offset + 5]);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    return Number.NaN;
  }
  const ms = Date.UTC(2000 + y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 31 Feb over into March; a terminal sending that is broken, not early.
  if (new Date(ms).getUTCDate() !== d) return Number.NaN;
  return ms - GMT8_MS;
}

export function alarmNames(word: number): string[] {
  const out: string[] = [];
  if (word === 0) return out;
  for (let bit = 0; bit < 32; bit++) {
    if ((word >>> bit) & 1) {
      const name = ALARM_BIT_NAMES[bit];
      if (name !== null) out.push(name);
    }
  }
  return out;
}

function readItemUint(body: Buffer, at: number, len: number): number {
  switch (len) {
    case 1: return body[at];
    case 2: return body.readUInt16BE(at);
    case 3: return body.readUIntBE(at, 3);
    default: return body.readUInt32BE(at);
  }
}

/** Finds an additional item by id; returns its value offset and length, or null. */
function findItem(body: Buffer, start: number, end: number, id: number): { at: number; len: number } | null {
  let p = start;
  while (p + 2 <= end) {
    const itemId = body[p];
    const len = body[p + 1];
    if (p + 2 + len > end) return null;
    if (itemId === id) return { at: p + 2, len };
    p += 2 + len;
  }
  return null;
}

function readSignal(src: SignalSource, alarm: number, status: number, body: Buffer, itemsStart: number, end: number): boolean | undefined {
  let value: number;
  if (src.from === 'status') value = (status >>> src.bit) & 1;
  else if (src.from === 'alarm') value = (alarm >>> src.bit) & 1;
  else {
    const item = findItem(body, itemsStart, end, src.itemId);
    if (!item || item.len === 0 || item.len > 4 || src.bit >= item.len * 8) return undefined;
    value = (readItemUint(body, item.at, item.len) >>> src.bit) & 1;
  }
  return value === (src.activeWhen ?? 1);
}

function applyProfile(fix: Fix, profile: TerminalModelProfile, body: Buffer, itemsStart: number, end: number): void {
  const alarm = fix.alarmWord ?? 0;
  const status = fix.statusWord ?? 0;
  if (profile.coverClosed) {
    const v = readSignal(profile.coverClosed, alarm, status, body, itemsStart, end);
    if (v !== undefined) fix.coverClosed = v;
  }
  if (profile.bodyLifted) {
    const v = readSignal(profile.bodyLifted, alarm, status, body, itemsStart, end);
    if (v !== undefined) fix.bodyLifted = v;
  }
  if (profile.working) {
    const v = readSignal(profile.working, alarm, status, body, itemsStart, end);
    if (v !== undefined) fix.working = v;
  }
  const load = profile.loadKg;
  if (load) {
    const item = findItem(body, itemsStart, end, load.itemId);
    const offset = load.offset ?? 0;
    if (item && offset + load.bytes <= item.len) {
      const at = item.at + offset;
      const raw = load.signed ? body.readIntBE(at, load.bytes) : body.readUIntBE(at, load.bytes);
      fix.loadKg = raw * load.scale;
    }
  }
}

/** True when [start, end) is a sequence of id/length/value items that ends exactly at end. */
function isCleanTlv(body: Buffer, start: number, end: number): boolean {
  let p = start;
  while (p + 2 <= end) p += 2 + body[p + 1];
  return p === end;
}

function hexOf(body: Buffer, at: number, len: number): string {
  return body.toString('hex', at, at + len);
}

/**
 * Decodes a 0x0200 location body (also the body inside 0x0201 and each 0x0704 item) found at
 * body[start, end) into a Fix. Unknown additional items are skipped by their length and kept
 * as hex under `item_<id>`; an item that runs past the body ends the item list cleanly.
 */
export function decodeLocation(
  body: Buffer,
  start: number,
  end: number,
  deviceId: string,
  profile: TerminalModelProfile = DEFAULT_TERMINAL_PROFILE,
): DecodeLocationResult {
  if (end - start < LOCATION_FIXED_BYTES) return { ok: false, reason: 'short' };
  const alarmWord = body.readUInt32BE(start);
  const statusWord = body.readUInt32BE(start + 4);
  const latAbs = body.readUInt32BE(start + 8) / 1e6;
  const lonAbs = body.readUInt32BE(start + 12) / 1e6;
  if (latAbs > 90 || lonAbs > 180) return { ok: false, reason: 'range' };
  const fixTimeMs = decodeBcdTimeGmt8(body, start + 22);
  if (Number.isNaN(fixTimeMs)) return { ok: false, reason: 'time' };

  const fix: Fix = {
    deviceId,
    fixTimeMs,
    lat: statusWord & 0x4 ? -latAbs : latAbs,
    lon: statusWord & 0x8 ? -lonAbs : lonAbs,
    // The standard says unsigned; Traccar reads it signed, which is the only sane reading below sea level.
    altitudeM: body.readInt16BE(start + 16),
    speedKmh: body.readUInt16BE(start + 18) / 10,
    headingDeg: body.readUInt16BE(start + 20),
    positioned: (statusWord & 0x2) !== 0,
    accOn: (statusWord & 0x1) !== 0,
    alarms: alarmNames(alarmWord),
    alarmWord,
    statusWord,
    source: 'jt808',
  };
  const loadState = LOAD_STATES[(statusWord >>> 8) & 3];
  if (loadState !== undefined) fix.loadState = loadState;

  const attributes: Record<string, number | string | boolean> = {};
  const itemsStart = start + LOCATION_FIXED_BYTES;
  if (end - itemsStart === VENDOR_TAIL_BYTES && !isCleanTlv(body, itemsStart, end)) {
    // Non-TLV tail: 4 bytes vendor, odometer km DWORD, battery 0.1 V WORD, area id DWORD, rssi BYTE, 3 reserved.
    fix.odometerM = body.readUInt32BE(itemsStart + 4) * 1000;
    attributes.batteryV = body.readUInt16BE(itemsStart + 8) / 10;
    attributes.areaId = body.readUInt32BE(itemsStart + 10);
    attributes.rssi = body[itemsStart + 14];
  } else {
    decodeItems(body, itemsStart, end, fix, attributes);
  }
  if (profile.coverClosed || profile.bodyLifted || profile.working || profile.loadKg) applyProfile(fix, profile, body, itemsStart, end);
  for (const _ in attributes) {
    fix.attributes = attributes;
    break;
  }
  return { ok: true, fix };
}

function decodeItems(body: Buffer, start: number, end: number, fix: Fix, attributes: Record<string, number | string | boolean>): void {
  let p = start;
  while (p + 2 <= end) {
    const id = body[p];
    const len = body[p + 1];
    const at = p + 2;
    if (at + len > end) {
      attributes.truncatedItemId = id;
      return;
    }
    p = at + len;
    switch (id) {
      case 0x01:
        if (len === 4) { fix.odometerM = body.readUInt32BE(at) * 100; continue; }
        break;
      case 0x02:
        if (len === 2) { attributes.fuelL = body.readUInt16BE(at) / 10; continue; }
        break;
      case 0x03:
        if (len === 2) { attributes.recorderSpeedKmh = body.readUInt16BE(at) / 10; continue; }
        break;
      case 0x04:
        if (len === 2) { attributes.alarmEventId = body.readUInt16BE(at); continue; }
        break;
      case 0x06:
        if (len === 2) {
          const raw = body.readUInt16BE(at);
          attributes.cargoTempC = raw & 0x8000 ? -(raw & 0x7fff) : raw;
          continue;
        }
        break;
      case 0x11:
        if (len === 1 || len === 5) {
          attributes.overspeedLocationType = body[at];
          if (len === 5) attributes.overspeedAreaId = body.readUInt32BE(at + 1);
          continue;
        }
        break;
      case 0x12:
        if (len === 6) {
          attributes.areaLocationType = body[at];
          attributes.areaId = body.readUInt32BE(at + 1);
          attributes.areaDirection = body[at + 5] === 0 ? 'in' : 'out';
          continue;
        }
        break;
      case 0x13:
        if (len === 7) {
          attributes.routeSegmentId = body.readUInt32BE(at);
          attributes.routeSegmentTimeS = body.readUInt16BE(at + 4);
          attributes.routeSegmentResult = body[at + 6] === 0 ? 'tooShort' : 'tooLong';
          continue;
        }
        break;
      case 0x25:
        if (len === 4) { attributes.vehicleSignals = body.readUInt32BE(at); continue; }
        break;
      case 0x2a:
        if (len === 2) {
          const io = body.readUInt16BE(at);
          attributes.ioStatus = io;
          attributes.deepSleep = (io & 1) !== 0;
          attributes.sleep = (io & 2) !== 0;
          continue;
        }
        break;
      case 0x2b:
        if (len === 4) {
          attributes.analog0 = body.readUInt16BE(at + 2);
          attributes.analog1 = body.readUInt16BE(at);
          continue;
        }
        break;
      case 0x30:
        if (len === 1) { attributes.rssi = body[at]; continue; }
        break;
      case 0x31:
        if (len === 1) { fix.satellites = body[at]; continue; }
        break;
    }
    // Unknown id, or a known id with a non-standard length: keep the raw bytes for vendor profiles.
    attributes['item_' + (id < 16 ? '0' : '') + id.toString(16)] = hexOf(body, at, len);
  }
  if (p < end) attributes.trailingBytes = end - p;
}
