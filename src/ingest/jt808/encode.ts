import iconv from 'iconv-lite';
import { MAX_BODY_BYTES, type GeneralResultCode, type RegisterResultCode } from './constants.js';
import { escapeFrame, xorChecksum } from './framer.js';
import { encodeTerminalId } from './terminal-id.js';

/** Who a platform frame is addressed to and in which header edition. */
export interface FrameAddress {
  /** The terminal's phone field as it sent it (6 bytes for 2013, 10 for 2019). */
  phoneField: Uint8Array;
  is2019: boolean;
  /** Echoed version byte for 2019 frames (default 1). */
  protocolVersion?: number;
}

export function addressFor(terminalId: string, is2019 = false): FrameAddress {
  return { phoneField: encodeTerminalId(terminalId, is2019 ? 10 : 6), is2019 };
}

/** Builds header + body + checksum (un-escaped, no flags). */
/** Packet fields of a sub-packaged message (header bit 13); index counts from 1. */
export interface PacketPosition {
  total: number;
  index: number;
}

export function buildPayload(msgId: number, address: FrameAddress, serial: number, body: Uint8Array, packet?: PacketPosition): Buffer {
  if (body.length > MAX_BODY_BYTES) throw new RangeError(`body of ${body.length} bytes exceeds ${MAX_BODY_BYTES}`);
  const phoneBytes = address.is2019 ? 10 : 6;
  if (address.phoneField.length !== phoneBytes) throw new RangeError(`phone field must be ${phoneBytes} bytes`);
  const headerBytes = 2 + 2 + (address.is2019 ? 1 : 0) + phoneBytes + 2 + (packet ? 4 : 0);
  const out = Buffer.allocUnsafe(headerBytes + body.length + 1);
  let p = out.writeUInt16BE(msgId, 0);
  p = out.writeUInt16BE(body.length | (address.is2019 ? 0x4000 : 0) | (packet ? 0x2000 : 0), p);
  if (address.is2019) out[p++] = address.protocolVersion ?? 1;
  out.set(address.phoneField, p);
  p += phoneBytes;
  p = out.writeUInt16BE(serial & 0xffff, p);
  if (packet) {
    p = out.writeUInt16BE(packet.total, p);
    p = out.writeUInt16BE(packet.index, p);
  }
  out.set(body, p);
  p += body.length;
  out[p] = xorChecksum(out, 0, p);
  return out;
}

/** A complete wire frame: flags, escaping and checksum applied. */
export function encodeFrame(msgId: number, address: FrameAddress, serial: number, body: Uint8Array, packet?: PacketPosition): Buffer {
  return escapeFrame(buildPayload(msgId, address, serial, body, packet));
}

export function platformGeneralReplyBody(replySerial: number, replyMsgId: number, result: GeneralResultCode): Buffer {
  const body = Buffer.allocUnsafe(5);
  body.writeUInt16BE(replySerial & 0xffff, 0);
  body.writeUInt16BE(replyMsgId, 2);
  body[4] = result;
  return body;
}

/** 0x8100: the auth code travels only with result 0. */
export function registerReplyBody(replySerial: number, result: RegisterResultCode, authCode?: string): Buffer {
  const code = result === 0 && authCode !== undefined ? iconv.encode(authCode, 'gbk') : Buffer.alloc(0);
  const body = Buffer.allocUnsafe(3 + code.length);
  body.writeUInt16BE(replySerial & 0xffff, 0);
  body[2] = result;
  code.copy(body, 3);
  return body;
}

/** 0x8300 flag bits (2013 meanings). */
export const TextFlag = {
  urgent: 0x01,
  display: 0x04,
  tts: 0x08,
  advertisingScreen: 0x10,
  canFaultCode: 0x20,
} as const;

export interface TextMessageOptions {
  /** Flag byte; default = show on the display and read out by TTS. */
  flags?: number;
  /** 2019 only: text type BYTE (1 = notice, 2 = service). Default 1. */
  textType?: number;
}

