import net from 'node:net';
import iconv from 'iconv-lite';
import {
  addressFor, authBody, batchBody, decodeGeneralReply, decodeMessage, encodeFrame, Jt808Framer, locationBody, MsgId,
  registerBody, terminalGeneralReplyBody,
  type FrameAddress, type GeneralReply, type Jt808Message, type LocationInput, type RegisterInput,
} from '../src/ingest/jt808/index.js';

/**
 * A simulated JT/T 808 terminal on a real TCP socket: the device side of the protocol,
 * built from the codec's own terminal encoders. Tests, the ingest benchmark (and the fleet
 * simulator to come) use it to speak to the service exactly as a truck would; it lives with
 * the simulations, so the benchmark needs nothing from test/.
 */
export interface SimTerminalOptions {
  host?: string;
  is2019?: boolean;
  /** Result the terminal answers a platform text (0x8300) with; default 0 = shown. */
  textResult?: number;
  /** Called for every 0x8001 that arrives (the benchmark times acks here). */
  onAck?: (reply: GeneralReply) => void;
}

export interface RegisterOutcome {
  result: number;
  authCode?: string;
}

interface AckWaiter {
  resolve: (reply: GeneralReply) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SimTerminal {
  readonly address: FrameAddress;
  /** Texts the platform sent (0x8300), in arrival order. */
  readonly texts: string[] = [];
  /** Every frame the platform sent, decoded. */
  readonly received: Jt808Message[] = [];
  closed = false;
  private serial = 0;
  private readonly framer = new Jt808Framer();
  /** Acks that arrived, keyed by "msgId:serial" (the platform answers each frame once). */
  private readonly acks = new Map<string, GeneralReply>();
  private readonly ackWaiters = new Map<string, AckWaiter>();
  private readonly frameWaiters: Array<{ match: (m: Jt808Message) => boolean; resolve: (m: Jt808Message) => void }> = [];
  /** Set false when the test wants only counters, not every frame kept (long benchmark runs). */
  keepFrames = true;
  /** Set false when acks are consumed through onAck only (ack() then cannot see them). */
  trackAcks = true;

  private constructor(readonly socket: net.Socket, readonly terminalId: string, private readonly options: SimTerminalOptions) {
    this.address = addressFor(terminalId, options.is2019 ?? false);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => undefined);
  }

  static connect(port: number, terminalId: string, options: SimTerminalOptions = {}): Promise<SimTerminal> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, options.host ?? '127.0.0.1');
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new SimTerminal(socket, terminalId, options));
      });
    });
  }

  /** Writes one frame; returns the serial used (the next one unless given). */
  send(msgId: number, body: Uint8Array, serial?: number): number {
    const s = serial ?? this.serial;
    this.serial = (s + 1) & 0xffff;
    this.socket.write(encodeFrame(msgId, this.address, s, body));
    return s;
  }

  sendLocation(fix: LocationInput, serial?: number): number {
    return this.send(MsgId.location, locationBody(fix), serial);
  }

  /** 0x0704: batch type 1 is a blind-area re-upload. */
  sendBatch(fixes: readonly LocationInput[], batchType: 0 | 1 = 1, serial?: number): number {
    return this.send(MsgId.locationBatch, batchBody(batchType, fixes.map((f) => locationBody(f))), serial);
  }

  /** The platform's 0x8001 for one of our frames. */
  ack(serial: number, msgId: number = MsgId.location, timeoutMs = 5000): Promise<GeneralReply> {
    const key = `${msgId}:${serial}`;
    const got = this.acks.get(key);
    if (got) return Promise.resolve(got);
    if (this.closed) return Promise.reject(new Error(`terminal ${this.terminalId}: connection closed before ack of ${serial}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.ackWaiters.delete(key);
        reject(new Error(`terminal ${this.terminalId}: no 0x8001 for 0x${msgId.toString(16)} serial ${serial} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.ackWaiters.set(key, { resolve, reject, timer });
    });
  }

  /** Whether the platform has acknowledged this frame yet (no waiting). */
  acked(serial: number, msgId: number = MsgId.location): GeneralReply | undefined {
    return this.acks.get(`${msgId}:${serial}`);
  }

  /** 0x0100 → 0x8100: result 0 carries the auth code. */
  async register(input: RegisterInput = { terminalModel: 'SIM-1' }, timeoutMs = 5000): Promise<RegisterOutcome> {
    const serial = this.send(MsgId.register, registerBody(input, this.options.is2019 ?? false));
    const reply = await this.waitFor((m) => m.header.msgId === MsgId.registerReply && m.body.readUInt16BE(0) === serial, timeoutMs);
    const result = reply.body[2]!;
    return result === 0 ? { result, authCode: iconv.decode(reply.body.subarray(3), 'gbk') } : { result };
  }

  /** 0x0102 → 0x8001; result 0 = authenticated. */
  async authenticate(code: string): Promise<number> {
    const serial = this.send(MsgId.authenticate, authBody(code, this.options.is2019 ?? false));
    return (await this.ack(serial, MsgId.authenticate)).result;
  }

  /** Registers and authenticates with the issued code; throws if either is refused. */
  async login(): Promise<void> {
    const reg = await this.register();
    if (reg.result !== 0 || reg.authCode === undefined) throw new Error(`terminal ${this.terminalId}: registration refused (${reg.result})`);
    const auth = await this.authenticate(reg.authCode);
    if (auth !== 0) throw new Error(`terminal ${this.terminalId}: authentication refused (${auth})`);
  }

  waitFor(match: (m: Jt808Message) => boolean, timeoutMs = 5000): Promise<Jt808Message> {
    const hit = this.received.find(match);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Jt808Message) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.frameWaiters.splice(this.frameWaiters.indexOf(waiter), 1);
        reject(new Error(`terminal ${this.terminalId}: awaited frame did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.frameWaiters.push(waiter);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk)) {
      if (frame.kind !== 'binary') continue;
      const decoded = decodeMessage(frame.payload);
      if (!decoded.ok) continue;
      this.onMessage(decoded.message);
    }
  }

  private onMessage(message: Jt808Message): void {
    const { header, body } = message;
    if (header.msgId === MsgId.platformGeneralReply) {
      const reply = decodeGeneralReply(body);
      if (reply) {
        const key = `${reply.replyMsgId}:${reply.replySerial}`;
        if (this.trackAcks) this.acks.set(key, reply);
        this.options.onAck?.(reply);
        const waiter = this.ackWaiters.get(key);
        if (waiter) {
          this.ackWaiters.delete(key);
          clearTimeout(waiter.timer);
          waiter.resolve(reply);
        }
      }
    } else if (header.msgId === MsgId.textMessage) {
      // 0x8300 body: flag byte [+ text type in 2019] + GBK text.
      this.texts.push(iconv.decode(body.subarray(header.is2019 ? 2 : 1), 'gbk'));
      this.send(MsgId.terminalGeneralReply, terminalGeneralReplyBody(header.serial, header.msgId, this.options.textResult ?? 0));
    }
    if (this.keepFrames || header.msgId !== MsgId.platformGeneralReply) this.received.push(message);
    for (let i = this.frameWaiters.length - 1; i >= 0; i--) {
      const w = this.frameWaiters[i]!;
      if (w.match(message)) {
        this.frameWaiters.splice(i, 1);
        w.resolve(message);
      }
    }
  }

  private onClose(): void {
    this.closed = true;
    for (const [key, w] of this.ackWaiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`terminal ${this.terminalId}: connection closed before ack ${key}`));
    }
    this.ackWaiters.clear();
  }
}
