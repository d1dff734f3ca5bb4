import { afterEach, describe, expect, it } from 'vitest';
import { client, fleet, ids, moved, refusal, sleep, startHub, until, type HubFixture, type LiveClient } from './fixtures.js';

let fx: HubFixture | undefined;
const clients: LiveClient[] = [];
function open(...args: Parameters<typeof client>): LiveClient {
  const c = client(...args);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.close();
  await fx?.close();
  fx = undefined;
});

describe('live hub: who may connect', () => {
  it('refuses a missing, unknown or revoked token with "unauthorized" and a device token with "forbidden"', async () => {
    fx = await startHub();
    expect((await refusal(fx.url, {})).message).toBe('unauthorized');
    expect((await refusal(fx.url, { token: 'nope' })).message).toBe('unauthorized');
    fx.revoked.add('tok-dispatch');
    const revoked = await refusal(fx.url, { token: 'tok-dispatch' });
    expect(revoked.message).toBe('unauthorized');
    expect(revoked.data.details[0].path).toBe('auth.token');
    expect((await refusal(fx.url, { token: 'tok-device' })).message).toBe('forbidden');
  });

  it('accepts the token as an Authorization: Bearer header too', async () => {
    fx = await startHub();
    const c = open(fx.url, {}, { authorization: 'Bearer tok-admin' });
    expect(ids(await c.ready)).toEqual(ids(fleet()));
  });

  it('refuses a malformed filter in the handshake, naming the field', async () => {
    fx = await startHub();
    const err = await refusal(fx.url, { token: 'tok-dispatch', filter: { kind: ['bus'] } });
    expect(err.message).toBe('invalid filter');
    expect(err.data.details[0].path).toBe('filter.kind.0');
  });

  it('disconnects a client whose token is revoked while connected', async () => {
    fx = await startHub({ recheckTokensMs: 50 });
    const c = open(fx.url, { token: 'tok-dispatch' });
    await c.ready;
    fx.revoked.add('tok-dispatch');
    await until(() => !c.socket.connected);
  });
});

