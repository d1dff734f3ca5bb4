import { mulberry32 as seededRandom } from '../../../solver/index.js';
import type { Fix } from '../../domain/fix.js';
import { decodeBatch } from './bodies.js';
import { encodeFrame, type FrameAddress } from './encode.js';
import { escapeFrame, xorChecksum } from './framer.js';
import { decodeLocation } from './location.js';
import { decodeMessage } from './message.js';
import { Jt808Session, type Jt808SessionEvent } from './session.js';
import { authBody, batchBody, locationBody, registerBody, terminalGeneralReplyBody } from './terminal.js';

/**
 * A seeded fuzzer for the JT/T 808 layer, shared by the test suite (small runs) and
 * bench/jt808-fuzz.ts (a million cases). Each case is fed to a live session and to the bare
 * decoders; any exception, any invalid Fix reaching the sink, or session bookkeeping going
 * wrong is counted as a failure.
 */

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** Extra well-formed frames (un-escaped, without flags) to mutate, e.g. captured vectors. */
  seeds?: Buffer[];
  /** Cases fed to one session before it is replaced (a new connection). */
  casesPerSession?: number;
}

export interface FuzzReport {
  cases: number;
  sessions: number;
  /** Frames the decoder accepted as well-formed messages. */
  messagesAccepted: number;
  /** Rejections by reason, from the sessions' event stream. */
  rejectedByReason: Record<string, number>;
  fixesCommitted: number;
  sinkFailures: number;
  repliesSent: number;
  /** Must stay 0: exceptions escaping a decoder or a session handler. */
  exceptions: number;
  /** Must stay 0: a committed Fix with non-finite or out-of-range values, or broken counters. */
  invariantViolations: number;
  firstProblem?: string;
}

/** The fuzzer's cases are reproducible from their seed. */
export { seededRandom };

const TERMINAL_ID = '13800138000';
const ADDRESS: FrameAddress = { phoneField: Buffer.from('013800138000', 'hex'), is2019: false };
const ADDRESS_2019: FrameAddress = { phoneField: Buffer.from('00000000013800138000', 'hex'), is2019: true, protocolVersion: 1 };

function validFrames(rand: () => number): Buffer[] {
  const out: Buffer[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  const loc = (i: number) =>
    locationBody({
      fixTimeMs: t0 + i * 15_000, lat: 30 + rand(), lon: 120 + rand(), speedKmh: Math.floor(rand() * 600) / 10,
      headingDeg: Math.floor(rand() * 360), altitudeM: Math.floor(rand() * 100), alarmWord: rand() < 0.2 ? (1 << 23) : 0,
      statusWord: 0x3 | (rand() < 0.5 ? 0x300 : 0),
      items: [
        { id: 0x01, value: Buffer.from([0, 1, 2, 3]) },
        { id: 0x30, value: Buffer.from([20]) },
        { id: 0x31, value: Buffer.from([9]) },
        { id: 0x12, value: Buffer.from([4, 0, 0, 0, 7, 1]) },
        { id: 0xe1, value: Buffer.from([1, 2, 3]) },
      ],
    });
  for (const address of [ADDRESS, ADDRESS_2019]) {
    const build = (msgId: number, serial: number, body: Buffer) => {
      // Strip the flags: mutation works on the un-escaped payload.
      const wire = encodeFrame(msgId, address, serial, body);
      return unescape(wire.subarray(1, wire.length - 1));
    };
    out.push(build(0x0100, 1, registerBody({ terminalModel: 'FZ-1', plate: '沪A00001' }, address.is2019)));
    out.push(build(0x0102, 2, authBody('code-' + TERMINAL_ID, address.is2019)));
    out.push(build(0x0002, 3, Buffer.alloc(0)));
    out.push(build(0x0200, 4, loc(0)));
    out.push(build(0x0704, 5, batchBody(1, [loc(1), loc(2), loc(3)])));
    out.push(build(0x0201, 6, Buffer.concat([Buffer.from([0, 9]), loc(4)])));
    out.push(build(0x0001, 7, terminalGeneralReplyBody(0, 0x8300, 0)));
    out.push(build(0x0f0f, 8, Buffer.from('vendor')));
    out.push(build(0x0003, 9, Buffer.alloc(0)));
  }
  const packet1 = encodeFrame(0x0704, ADDRESS, 20, batchBody(0, [loc(5)]).subarray(0, 20), { total: 2, index: 1 });
  const packet2 = encodeFrame(0x0704, ADDRESS, 21, batchBody(0, [loc(5)]).subarray(20), { total: 2, index: 2 });
  out.push(unescape(packet1.subarray(1, -1)), unescape(packet2.subarray(1, -1)));
  return out;
}

/** Readdresses a seed frame to the fuzzer's known terminal so sessions accept and decode it. */
function rebind(seed: Buffer): Buffer {
  const out = Buffer.from(seed);
  if (out.length < 13) return out;
  const is2019 = (out.readUInt16BE(2) & 0x4000) !== 0;
  if (is2019 && out.length >= 18) out.set(ADDRESS_2019.phoneField, 5);
  else if (!is2019) out.set(ADDRESS.phoneField, 4);
  out[out.length - 1] = xorChecksum(out, 0, out.length - 1);
  return out;
}

function unescape(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x7d && i + 1 < bytes.length) out.push(bytes[++i] === 1 ? 0x7d : 0x7e);
    else out.push(bytes[i]);
  }
  return Buffer.from(out);
}

