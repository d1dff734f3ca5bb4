import pino from 'pino';
import type { Fix } from '../../domain/fix.js';
import { decodeAuth, decodeBatch, decodeGeneralReply, decodeRegister, type GeneralReply } from './bodies.js';
import { GeneralResult, MsgId, RegisterResult, type GeneralResultCode } from './constants.js';
import {
  encodeFrame,
  platformGeneralReplyBody,
  registerReplyBody,
  setParametersBody,
  textMessageBody,
  type FrameAddress,
  type TerminalParameter,
  type TextMessageOptions,
} from './encode.js';
import { Jt808Framer, type Jt808Frame } from './framer.js';
import { decodeLocation } from './location.js';
import { decodeMessage, type Jt808Header, type Jt808Message } from './message.js';
import { DEFAULT_TERMINAL_PROFILE, TerminalProfiles, type TerminalModelProfile } from './profile.js';
import { SubpackageAssembler, type ReassemblyOptions } from './reassembly.js';

/** The vehicle registry as the session needs it; the store implements it. */
export interface TerminalDirectory {
  findByTerminalId(terminalId: string): Promise<{ vehicleId: string; model?: string } | null>;
  issueAuthCode(terminalId: string): Promise<string>;
  checkAuthCode(terminalId: string, code: string): Promise<boolean>;
}

/** Where decoded fixes go. submit() resolves only once the fixes are durably committed. */
export interface FixSink {
  submit(fixes: Fix[]): Promise<void>;
}

export type RejectReason =
  | 'escape' | 'oversize' | 'short' | 'checksum' | 'length' | 'encrypted' | 'packet'
  | 'location' | 'unauthenticated' | 'foreignTerminal' | 'sinkFailed' | 'reassembly' | 'internal';

export type Jt808SessionEvent =
  | { type: 'registered'; terminalId: string; accepted: boolean }
  | { type: 'authenticated'; terminalId: string; accepted: boolean }
  | { type: 'fixes'; terminalId: string; count: number }
  | { type: 'rejected'; reason: RejectReason; terminalId?: string; msgId?: number }
  | { type: 'unsupported'; terminalId: string; msgId: number }
  | { type: 'vendor'; detail: string }
  | { type: 'logout'; terminalId: string };

/** Where the session reports failures it answers for (pino's Logger fits). */
export interface Jt808Logger {
  warn(details: object, message: string): void;
}

/** Used when the owner gives no logger: failures still reach a log, never vanish. */
const defaultLogger: Jt808Logger = pino({ level: 'warn', base: { component: 'jt808' } });

/** At most one sink-failure warning per session per this long (a store that is down fails every frame). */
const SINK_WARN_INTERVAL_MS = 10_000;

export interface Jt808SessionOptions {
  directory: TerminalDirectory;
  sink: FixSink;
  /** Writes a frame to the terminal (the server passes socket.write). */
  send: (frame: Buffer) => void;
  profiles?: TerminalProfiles;
  /**
   * Trust a terminal id the directory knows: accept its positions even if it never authenticated
   * on this connection, and accept its 0x0102 whatever the code. Off by default: a terminal must
   * send 0x0102 with a code our directory accepts (normally the one issued in 0x8100). Turn on
   * for fleets of Traccar-style trackers that skip registration or use a fixed auth string.
   */
  trustKnownTerminals?: boolean;
  /** Protocol errors tolerated on one connection before shouldClose turns true. */
  maxProtocolErrors?: number;
  /** How long sendText / queryPosition / setParameters wait for the terminal's answer. */
  commandTimeoutMs?: number;
  reassembly?: ReassemblyOptions;
  now?: () => number;
  /** Handler exceptions and sink failures are logged here at warn, with their cause. */
  logger?: Jt808Logger;
  onEvent?: (event: Jt808SessionEvent) => void;
  /** Called whenever unackedFixes decreases, so the server can resume a paused socket. */
  onAcked?: () => void;
  /**
   * Location frames queued back to back are handled as one run: submitted to the sink together
   * (one group commit) and acknowledged together in one write. A run stops before the frame
   * that would take its fixes beyond this (a run always takes at least one frame).
   */
  maxRunFixes?: number;
}

/** A frame cut from the stream, waiting its turn, with the fixes it counts for backpressure. */
interface QueuedFrame {
  frame: Jt808Frame;
  fixes: number;
}

