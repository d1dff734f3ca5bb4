import { MsgId } from './constants.js';
import { xorChecksum } from './framer.js';
import { decodeTerminalId } from './terminal-id.js';

export interface Jt808Header {
  msgId: number;
  bodyLength: number;
  /** Bits 10-12 of the body attributes; non-zero means an encrypted body. */
  encryption: number;
  subpackage: boolean;
  /** Bit 14: the 2019 header (version byte + 10-byte phone field). */
  is2019: boolean;
  protocolVersion?: number;
  /** Normalized terminal id (see terminal-id.ts). */
  terminalId: string;
  /** The phone field exactly as received; echoed in replies so the terminal recognises them. */
  phoneField: Buffer;
  serial: number;
  packetTotal?: number;
  packetIndex?: number;
}

export interface Jt808Message {
  header: Jt808Header;
  body: Buffer;
}

export type MessageRejectReason = 'short' | 'checksum' | 'length' | 'encrypted' | 'packet';

export type DecodeMessageResult =
  | { ok: true; message: Jt808Message }
  /** header is present when enough bytes were there to address a negative reply. */
  | { ok: false; reason: MessageRejectReason; header?: Jt808Header };

/**
 * Decodes one un-escaped frame (header + body + checksum, no flags). Strict: a wrong checksum or
 * a body length that disagrees with the header rejects the frame (Traccar checks neither).
 */
export function decodeMessage(frame: Buffer): DecodeMessageResult {
  // Smallest frame: 2013 header (12) + checksum (1).
  if (frame.length < 13) return { ok: false, reason: 'short' };
  const msgId = frame.readUInt16BE(0);
  const attr = frame.readUInt16BE(2);
  const bodyLength = attr & 0x3ff;
  const encryption = (attr >> 10) & 0x7;
  const subpackage = (attr & 0x2000) !== 0;
  const is2019 = (attr & 0x4000) !== 0;
  let offset = 4;
  let protocolVersion: number | undefined;
  if (is2019) protocolVersion = frame[offset++];
  const phoneBytes = is2019 ? 10 : 6;
  // Jointech lock messages carry a 1-byte serial.
  const shortSerial = msgId === MsgId.jointechLocation || msgId === MsgId.jointechLocationBlind;
  const headerEnd = offset + phoneBytes + (shortSerial ? 1 : 2) + (subpackage ? 4 : 0);
  if (frame.length < headerEnd + 1) return { ok: false, reason: 'short' };
  const terminalId = decodeTerminalId(frame, offset, phoneBytes);
  const phoneField = Buffer.from(frame.subarray(offset, offset + phoneBytes));
  offset += phoneBytes;
  const serial = shortSerial ? frame[offset++] : frame.readUInt16BE(offset);
  if (!shortSerial) offset += 2;
  const header: Jt808Header = {
    msgId, bodyLength, encryption, subpackage, is2019, terminalId, phoneField, serial,
  };
  if (protocolVersion !== undefined) header.protocolVersion = protocolVersion;
  if (subpackage) {
    header.packetTotal = frame.readUInt16BE(offset);
    header.packetIndex = frame.readUInt16BE(offset + 2);
    offset += 4;
  }
  const checksumAt = frame.length - 1;
  if (xorChecksum(frame, 0, checksumAt) !== frame[checksumAt]) return { ok: false, reason: 'checksum', header };
  if (checksumAt - offset !== bodyLength) return { ok: false, reason: 'length', header };
  // Jointech lock ids reuse the attribute bits for their own purposes.
  if (encryption !== 0 && !shortSerial) return { ok: false, reason: 'encrypted', header };
  if (subpackage && (header.packetTotal === 0 || header.packetIndex === 0 || header.packetIndex! > header.packetTotal!)) {
    return { ok: false, reason: 'packet', header };
  }
  return { ok: true, message: { header, body: frame.subarray(offset, checksumAt) } };
}
