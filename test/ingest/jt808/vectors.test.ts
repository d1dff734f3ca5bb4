import { describe, expect, it } from 'vitest';
import type { Fix } from '../../../src/domain/fix.js';
import {
  addressFor, authBody, buildPayload, decodeAuth, decodeBatch, decodeGeneralReply, decodeLocation,
  decodeMessage, decodeRegister, encodeFrame, escapeFrame, Jt808Framer, Jt808Session, platformGeneralReplyBody, setParametersBody,
  terminalControlBody,
} from '../../../src/ingest/jt808/index.js';
import { decodeSent, FakeDirectory, innerOf, loadFrames, type VectorEntry } from './helpers.js';

const frames = loadFrames();
const byId = new Map(frames.map((e) => [e.id, e]));

/** Our strict decoder refuses what Traccar accepts unchecked; the helper flagged each one. */
const STRICT_REJECTS: Record<string, 'checksum' | 'length'> = {
  'jt808-087': 'checksum', // checksum wrong and body 10 bytes short
  'jt808-108': 'checksum', // C5L frame, checksum wrong
  'jt808-110': 'length', // GL100 0x0900, body 15 bytes short
};

/**
 * Messages Traccar turns into positions from vendor-specific bodies. We answer them (or not)
 * safely but produce no Fix: the body formats are per vendor and none of them is a sanitation
 * terminal; a TerminalModelProfile or a vendor decoder can add them when such a fleet appears.
 */
const VENDOR_MESSAGES: Record<string, 'ack' | 'unsupported' | 'silent'> = {
  'jt808-022': 'ack', // 0x0900 transparent OBD data
  'jt808-039': 'ack', // 0x0900 transparent DTCs
  'jt808-111': 'ack', // 0x0900 GL100 sensor data
  'jt808-060': 'unsupported', // 0x2070 acceleration samples
  'jt808-098': 'unsupported', // 0x0210 vendor battery report
  'jt808-100': 'unsupported', // 0x1007 time-zone sync
  'jt808-032': 'silent', // Jointech 0x5501/0x5502: 1-byte serial, vendor body
  'jt808-034': 'silent',
  'jt808-044': 'silent',
  'jt808-066': 'silent',
  'jt808-070': 'silent',
};

/** Traccar attribute → how our Fix carries the same standard value. */
const STANDARD_ATTRIBUTES: Record<string, (fix: Fix) => unknown> = {
  sat: (f) => f.satellites,
  odometer: (f) => f.odometerM,
  rssi: (f) => f.attributes?.rssi,
  input: (f) => f.attributes?.vehicleSignals,
};

/** Traccar alarm names that a standard alarm bit explains, and the bits. */
const STANDARD_ALARMS: Record<string, string[]> = {
  sos: ['sos'],
  overspeed: ['overspeed'],
  lowBattery: ['powerLow', 'dailyDrivingTimeExceeded'],
  powerOff: ['powerLost'],
  geofence: ['areaInOut'],
  movement: ['illegalDisplacement'],
};

/** Non-location vectors, each asserted by a test below. */
const OTHER_VECTORS = [
  'jt808-005', 'jt808-055', 'jt808-085', 'jt808-089', // register
  'jt808-037', 'jt808-086', 'jt808-088', 'jt808-125', 'jt808-134', // authenticate
  'jt808-092', 'jt808-129', 'jt808-137', // heartbeat
  'jt808-052', 'jt808-067', // Jointech text
  'jt808-113', 'jt808-114', 'jt808-115', 'jt808-120', // wire
  'jt808-116', 'jt808-119', 'jt808-123', 'jt808-126', 'jt808-127', 'jt808-130', 'jt808-132', 'jt808-124', // platform frames
];

function locationEntries(): VectorEntry[] {
  return frames.filter(
    (e) => e.layer === 'message' && e.kind === 'hex' && ['0x0200', '0x0201', '0x0704'].includes(e.decoded?.header?.msg_id),
  );
}

function decodeFixes(entry: VectorEntry): Fix[] {
  const r = decodeMessage(innerOf(entry));
  if (!r.ok) throw new Error(`${entry.id} rejected: ${r.reason}`);
  const { header, body } = r.message;
  if (header.msgId === 0x0704) {
    const batch = decodeBatch(body)!;
    return batch.items.map(([s, e]) => {
      const loc = decodeLocation(body, s, e, header.terminalId);
      if (!loc.ok) throw new Error(`${entry.id}: ${loc.reason}`);
      if (batch.batchType === 1) loc.fix.blindArea = true;
      return loc.fix;
    });
  }
  const start = header.msgId === 0x0201 ? 2 : 0;
  const loc = decodeLocation(body, start, body.length, header.terminalId);
  if (!loc.ok) throw new Error(`${entry.id}: ${loc.reason}`);
  return [loc.fix];
}

