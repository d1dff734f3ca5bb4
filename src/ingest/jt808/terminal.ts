import iconv from 'iconv-lite';

/**
 * Terminal-side encoders: what a JT/T 808 device sends. Used by tests, the fuzzer and GPS replay
 * simulations to speak the real protocol to our server.
 */

export interface LocationInput {
  /** UTC epoch ms; written as GMT+8 BCD as terminals do. */
  fixTimeMs: number;
  lat: number;
  lon: number;
  speedKmh?: number;
  headingDeg?: number;
  altitudeM?: number;
  alarmWord?: number;
  /** Status bits other than hemisphere (added from lat/lon signs). Default: ACC on + positioned. */
  statusWord?: number;
  /** Additional items appended after the fixed 28 bytes, in order. */
  items?: Array<{ id: number; value: Uint8Array }>;
}

function toBcd2(n: number): number {
  return ((Math.floor(n / 10) % 10) << 4) | (n % 10);
}

export function locationBody(input: LocationInput): Buffer {
  const items = input.items ?? [];
  const itemBytes = items.reduce((sum, item) => sum + 2 + item.value.length, 0);
  const body = Buffer.alloc(28 + itemBytes);
  let status = (input.statusWord ?? 0x3) & ~0xc;
  if (input.lat < 0) status |= 0x4;
  if (input.lon < 0) status |= 0x8;
  body.writeUInt32BE((input.alarmWord ?? 0) >>> 0, 0);
  body.writeUInt32BE(status >>> 0, 4);
  body.writeUInt32BE(Math.round(Math.abs(input.lat) * 1e6), 8);
  body.writeUInt32BE(Math.round(Math.abs(input.lon) * 1e6), 12);
  body.writeInt16BE(Math.round(input.altitudeM ?? 0), 16);
  body.writeUInt16BE(Math.round((input.speedKmh ?? 0) * 10), 18);
  body.writeUInt16BE(Math.round(input.headingDeg ?? 0) % 360, 20);
  const local = new Date(input.fixTimeMs + 8 * 3600_000);
  const parts = [
    local.getUTCFullYear() % 100, local.getUTCMonth() + 1, local.getUTCDate(),
    local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(),
  ];
  parts.forEach((v, i) => (body[22 + i] = toBcd2(v)));
  let p = 28;
  for (const item of items) {
    body[p++] = item.id;
    body[p++] = item.value.length;
    body.set(item.value, p);
    p += item.value.length;
  }
  return body;
}

/** 0x0704 body: count, type (0 normal, 1 blind-area re-upload), then length-prefixed 0x0200 bodies. */
export function batchBody(batchType: 0 | 1, locations: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(3);
  head.writeUInt16BE(locations.length, 0);
  head[2] = batchType;
  parts.push(head);
  for (const loc of locations) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(loc.length, 0);
    parts.push(len, loc);
  }
  return Buffer.concat(parts);
}

export interface RegisterInput {
  provinceId?: number;
  cityId?: number;
  makerId?: string;
  terminalModel?: string;
  terminalSerial?: string;
  plateColor?: number;
  plate?: string;
}

function padded(text: string, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  Buffer.from(text, 'latin1').copy(out, 0, 0, bytes);
  return out;
}

/** 0x0100 body in the 2013 (5/20/7) or 2019 (11/30/30) layout. */
export function registerBody(input: RegisterInput, is2019 = false): Buffer {
  const [maker, model, serial] = is2019 ? [11, 30, 30] : [5, 20, 7];
  const head = Buffer.alloc(4);
  head.writeUInt16BE(input.provinceId ?? 0, 0);
  head.writeUInt16BE(input.cityId ?? 0, 2);
  return Buffer.concat([
    head,
    padded(input.makerId ?? '', maker),
    padded(input.terminalModel ?? '', model),
    padded(input.terminalSerial ?? '', serial),
    Buffer.from([input.plateColor ?? 1]),
    iconv.encode(input.plate ?? '', 'gbk'),
  ]);
}

/** 0x0102 body: the 2013 form is the bare code; 2019 adds length, IMEI[15], firmware[20]. */
export function authBody(code: string, is2019 = false, imei = '', firmwareVersion = ''): Buffer {
  const codeBytes = Buffer.from(code, 'latin1');
  if (!is2019) return codeBytes;
  return Buffer.concat([Buffer.from([codeBytes.length]), codeBytes, padded(imei, 15), padded(firmwareVersion, 20)]);
}

/** 0x0001 body: the terminal's answer to a platform command. */
export function terminalGeneralReplyBody(replySerial: number, replyMsgId: number, result: number): Buffer {
  const body = Buffer.alloc(5);
  body.writeUInt16BE(replySerial, 0);
  body.writeUInt16BE(replyMsgId, 2);
  body[4] = result;
  return body;
}