/** 0x8300 body: flag [+ 2019 text type] + GBK text. Throws if it cannot fit one frame. */
export function textMessageBody(text: string, is2019: boolean, options: TextMessageOptions = {}): Buffer {
  const encoded = iconv.encode(text, 'gbk');
  const prefix = is2019 ? 2 : 1;
  if (prefix + encoded.length > MAX_BODY_BYTES) {
    throw new RangeError(`text of ${encoded.length} GBK bytes exceeds one 0x8300 frame (${MAX_BODY_BYTES - prefix})`);
  }
  const body = Buffer.allocUnsafe(prefix + encoded.length);
  body[0] = options.flags ?? TextFlag.display | TextFlag.tts;
  if (is2019) body[1] = options.textType ?? 1;
  encoded.copy(body, prefix);
  return body;
}

/**
 * Splits a long driver text (e.g. a route description) into pieces that each fit one 0x8300
 * frame, preferring line breaks, never cutting a GBK character in two. Send the pieces in order.
 */
export function splitTerminalText(text: string, maxGbkBytes = MAX_BODY_BYTES - 2): string[] {
  if (maxGbkBytes < 2) throw new RangeError('maxGbkBytes must hold at least one character');
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  let lastBreak = -1; // index in current just after the last newline
  for (const ch of text) {
    const bytes = iconv.encode(ch, 'gbk').length;
    if (currentBytes + bytes > maxGbkBytes) {
      const cut = lastBreak > 0 ? lastBreak : current.length;
      pieces.push(current.slice(0, cut));
      current = current.slice(cut);
      currentBytes = iconv.encode(current, 'gbk').length;
      lastBreak = -1;
    }
    current += ch;
    currentBytes += bytes;
    if (ch === '\n') lastBreak = current.length;
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}

/**
 * A long text as numbered chunks "(i/n) …" that each fit `maxGbkBytes`, so a driver reading
 * them on a small screen knows the order and whether one is missing. Splits at line breaks
 * where it can (splitTerminalText).
 */
export function numberedTextChunks(text: string, maxGbkBytes: number): string[] {
  // the label grows with n: try the widths in turn until the count fits the width reserved
  for (let digits = 1; digits <= 5; digits++) {
    const reserve = `(${'9'.repeat(digits)}/${'9'.repeat(digits)}) `.length;
    const pieces = splitTerminalText(text, maxGbkBytes - reserve);
    if (pieces.length < 10 ** digits) {
      if (pieces.length === 1) return pieces;
      return pieces.map((p, i) => `(${i + 1}/${pieces.length}) ${p}`);
    }
  }
  throw new RangeError('text too long for numbered chunks');
}

/** One 0x8103 parameter: numbers are written as DWORD; strings as GBK; buffers as given. */
export interface TerminalParameter {
  id: number;
  value: number | string | Uint8Array;
  /** Width for numeric values (default 4 = DWORD). */
  bytes?: 1 | 2 | 4;
}

/** Parameter ids confirmed in the protocol brief (others: consult the vendor). */
export const ParamId = {
  heartbeatIntervalS: 0x0001,
  defaultReportIntervalS: 0x0029,
  maxSpeedKmh: 0x0055,
  overspeedDurationS: 0x0056,
} as const;

export function setParametersBody(params: readonly TerminalParameter[]): Buffer {
  if (params.length > 255) throw new RangeError('0x8103 carries at most 255 parameters');
  const parts: Buffer[] = [Buffer.from([params.length])];
  for (const param of params) {
    let value: Buffer;
    if (typeof param.value === 'number') {
      const bytes = param.bytes ?? 4;
      value = Buffer.alloc(bytes);
      value.writeUIntBE(param.value, 0, bytes);
    } else if (typeof param.value === 'string') value = iconv.encode(param.value, 'gbk');
    else value = Buffer.from(param.value);
    if (value.length > 255) throw new RangeError(`parameter 0x${param.id.toString(16)} value exceeds 255 bytes`);
    const head = Buffer.allocUnsafe(5);
    head.writeUInt32BE(param.id >>> 0, 0);
    head[4] = value.length;
    parts.push(head, value);
  }
  return Buffer.concat(parts);
}

/** 0x8105 terminal control: command word + optional parameter bytes. */
export function terminalControlBody(commandWord: number, params: Uint8Array = new Uint8Array(0)): Buffer {
  return Buffer.concat([Buffer.from([commandWord]), params]);
}