/** Re-seals a mutated payload: fixes the body length bits and the checksum so it reaches the body decoders. */
function reseal(payload: Buffer): void {
  if (payload.length < 13) return;
  const attr = payload.readUInt16BE(2);
  const is2019 = (attr & 0x4000) !== 0;
  const sub = (attr & 0x2000) !== 0;
  const headerBytes = 4 + (is2019 ? 11 : 6) + 2 + (sub ? 4 : 0);
  const bodyLength = payload.length - 1 - headerBytes;
  if (bodyLength >= 0 && bodyLength <= 1023) payload.writeUInt16BE((attr & 0xfc00) | bodyLength, 2);
  payload[payload.length - 1] = xorChecksum(payload, 0, payload.length - 1);
}

function mutate(rand: () => number, base: Buffer): Buffer {
  let bytes = Buffer.from(base);
  const rounds = 1 + Math.floor(rand() * 4);
  for (let r = 0; r < rounds; r++) {
    const op = Math.floor(rand() * 7);
    const at = Math.floor(rand() * Math.max(1, bytes.length));
    switch (op) {
      case 0: // flip a bit
        if (bytes.length) bytes[at] ^= 1 << Math.floor(rand() * 8);
        break;
      case 1: // replace with an interesting byte
        if (bytes.length) bytes[at] = [0x00, 0xff, 0x7e, 0x7d, 0x80, 0x01, 0x99][Math.floor(rand() * 7)];
        break;
      case 2: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 3: // insert random bytes
        bytes = Buffer.concat([bytes.subarray(0, at), randomBytes(rand, 1 + Math.floor(rand() * 8)), bytes.subarray(at)]);
        break;
      case 4: // delete a run
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(rand() * 6))]);
        break;
      case 5: // duplicate a run (repeated items, long bodies)
        bytes = Buffer.concat([bytes, bytes.subarray(at, at + Math.floor(rand() * 40))]);
        break;
      default: // random item length byte inside the body
        if (bytes.length > 40) bytes[12 + Math.floor(rand() * (bytes.length - 12))] = Math.floor(rand() * 256);
    }
  }
  if (rand() < 0.7) reseal(bytes);
  return bytes;
}

function randomBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    out[i] = r < 0.05 ? 0x7e : r < 0.1 ? 0x7d : Math.floor(rand() * 256);
  }
  return out;
}

function fixIsSane(fix: Fix): boolean {
  return (
    Number.isFinite(fix.fixTimeMs) && Math.abs(fix.lat) <= 90 && Math.abs(fix.lon) <= 180 &&
    Number.isFinite(fix.speedKmh) && fix.speedKmh >= 0 && Number.isFinite(fix.headingDeg) &&
    Number.isFinite(fix.altitudeM) && Array.isArray(fix.alarms) && fix.deviceId.length > 0
  );
}

