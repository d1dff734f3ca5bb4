import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  addressFor, buildPayload, decodeBcdTimeGmt8, decodeGeneralReply, decodeLocation, decodeMessage, decodeTerminalId,
  encodeFrame, encodeTerminalId, escapeFrame, Jt808Framer, locationBody, luhnDigit, parseTerminalModelProfile,
  platformGeneralReplyBody, registerReplyBody, setParametersBody, SubpackageAssembler, TerminalProfiles,
  splitTerminalText, textMessageBody, type Jt808Header,
} from '../../../src/ingest/jt808/index.js';
import { ADDRESS_2013, ADDRESS_2019, decodeSent } from './helpers.js';

const T0 = Date.UTC(2026, 10, 23, 1, 2, 3); // 09:02:03 in Beijing

function decodeBody(body: Buffer, profileModel?: string, profiles?: TerminalProfiles) {
  const r = decodeLocation(body, 0, body.length, '13800138000', (profiles ?? new TerminalProfiles()).forModel(profileModel));
  if (!r.ok) throw new Error(r.reason);
  return r.fix;
}

describe('framer', () => {
  it('reassembles frames split at every possible byte boundary', () => {
    const wire = Buffer.concat([
      encodeFrame(0x0200, ADDRESS_2013, 1, locationBody({ fixTimeMs: T0, lat: 31.2, lon: 121.5 })),
      encodeFrame(0x0002, ADDRESS_2013, 2, Buffer.alloc(0)),
    ]);
    for (let cut = 1; cut < wire.length; cut++) {
      const framer = new Jt808Framer();
      const frames = [...framer.push(wire.subarray(0, cut)), ...framer.push(wire.subarray(cut))];
      expect(frames.map((f) => f.kind)).toEqual(['binary', 'binary']);
    }
  });

  it('un-escapes 0x7d 0x01 / 0x7d 0x02 and rejects any other escape pair', () => {
    const framer = new Jt808Framer();
    expect(framer.push(Buffer.from('7e017d017d027e', 'hex'))).toEqual([{ kind: 'binary', payload: Buffer.from('017d7e', 'hex') }]);
    expect(framer.push(Buffer.from('7e017d037e', 'hex'))).toEqual([{ kind: 'invalid', reason: 'escape' }]);
  });

  it('drops an over-long frame and recovers on the next flag, holding a bounded buffer', () => {
    const framer = new Jt808Framer({ maxFrameBytes: 64 });
    const out = framer.push(Buffer.concat([Buffer.from([0x7e]), Buffer.alloc(200, 0x11)]));
    expect(out).toEqual([{ kind: 'invalid', reason: 'oversize' }]);
    expect(framer.pendingBytes).toBeLessThanOrEqual(64);
    const good = encodeFrame(0x0002, ADDRESS_2013, 9, Buffer.alloc(0));
    // The first flag of `good` ends the discarded run; its payload bytes then read as junk until
    // the closing flag starts a fresh frame, so a second copy is decoded.
    const frames = framer.push(Buffer.concat([good, good]));
    expect(frames.some((f) => f.kind === 'binary' && decodeMessage(f.payload).ok)).toBe(true);
  });

  it('passes "(...)" text sentences through, but a "(" in junk does not swallow the next frame', () => {
    const framer = new Jt808Framer();
    expect(framer.push(Buffer.from('(794104004140,1,001,BASE,2,TIME)', 'latin1'))).toEqual([
      { kind: 'text', text: '(794104004140,1,001,BASE,2,TIME)' },
    ]);
    const frame = encodeFrame(0x0002, ADDRESS_2013, 3, Buffer.alloc(0));
    expect(framer.push(Buffer.concat([Buffer.from('(ab', 'latin1'), frame])).map((f) => f.kind)).toEqual(['binary']);
    expect(framer.push(Buffer.concat([Buffer.from([0x28, 0x01, 0x02]), frame])).map((f) => f.kind)).toEqual(['binary']);
  });

  it('treats two adjacent flags as end-of-one, start-of-next', () => {
    const a = encodeFrame(0x0002, ADDRESS_2013, 1, Buffer.alloc(0));
    const b = encodeFrame(0x0002, ADDRESS_2013, 2, Buffer.alloc(0));
    const frames = new Jt808Framer().push(Buffer.concat([a, b]));
    expect(frames.length).toBe(2);
  });
});

