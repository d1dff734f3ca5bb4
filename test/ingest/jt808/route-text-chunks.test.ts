import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  addressFor, decodeMessage, encodeFrame, Jt808Framer, MAX_BODY_BYTES, numberedTextChunks, parseTerminalModelProfile,
  PROTOCOL_TEXT_MAX_BYTES, textMaxBytesOf, textMessageBody, DEFAULT_TERMINAL_PROFILE,
} from '../../../src/ingest/jt808/index.js';

/**
 * A route text to an in-cab terminal: numbered chunks that each fit one 0x8300 frame (or the
 * terminal model's smaller limit), encoded as wire frames and read back as a terminal would.
 */
const gbkBytes = (s: string) => iconv.encode(s, 'gbk').length;

function readBack(wire: Buffer) {
  const frames = new Jt808Framer().push(wire);
  expect(frames).toHaveLength(1);
  const f = frames[0]!;
  if (f.kind !== 'binary') throw new Error('not a binary frame');
  const decoded = decodeMessage(f.payload);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.message;
}

/** A long day: 70 collection stops, Chinese and ASCII, with "~" (0x7e in GBK) to be escaped on the wire. */
const longRoute = ['【2026-12-01 路线 v1】沪A00001 其他垃圾 72站 04:00-11:13 86.4km 卸料2次', '0 04:00 出车场',
  ...Array.from({ length: 70 }, (_, i) => `${i + 1} 0${4 + Math.floor(i / 20)}:${String((i * 3) % 60).padStart(2, '0')} 收运其他垃圾 cp-${100 + i} 约${120 + i}kg 窗口04:00-07:00 ~北门`),
  '71 11:13 回车场'].join('\n');

describe('route text in 0x8300 chunks', () => {
  it('encodes a chunk as the exact wire frame (hand-checked vector: header, GBK body, XOR checksum, flags)', () => {
    const text = '(1/3) 2 04:05 收运其他垃圾 cp-1 约300kg\n';
    const wire = encodeFrame(0x8300, addressFor('013800000001'), 5, textMessageBody(text, false));
    // 8300 | body 41 bytes | BCD 013800000001 | serial 5 | flag 0x0c (display + TTS) | GBK text | checksum f1
    expect(wire.toString('hex')).toBe('7e8300002901380000000100050c28312f332920322030343a303520cad5d4cbc6e4cbfbc0acbbf82063702d3120d4bc3330306b670af17e');
  });

  it('splits a long route at line breaks into numbered chunks that each fit one frame in both editions, losing nothing', () => {
    expect(PROTOCOL_TEXT_MAX_BYTES).toBe(MAX_BODY_BYTES - 2);
    const chunks = numberedTextChunks(longRoute, PROTOCOL_TEXT_MAX_BYTES);
    expect(gbkBytes(longRoute)).toBeGreaterThan(3 * PROTOCOL_TEXT_MAX_BYTES);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.length).toBeLessThan(10);
    const unlabelled: string[] = [];
    chunks.forEach((chunk, i) => {
      const label = `(${i + 1}/${chunks.length}) `;
      expect(chunk.startsWith(label)).toBe(true);
      expect(gbkBytes(chunk)).toBeLessThanOrEqual(PROTOCOL_TEXT_MAX_BYTES);
      const piece = chunk.slice(label.length);
      // every chunk but the last ends a line: no stop is cut in two
      if (i < chunks.length - 1) expect(piece.endsWith('\n')).toBe(true);
      unlabelled.push(piece);
      for (const [is2019, offset] of [[false, 1], [true, 2]] as const) {
        const wire = encodeFrame(0x8300, addressFor('13800000001', is2019), 100 + i, textMessageBody(chunk, is2019));
        // the text holds "~" (0x7e); on the wire it travels escaped, so only the two flags are 0x7e
        expect(iconv.encode(chunk, 'gbk').includes(0x7e)).toBe(true);
        expect(wire.subarray(1, -1).includes(0x7e)).toBe(false);
        const m = readBack(wire);
        expect(m.header.msgId).toBe(0x8300);
        expect(m.header.is2019).toBe(is2019);
        expect(m.body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
        expect(iconv.decode(m.body.subarray(offset), 'gbk')).toBe(chunk);
      }
    });
    expect(unlabelled.join('')).toBe(longRoute);
  });

  it("keeps to a terminal model's smaller screen, never cutting a GBK character, labels widening past nine chunks", () => {
    const profile = parseTerminalModelProfile({ name: 'small', textMaxBytes: 120 });
    expect(textMaxBytesOf(profile)).toBe(120);
    expect(textMaxBytesOf(DEFAULT_TERMINAL_PROFILE)).toBe(1021);
    expect(() => parseTerminalModelProfile({ name: 'big', textMaxBytes: 2000 })).toThrow(/textMaxBytes/);
    const chunks = numberedTextChunks(longRoute, 120);
    expect(chunks.length).toBeGreaterThan(9);
    expect(chunks[0]!.startsWith(`(1/${chunks.length}) `)).toBe(true);
    for (const c of chunks) {
      expect(gbkBytes(c)).toBeLessThanOrEqual(120);
      // round trip through GBK: no character was cut
      expect(iconv.decode(iconv.encode(c, 'gbk'), 'gbk')).toBe(c);
    }
    expect(chunks.map((c) => c.replace(/^\(\d+\/\d+\) /, '')).join('')).toBe(longRoute);
  });

  it('sends a short route as one unnumbered text', () => {
    expect(numberedTextChunks('0 04:00 出车场\n1 04:05 收运厨余垃圾 cp-1', 1021)).toEqual(['0 04:00 出车场\n1 04:05 收运厨余垃圾 cp-1']);
  });
});
