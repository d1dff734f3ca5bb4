import net from 'node:net';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authBody, decodeGeneralReply, decodeMessage, encodeFrame, Jt808Framer, Jt808Server, locationBody, registerBody,
  terminalGeneralReplyBody, type Jt808Message,
} from '../../../src/ingest/jt808/index.js';
import { ADDRESS_2013, ControlledSink, FakeDirectory, TERMINAL } from './helpers.js';

const T0 = Date.UTC(2026, 10, 23, 1, 2, 3);

/** A fake terminal on a real TCP socket that collects decoded frames from the server. */
class TestTerminal {
  readonly socket: net.Socket;
  readonly received: Jt808Message[] = [];
  private readonly framer = new Jt808Framer();
  private waiters: Array<() => void> = [];
  closed = false;
  serial = 0;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk) => {
      for (const frame of this.framer.push(chunk)) {
        if (frame.kind !== 'binary') continue;
        const r = decodeMessage(frame.payload);
        if (r.ok) this.received.push(r.message);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('error', () => {});
  }

  ready(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  send(msgId: number, body: Buffer): number {
    const serial = this.serial++;
    this.socket.write(encodeFrame(msgId, ADDRESS_2013, serial, body));
    return serial;
  }

  async waitFor(predicate: (m: Jt808Message) => boolean, timeoutMs = 2000): Promise<Jt808Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(predicate);
      if (hit) return hit;
      if (this.closed || Date.now() > deadline) throw new Error('no such frame from server');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  ackFor(serial: number, msgId: number) {
    return this.waitFor((m) => m.header.msgId === 0x8001 && m.body.readUInt16BE(0) === serial && m.body.readUInt16BE(2) === msgId)
      .then((m) => decodeGeneralReply(m.body)!);
  }

  async login(): Promise<void> {
    const reg = this.send(0x0100, registerBody({ terminalModel: 'X1' }));
    const regReply = await this.waitFor((m) => m.header.msgId === 0x8100 && m.body.readUInt16BE(0) === reg);
    const auth = this.send(0x0102, authBody(regReply.body.subarray(3).toString('latin1')));
    expect((await this.ackFor(auth, 0x0102)).result).toBe(0);
  }
}

let server: Jt808Server | undefined;
const terminals: TestTerminal[] = [];

afterEach(async () => {
  for (const t of terminals.splice(0)) t.socket.destroy();
  await server?.close();
  server = undefined;
});

async function start(options: Partial<ConstructorParameters<typeof Jt808Server>[0]> = {}) {
  const sink = new ControlledSink();
  const directory = new FakeDirectory({ [TERMINAL]: { vehicleId: 'truck-7' } });
  server = new Jt808Server({ directory, sink, port: 0, host: '127.0.0.1', ...options });
  const { port } = await server.listen();
  const connect = async () => {
    const t = new TestTerminal(port);
    terminals.push(t);
    await t.ready();
    return t;
  };
  return { sink, directory, connect, server };
}

describe('Jt808Server over loopback TCP', () => {
  it('register → auth → location acked after commit → text round trip by terminal id', async () => {
    const { sink, connect, server: srv } = await start();
    const t = await connect();
    await t.login();
    const s = t.send(0x0200, locationBody({ fixTimeMs: T0, lat: 31.2, lon: 121.5, speedKmh: 30 }));
    expect((await t.ackFor(s, 0x0200)).result).toBe(0);
    expect(sink.committed.map((f) => [f.deviceId, f.speedKmh])).toEqual([[TERMINAL, 30]]);
    expect(srv.isOnline(TERMINAL)).toBe(true);

    const reply = srv.sendText(TERMINAL, '请到3号点');
    const text = await t.waitFor((m) => m.header.msgId === 0x8300);
    expect(iconv.decode(text.body.subarray(1), 'gbk')).toBe('请到3号点');
    t.send(0x0001, terminalGeneralReplyBody(text.header.serial, 0x8300, 0));
    await expect(reply).resolves.toMatchObject({ result: 0 });
  });

  it('pauses a connection whose un-acked fixes exceed the bound, and resumes when commits drain', async () => {
    const { sink, connect, server: srv } = await start({ maxUnackedFixes: 4 });
    const t = await connect();
    await t.login();
    sink.auto = false;
    const serials: number[] = [];
    for (let i = 0; i < 12; i++) serials.push(t.send(0x0200, locationBody({ fixTimeMs: T0 + i * 1000, lat: 31, lon: 121 })));
    // Wait until the server has read enough to pause.
    const deadline = Date.now() + 2000;
    while (srv.pauses === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(srv.pauses).toBeGreaterThan(0);
    expect(sink.committed.length).toBe(0);
    // Commit as they come: everything is eventually acked in order.
    const releaser = setInterval(() => sink.releaseAll(), 5);
    try {
      for (const s of serials) expect((await t.ackFor(s, 0x0200)).result).toBe(0);
    } finally {
      clearInterval(releaser);
    }
    expect(sink.committed.map((f) => f.fixTimeMs)).toEqual(serials.map((_, i) => T0 + i * 1000));
  });

  it('survives garbage and closes a connection after too many protocol errors', async () => {
    const { connect, server: srv } = await start({ maxProtocolErrors: 5 });
    const healthy = await connect();
    await healthy.login();
    const bad = await connect();
    for (let i = 0; i < 10; i++) bad.socket.write(Buffer.from([0x7e, 1, 2, 3, 0x7d, 9, 0x7e]));
    const deadline = Date.now() + 2000;
    while (!bad.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(bad.closed).toBe(true);
    const s = healthy.send(0x0002, Buffer.alloc(0));
    expect((await healthy.ackFor(s, 0x0002)).result).toBe(0);
    expect(srv.connectionCount).toBe(1);
  });

  it('closes idle connections', async () => {
    const { connect } = await start({ idleTimeoutMs: 100 });
    const t = await connect();
    const deadline = Date.now() + 2000;
    while (!t.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(t.closed).toBe(true);
  });

  it('position query through the registry, and an error for an offline terminal', async () => {
    const { connect, server: srv } = await start();
    const t = await connect();
    await t.login();
    const answer = srv.queryPosition(TERMINAL);
    const query = await t.waitFor((m) => m.header.msgId === 0x8201);
    const serial = Buffer.alloc(2);
    serial.writeUInt16BE(query.header.serial);
    t.send(0x0201, Buffer.concat([serial, locationBody({ fixTimeMs: T0, lat: 30.5, lon: 114.3 })]));
    expect((await answer).lat).toBeCloseTo(30.5, 6);
    await expect(srv.sendText('10000000000', 'x')).rejects.toThrow(/not connected/);
  });
});