/** The commit half of a location frame: settles once its fixes are committed (or refused) and its answer is written to its slot. */
interface PendingAnswer {
  done: Promise<void>;
}

interface PendingCommand {
  msgId: number;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Ids that need no answer from us, or that we accept and acknowledge without using them. */
const NO_REPLY = new Set<number>([MsgId.terminalGeneralReply, MsgId.positionQueryReply, 0x0104, 0x0107]);
const ACK_ONLY = new Set<number>([0x0900, 0x0701, 0x0702, 0x0108, 0x0800, 0x0801]);

/**
 * One terminal connection's protocol state, independent of sockets: bytes go in through feed(),
 * frames come out through options.send. Frames are handled strictly in arrival order; a location
 * is acknowledged with 0x8001 only after the sink has committed it.
 *
 * Frames wait in an inbox and are handled in runs. A run is one frame, or the location frames
 * (0x0200, 0x0704) queued back to back at the head of the inbox (up to maxRunFixes): each is
 * decoded and checked in order and submitted to the sink without waiting for the previous one's
 * commit, so a run's fixes join one group commit; every answer of the run is written, in frame
 * order, in ONE socket write once the last of its commits has settled. One submission per frame
 * keeps each frame's outcome its own (a refused frame is answered result 1, the others 0).
 */
export class Jt808Session {
  private readonly framer = new Jt808Framer();
  private readonly assembler: SubpackageAssembler;
  private readonly profiles: TerminalProfiles;
  private readonly maxProtocolErrors: number;
  private readonly commandTimeoutMs: number;
  private readonly now: () => number;
  private readonly inbox: QueuedFrame[] = [];
  private pumping = false;
  private pumpDone: Promise<void> = Promise.resolve();
  /** Answers of the frame being handled go here, to be written with the rest of its run. */
  private slot: Buffer[] | undefined;
  private readonly maxRunFixes: number;
  private platformSerial = 0;
  private address: FrameAddress | undefined;
  private readonly pending = new Map<number, PendingCommand>();
  private profile: TerminalModelProfile = DEFAULT_TERMINAL_PROFILE;
  private unknownUntilMs = 0;
  private readonly logger: Jt808Logger;
  private sinkWarnAtMs = -Infinity;
  private sinkFailuresUnlogged = 0;

  terminalId: string | undefined;
  vehicleId: string | undefined;
  model: string | undefined;
  authenticated = false;
  /** Positions counted when their frame arrives and released when answered. */
  unackedFixes = 0;
  queuedFrames = 0;
  protocolErrors = 0;
  /** Logout received, or too many protocol errors: the owner should close the connection. */
  shouldClose = false;
  closed = false;

  constructor(private readonly options: Jt808SessionOptions) {
    this.assembler = new SubpackageAssembler(options.reassembly);
    this.profiles = options.profiles ?? new TerminalProfiles();
    this.maxProtocolErrors = options.maxProtocolErrors ?? 20;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? defaultLogger;
    this.maxRunFixes = options.maxRunFixes ?? 100;
  }

  /** Feeds raw TCP bytes; resolves when every frame they completed has been handled. */
  feed(chunk: Uint8Array): Promise<void> {
    if (this.closed) return this.pumpDone;
    let frames: Jt808Frame[];
    try {
      frames = this.framer.push(chunk);
    } catch {
      frames = [{ kind: 'invalid', reason: 'oversize' }];
    }
    for (const frame of frames) {
      const fixes = frame.kind === 'binary' ? estimateFixes(frame.payload) : 0;
      this.unackedFixes += fixes;
      this.queuedFrames++;
      this.inbox.push({ frame, fixes });
    }
    if (!this.pumping && this.inbox.length > 0) {
      this.pumping = true;
      this.pumpDone = this.pump();
    }
    return this.pumpDone;
  }

  /** Resolves once every frame fed so far has been handled. */
  idle(): Promise<void> {
    return this.pumpDone;
  }

  /** Sends a 0x8300 text; resolves with the terminal's 0x0001 reply (result 0 = shown). */
  async sendText(text: string, options: TextMessageOptions = {}): Promise<GeneralReply> {
    const address = this.requireAddress();
    return this.command(MsgId.textMessage, textMessageBody(text, address.is2019, options));
  }