describe('live hub: who sees what', () => {
  it('shows a driver their own vehicle only, whatever they ask for', async () => {
    fx = await startHub();
    const c = open(fx.url, { token: 'tok-driver', filter: { kind: ['muck_truck'] } });
    expect(ids(await c.ready)).toEqual(['col-res']);
    for (const s of fleet()) fx.emit(moved(s, 1000));
    await until(() => c.updates.length > 0);
    await sleep(400);
    expect(c.updates.flatMap((u) => ids(u.batch))).toEqual(['col-res']);
    const ack = await c.socket.emitWithAck('subscribe', {});
    expect(ack.error).toBe('forbidden');
  });

  it.each([
    [{ kind: ['collector'] }, ['col-food', 'col-res']],
    [{ wasteClass: ['food', 'construction'] }, ['col-food', 'muck-1']],
    [{ district: ['west'] }, ['col-res', 'sweep-1']],
    [{ kind: ['collector'], district: ['east'] }, ['col-food']],
    [{ kind: [] }, []],
  ])('a dispatcher with filter %j sees %j in the snapshot and in updates', async (filter, expected) => {
    fx = await startHub();
    const c = open(fx.url, { token: 'tok-dispatch', filter });
    expect(ids(await c.ready)).toEqual(expected);
    for (const s of fleet()) fx.emit(moved(s, 2000));
    // The first state goes at once, the rest after one interval (250 ms at the default 4/s).
    await sleep(400);
    expect([...new Set(c.updates.flatMap((u) => ids(u.batch)))].sort()).toEqual(expected);
  });

  it('lets a dispatcher change the filter with "subscribe": a new snapshot, then only matching updates', async () => {
    fx = await startHub();
    const c = open(fx.url, { token: 'tok-dispatch' });
    expect(ids(await c.ready)).toEqual(ids(fleet()));
    const ack = await c.socket.emitWithAck('subscribe', { kind: ['muck_truck'] });
    expect(ack).toEqual({ ok: true, count: 1 });
    expect(ids(c.snapshots.at(-1)!)).toEqual(['muck-1']);
    for (const s of fleet()) fx.emit(moved(s, 3000));
    await until(() => c.updates.length > 0);
    await sleep(400);
    expect(c.updates.flatMap((u) => ids(u.batch))).toEqual(['muck-1']);
    const bad = await c.socket.emitWithAck('subscribe', { colour: 'red' });
    expect(bad.error).toBe('invalid filter');
  });

  it('refuses a flood of filter changes (each one costs a snapshot) and serves them again a second later', async () => {
    fx = await startHub();
    const c = open(fx.url, { token: 'tok-dispatch' });
    await c.ready;
    const acks = await Promise.all(Array.from({ length: 8 }, () => c.socket.emitWithAck('subscribe', { kind: ['sweeper'] })));
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    expect(acks.filter((a) => a.error === 'too many requests')).toHaveLength(3);
    await sleep(1050);
    expect(await c.socket.emitWithAck('subscribe', {})).toEqual({ ok: true, count: fleet().length });
  });

  it('keeps a district dispatcher to their district: snapshot, filters and updates', async () => {
    fx = await startHub();
    const c = open(fx.url, { token: 'tok-dispatch-east', filter: { district: ['west', 'east'] } });
    expect(ids(await c.ready)).toEqual(['col-food', 'muck-1']);
    expect(await c.socket.emitWithAck('subscribe', { district: ['west'] })).toEqual({ ok: true, count: 0 });
    expect(await c.socket.emitWithAck('subscribe', {})).toEqual({ ok: true, count: 2 });
    // West's trucks move first; east's after: had west's been sent, it would be in by then.
    for (const s of fleet().filter((v) => v.district === 'west')) fx.emit(moved(s, 3000));
    for (const s of fleet().filter((v) => v.district === 'east')) fx.emit(moved(s, 4000));
    await until(() => ids(c.updates.flatMap((u) => u.batch)).length >= 2);
    expect([...new Set(ids(c.updates.flatMap((u) => u.batch)))]).toEqual(['col-food', 'muck-1']);
  });

  it('sends plan progress of a district only to dispatchers unscoped or scoped to it', async () => {
    fx = await startHub();
    const east = open(fx.url, { token: 'tok-dispatch-east' });
    const all = open(fx.url, { token: 'tok-dispatch' });
    await Promise.all([east.ready, all.ready]);
    const got = { east: [] as string[], all: [] as string[] };
    east.socket.on('plan:progress', (e: { jobId: string }) => got.east.push(e.jobId));
    all.socket.on('plan:progress', (e: { jobId: string }) => got.all.push(e.jobId));
    fx.hub.emitToRoles(['dispatcher'], 'plan:progress', { jobId: 'west-job', district: 'west' }, { about: { district: 'west' } });
    fx.hub.emitToRoles(['dispatcher'], 'plan:progress', { jobId: 'city-job', district: null }, { about: { district: null } });
    fx.hub.emitToRoles(['dispatcher'], 'plan:progress', { jobId: 'east-job', district: 'east' }, { about: { district: 'east' } });
    await until(() => got.all.length === 3 && got.east.length >= 1);
    expect(got.east).toEqual(['east-job']);
    expect(got.all).toEqual(['west-job', 'city-job', 'east-job']);
  });

  it('gives enforcement the whole fleet', async () => {
    fx = await startHub();
    const c = open(fx.url, { token: 'tok-enforce' });
    expect(ids(await c.ready)).toEqual(ids(fleet()));
  });
});

describe('live hub: coalescing and rate cap', () => {
  it('coalesces 50 quick states of one vehicle into a few batches ending with the newest', async () => {
    fx = await startHub({ maxBatchesPerSecond: 4 });
    const c = open(fx.url, { token: 'tok-dispatch' });
    await c.ready;
    const truck = fleet().find((s) => s.vehicleId === 'muck-1')!;
    for (let i = 1; i <= 50; i++) {
      fx.emit(moved(truck, 10_000 + i));
      if (i % 10 === 0) await sleep(5);
    }
    await until(() => c.updates.some((u) => u.batch.some((s) => s.latest?.fixTimeMs === 10_050)));
    await sleep(300);
    expect(c.updates.length).toBeLessThanOrEqual(3);
    for (const u of c.updates) expect(u.batch).toHaveLength(1);
    expect(c.updates.at(-1)!.batch[0]!.latest!.fixTimeMs).toBe(10_050);
  });

  it('never sends a client more than maxBatchesPerSecond batches a second under a steady stream', async () => {
    fx = await startHub({ maxBatchesPerSecond: 5 });
    const c = open(fx.url, { token: 'tok-dispatch' });
    await c.ready;
    const [a, b] = fleet();
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < 1500) {
      n++;
      fx.emit(moved(n % 2 ? a! : b!, 20_000 + n));
      await sleep(5);
    }
    await sleep(250);
    const times = c.updates.map((u) => u.atMs);
    // 1.5 s at 5/s: 8 batches at most (one at once, then one every 200 ms).
    expect(times.length).toBeGreaterThanOrEqual(5);
    expect(times.length).toBeLessThanOrEqual(9);
    for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(900);
    // Both vehicles keep flowing, and the last batch carries each one's newest state.
    const last = new Map<string, number>();
    for (const u of c.updates) for (const s of u.batch) last.set(s.vehicleId, s.latest!.fixTimeMs);
    expect(Math.max(...last.values())).toBe(20_000 + n);
  });
});