describe('header codec', () => {
  it('round-trips 2013 and 2019 headers, including the version byte and 10-byte phone', () => {
    for (const address of [ADDRESS_2013, ADDRESS_2019]) {
      const payload = buildPayload(0x0002, address, 0x1234, Buffer.alloc(0));
      const r = decodeMessage(payload);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.message.header).toMatchObject({ msgId: 2, serial: 0x1234, is2019: address.is2019, terminalId: '13800138000' });
      expect(r.message.header.phoneField).toEqual(address.phoneField);
      if (address.is2019) expect(r.message.header.protocolVersion).toBe(1);
    }
  });

  it('rejects a flipped bit by checksum and a short body by length', () => {
    const payload = buildPayload(0x0200, ADDRESS_2013, 5, locationBody({ fixTimeMs: T0, lat: 1, lon: 2 }));
    const flipped = Buffer.from(payload);
    flipped[20] ^= 0x40;
    expect(decodeMessage(flipped)).toMatchObject({ ok: false, reason: 'checksum' });
    // Cut 3 body bytes and fix up the checksum: the declared length no longer matches.
    const cut = Buffer.from(payload.subarray(0, payload.length - 4));
    const fixed = Buffer.concat([cut, Buffer.from([cut.reduce((x, b) => x ^ b, 0)])]);
    expect(decodeMessage(fixed)).toMatchObject({ ok: false, reason: 'length' });
  });

  it('rebuilds a binary IMEI with its Luhn digit and packs it back', () => {
    expect(luhnDigit('86649607758216')).toBe(4); // a real IMEI from the vectors: 866496077582164
    expect(decodeTerminalId(encodeTerminalId('866496077582164', 6), 0, 6)).toBe('866496077582164');
    // Traccar's encoder test uses 123456789012345 (not Luhn-valid): the packing matches its frame.
    const field = encodeTerminalId('123456789012345', 6);
    expect(field.toString('hex')).toBe('0b3a73ce2ff2');
    expect(decodeTerminalId(field, 0, 6)).toBe('123456789012347');
    expect(decodeTerminalId(Buffer.from('013800138000', 'hex'), 0, 6)).toBe('13800138000');
    expect(encodeTerminalId('13800138000', 10).toString('hex')).toBe('00000000013800138000');
  });
});