function expectMatchesHelper(fix: Fix, hand: any): void {
  expect(fix.lat).toBeCloseTo(hand.lat, 6);
  expect(fix.lon).toBeCloseTo(hand.lon, 6);
  expect(fix.altitudeM).toBe(hand.altitude_m);
  expect(fix.speedKmh).toBeCloseTo(hand.speed_kmh, 6);
  expect(fix.headingDeg).toBe(hand.course_deg);
  expect(new Date(fix.fixTimeMs).toISOString().replace('.000Z', 'Z')).toBe(hand.time.utc);
  expect(fix.accOn).toBe(hand.acc_on);
  expect(fix.positioned).toBe(hand.positioned);
  expect(fix.alarmWord).toBe(parseInt(hand.alarm, 16));
  expect(fix.statusWord).toBe(parseInt(hand.status, 16));
  if (hand.load !== 'reserved') expect(fix.loadState).toBe(hand.load);
  for (const item of hand.extra ?? []) {
    if (item.id === '0x01' && item.len === 4) expect(fix.odometerM).toBeCloseTo(item.mileage_km * 1000, 3);
    if (item.id === '0x30' && item.len === 1) expect(fix.attributes?.rssi).toBe(item.rssi);
    if (item.id === '0x31' && item.len === 1) expect(fix.satellites).toBe(item.satellites);
    if (item.id === '0x03' && item.len === 2) expect(fix.attributes?.recorderSpeedKmh).toBeCloseTo(item.recorder_speed_kmh, 6);
  }
}

