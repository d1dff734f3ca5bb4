import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import { IncidentFeed, StoreIncidentSink, type IncidentNotice } from '../../src/compliance/incident-sink.js';
import { IncidentStore, IncidentTransitionError, mergeFixIds, MAX_FIX_IDS } from '../../src/compliance/incident-store.js';
import { splitStatements } from '../../src/store/migrate.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

const T0 = Date.parse('2026-11-30T15:00:00Z');

function event(over: Partial<IncidentEvent> & Pick<IncidentEvent, 'phase'>): IncidentEvent {
  return {
    key: `off_route:muck-1:${T0}`, type: 'off_route', vehicleId: 'muck-1', permitId: 'permit-1', startMs: T0, atMs: T0 + 60_000,
    level: 1, fixIds: ['muck-1:1', 'muck-1:2'], thresholds: { corridorWidthM: 30, minOutsideS: 60 }, details: { distanceOutsideM: 40 },
    ...over,
  };
}

describeEachBackend('incident store and sink [%s]', (backend) => {
  let store: TestStore;
  let incidents: IncidentStore;
  let sink: StoreIncidentSink;
  const notices: IncidentNotice[] = [];

  beforeAll(async () => {
    store = await openTestStore(backend);
    incidents = new IncidentStore(store.db);
    const feed = new IncidentFeed();
    feed.on('incident', (n) => notices.push(n));
    sink = new StoreIncidentSink({ store: incidents, feed, vehicleFacts: (id) => (id === 'muck-1' ? { contractor: 'Acme Haulage', district: 'North' } : undefined) });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('open creates one incident; a repeated open, updates and close land on the same row', async () => {
    await sink.emit(event({ phase: 'open' }));
    await sink.emit(event({ phase: 'open' })); // a detector re-evaluating a late stretch
    // not awaited one by one: the sink keeps their order per key
    const pending = [
      sink.emit(event({ phase: 'update', level: 2, atMs: T0 + 300_000, fixIds: ['muck-1:2', 'muck-1:3'], details: { distanceOutsideM: 80, maxDistanceM: 80 } })),
      sink.emit(event({ phase: 'close', level: 2, atMs: T0 + 400_000, endMs: T0 + 390_000, fixIds: ['muck-1:4'], details: {} })),
    ];
    await Promise.all(pending);
    const { items, total } = await incidents.list({ limit: 10, offset: 0 });
    expect(total).toBe(1);
    const inc = items[0]!;
    expect(inc).toMatchObject({
      type: 'off_route', vehicleId: 'muck-1', permitId: 'permit-1', contractor: 'Acme Haulage', district: 'North',
      level: 2, status: 'open', detection: 'closed', startAt: new Date(T0).toISOString(), endAt: new Date(T0 + 390_000).toISOString(),
      fixIds: ['muck-1:1', 'muck-1:2', 'muck-1:3', 'muck-1:4'], thresholds: { corridorWidthM: 30, minOutsideS: 60 },
      details: { distanceOutsideM: 80, maxDistanceM: 80 },
    });
    expect(notices.map((n) => n.change)).toEqual(['opened', 'updated', 'updated', 'ended']);
  });

  it('an update whose open was never seen creates the incident (a restart between them)', async () => {
    const key = `speeding:muck-2:${T0}`;
    await sink.emit(event({ phase: 'update', key, type: 'speeding', vehicleId: 'muck-2', permitId: undefined, level: 1 }));
    const inc = await incidents.getByKey(key);
    expect(inc).toMatchObject({ type: 'speeding', vehicleId: 'muck-2', detection: 'open' });
    expect(inc!.contractor).toBeUndefined();
  });

  it('officer actions follow the status rules and each is appended to the log', async () => {
    const inc = (await incidents.getByKey(`off_route:muck-1:${T0}`))!;
    const who = { actor: 'enforcement:u1 (officer)', role: 'enforcement' };
    expect((await incidents.act(inc.id, 'acknowledge', who, { note: 'seen' }))!.status).toBe('acknowledged');
    await expect(incidents.act(inc.id, 'acknowledge', who)).rejects.toBeInstanceOf(IncidentTransitionError);
    expect((await incidents.act(inc.id, 'assign', who, { assignedTo: 'u2' }))!).toMatchObject({ status: 'assigned', assignedTo: 'u2' });
    expect((await incidents.act(inc.id, 'close', who, { disposition: 'warned', note: 'driver warned on site' }))!).toMatchObject({ status: 'closed', disposition: 'warned' });
    await expect(incidents.act(inc.id, 'close', who, { disposition: 'warned', note: 'again' })).rejects.toBeInstanceOf(IncidentTransitionError);
    const reopened = (await incidents.act(inc.id, 'reopen', who, { note: 'wrong plate' }))!;
    expect(reopened.status).toBe('open');
    expect(reopened.disposition).toBeUndefined();
    const log = await incidents.log(inc.id);
    expect(log.map((e) => e.action)).toEqual(['acknowledge', 'assign', 'close', 'reopen']);
    expect(log[1]).toMatchObject({ assignedTo: 'u2', actor: 'enforcement:u1 (officer)', actorRole: 'enforcement' });
    expect(log[2]).toMatchObject({ disposition: 'warned', note: 'driver warned on site' });
    expect(await incidents.act('inc_missing', 'acknowledge', who)).toBeUndefined();
  });

  it('the log is append-only: the store refuses to update, delete or truncate it', async () => {
    const inc = (await incidents.getByKey(`off_route:muck-1:${T0}`))!;
    const before = await incidents.log(inc.id);
    await expect(store.db.query("update incident_log set note = 'rewritten'")).rejects.toThrow(/append-only/);
    await expect(store.db.query('delete from incident_log')).rejects.toThrow(/append-only/);
    await expect(store.db.query('truncate incident_log')).rejects.toThrow(/append-only/);
    expect(await incidents.log(inc.id)).toEqual(before);
  });

  it('lists with filters and paging', async () => {
    for (let i = 0; i < 5; i++) {
      await sink.emit(event({ phase: 'open', key: `uncovered:muck-1:${T0 + i * 3_600_000}`, type: 'uncovered', startMs: T0 + i * 3_600_000, atMs: T0 + i * 3_600_000 }));
    }
    const page = await incidents.list({ type: 'uncovered', limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.startAt)).toEqual([2, 1].map((k) => new Date(T0 + k * 3_600_000).toISOString()));
    expect((await incidents.list({ contractor: 'Acme Haulage', limit: 100, offset: 0 })).total).toBe(6);
    expect((await incidents.list({ vehicleId: 'muck-2', limit: 100, offset: 0 })).total).toBe(1);
    expect((await incidents.list({ status: 'open', type: 'off_route', limit: 100, offset: 0 })).total).toBe(1);
    const window = await incidents.list({ type: 'uncovered', fromMs: T0 + 3_600_000, toMs: T0 + 3 * 3_600_000, limit: 100, offset: 0 });
    expect(window.total).toBe(2);
  });
});

it('keeps at most MAX_FIX_IDS fix ids: the first and the latest', () => {
  const many = Array.from({ length: MAX_FIX_IDS + 10 }, (_, i) => `f${i}`);
  const kept = mergeFixIds([], many);
  expect(kept).toHaveLength(MAX_FIX_IDS);
  expect(kept[0]).toBe('f0');
  expect(kept.at(-1)).toBe(`f${MAX_FIX_IDS + 9}`);
});

it('splits migrations at semicolons but keeps dollar-quoted bodies whole', () => {
  expect(splitStatements('create table a (x int); create function f() returns trigger language plpgsql as $$ begin raise exception \'x\'; end $$; select 1;'))
    .toEqual(['create table a (x int)', "create function f() returns trigger language plpgsql as $$ begin raise exception 'x'; end $$", 'select 1']);
});

describeEachBackend('incident sinks of two instances on one store [%s]', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('two instances opening the same incident at once make one row', async () => {
    const a = new StoreIncidentSink({ store: new IncidentStore(store.db), vehicleFacts: () => ({}) });
    const b = new StoreIncidentSink({ store: new IncidentStore(store.db), vehicleFacts: () => ({}) });
    const e = event({ phase: 'open', key: `spill:muck-9:${T0}`, type: 'spill', vehicleId: 'muck-9' });
    await Promise.all([a.emit(e), b.emit(e), a.emit({ ...e, phase: 'update', level: 2 }), b.emit({ ...e, phase: 'update', fixIds: ['x'] })]);
    const { items, total } = await new IncidentStore(store.db).list({ vehicleId: 'muck-9', limit: 10, offset: 0 });
    expect(total).toBe(1);
    expect(items[0]!.level).toBe(2);
    expect(items[0]!.fixIds).toEqual(['muck-1:1', 'muck-1:2', 'x']);
  });
});