describe('location body', () => {
  it('converts GMT+8 BCD time to UTC and applies hemisphere bits', () => {
    const fix = decodeBody(locationBody({ fixTimeMs: T0, lat: -33.86, lon: -151.2, speedKmh: 42.5, headingDeg: 271, altitudeM: -12 }));
    expect(fix.fixTimeMs).toBe(T0);
    expect(fix.lat).toBeCloseTo(-33.86, 6);
    expect(fix.lon).toBeCloseTo(-151.2, 6);
    expect(fix).toMatchObject({ speedKmh: 42.5, headingDeg: 271, altitudeM: -12, positioned: true, accOn: true });
    expect(decodeBcdTimeGmt8(Buffer.from('260230100000', 'hex'), 0)).toBeNaN(); // 30 February
    expect(decodeBcdTimeGmt8(Buffer.from('26013a100000', 'hex'), 0)).toBeNaN(); // not BCD
  });

  it('reads load state from status bits 8-9', () => {
    const load = (bits: number) => decodeBody(locationBody({ fixTimeMs: T0, lat: 1, lon: 1, statusWord: 0x3 | (bits << 8) })).loadState;
    expect([load(0), load(1), load(2), load(3)]).toEqual(['empty', 'half', undefined, 'full']);
  });

  it('names route in/out, segment time and route deviation alarms (bits 21-23) with their contexts', () => {
    const ctx12 = Buffer.from([4, 0, 0, 0x30, 0x39, 1]); // route 12345, out
    const ctx13 = Buffer.from([0, 0, 0, 7, 0x02, 0x58, 1]); // segment 7, 600 s, too long
    const fix = decodeBody(
      locationBody({
        fixTimeMs: T0, lat: 1, lon: 1, alarmWord: (1 << 21) | (1 << 22) | (1 << 23) | 1,
        items: [{ id: 0x12, value: ctx12 }, { id: 0x13, value: ctx13 }, { id: 0x11, value: Buffer.from([1, 0, 0, 0, 9]) }],
      }),
    );
    expect(fix.alarms).toEqual(['sos', 'routeInOut', 'routeSegmentTime', 'routeDeviation']);
    expect(fix.attributes).toMatchObject({
      areaLocationType: 4, areaId: 12345, areaDirection: 'out',
      routeSegmentId: 7, routeSegmentTimeS: 600, routeSegmentResult: 'tooLong',
      overspeedLocationType: 1, overspeedAreaId: 9,
    });
  });

  it('decodes the standard additional items with units', () => {
    const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
    const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
    const fix = decodeBody(
      locationBody({
        fixTimeMs: T0, lat: 1, lon: 1,
        items: [
          { id: 0x01, value: u32(123456) }, { id: 0x02, value: u16(455) }, { id: 0x03, value: u16(321) },
          { id: 0x25, value: u32(0x11) }, { id: 0x2a, value: u16(2) }, { id: 0x2b, value: u32(0x00640032) },
          { id: 0x30, value: Buffer.from([25]) }, { id: 0x31, value: Buffer.from([11]) },
          { id: 0xf3, value: Buffer.from([1, 2, 3]) },
        ],
      }),
    );
    expect(fix.odometerM).toBe(12345600);
    expect(fix.satellites).toBe(11);
    expect(fix.attributes).toMatchObject({
      fuelL: 45.5, recorderSpeedKmh: 32.1, vehicleSignals: 0x11, ioStatus: 2, sleep: true, deepSleep: false,
      analog0: 0x32, analog1: 0x64, rssi: 25, item_f3: '010203',
    });
  });

  it('stops cleanly at an item that runs past the body and keeps what came before', () => {
    const body = locationBody({ fixTimeMs: T0, lat: 1, lon: 1, items: [{ id: 0x31, value: Buffer.from([9]) }] });
    const broken = Buffer.concat([body, Buffer.from([0x01, 0x04, 0x00, 0x00])]);
    const fix = decodeBody(broken);
    expect(fix.satellites).toBe(9);
    expect(fix.odometerM).toBeUndefined();
    expect(fix.attributes?.truncatedItemId).toBe(1);
  });

  it('reads the 18-byte non-TLV vendor tail', () => {
    const tail = Buffer.from('0000000000000457007b0000000a1f000000', 'hex');
    const fix = decodeBody(Buffer.concat([locationBody({ fixTimeMs: T0, lat: 1, lon: 1 }), tail]));
    expect(fix.odometerM).toBe(1111000);
    expect(fix.attributes).toMatchObject({ batteryV: 12.3, areaId: 10, rssi: 31 });
  });

  it('rejects out-of-range coordinates, bad time and short bodies', () => {
    const body = locationBody({ fixTimeMs: T0, lat: 1, lon: 1 });
    body.writeUInt32BE(91_000_000, 8);
    expect(decodeLocation(body, 0, body.length, 'x')).toEqual({ ok: false, reason: 'range' });
    expect(decodeLocation(body, 0, 27, 'x')).toEqual({ ok: false, reason: 'short' });
    const badTime = locationBody({ fixTimeMs: T0, lat: 1, lon: 1 });
    badTime[23] = 0x13; // month 13
    expect(decodeLocation(badTime, 0, badTime.length, 'x')).toEqual({ ok: false, reason: 'time' });
  });
});