export async function runJt808Fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const rand = seededRandom(options.seed);
  const corpus = [...validFrames(rand), ...(options.seeds ?? []).map(rebind)];
  const casesPerSession = options.casesPerSession ?? 500;
  const report: FuzzReport = {
    cases: 0, sessions: 0, messagesAccepted: 0, rejectedByReason: {}, fixesCommitted: 0, sinkFailures: 0,
    repliesSent: 0, exceptions: 0, invariantViolations: 0,
  };
  const problem = (what: string) => {
    report.firstProblem ??= what;
  };
  let submits = 0;
  const onEvent = (event: Jt808SessionEvent) => {
    if (event.type === 'rejected') {
      report.rejectedByReason[event.reason] = (report.rejectedByReason[event.reason] ?? 0) + 1;
      if (event.reason === 'internal') {
        report.exceptions++;
        problem(`session handler threw (msg 0x${event.msgId?.toString(16)})`);
      }
    } else if (event.type === 'unsupported' || event.type === 'vendor') {
      report.rejectedByReason[event.type] = (report.rejectedByReason[event.type] ?? 0) + 1;
    }
  };
  const newSession = () => {
    report.sessions++;
    return new Jt808Session({
      directory: {
        findByTerminalId: async (id) => (id === TERMINAL_ID ? { vehicleId: 'v1' } : null),
        issueAuthCode: async (id) => 'code-' + id,
        checkAuthCode: async (id, code) => code === 'code-' + id,
      },
      sink: {
        submit: async (fixes) => {
          // Every 97th commit fails, to exercise the negative-ack path.
          if (++submits % 97 === 0) {
            report.sinkFailures++;
            throw new Error('simulated commit failure');
          }
          for (const fix of fixes) {
            if (!fixIsSane(fix)) {
              report.invariantViolations++;
              problem(`insane fix ${JSON.stringify(fix)}`);
            }
          }
          report.fixesCommitted += fixes.length;
        },
      },
      // A run's answers arrive in one write; every escaped frame holds exactly two 0x7e flags.
      send: (wire) => {
        let flags = 0;
        for (const b of wire) if (b === 0x7e) flags++;
        report.repliesSent += flags / 2;
      },
      trustKnownTerminals: rand() < 0.5,
      commandTimeoutMs: 1000,
      // Failures are what the fuzzer provokes: counted in the report (exceptions, sinkFailures), not logged.
      logger: { warn: () => undefined },
      onEvent,
    });
  };

  let session = newSession();
  let inSession = 0;
  for (let c = 0; c < options.cases; c++) {
    report.cases++;
    const kind = rand();
    let payload: Buffer;
    let wire: Buffer;
    if (kind < 0.15) {
      wire = randomBytes(rand, Math.floor(rand() * 200));
      payload = wire;
    } else {
      const base = corpus[Math.floor(rand() * corpus.length)];
      payload = kind < 0.25 ? base : mutate(rand, base);
      wire = escapeFrame(payload);
      // Sometimes split the wire in two chunks or prepend junk.
      if (rand() < 0.1) wire = Buffer.concat([randomBytes(rand, 3), wire]);
    }
    // Bare decoders: must return a result for anything.
    try {
      const decoded = decodeMessage(payload);
      if (decoded.ok) {
        report.messagesAccepted++;
        const { header, body } = decoded.message;
        if (header.msgId === 0x0200) decodeLocation(body, 0, body.length, header.terminalId);
        else if (header.msgId === 0x0704) {
          for (const [s, e] of decodeBatch(body)?.items ?? []) decodeLocation(body, s, e, header.terminalId);
        }
      }
    } catch (error) {
      report.exceptions++;
      problem(`decoder threw on ${payload.toString('hex')}: ${String(error)}`);
    }
    // Session: bytes in, replies out, never an escaped exception.
    try {
      if (rand() < 0.2 && wire.length > 2) {
        const cut = 1 + Math.floor(rand() * (wire.length - 1));
        void session.feed(wire.subarray(0, cut));
        await session.feed(wire.subarray(cut));
      } else {
        await session.feed(wire);
      }
    } catch (error) {
      report.exceptions++;
      problem(`session.feed rejected: ${String(error)}`);
    }
    if (session.unackedFixes !== 0 || session.queuedFrames !== 0 || session.reassemblyBytes > 256 * 1024) {
      report.invariantViolations++;
      problem(`session counters after idle: unacked=${session.unackedFixes} queued=${session.queuedFrames}`);
    }
    inSession++;
    if (session.shouldClose || inSession >= casesPerSession) {
      session.close();
      session = newSession();
      inSession = 0;
    }
  }
  session.close();
  return report;
}
