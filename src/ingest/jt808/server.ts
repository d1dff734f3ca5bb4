import net from 'node:net';
import type { Fix } from '../../domain/fix.js';
import type { GeneralReply } from './bodies.js';
import type { TerminalParameter, TextMessageOptions } from './encode.js';
import type { TerminalProfiles } from './profile.js';
import type { ReassemblyOptions } from './reassembly.js';
import { Jt808Session, type FixSink, type Jt808Logger, type Jt808SessionEvent, type TerminalDirectory } from './session.js';

export interface Jt808ServerOptions {
  directory: TerminalDirectory;
  sink: FixSink;
  /** Default 5015, Traccar's JT808 port; 0 picks a free port (tests). */
  port?: number;
  host?: string;
  profiles?: TerminalProfiles;
  trustKnownTerminals?: boolean;
  /** Pause reading a connection while more fixes than this await their commit. */
  maxUnackedFixes?: number;
  /** Pause reading while more frames than this wait to be handled (heartbeat floods). */
  maxQueuedFrames?: number;
  /** Close a connection silent for this long (terminals heartbeat every 30-60 s). */
  idleTimeoutMs?: number;
  maxProtocolErrors?: number;
  commandTimeoutMs?: number;
  reassembly?: ReassemblyOptions;
  maxConnections?: number;
  /** Sessions log handler exceptions and sink failures here at warn. */
  logger?: Jt808Logger;
  onEvent?: (event: Jt808SessionEvent & { remote: string }) => void;
}

interface Connection {
  socket: net.Socket;
  session: Jt808Session;
  paused: boolean;
  /** socket.bytesRead when reading was last paused (observability and tests). */
  bytesReadAtPause: number;
}

/**
 * JT/T 808 over TCP. Each connection gets a Jt808Session; the registry maps terminal ids to
 * their live connection so the platform can push text (0x8300) or query a position (0x8201).
 */
export class Jt808Server {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly byTerminal = new Map<string, Connection>();
  private readonly maxUnackedFixes: number;
  private readonly maxQueuedFrames: number;
  /** Times a connection was paused for backpressure (observability and tests). */
  pauses = 0;

  constructor(private readonly options: Jt808ServerOptions) {
    this.maxUnackedFixes = options.maxUnackedFixes ?? 500;
    this.maxQueuedFrames = options.maxQueuedFrames ?? 1000;
    this.server = net.createServer((socket) => this.accept(socket));
    if (options.maxConnections !== undefined) this.server.maxConnections = options.maxConnections;
  }

  listen(): Promise<{ port: number; host: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 5015, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        const addr = this.server.address() as net.AddressInfo;
        resolve({ port: addr.port, host: addr.address });
      });
    });
  }

  /** Stops accepting, closes every connection and fails their outstanding commands. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.connections) conn.socket.destroy();
    await closed;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  isOnline(terminalId: string): boolean {
    return this.byTerminal.has(terminalId);
  }

  onlineTerminals(): string[] {
    return [...this.byTerminal.keys()];
  }

  /** Rejects when the terminal is offline, the text does not fit, or the terminal does not answer. */
  async sendText(terminalId: string, text: string, options?: TextMessageOptions): Promise<GeneralReply> {
    return this.sessionOf(terminalId).sendText(text, options);
  }

  async queryPosition(terminalId: string): Promise<Fix> {
    return this.sessionOf(terminalId).queryPosition();
  }

  async setParameters(terminalId: string, params: readonly TerminalParameter[]): Promise<GeneralReply> {
    return this.sessionOf(terminalId).setParameters(params);
  }

  private sessionOf(terminalId: string): Jt808Session {
    const conn = this.byTerminal.get(terminalId);
    if (!conn) throw new Error(`terminal ${terminalId} is not connected`);
    return conn.session;
  }

  private accept(socket: net.Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const onEvent = this.options.onEvent;
    const conn: Connection = { socket, paused: false, bytesReadAtPause: 0, session: undefined as unknown as Jt808Session };
    conn.session = new Jt808Session({
      directory: this.options.directory,
      sink: this.options.sink,
      profiles: this.options.profiles,
      trustKnownTerminals: this.options.trustKnownTerminals,
      maxProtocolErrors: this.options.maxProtocolErrors,
      commandTimeoutMs: this.options.commandTimeoutMs,
      reassembly: this.options.reassembly,
      logger: this.options.logger,
      send: (frame) => {
        if (!socket.destroyed) socket.write(frame);
      },
      onEvent: (event) => {
        if (event.type === 'authenticated' && event.accepted) this.register(event.terminalId, conn);
        if (event.type === 'fixes') this.register(event.terminalId, conn);
        onEvent?.({ ...event, remote });
      },
      onAcked: () => this.maybeResume(conn),
    });
    this.connections.add(conn);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs ?? 180_000);
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.connections.delete(conn);
      const id = conn.session.terminalId;
      if (id !== undefined && this.byTerminal.get(id) === conn) this.byTerminal.delete(id);
      conn.session.close();
    });
    socket.on('data', (chunk: Buffer) => {
      const session = conn.session;
      // The session catches per-frame failures itself; this guards the framer call.
      let done: Promise<void>;
      try {
        done = session.feed(chunk);
      } catch {
        socket.destroy();
        return;
      }
      // What a pause promises: the session is fed only from here, so it holds at most the bound
      // plus what this one read completed; the paused socket buffers at most one more read
      // (< readableHighWaterMark + 64 KiB, libuv's read size) and then stops reading the kernel,
      // so TCP flow control holds the rest back in the terminal.
      if (session.unackedFixes > this.maxUnackedFixes || session.queuedFrames > this.maxQueuedFrames) {
        if (!conn.paused) {
          conn.paused = true;
          conn.bytesReadAtPause = socket.bytesRead;
          this.pauses++;
          socket.pause();
        }
      }
      void done.then(() => {
        if (session.shouldClose) socket.end();
        this.maybeResume(conn);
      });
    });
  }

  private register(terminalId: string, conn: Connection): void {
    const existing = this.byTerminal.get(terminalId);
    if (existing === conn) return;
    // A terminal that reconnects replaces its stale connection.
    if (existing) existing.socket.destroy();
    this.byTerminal.set(terminalId, conn);
  }

  private maybeResume(conn: Connection): void {
    if (!conn.paused) return;
    const s = conn.session;
    // Resume at half the bound so a busy terminal does not flap between paused and flowing.
    if (s.unackedFixes <= this.maxUnackedFixes / 2 && s.queuedFrames <= this.maxQueuedFrames / 2) {
      conn.paused = false;
      if (!conn.socket.destroyed) conn.socket.resume();
    }
  }
}