describe('terminal model profiles (cover, lift, load weight)', () => {
  const profiles = new TerminalProfiles({
    'MUCK-A': parseTerminalModelProfile({
      name: 'muck truck A: cover/lift on spare status bits, weight in item 0xF3 in 10 kg',
      coverClosed: { from: 'status', bit: 22 },
      bodyLifted: { from: 'status', bit: 23 },
      loadKg: { itemId: 0xf3, bytes: 2, scale: 10 },
    }),
    'MUCK-B': parseTerminalModelProfile({
      name: 'muck truck B: cover open = IO bit 2 set; lift in alarm bit 16; weight kg at offset 1 of 0xE6',
      coverClosed: { from: 'item', itemId: 0x2a, bit: 2, activeWhen: 0 },
      bodyLifted: { from: 'alarm', bit: 16 },
      loadKg: { itemId: 0xe6, offset: 1, bytes: 4, scale: 1 },
    }),
  });

  it('model A: status bits and a scaled item', () => {
    const fix = decodeBody(
      locationBody({ fixTimeMs: T0, lat: 1, lon: 1, statusWord: 0x3 | (1 << 22) | (3 << 8), items: [{ id: 0xf3, value: Buffer.from([0x05, 0xdc]) }] }),
      'MUCK-A', profiles,
    );
    expect(fix).toMatchObject({ coverClosed: true, bodyLifted: false, loadKg: 15000, loadState: 'full' });
  });

  it('model B: inverted IO bit, alarm bit and an offset value', () => {
    const fix = decodeBody(
      locationBody({
        fixTimeMs: T0, lat: 1, lon: 1, alarmWord: 1 << 16,
        items: [{ id: 0x2a, value: Buffer.from([0, 4]) }, { id: 0xe6, value: Buffer.from([9, 0, 0, 0x2e, 0xe0]) }],
      }),
      'MUCK-B', profiles,
    );
    expect(fix).toMatchObject({ coverClosed: false, bodyLifted: true, loadKg: 12000 });
  });

  it("a sweeper's gear working, from the demo's sweeper profile (bit 2 of item 0xE1)", async () => {
    const { readFileSync } = await import('node:fs');
    const demo = JSON.parse(readFileSync(new URL('../../../data/demo/terminal-profiles.json', import.meta.url), 'utf8')) as { models: Record<string, unknown> };
    const sweepers = new TerminalProfiles({ 'sweeper-generic': parseTerminalModelProfile(demo.models['sweeper-generic']) });
    const at = (bits: number) => decodeBody(locationBody({ fixTimeMs: T0, lat: 1, lon: 1, items: [{ id: 0xe1, value: Buffer.from([bits]) }] }), 'sweeper-generic', sweepers);
    expect(at(0b100).working).toBe(true);
    expect(at(0b011).working).toBe(false);
    expect(decodeBody(locationBody({ fixTimeMs: T0, lat: 1, lon: 1 }), 'sweeper-generic', sweepers).working).toBeUndefined();
  });

  it('the default profile leaves vendor fields unknown rather than guessing', () => {
    const fix = decodeBody(locationBody({ fixTimeMs: T0, lat: 1, lon: 1, statusWord: 0x3 | (1 << 22) }), 'UNKNOWN', profiles);
    expect(fix.coverClosed).toBeUndefined();
    expect(fix.bodyLifted).toBeUndefined();
    expect(fix.loadKg).toBeUndefined();
    expect(fix.working).toBeUndefined();
  });

  it('a profile that refers to an absent item yields unknown, not false', () => {
    const fix = decodeBody(locationBody({ fixTimeMs: T0, lat: 1, lon: 1 }), 'MUCK-B', profiles);
    expect(fix.coverClosed).toBeUndefined();
    expect(fix.loadKg).toBeUndefined();
  });

  it('rejects a malformed profile naming the field', () => {
    expect(() => parseTerminalModelProfile({ name: 'x', coverClosed: { from: 'status', bit: 40 } })).toThrow(/coverClosed\.bit/);
    expect(() => parseTerminalModelProfile({ name: 'x', loadKg: { itemId: 1, bytes: 3, scale: 1 } })).toThrow(/loadKg\.bytes/);
  });
});

describe('sub-package reassembly', () => {
  const header = (serial: number, index: number, total = 3): Jt808Header => ({
    msgId: 0x0704, bodyLength: 0, encryption: 0, subpackage: true, is2019: false, terminalId: '1',
    phoneField: Buffer.alloc(6), serial, packetTotal: total, packetIndex: index,
  });

  it('joins packets arriving out of order', () => {
    const asm = new SubpackageAssembler();
    expect(asm.push(header(12, 3), Buffer.from('cc'), 0).status).toBe('incomplete');
    expect(asm.push(header(10, 1), Buffer.from('aa'), 0).status).toBe('incomplete');
    const done = asm.push(header(11, 2), Buffer.from('bb'), 0);
    expect(done).toEqual({ status: 'complete', body: Buffer.from('aabbcc'), firstSerial: 10 });
    expect(asm.pendingBytes).toBe(0);
  });

  it('bounds pending messages and bytes, and expires stale ones', () => {
    const asm = new SubpackageAssembler({ maxPendingMessages: 2, maxPendingBytes: 10, timeoutMs: 1000 });
    expect(asm.push(header(100, 1), Buffer.alloc(4), 0).status).toBe('incomplete');
    expect(asm.push(header(200, 1), Buffer.alloc(4), 0).status).toBe('incomplete');
    expect(asm.push(header(300, 1), Buffer.alloc(1), 0)).toEqual({ status: 'rejected', reason: 'capacity' });
    expect(asm.push(header(101, 2), Buffer.alloc(4), 0)).toEqual({ status: 'rejected', reason: 'capacity' });
    expect(asm.push(header(300, 1), Buffer.alloc(1), 5000).status).toBe('incomplete');
    expect(asm.expired).toBe(2);
    expect(asm.pendingBytes).toBe(1);
  });
});

