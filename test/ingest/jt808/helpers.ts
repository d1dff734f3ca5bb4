import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Fix } from '../../../src/domain/fix.js';
import {
  decodeGeneralReply, decodeMessage, encodeFrame, Jt808Framer, Jt808Session,
  type FixSink, type Jt808Message, type Jt808SessionOptions, type TerminalDirectory,
} from '../../../src/ingest/jt808/index.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface VectorEntry {
  id: string;
  input: string;
  kind: 'hex' | 'text';
  layer: 'message' | 'wire' | 'encoded';
  assert: string | null;
  expect: null | { result: string; attributes?: Record<string, unknown>; frame_hex?: string; wire_hex?: string; [k: string]: unknown };
  context?: { device_model?: string };
  family: string;
  decoded?: any;
}

export function loadFrames(): VectorEntry[] {
  return JSON.parse(readFileSync(join(here, '../../fixtures/protocols/jt808/frames.json'), 'utf8'));
}

export function loadOsmandRequests(): any[] {
  return JSON.parse(readFileSync(join(here, '../../fixtures/protocols/osmand/requests.json'), 'utf8'));
}

/** The bytes between the flags of a message-layer vector (its wire form un-escaped where noted). */
export function innerOf(entry: VectorEntry): Buffer {
  const hex: string = entry.decoded?.unescaped_hex ?? entry.input;
  const buf = Buffer.from(hex, 'hex');
  return buf.subarray(1, buf.length - 1);
}

/** Decodes every frame a server sent, through our own framer and decoder. */
export function decodeSent(frames: Buffer[]): Jt808Message[] {
  const framer = new Jt808Framer();
  const out: Jt808Message[] = [];
  for (const wire of frames) {
    for (const frame of framer.push(wire)) {
      if (frame.kind !== 'binary') throw new Error(`server sent an unusable frame: ${frame.kind}`);
      const r = decodeMessage(frame.payload);
      if (!r.ok) throw new Error(`server sent a frame our decoder rejects: ${r.reason}`);
      out.push(r.message);
    }
  }
  return out;
}

export function generalReplyOf(message: Jt808Message) {
  expectMsg(message, 0x8001);
  return decodeGeneralReply(message.body)!;
}

export function expectMsg(message: Jt808Message, msgId: number): void {
  if (message.header.msgId !== msgId) {
    throw new Error(`expected 0x${msgId.toString(16)}, got 0x${message.header.msgId.toString(16)}`);
  }
}

/** In-memory directory: known terminals, issued codes. */
export class FakeDirectory implements TerminalDirectory {
  readonly codes = new Map<string, string>();
  lookups = 0;
  constructor(readonly known: Record<string, { vehicleId: string; model?: string }>) {}
  async findByTerminalId(id: string) {
    this.lookups++;
    return this.known[id] ?? null;
  }
  async issueAuthCode(id: string) {
    const code = `code-${id}`;
    this.codes.set(id, code);
    return code;
  }
  async checkAuthCode(id: string, code: string) {
    return this.codes.get(id) === code;
  }
}

/** A sink whose commits the test controls: each submit waits until released (or fails). */
export class ControlledSink implements FixSink {
  readonly committed: Fix[] = [];
  readonly waiting: Array<{ fixes: Fix[]; resolve: () => void; reject: (e: Error) => void }> = [];
  auto = true;
  failNext = 0;
  submit(fixes: Fix[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('database down'));
    }
    if (this.auto) {
      this.committed.push(...fixes);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({
        fixes,
        resolve: () => {
          this.committed.push(...fixes);
          resolve();
        },
        reject,
      });
    });
  }
  releaseAll(): void {
    for (const w of this.waiting.splice(0)) w.resolve();
  }
}

export const TERMINAL = '13800138000';
export const ADDRESS_2013 = { phoneField: Buffer.from('013800138000', 'hex'), is2019: false };
export const ADDRESS_2019 = { phoneField: Buffer.from('00000000013800138000', 'hex'), is2019: true, protocolVersion: 1 };

/** A real pino logger writing JSON lines into memory, so tests read what an operator would. */
export function captureLog() {
  const lines: Array<Record<string, any>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, warnings: () => lines.filter((l) => l.level === 40) };
}

/** A session wired to in-memory fakes that records everything it sends and logs. */
export function makeSession(overrides: Partial<Jt808SessionOptions> = {}) {
  const directory = new FakeDirectory({ [TERMINAL]: { vehicleId: 'truck-7', model: 'TEST-1' } });
  const sink = new ControlledSink();
  const sent: Buffer[] = [];
  const log = captureLog();
  const session = new Jt808Session({ directory, sink, send: (f) => sent.push(f), logger: log.logger, ...overrides });
  let serial = 0;
  /** Sends a terminal message (2013 header unless given) and returns what the server answered. */
  async function send(msgId: number, body: Buffer, address: { phoneField: Buffer; is2019: boolean; protocolVersion?: number } = ADDRESS_2013) {
    const before = sent.length;
    await session.feed(encodeFrame(msgId, address, serial++, body));
    return decodeSent(sent.slice(before));
  }
  return { session, directory, sink, sent, send, log, nextSerial: () => serial };
}