  /** Sends 0x8103; resolves with the terminal's 0x0001 reply. */
  async setParameters(params: readonly TerminalParameter[]): Promise<GeneralReply> {
    return this.command(MsgId.setParameters, setParametersBody(params));
  }

  /** Sends 0x8201; resolves with the position from the terminal's 0x0201 answer. */
  async queryPosition(): Promise<Fix> {
    return this.command(MsgId.positionQuery, Buffer.alloc(0));
  }

  /** Fails every outstanding command; further input is ignored. */
  close(reason = 'connection closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const [serial, cmd] of this.pending) {
      clearTimeout(cmd.timer);
      this.pending.delete(serial);
      cmd.reject(new Error(reason));
    }
  }

  get pendingCommands(): number {
    return this.pending.size;
  }

  get reassemblyBytes(): number {
    return this.assembler.pendingBytes;
  }

  // ---- internals ----

  private async command<T>(msgId: number, body: Buffer): Promise<T> {
    if (this.closed) throw new Error('session closed');
    const address = this.requireAddress();
    const serial = this.nextSerial();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(serial);
        reject(new Error(`terminal ${this.terminalId} did not answer 0x${msgId.toString(16)} within ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      timer.unref?.();
      this.pending.set(serial, { msgId, resolve: resolve as (v: never) => void, reject, timer });
      this.options.send(encodeFrame(msgId, address, serial, body));
    });
  }

  private requireAddress(): FrameAddress {
    if (!this.address) throw new Error('terminal has not identified itself on this connection yet');
    return this.address;
  }

  private nextSerial(): number {
    const serial = this.platformSerial;
    this.platformSerial = (this.platformSerial + 1) & 0xffff;
    return serial;
  }

  private emit(event: Jt808SessionEvent): void {
    this.options.onEvent?.(event);
  }

  /** Handles the inbox run by run until it is empty; `pumping` drops in the same turn as the last check. */
  private async pump(): Promise<void> {
    try {
      while (this.inbox.length > 0) {
        const run = this.takeRun();
        try {
          await this.handleRun(run);
        } catch (err) {
          // handleRun guards every frame; this is a last resort so the loop and its counters survive.
          this.logger.warn({ err, terminalId: this.terminalId }, `jt808 run failed: ${(err as Error)?.message ?? String(err)}`);
        } finally {
          let released = 0;
          for (const item of run) released += item.fixes;
          this.queuedFrames -= run.length;
          if (released > 0) {
            this.unackedFixes -= released;
            this.options.onAcked?.();
          }
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The head frame, plus the location frames right behind it when it is one (up to maxRunFixes). */
  private takeRun(): QueuedFrame[] {
    const run = [this.inbox.shift()!];
    if (!isLocationFrame(run[0]!.frame)) return run;
    let fixes = run[0]!.fixes;
    while (this.inbox.length > 0 && isLocationFrame(this.inbox[0]!.frame) && fixes + this.inbox[0]!.fixes <= this.maxRunFixes) {
      const next = this.inbox.shift()!;
      fixes += next.fixes;
      run.push(next);
    }
    return run;
  }

  /**
   * Handles a run: frames strictly in order, each answering into its own slot; a location frame's
   * commit half is left running while the next frame is handled. Once every commit of the run
   * has settled, all answers go out in frame order in one write.
   */
  private async handleRun(run: readonly QueuedFrame[]): Promise<void> {
    const slots: Buffer[][] = [];
    const commits: Array<Promise<void>> = [];
    for (const { frame } of run) {
      const slot: Buffer[] = [];
      slots.push(slot);
      this.slot = slot;
      try {
        const pending = await this.handleFrame(frame);
        if (pending) commits.push(pending.done.catch((err: unknown) => this.handlerFailed(frame, err, slot)));
      } catch (err) {
        this.handlerFailed(frame, err, slot);
      } finally {
        this.slot = undefined;
      }
    }
    if (commits.length > 0) await Promise.all(commits);
    const answers = slots.flat();
    if (answers.length > 0 && !this.closed) this.options.send(answers.length === 1 ? answers[0]! : Buffer.concat(answers));
  }

  private protocolError(reason: RejectReason, header?: Jt808Header): void {
    this.protocolErrors++;
    this.emit({ type: 'rejected', reason, terminalId: header?.terminalId, msgId: header?.msgId });
    if (this.protocolErrors >= this.maxProtocolErrors) this.shouldClose = true;
  }

  /**
   * A frame's handler threw (a directory or store call that failed, a bug): counted as an
   * 'internal' reject, logged at warn with its cause, and answered with result 1 (failure) when
   * the frame expects an answer and got none, so the terminal retries.
   */
  private handlerFailed(frame: Jt808Frame, err: unknown, slot: Buffer[]): void {
    const decoded = frame.kind === 'binary' ? decodeMessage(frame.payload) : undefined;
    const header = decoded ? (decoded.ok ? decoded.message.header : decoded.header) : undefined;
    this.protocolError('internal', header);
    const answer = header !== undefined && !isVendorId(header.msgId) && !NO_REPLY.has(header.msgId) && slot.length === 0;
    this.logger.warn(
      { err, terminalId: header?.terminalId ?? this.terminalId, msgId: header?.msgId, serial: header?.serial, answeredFailure: answer },
      `jt808 handler failed${header ? ` on 0x${header.msgId.toString(16).padStart(4, '0')}` : ''}: ${(err as Error)?.message ?? String(err)}`,
    );
    if (answer) this.reply(header, GeneralResult.failure, slot);
  }

  /** A sink that refuses is answered with result 1 each time; the log gets the cause, throttled per session. */
  private sinkFailed(err: unknown, header: Jt808Header, fixes: number): void {
    const nowMs = this.now();
    this.sinkFailuresUnlogged++;
    if (nowMs - this.sinkWarnAtMs < SINK_WARN_INTERVAL_MS) return;
    this.logger.warn(
      { err, terminalId: header.terminalId, msgId: header.msgId, serial: header.serial, fixes, failuresSinceLastLog: this.sinkFailuresUnlogged },
      `jt808 fixes not committed, answered result 1: ${(err as Error)?.message ?? String(err)}`,
    );
    this.sinkWarnAtMs = nowMs;
    this.sinkFailuresUnlogged = 0;
  }

  /** An answer to a terminal frame: into the slot of the frame being handled (written with its run). */
  private answer(frame: Buffer, slot: Buffer[] | undefined = this.slot): void {
    if (this.closed) return;
    if (slot) slot.push(frame);
    else this.options.send(frame);
  }

  private reply(header: Jt808Header, result: GeneralResultCode, slot: Buffer[] | undefined = this.slot): void {
    if (this.closed) return;
    const address: FrameAddress = {
      phoneField: header.phoneField,
      is2019: header.is2019,
      protocolVersion: header.protocolVersion,
    };
    this.answer(
      encodeFrame(MsgId.platformGeneralReply, address, this.nextSerial(), platformGeneralReplyBody(header.serial, header.msgId, result)),
      slot,
    );
  }

  private async handleFrame(frame: Jt808Frame): Promise<PendingAnswer | void> {
    if (this.closed) return;
    if (frame.kind === 'text') {
      this.emit({ type: 'vendor', detail: 'text sentence' });
      return;
    }
    if (frame.kind === 'invalid') {
      this.protocolError(frame.reason);
      return;
    }
    const decoded = decodeMessage(frame.payload);
    if (!decoded.ok) {
      this.protocolError(decoded.reason, decoded.header);
      // Only a header we could read is worth answering: the terminal can then resend.
      if (decoded.header && !isVendorId(decoded.header.msgId)) {
        this.reply(decoded.header, decoded.reason === 'encrypted' ? GeneralResult.unsupported : GeneralResult.badMessage);
      }
      return;
    }
    let message = decoded.message;
    const header = message.header;
    if (isVendorId(header.msgId)) {
      this.emit({ type: 'vendor', detail: `message 0x${header.msgId.toString(16)}` });
      return;
    }
    if (this.terminalId !== undefined && header.terminalId !== this.terminalId) {
      this.protocolError('foreignTerminal', header);
      this.reply(header, GeneralResult.failure);
      return;
    }
    this.terminalId = header.terminalId;
    this.address = { phoneField: header.phoneField, is2019: header.is2019, protocolVersion: header.protocolVersion };

    if (header.subpackage) {
      const part = this.assembler.push(header, message.body, this.now());
      if (part.status === 'rejected') {
        this.protocolError('reassembly', header);
        this.reply(header, GeneralResult.failure);
        return;
      }
      if (part.status === 'incomplete') {
        // Buffered, not yet used: acknowledge the packet so the terminal sends the next one.
        this.reply(header, GeneralResult.ok);
        return;
      }
      message = { header, body: part.body };
    }
    return this.handleMessage(message);
  }

  private async handleMessage(message: Jt808Message): Promise<PendingAnswer | void> {
    const { header, body } = message;
    switch (header.msgId) {
      case MsgId.register:
        return this.handleRegister(header, body);
      case MsgId.authenticate:
        return this.handleAuthenticate(header, body);
      case MsgId.heartbeat:
        this.reply(header, GeneralResult.ok);
        return;
      case MsgId.logout:
        this.reply(header, GeneralResult.ok);
        this.authenticated = false;
        this.shouldClose = true;
        this.emit({ type: 'logout', terminalId: header.terminalId });
        return;
      case MsgId.location:
      case MsgId.locationBatch:
      case MsgId.positionQueryReply:
        return this.handleLocations(header, body);
      case MsgId.terminalGeneralReply:
        return this.handleTerminalReply(body);
      default:
        if (ACK_ONLY.has(header.msgId)) this.reply(header, GeneralResult.ok);
        else if (!NO_REPLY.has(header.msgId)) {
          this.emit({ type: 'unsupported', terminalId: header.terminalId, msgId: header.msgId });
          this.reply(header, GeneralResult.unsupported);
        }
    }
  }

  private async handleRegister(header: Jt808Header, body: Buffer): Promise<void> {
    const registration = decodeRegister(body, header.is2019);
    const known = await this.options.directory.findByTerminalId(header.terminalId);
    const address: FrameAddress = { phoneField: header.phoneField, is2019: header.is2019, protocolVersion: header.protocolVersion };
    let replyBody: Buffer;
    if (!known) {
      replyBody = registerReplyBody(header.serial, RegisterResult.terminalNotInDatabase);
    } else {
      const code = await this.options.directory.issueAuthCode(header.terminalId);
      this.model = known.model ?? registration?.terminalModel ?? this.model;
      replyBody = registerReplyBody(header.serial, RegisterResult.ok, code);
    }
    this.emit({ type: 'registered', terminalId: header.terminalId, accepted: known !== null });
    if (!this.closed) this.answer(encodeFrame(MsgId.registerReply, address, this.nextSerial(), replyBody));
  }

  private async handleAuthenticate(header: Jt808Header, body: Buffer): Promise<void> {
    const auth = decodeAuth(body, header.is2019);
    const known = await this.options.directory.findByTerminalId(header.terminalId);
    // Trusted mode also accepts codes we never issued: Traccar-style trackers authenticate with a
    // fixed string (e.g. "authentication") and would retry forever on a refusal.
    const accepted =
      known !== null &&
      (this.options.trustKnownTerminals === true || (await this.options.directory.checkAuthCode(header.terminalId, auth.code)));
    if (accepted) {
      this.bindVehicle(known);
      this.authenticated = true;
    }
    this.emit({ type: 'authenticated', terminalId: header.terminalId, accepted });
    this.reply(header, accepted ? GeneralResult.ok : GeneralResult.failure);
  }

  private bindVehicle(known: { vehicleId: string; model?: string }): void {
    this.vehicleId = known.vehicleId;
    if (known.model !== undefined) this.model = known.model;
    this.profile = this.profiles.forModel(this.model);
  }

  private async isAuthorized(terminalId: string): Promise<boolean> {
    if (this.authenticated) return true;
    if (!this.options.trustKnownTerminals) return false;
    // An unknown terminal flooding positions costs one directory lookup per minute, not per frame.
    if (this.now() < this.unknownUntilMs) return false;
    const known = await this.options.directory.findByTerminalId(terminalId);
    if (!known) {
      this.unknownUntilMs = this.now() + 60_000;
      return false;
    }
    this.bindVehicle(known);
    this.authenticated = true;
    return true;
  }

  /**
   * Decodes, checks and submits a location frame's fixes; returns the commit half, which answers
   * (into this frame's slot) once the sink has committed or refused them.
   */
  private async handleLocations(header: Jt808Header, body: Buffer): Promise<PendingAnswer | void> {
    const slot = this.slot;
    const isQueryReply = header.msgId === MsgId.positionQueryReply;
    const fixes: Fix[] = [];
    let invalid = 0;
    if (header.msgId === MsgId.locationBatch) {
      const batch = decodeBatch(body);
      if (!batch || batch.truncated) invalid++;
      for (const [start, end] of batch?.items ?? []) {
        const r = decodeLocation(body, start, end, header.terminalId, this.profile);
        if (r.ok) {
          if (batch!.batchType === 1) r.fix.blindArea = true;
          fixes.push(r.fix);
        } else invalid++;
      }
    } else {
      const start = isQueryReply ? 2 : 0;
      const r = body.length >= start ? decodeLocation(body, start, body.length, header.terminalId, this.profile) : null;
      if (r?.ok) fixes.push(r.fix);
      else invalid++;
    }

    if (isQueryReply && body.length >= 2) {
      const querySerial = body.readUInt16BE(0);
      const cmd = this.pending.get(querySerial);
      if (cmd && cmd.msgId === MsgId.positionQuery) {
        this.pending.delete(querySerial);
        clearTimeout(cmd.timer);
        if (fixes.length > 0) (cmd.resolve as (f: Fix) => void)(fixes[0]);
        else cmd.reject(new Error('terminal answered the position query with an undecodable location'));
      }
    }

    if (!(await this.isAuthorized(header.terminalId))) {
      this.emit({ type: 'rejected', reason: 'unauthenticated', terminalId: header.terminalId, msgId: header.msgId });
      if (!isQueryReply) this.reply(header, GeneralResult.failure);
      return;
    }
    if (fixes.length === 0) {
      this.protocolError('location', header);
      if (!isQueryReply) this.reply(header, GeneralResult.badMessage);
      return;
    }
    if (invalid > 0) this.emit({ type: 'rejected', reason: 'location', terminalId: header.terminalId, msgId: header.msgId });
    let committed: Promise<void>;
    try {
      committed = this.options.sink.submit(fixes);
    } catch (err) {
      committed = Promise.reject(err);
    }
    const done = committed.then(
      () => {
        this.emit({ type: 'fixes', terminalId: header.terminalId, count: fixes.length });
        // Ack after commit: this answer exists only once the sink has made the fixes durable.
        if (!isQueryReply) this.reply(header, GeneralResult.ok, slot);
      },
      (err: unknown) => {
        this.sinkFailed(err, header, fixes.length);
        this.emit({ type: 'rejected', reason: 'sinkFailed', terminalId: header.terminalId, msgId: header.msgId });
        // Result 1 makes the terminal keep the points and resend them.
        if (!isQueryReply) this.reply(header, GeneralResult.failure, slot);
      },
    );
    return { done };
  }

  private handleTerminalReply(body: Buffer): void {
    const reply = decodeGeneralReply(body);
    if (!reply) {
      this.protocolError('short');
      return;
    }
    const cmd = this.pending.get(reply.replySerial);
    // A 0x0001 to a position query is only a receipt; the answer is the 0x0201.
    if (!cmd || cmd.msgId !== reply.replyMsgId || cmd.msgId === MsgId.positionQuery) return;
    this.pending.delete(reply.replySerial);
    clearTimeout(cmd.timer);
    (cmd.resolve as (r: GeneralReply) => void)(reply);
  }
}

/** 0x0200 / 0x0704 by a look at the raw frame: the frames a run may group. */
function isLocationFrame(frame: Jt808Frame): boolean {
  if (frame.kind !== 'binary' || frame.payload.length < 2) return false;
  const msgId = frame.payload.readUInt16BE(0);
  return msgId === MsgId.location || msgId === MsgId.locationBatch;
}

function isVendorId(msgId: number): boolean {
  return msgId === MsgId.jointechLocation || msgId === MsgId.jointechLocationBlind;
}

/** Cheap look at a raw frame: how many positions it will hand to the sink (for backpressure). */
function estimateFixes(payload: Buffer): number {
  if (payload.length < 13) return 0;
  const msgId = payload.readUInt16BE(0);
  if (msgId === MsgId.location || msgId === MsgId.positionQueryReply) return 1;
  if (msgId !== MsgId.locationBatch) return 0;
  const attr = payload.readUInt16BE(2);
  const bodyStart = 4 + (attr & 0x4000 ? 11 : 6) + 2 + (attr & 0x2000 ? 4 : 0);
  if (payload.length < bodyStart + 3) return 1;
  // The declared count is bounded by what the body can hold (each item is at least 2 + 28 bytes).
  return Math.max(1, Math.min(payload.readUInt16BE(bodyStart), Math.floor((payload.length - bodyStart) / 30)));
}
