import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  authBody, batchBody, decodeGeneralReply, encodeFrame, locationBody, registerBody, terminalGeneralReplyBody,
} from '../../../src/ingest/jt808/index.js';
import { ADDRESS_2013, ADDRESS_2019, decodeSent, generalReplyOf, makeSession, TERMINAL } from './helpers.js';

const T0 = Date.UTC(2026, 10, 23, 1, 2, 3);
const loc = (i = 0) => locationBody({ fixTimeMs: T0 + i * 10_000, lat: 31.2 + i * 1e-4, lon: 121.5, speedKmh: 20 });

async function registerAndAuth(ctx: ReturnType<typeof makeSession>, address = ADDRESS_2013) {
  const [reg] = await ctx.send(0x0100, registerBody({ terminalModel: 'X1', plate: '沪A12345' }, address.is2019), address);
  const code = reg.body.subarray(3).toString('latin1');
  const [auth] = await ctx.send(0x0102, authBody(code, address.is2019, '866496077582164', 'v1'), address);
  return { reg, auth, code };
}

describe('Jt808Session', () => {
  it('registers a known terminal with an auth code, then authenticates with it', async () => {
    const ctx = makeSession();
    const { reg, auth, code } = await registerAndAuth(ctx);
    expect(reg.header.msgId).toBe(0x8100);
    expect(reg.body[2]).toBe(0);
    expect(code).toBe(`code-${TERMINAL}`);
    expect(generalReplyOf(auth)).toMatchObject({ replyMsgId: 0x0102, result: 0 });
    expect(ctx.session.authenticated).toBe(true);
    expect(ctx.session.vehicleId).toBe('truck-7');
  });

  it('works the same with 2019 headers and bodies, replying in the 2019 form', async () => {
    const ctx = makeSession();
    const { reg, auth } = await registerAndAuth(ctx, ADDRESS_2019);
    expect(reg.header.is2019).toBe(true);
    expect(reg.header.phoneField).toEqual(ADDRESS_2019.phoneField);
    expect(generalReplyOf(auth).result).toBe(0);
    const [ack] = await ctx.send(0x0200, loc(), ADDRESS_2019);
    expect(generalReplyOf(ack).result).toBe(0);
    expect(ctx.sink.committed.length).toBe(1);
  });

  it('answers an unknown terminal\'s registration with result 4 and no code', async () => {
    const ctx = makeSession();
    const stranger = { phoneField: Buffer.from('019999999999', 'hex'), is2019: false };
    const [reg] = await ctx.send(0x0100, registerBody({}), stranger);
    expect([...reg.body]).toEqual([0, 0, 4]);
    const [auth] = await ctx.send(0x0102, authBody('guess'), stranger);
    expect(generalReplyOf(auth).result).toBe(1);
    expect(ctx.session.authenticated).toBe(false);
  });

  it('refuses a wrong auth code and the positions that follow it', async () => {
    const ctx = makeSession();
    await ctx.send(0x0100, registerBody({}));
    const [auth] = await ctx.send(0x0102, authBody('wrong'));
    expect(generalReplyOf(auth).result).toBe(1);
    const [ack] = await ctx.send(0x0200, loc());
    expect(generalReplyOf(ack).result).toBe(1);
    expect(ctx.sink.committed).toEqual([]);
  });

  it('accepts a known terminal that skips authentication only when trust is configured', async () => {
    const strict = makeSession();
    expect(generalReplyOf((await strict.send(0x0200, loc()))[0]).result).toBe(1);
    const trusting = makeSession({ trustKnownTerminals: true });
    expect(generalReplyOf((await trusting.send(0x0200, loc()))[0]).result).toBe(0);
    expect(trusting.sink.committed.map((f) => f.deviceId)).toEqual([TERMINAL]);
    const stranger = { phoneField: Buffer.from('019999999999', 'hex'), is2019: false };
    const other = makeSession({ trustKnownTerminals: true });
    expect(generalReplyOf((await other.send(0x0200, loc(), stranger))[0]).result).toBe(1);
  });

  it('trusted mode accepts a known terminal\'s fixed auth string but still refuses strangers', async () => {
    const ctx = makeSession({ trustKnownTerminals: true });
    expect(generalReplyOf((await ctx.send(0x0102, authBody('authentication')))[0]).result).toBe(0);
    expect(ctx.session.vehicleId).toBe('truck-7');
    const strict = makeSession();
    expect(generalReplyOf((await strict.send(0x0102, authBody('authentication')))[0]).result).toBe(1);
    const stranger = { phoneField: Buffer.from('019999999999', 'hex'), is2019: false };
    const other = makeSession({ trustKnownTerminals: true });
    expect(generalReplyOf((await other.send(0x0102, authBody('authentication'), stranger))[0]).result).toBe(1);
  });

  it('an unknown terminal flooding positions costs one directory lookup, not one per frame', async () => {
    const ctx = makeSession({ trustKnownTerminals: true });
    const stranger = { phoneField: Buffer.from('019999999999', 'hex'), is2019: false };
    for (let i = 0; i < 20; i++) await ctx.send(0x0200, loc(i), stranger);
    expect(ctx.directory.lookups).toBe(1);
    expect(ctx.sink.committed).toEqual([]);
  });

  it('acknowledges a location only after the sink commits it', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    ctx.sink.auto = false;
    const before = ctx.sent.length;
    const fed = ctx.session.feed(encodeFrame(0x0200, ADDRESS_2013, 77, loc()));
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.sent.length).toBe(before);
    expect(ctx.session.unackedFixes).toBe(1);
    ctx.sink.releaseAll();
    await fed;
    const [ack] = decodeSent(ctx.sent.slice(before));
    expect(generalReplyOf(ack)).toEqual({ replySerial: 77, replyMsgId: 0x0200, result: 0 });
    expect(ctx.session.unackedFixes).toBe(0);
  });

  it('submits the location frames of one read together and acks them in one write, only once all are committed', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    ctx.sink.auto = false;
    const writesBefore = ctx.sent.length;
    const serials = [40, 41, 42, 43];
    const chunk = Buffer.concat([
      encodeFrame(0x0200, ADDRESS_2013, serials[0]!, loc(0)),
      encodeFrame(0x0704, ADDRESS_2013, serials[1]!, batchBody(1, [loc(1), loc(2)])),
      encodeFrame(0x0200, ADDRESS_2013, serials[2]!, loc(3)),
      encodeFrame(0x0200, ADDRESS_2013, serials[3]!, loc(4)),
    ]);
    const fed = ctx.session.feed(chunk);
    await new Promise((r) => setTimeout(r, 20));
    // All four are with the sink at once (one group commit), none waits for another's commit.
    expect(ctx.sink.waiting.map((w) => w.fixes.length)).toEqual([1, 2, 1, 1]);
    // Ack after commit: committing some of them answers none.
    for (const w of ctx.sink.waiting.splice(0, 3)) w.resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.sent.length).toBe(writesBefore);
    ctx.sink.releaseAll();
    await fed;
    // One socket write carrying the four 0x8001, in frame order.
    expect(ctx.sent.length).toBe(writesBefore + 1);
    const acks = decodeSent(ctx.sent.slice(writesBefore)).map(generalReplyOf);
    expect(acks.map((a) => [a.replySerial, a.replyMsgId, a.result])).toEqual([[40, 0x0200, 0], [41, 0x0704, 0], [42, 0x0200, 0], [43, 0x0200, 0]]);
    expect(ctx.session.unackedFixes).toBe(0);
    expect(ctx.session.queuedFrames).toBe(0);
  });

  it('answers each frame of a run for itself: a refused commit gets result 1, the others 0', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const original = ctx.sink.submit.bind(ctx.sink);
    let calls = 0;
    ctx.sink.submit = (fixes) => (++calls === 2 ? Promise.reject(new Error('culprit refused')) : original(fixes));
    const writesBefore = ctx.sent.length;
    await ctx.session.feed(Buffer.concat([0, 1, 2].map((i) => encodeFrame(0x0200, ADDRESS_2013, 50 + i, loc(i)))));
    expect(ctx.sent.length).toBe(writesBefore + 1);
    expect(decodeSent(ctx.sent.slice(writesBefore)).map((m) => generalReplyOf(m).result)).toEqual([0, 1, 0]);
    expect(ctx.sink.committed.length).toBe(2);
  });

  it('keeps strict order around other frames: a heartbeat between locations is answered between their acks', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const writesBefore = ctx.sent.length;
    await ctx.session.feed(Buffer.concat([
      encodeFrame(0x0200, ADDRESS_2013, 60, loc(0)),
      encodeFrame(0x0200, ADDRESS_2013, 61, loc(1)),
      encodeFrame(0x0002, ADDRESS_2013, 62, Buffer.alloc(0)),
      encodeFrame(0x0200, ADDRESS_2013, 63, loc(2)),
    ]));
    const answers = decodeSent(ctx.sent.slice(writesBefore)).map(generalReplyOf);
    expect(answers.map((a) => [a.replySerial, a.replyMsgId])).toEqual([[60, 0x0200], [61, 0x0200], [62, 0x0002], [63, 0x0200]]);
    // Runs: the two locations, the heartbeat, the last location.
    expect(ctx.sent.length).toBe(writesBefore + 3);
  });

  it('bounds a run by maxRunFixes (at least one frame per run)', async () => {
    const ctx = makeSession({ maxRunFixes: 3 });
    await registerAndAuth(ctx);
    ctx.sink.auto = false;
    const fed = ctx.session.feed(Buffer.concat([
      encodeFrame(0x0704, ADDRESS_2013, 70, batchBody(1, [loc(0), loc(1), loc(2), loc(3)])),
      encodeFrame(0x0200, ADDRESS_2013, 71, loc(4)),
      encodeFrame(0x0200, ADDRESS_2013, 72, loc(5)),
    ]));
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.sink.waiting.map((w) => w.fixes.length)).toEqual([4]);
    ctx.sink.releaseAll();
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.sink.waiting.map((w) => w.fixes.length)).toEqual([1, 1]);
    ctx.sink.releaseAll();
    await fed;
    expect(ctx.sink.committed.length).toBe(6);
  });

  it('replies result 1 when the sink fails, and the terminal\'s resend then succeeds', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    ctx.sink.failNext = 1;
    expect(generalReplyOf((await ctx.send(0x0200, loc()))[0]).result).toBe(1);
    expect(generalReplyOf((await ctx.send(0x0200, loc()))[0]).result).toBe(0);
    expect(ctx.sink.committed.length).toBe(1);
  });

  it('logs a failing handler at warn with its cause, terminal id and message id, answers result 1 and carries on', async () => {
    const ctx = makeSession();
    ctx.directory.issueAuthCode = async () => {
      throw new Error('auth store down');
    };
    const events: string[] = [];
    const session = ctx.session as unknown as { options: { onEvent?: (e: { type: string; reason?: string }) => void } };
    session.options.onEvent = (e) => events.push(e.type === 'rejected' ? `rejected:${e.reason}` : e.type);
    const [answer] = await ctx.send(0x0100, registerBody({ terminalModel: 'X1' }));
    expect(generalReplyOf(answer)).toEqual({ replySerial: 0, replyMsgId: 0x0100, result: 1 });
    expect(events).toContain('rejected:internal');
    const [warning] = ctx.log.warnings();
    expect(warning).toMatchObject({ terminalId: TERMINAL, msgId: 0x0100, serial: 0, answeredFailure: true, err: { message: 'auth store down' } });
    expect(warning!.err.stack).toContain('auth store down');
    expect(warning!.msg).toContain('0x0100');
    // The connection goes on: the next frame is handled normally.
    expect(generalReplyOf((await ctx.send(0x0002, Buffer.alloc(0)))[0]).result).toBe(0);
    expect(ctx.log.warnings()).toHaveLength(1);
  });

  it('logs a sink failure at warn with its cause, at most once per 10 s per session with the count in between', async () => {
    let nowMs = 1_000_000;
    const ctx = makeSession({ now: () => nowMs });
    await registerAndAuth(ctx);
    ctx.sink.failNext = 3;
    for (let i = 0; i < 3; i++) {
      expect(generalReplyOf((await ctx.send(0x0200, loc(i)))[0]).result).toBe(1);
      nowMs += 6_000;
    }
    const warnings = ctx.log.warnings();
    expect(warnings.map((w) => w.failuresSinceLastLog)).toEqual([1, 2]);
    expect(warnings[0]).toMatchObject({ terminalId: TERMINAL, msgId: 0x0200, fixes: 1, err: { message: 'database down' } });
  });

  it('hands a batch to the sink in one commit; type 1 marks blind-area re-uploads', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const [normal] = await ctx.send(0x0704, batchBody(0, [loc(0), loc(1)]));
    const [blind] = await ctx.send(0x0704, batchBody(1, [loc(2), loc(3), loc(4)]));
    expect(generalReplyOf(normal).result).toBe(0);
    expect(generalReplyOf(blind).result).toBe(0);
    expect(ctx.sink.committed.map((f) => f.blindArea === true)).toEqual([false, false, true, true, true]);
  });

  it('drops undecodable items of a batch but commits the rest; all-bad gets result 2', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const bad = Buffer.from(loc(1));
    bad[23] = 0x13; // month 13
    expect(generalReplyOf((await ctx.send(0x0704, batchBody(0, [loc(0), bad])))[0]).result).toBe(0);
    expect(ctx.sink.committed.length).toBe(1);
    expect(generalReplyOf((await ctx.send(0x0704, batchBody(0, [bad])))[0]).result).toBe(2);
    expect(ctx.sink.committed.length).toBe(1);
  });

  it('reassembles a sub-packaged batch and acks its last packet after commit', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const body = batchBody(1, Array.from({ length: 6 }, (_, i) => loc(i)));
    const half = Math.ceil(body.length / 2);
    const before = ctx.sent.length;
    await ctx.session.feed(encodeFrame(0x0704, ADDRESS_2013, 500, body.subarray(0, half), { total: 2, index: 1 }));
    expect(ctx.sink.committed.length).toBe(0);
    await ctx.session.feed(encodeFrame(0x0704, ADDRESS_2013, 501, body.subarray(half), { total: 2, index: 2 }));
    const replies = decodeSent(ctx.sent.slice(before)).map(generalReplyOf);
    expect(replies.map((r) => [r.replySerial, r.result])).toEqual([[500, 0], [501, 0]]);
    expect(ctx.sink.committed.length).toBe(6);
  });

  it('heartbeat is acked; logout is acked and asks for the connection to close', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    expect(generalReplyOf((await ctx.send(0x0002, Buffer.alloc(0)))[0]).result).toBe(0);
    expect(generalReplyOf((await ctx.send(0x0003, Buffer.alloc(0)))[0]).result).toBe(0);
    expect(ctx.session.shouldClose).toBe(true);
    expect(ctx.session.authenticated).toBe(false);
  });

  it('answers unknown message ids "unsupported" and stays usable', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    expect(generalReplyOf((await ctx.send(0x0f0f, Buffer.from('hello')))[0])).toMatchObject({ replyMsgId: 0x0f0f, result: 3 });
    expect(generalReplyOf((await ctx.send(0x0200, loc()))[0]).result).toBe(0);
  });

  it('sends 0x8300 text in GBK and resolves when the terminal answers 0x0001', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const before = ctx.sent.length;
    const done = ctx.session.sendText('前往北区转运站卸料');
    const [text] = decodeSent(ctx.sent.slice(before));
    expect(text.header.msgId).toBe(0x8300);
    expect(iconv.decode(text.body.subarray(1), 'gbk')).toBe('前往北区转运站卸料');
    await ctx.send(0x0001, terminalGeneralReplyBody(text.header.serial, 0x8300, 0));
    await expect(done).resolves.toEqual({ replySerial: text.header.serial, replyMsgId: 0x8300, result: 0 });
    expect(ctx.session.pendingCommands).toBe(0);
  });

  it('sendText rejects before the terminal has spoken, and for a text too long for one frame', async () => {
    const ctx = makeSession();
    await expect(ctx.session.sendText('hi')).rejects.toThrow(/not identified/);
    await registerAndAuth(ctx);
    await expect(ctx.session.sendText('长'.repeat(600))).rejects.toThrow(RangeError);
    expect(ctx.session.pendingCommands).toBe(0);
  });

  it('sendText fails on timeout and on close', async () => {
    const ctx = makeSession({ commandTimeoutMs: 30 });
    await registerAndAuth(ctx);
    await expect(ctx.session.sendText('x')).rejects.toThrow(/did not answer/);
    const pending = ctx.session.sendText('y');
    ctx.session.close('gone');
    await expect(pending).rejects.toThrow('gone');
  });

  it('position query: 0x8201 out, 0x0201 back resolves with the fix (and commits it)', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const before = ctx.sent.length;
    const answer = ctx.session.queryPosition();
    const [query] = decodeSent(ctx.sent.slice(before));
    expect(query.header.msgId).toBe(0x8201);
    const serial = Buffer.alloc(2);
    serial.writeUInt16BE(query.header.serial);
    const replies = await ctx.send(0x0201, Buffer.concat([serial, loc(3)]));
    expect(replies).toEqual([]);
    const fix = await answer;
    expect(fix.fixTimeMs).toBe(T0 + 30_000);
    expect(ctx.sink.committed).toContainEqual(fix);
  });

  it('answers a corrupted frame with result 2, and asks to close after too many errors', async () => {
    const ctx = makeSession({ maxProtocolErrors: 3 });
    const frame = encodeFrame(0x0200, ADDRESS_2013, 9, loc());
    frame[frame.length - 3] ^= 0x01;
    await ctx.session.feed(frame);
    expect(decodeGeneralReply(decodeSent(ctx.sent)[0].body)).toEqual({ replySerial: 9, replyMsgId: 0x0200, result: 2 });
    await ctx.session.feed(Buffer.from('7e0102037e7e7d057e', 'hex'));
    expect(ctx.session.protocolErrors).toBe(3);
    expect(ctx.session.shouldClose).toBe(true);
  });

  it('refuses messages from a second terminal id on the same connection', async () => {
    const ctx = makeSession();
    await registerAndAuth(ctx);
    const other = { phoneField: Buffer.from('013911112222', 'hex'), is2019: false };
    expect(generalReplyOf((await ctx.send(0x0200, loc(), other))[0]).result).toBe(1);
    expect(ctx.sink.committed).toEqual([]);
  });
});