describe('platform encoders round-trip through our decoder', () => {
  it('0x8001, 0x8100 (ok with code / terminal unknown), 0x8201, 0x8103', () => {
    const frames = [
      encodeFrame(0x8001, ADDRESS_2013, 1, platformGeneralReplyBody(0x7e7d, 0x0200, 0)),
      encodeFrame(0x8100, ADDRESS_2013, 2, registerReplyBody(5, 0, 'AUTH-7e}')),
      encodeFrame(0x8100, ADDRESS_2019, 3, registerReplyBody(6, 4, 'ignored')),
      encodeFrame(0x8201, ADDRESS_2013, 4, Buffer.alloc(0)),
      encodeFrame(0x8103, ADDRESS_2013, 5, setParametersBody([{ id: 0x0001, value: 30 }, { id: 0x0055, value: 40 }])),
    ];
    const [reply, regOk, regUnknown, query, params] = decodeSent(frames);
    expect(decodeGeneralReply(reply.body)).toEqual({ replySerial: 0x7e7d, replyMsgId: 0x0200, result: 0 });
    expect(regOk.body.readUInt16BE(0)).toBe(5);
    expect(regOk.body[2]).toBe(0);
    expect(regOk.body.subarray(3).toString('latin1')).toBe('AUTH-7e}');
    expect(regUnknown.header.is2019).toBe(true);
    expect([...regUnknown.body]).toEqual([0, 6, 4]);
    expect(query.body.length).toBe(0);
    expect(params.body.toString('hex')).toBe('02' + '00000001' + '04' + '0000001e' + '00000055' + '04' + '00000028');
  });

  it('0x8300 in GBK, 2013 (flag + text) and 2019 (flag + type + text) forms', () => {
    const text = '请于07:00前清运3号点 (北门)';
    const [v2013, v2019] = decodeSent([
      encodeFrame(0x8300, ADDRESS_2013, 1, textMessageBody(text, false)),
      encodeFrame(0x8300, ADDRESS_2019, 2, textMessageBody(text, true, { textType: 2, flags: 0x01 })),
    ]);
    expect(v2013.body[0]).toBe(0x0c);
    expect(iconv.decode(v2013.body.subarray(1), 'gbk')).toBe(text);
    expect([v2019.body[0], v2019.body[1]]).toEqual([0x01, 2]);
    expect(iconv.decode(v2019.body.subarray(2), 'gbk')).toBe(text);
    expect(() => textMessageBody('长'.repeat(600), false)).toThrow(RangeError);
  });

  it('splits a long route text into frame-sized pieces at line breaks, losing nothing', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `第${i + 1}站：人民路${i * 3}号垃圾收集点，07:${String(i % 60).padStart(2, '0')}前`);
    const text = lines.join('\n');
    const pieces = splitTerminalText(text);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(() => textMessageBody(piece, true)).not.toThrow();
      expect(piece.endsWith('\n') || piece === pieces[pieces.length - 1]).toBe(true);
    }
    // Without line breaks it still cuts between characters.
    const flat = splitTerminalText('清'.repeat(25), 10);
    expect(flat).toEqual(['清'.repeat(5), '清'.repeat(5), '清'.repeat(5), '清'.repeat(5), '清'.repeat(5)]);
  });

  it('escapes every 0x7e/0x7d produced by serial, body or checksum', () => {
    const frame = encodeFrame(0x8001, addressFor('7e7d7e7d7e7d'.replace(/[^0-9]/g, '7')), 0x7e7d, platformGeneralReplyBody(0x7d7e, 0x7e7d, 0));
    expect(frame.subarray(1, -1).includes(0x7e)).toBe(false);
    expect(decodeSent([frame]).length).toBe(1);
    expect(escapeFrame(Buffer.from([0x7e, 0x7d])).toString('hex')).toBe('7e7d027d017e');
  });
});
