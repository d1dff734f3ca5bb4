/**
 * The terminal phone-number field. Standard terminals put BCD digits there (6 bytes in 2013,
 * 10 in 2019); some trackers pack their IMEI as a 48-bit integer instead. Traccar rebuilds such
 * an IMEI as the integer followed by its Luhn check digit; we do the same so ids match Traccar's.
 */

import { canonicalTerminalId } from '../../domain/terminal-id.js';

const HEX = '0123456789abcdef';

/** Returns the field as a lower-case hex string (= the BCD digits when it is BCD). */
export function fieldHex(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length; i++) {
    const b = bytes[i];
    s += HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

export function isBcd(bytes: Uint8Array, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) {
    const b = bytes[i];
    if ((b >> 4) > 9 || (b & 15) > 9) return false;
  }
  return true;
}

export function luhnDigit(digits: string): number {
  let sum = 0;
  let double = true; // the check digit will be appended to the right
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Our terminal id, in the service's canonical form (src/domain/terminal-id.ts): BCD digits with
 * leading zeros stripped (so the same SIM reads the same in the 12-digit 2013 and 20-digit 2019
 * fields), or the Luhn-completed IMEI for binary fields.
 */
export function decodeTerminalId(bytes: Uint8Array, start: number, length: number): string {
  if (isBcd(bytes, start, length)) return canonicalTerminalId(fieldHex(bytes, start, length));
  // Binary IMEI: Traccar reads the first 6 bytes as a 48-bit number (only 6-byte fields occur).
  let value = 0;
  for (let i = start; i < start + Math.min(length, 6); i++) value = value * 256 + bytes[i];
  const base = String(value);
  return base + luhnDigit(base);
}

/**
 * Encodes a terminal id into the phone field for platform-initiated frames when we have no
 * raw header bytes to echo. A 15-digit id that does not fit 12 BCD digits is taken as an IMEI
 * and packed as Traccar does (the number without its Luhn digit, 48-bit big-endian).
 */
export function encodeTerminalId(terminalId: string, fieldBytes: 6 | 10): Buffer {
  if (!/^[0-9]+$/.test(terminalId)) throw new Error(`terminal id must be digits: ${terminalId}`);
  const digits = fieldBytes * 2;
  if (terminalId.length <= digits) return Buffer.from(terminalId.padStart(digits, '0'), 'hex');
  if (fieldBytes === 6 && terminalId.length === 15) {
    const value = Number(terminalId.slice(0, 14));
    const out = Buffer.alloc(6);
    out.writeUIntBE(value, 0, 6);
    return out;
  }
  throw new Error(`terminal id ${terminalId} does not fit a ${fieldBytes}-byte phone field`);
}