describe('JT/T 808 vectors from Traccar tests and issue logs', () => {
  it('covers every vector in the fixture file with a decision', () => {
    const decided = new Set<string>([
      ...locationEntries().map((e) => e.id),
      ...Object.keys(STRICT_REJECTS),
      ...Object.keys(VENDOR_MESSAGES),
      ...OTHER_VECTORS,
    ]);
    expect(frames.length).toBe(92);
    expect(frames.map((e) => e.id).filter((id) => !decided.has(id))).toEqual([]);
  });

  describe.each(locationEntries().filter((e) => !STRICT_REJECTS[e.id]))('location $id', (entry) => {
    it('decodes to the hand-decoded fields and Traccar\'s standard assertions', () => {
      const fixes = decodeFixes(entry);
      const hand = entry.decoded.location ? [entry.decoded.location] : entry.decoded.batch?.items;
      if (hand) {
        expect(fixes.length).toBe(hand.length);
        fixes.forEach((fix, i) => expectMatchesHelper(fix, hand[i]));
      }
      if (entry.decoded.batch) {
        const blind = entry.decoded.batch.type === 'blind_area_supplement';
        for (const fix of fixes) expect(fix.blindArea === true).toBe(blind);
      }
      for (const fix of fixes) {
        expect(fix.source).toBe('jt808');
        expect(Math.abs(fix.lat)).toBeLessThanOrEqual(90);
        expect(Math.abs(fix.lon)).toBeLessThanOrEqual(180);
      }
      const expected = entry.expect?.attributes ?? {};
      const fix = fixes[0];
      for (const [key, value] of Object.entries(expected)) {
        if (STANDARD_ATTRIBUTES[key]) {
          expect(STANDARD_ATTRIBUTES[key](fix), key).toBe(value);
        } else if (key === 'alarm') {
          for (const name of String(value).split(',')) {
            if (STANDARD_ALARMS[name] && !entry.context?.device_model) {
              expect(fix.alarms.some((a) => STANDARD_ALARMS[name].includes(a)), name).toBe(true);
            } else if (name === 'movement' && entry.context?.device_model === 'AL300') {
              // AL300 reports movement in reserved alarm bit 16: kept in the alarm word for a profile.
              expect((fix.alarmWord! >>> 16) & 1).toBe(1);
            } else {
              // Vendor alarm from a vendor item: the raw item is kept for a vendor profile.
              expect(Object.keys(fix.attributes ?? {}).some((k) => k.startsWith('item_'))).toBe(true);
            }
          }
        } else {
          // Vendor attribute (power, battery, iccid, tyres...): raw item kept, not interpreted.
          expect(Object.keys(fix.attributes ?? {}).some((k) => k.startsWith('item_')), key).toBe(true);
        }
      }
    });
  });

  it('a time from a real log converts GMT+8 to UTC (BCD 230518215916 = 13:59:16 UTC)', () => {
    const [fix] = decodeFixes(byId.get('jt808-131')!);
    expect(new Date(fix.fixTimeMs).toISOString()).toBe('2023-05-18T13:59:16.000Z');
  });

  it('surfaces SOS and the west hemisphere from a real frame', () => {
    const [fix] = decodeFixes(byId.get('jt808-090')!);
    expect(fix.alarms).toEqual(['sos']);
    expect(fix.lon).toBeCloseTo(-1.255923, 6);
    // 18 bytes of clean TLV after the fixed part are not mistaken for the vendor tail.
    expect(fix.odometerM).toBe(1800);
  });

  it.each(Object.entries(STRICT_REJECTS))('%s (flagged by the helper) is rejected as %s', (id, reason) => {
    const r = decodeMessage(innerOf(byId.get(id)!));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('answers a bad-checksum vector with 0x8001 result 2 and commits nothing', async () => {
    const sent: Buffer[] = [];
    const committed: Fix[] = [];
    const session = new Jt808Session({
      directory: new FakeDirectory({}),
      sink: { submit: async (f) => void committed.push(...f) },
      send: (f) => sent.push(f),
      trustKnownTerminals: true,
    });
    await session.feed(escapeFrame(innerOf(byId.get('jt808-087')!)));
    const [reply] = decodeSent(sent);
    expect(reply.header.msgId).toBe(0x8001);
    expect(decodeGeneralReply(reply.body)).toEqual({ replySerial: 7, replyMsgId: 0x0200, result: 2 });
    expect(committed).toEqual([]);
  });

  it.each(Object.entries(VENDOR_MESSAGES))('%s vendor message: %s, no Fix, session intact', async (id, handling) => {
    const entry = byId.get(id)!;
    const sent: Buffer[] = [];
    const committed: Fix[] = [];
    const session = new Jt808Session({
      directory: new FakeDirectory({}),
      sink: { submit: async (f) => void committed.push(...f) },
      send: (f) => sent.push(f),
    });
    await session.feed(escapeFrame(innerOf(entry)));
    expect(committed).toEqual([]);
    expect(session.protocolErrors).toBe(0);
    const replies = decodeSent(sent);
    if (handling === 'silent') expect(replies).toEqual([]);
    else {
      expect(replies.length).toBe(1);
      expect(decodeGeneralReply(replies[0].body)!.result).toBe(handling === 'ack' ? 0 : 3);
    }
  });

  it('decodes the register bodies of all editions', () => {
    const cases: Array<[string, Partial<ReturnType<typeof decodeRegister>>]> = [
      ['jt808-005', { edition: '2019', terminalModel: 'MD300', terminalSerial: '866496077582164', plateColor: 4 }],
      ['jt808-055', { edition: '2011', provinceId: 44, cityId: 303, makerId: '70111', terminalModel: 'BSJ-M7B', plate: '粤B88888' }],
      ['jt808-085', { edition: '2013', terminalModel: 'HB-R03GBD', terminalSerial: '1906751', plateColor: 2, plate: 'ABC00000' }],
      ['jt808-089', { edition: '2011', terminalModel: '', plateColor: 0, plate: '' }],
    ];
    for (const [id, want] of cases) {
      const r = decodeMessage(innerOf(byId.get(id)!));
      if (!r.ok) throw new Error(id);
      expect(decodeRegister(r.message.body, r.message.header.is2019)).toMatchObject(want!);
    }
  });

  it('decodes 2013 authentication codes and the binary-IMEI terminal id as Traccar rebuilds it', () => {
    for (const id of ['jt808-037', 'jt808-086', 'jt808-088', 'jt808-125', 'jt808-134']) {
      const entry = byId.get(id)!;
      const r = decodeMessage(innerOf(entry));
      if (!r.ok) throw new Error(id);
      expect(decodeAuth(r.message.body, r.message.header.is2019).code).toBe(entry.decoded.auth.code);
    }
    const imei = decodeMessage(innerOf(byId.get('jt808-037')!));
    if (!imei.ok) throw new Error('037');
    expect(imei.message.header.terminalId).toBe('868935060005020');
    const bcd = decodeMessage(innerOf(byId.get('jt808-125')!));
    if (!bcd.ok) throw new Error('125');
    expect(bcd.message.header.terminalId).toBe('24530313349');
  });

  it('decodes a 2019 authentication body', () => {
    const body = authBody('abc123', true, '866496077582164', 'FW1.2');
    expect(decodeAuth(body, true)).toEqual({ code: 'abc123', imei: '866496077582164', firmwareVersion: 'FW1.2' });
  });

  it.each(['jt808-092', 'jt808-129', 'jt808-137'])('acks heartbeat %s (137 carries a vendor body)', async (id) => {
    const entry = byId.get(id)!;
    const sent: Buffer[] = [];
    const session = new Jt808Session({ directory: new FakeDirectory({}), sink: { submit: async () => {} }, send: (f) => sent.push(f) });
    await session.feed(escapeFrame(innerOf(entry)));
    const [reply] = decodeSent(sent);
    expect(reply.header.phoneField.toString('hex')).toBe(entry.decoded.header.phone_bcd);
    expect(decodeGeneralReply(reply.body)).toEqual({ replySerial: entry.decoded.header.serial, replyMsgId: 0x0002, result: 0 });
  });

  it('ignores Jointech text sentences without error', async () => {
    const sent: Buffer[] = [];
    const session = new Jt808Session({ directory: new FakeDirectory({}), sink: { submit: async () => {} }, send: (f) => sent.push(f) });
    await session.feed(Buffer.from(byId.get('jt808-052')!.input, 'latin1'));
    await session.feed(Buffer.from(byId.get('jt808-067')!.input, 'hex'));
    expect(sent).toEqual([]);
    expect(session.protocolErrors).toBe(0);
  });
});

describe('wire vectors through the framer', () => {
  it.each(['jt808-113', 'jt808-114'])('%s: junk dropped, escapes undone', (id) => {
    const entry = byId.get(id)!;
    const framer = new Jt808Framer();
    const out = framer.push(Buffer.from(entry.input, 'hex'));
    const expected = Buffer.from(entry.expect!.frame_hex!, 'hex');
    expect(out).toEqual([{ kind: 'binary', payload: expected.subarray(1, expected.length - 1) }]);
  });

  it('jt808-115: the encoder escapes interior flags', () => {
    const entry = byId.get('jt808-115')!;
    const inner = Buffer.from(entry.input, 'hex');
    expect(escapeFrame(inner.subarray(1, inner.length - 1)).toString('hex')).toBe(entry.expect!.wire_hex);
  });

  it('jt808-120: a JT/T 1078 media packet on the 808 port yields no decodable message', () => {
    const framer = new Jt808Framer();
    const out = framer.push(Buffer.from(byId.get('jt808-120')!.input, 'hex'));
    for (const frame of out) {
      if (frame.kind === 'binary') expect(decodeMessage(frame.payload).ok).toBe(false);
    }
  });

  it('every message vector survives escape → framer → decode unchanged', () => {
    const framer = new Jt808Framer();
    for (const entry of frames.filter((e) => e.layer === 'message' && e.kind === 'hex' && e.input.startsWith('7e'))) {
      const inner = innerOf(entry);
      const out = framer.push(escapeFrame(inner));
      expect(out).toEqual([{ kind: 'binary', payload: inner }]);
    }
  });
});

describe('platform frames match what Traccar sends', () => {
  it('jt808-116/119: IMEI packed into the 6-byte field; 0x8105 engine stop', () => {
    const address = addressFor('123456789012345');
    const frame = buildPayload(0x8105, address, 0, terminalControlBody(0xf0));
    expect(frame.toString('hex')).toBe(byId.get('jt808-116')!.input.slice(2, -2));
  });

  it('jt808-119: 0x8900 transparent downlink; jt808-123: 0x8105 reset', () => {
    const address = addressFor('123456789012345');
    expect(buildPayload(0x8900, address, 0, Buffer.from('f054455354', 'hex')).toString('hex')).toBe(
      byId.get('jt808-119')!.input.slice(2, -2),
    );
    expect(buildPayload(0x8105, addressFor('24530313349'), 0, terminalControlBody(0x04)).toString('hex')).toBe(
      byId.get('jt808-123')!.input.slice(2, -2),
    );
  });

  it('jt808-126: 0x8001 acknowledging an authentication', () => {
    const frame = buildPayload(0x8001, addressFor('24530313349'), 1, platformGeneralReplyBody(1, 0x0102, 0));
    expect(frame.toString('hex')).toBe(byId.get('jt808-126')!.input.slice(2, -2));
  });

  it('jt808-130: 0x8103 report interval = 10 s', () => {
    const frame = buildPayload(0x8103, addressFor('24530313349'), 0, setParametersBody([{ id: 0x29, value: 10 }]));
    expect(frame.toString('hex')).toBe(byId.get('jt808-130')!.input.slice(2, -2));
  });

  it('jt808-127/132: position query and general reply', () => {
    expect(buildPayload(0x8201, addressFor('24530313349'), 0, Buffer.alloc(0)).toString('hex')).toBe(
      byId.get('jt808-127')!.input.slice(2, -2),
    );
    const reply = encodeFrame(0x8001, addressFor('19172068424'), 0, Buffer.from('01a2020000', 'hex'));
    expect(reply.toString('hex')).toBe(byId.get('jt808-132')!.input);
  });

  it('jt808-124: the terminal\'s 0x0001 to a control command', () => {
    const r = decodeMessage(innerOf(byId.get('jt808-124')!));
    if (!r.ok) throw new Error('124');
    expect(decodeGeneralReply(r.message.body)).toEqual({ replySerial: 0, replyMsgId: 0x8105, result: 0 });
  });
});
