import { ESCAPE, FLAG, MAX_FRAME_BYTES } from './constants.js';

/** One unit cut from the TCP stream. */
export type Jt808Frame =
  /** Un-escaped bytes between the two 0x7e flags (header + body + checksum). */
  | { kind: 'binary'; payload: Buffer }
  /** A bad escape pair or an over-long frame: the bytes are not usable. */
  | { kind: 'invalid'; reason: 'escape' | 'oversize' }
  /** Jointech-style ASCII sentence "(...)" sent on the same port. */
  | { kind: 'text'; text: string };

export interface FramerOptions {
  /** Largest un-escaped frame accepted; longer input is dropped up to the next flag. */
  maxFrameBytes?: number;
  /** Largest "(...)" text sentence accepted. */
  maxTextBytes?: number;
}

const enum State {
  Seeking,
  InFrame,
  AfterEscape,
  Discarding,
  InText,
}

/**
 * Splits a JT/T 808 byte stream into frames. Incremental: bytes may arrive in any chunking.
 * Bytes outside frames are skipped (junk before a flag, as Traccar's framer does).
 * Un-escaping happens into one reusable scratch buffer; each completed frame costs one copy.
 */
export class Jt808Framer {
  private readonly scratch: Buffer;
  private length = 0;
  private state: State = State.Seeking;
  private badEscape = false;
  private readonly maxTextBytes: number;
  private text = '';
  /** Bytes dropped outside any frame since creation (junk, not errors). */
  skippedBytes = 0;

  constructor(options: FramerOptions = {}) {
    this.scratch = Buffer.allocUnsafe(options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.maxTextBytes = options.maxTextBytes ?? 512;
  }

  /** Bytes held for an unfinished frame (bounded by maxFrameBytes). */
  get pendingBytes(): number {
    return this.state === State.InText ? this.text.length : this.length;
  }

  push(chunk: Uint8Array): Jt808Frame[] {
    const out: Jt808Frame[] = [];
    const cap = this.scratch.length;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      switch (this.state) {
        case State.Seeking:
          if (b === FLAG) this.startFrame();
          else if (b === 0x28 /* ( */) {
            this.state = State.InText;
            this.text = '(';
          } else this.skippedBytes++;
          break;
        case State.InFrame:
          if (b === FLAG) {
            // Two adjacent flags: the first closed a previous frame we never saw; start afresh.
            if (this.length === 0) break;
            out.push(this.finishFrame());
          } else if (b === ESCAPE) this.state = State.AfterEscape;
          else if (this.length < cap) this.scratch[this.length++] = b;
          else this.overflow(out);
          break;
        case State.AfterEscape:
          if (b === FLAG) {
            // A frame may not end inside an escape pair.
            this.badEscape = true;
            out.push(this.finishFrame());
            break;
          }
          this.state = State.InFrame;
          if (b === 0x01 || b === 0x02) {
            if (this.length < cap) this.scratch[this.length++] = b === 0x01 ? ESCAPE : FLAG;
            else this.overflow(out);
          } else {
            this.badEscape = true;
            if (this.length < cap) this.scratch[this.length++] = b;
            else this.overflow(out);
          }
          break;
        case State.Discarding:
          if (b === FLAG) this.startFrame();
          break;
        case State.InText:
          // A "(" in binary junk must not swallow the next real frame.
          if (b === FLAG) {
            this.skippedBytes += this.text.length;
            this.text = '';
            this.startFrame();
            break;
          }
          if (b < 0x20 || b > 0x7e) {
            this.skippedBytes += this.text.length + 1;
            this.text = '';
            this.state = State.Seeking;
            break;
          }
          this.text += String.fromCharCode(b);
          if (b === 0x29 /* ) */) {
            out.push({ kind: 'text', text: this.text });
            this.text = '';
            this.state = State.Seeking;
          } else if (this.text.length > this.maxTextBytes) {
            this.text = '';
            this.state = State.Seeking;
            out.push({ kind: 'invalid', reason: 'oversize' });
          }
          break;
      }
    }
    return out;
  }

  private startFrame(): void {
    this.state = State.InFrame;
    this.length = 0;
    this.badEscape = false;
  }

  private finishFrame(): Jt808Frame {
    const bad = this.badEscape;
    const payload = Buffer.from(this.scratch.subarray(0, this.length));
    this.length = 0;
    this.badEscape = false;
    this.state = State.Seeking;
    return bad ? { kind: 'invalid', reason: 'escape' } : { kind: 'binary', payload };
  }

  private overflow(out: Jt808Frame[]): void {
    out.push({ kind: 'invalid', reason: 'oversize' });
    this.length = 0;
    this.state = State.Discarding;
  }
}

/** Escapes header+body+checksum and wraps it in flags, ready for the socket. */
export function escapeFrame(payload: Uint8Array): Buffer {
  let extra = 0;
  for (let i = 0; i < payload.length; i++) if (payload[i] === FLAG || payload[i] === ESCAPE) extra++;
  const out = Buffer.allocUnsafe(payload.length + extra + 2);
  let o = 0;
  out[o++] = FLAG;
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i];
    if (b === FLAG) {
      out[o++] = ESCAPE;
      out[o++] = 0x02;
    } else if (b === ESCAPE) {
      out[o++] = ESCAPE;
      out[o++] = 0x01;
    } else out[o++] = b;
  }
  out[o++] = FLAG;
  return out;
}

export function xorChecksum(bytes: Uint8Array, start: number, end: number): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i];
  return x;
}
