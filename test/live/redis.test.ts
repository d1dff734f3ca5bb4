import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { client, fleet, ids, moved, sleep, startHub, until, type HubFixture, type LiveClient } from './fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { describeWith, serverUrls } from '../helpers/servers.js';
import { smallCity } from '../helpers/city-fixture.js';

const hubs: HubFixture[] = [];
const clients: LiveClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.close();
  for (const h of hubs.splice(0)) await h.close();
});

describe('live hub: Redis at start', () => {
  it('refuses to start when Redis cannot be reached, rather than pushing to one instance only', async () => {
    await expect(startHub({ redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(/cannot reach Redis/);
  });
});

// Two instances need a real Redis: `.ci/run` sets TEST_REDIS_URL (and runs Redis); without it a visible skip.
describeWith('redis', 'live hub: two instances over Redis', () => {
  it('a state tracked on instance A reaches a client of instance B, once, and B\'s later snapshots include it', async () => {
    // A channel of our own, so parallel runs on the same Redis do not hear each other.
    const redisKey = `sanifleet-test-${randomBytes(6).toString('hex')}`;
    const a = await startHub({ redisUrl: serverUrls.redis, redisKey });
    hubs.push(a);
    const b = await startHub({ redisUrl: serverUrls.redis, redisKey });
    hubs.push(b);

    const onB = client(b.url, { token: 'tok-dispatch', filter: { kind: ['muck_truck'] } });
    const onA = client(a.url, { token: 'tok-dispatch' });
    clients.push(onB, onA);
    await Promise.all([onB.ready, onA.ready]);

    const truck = moved(fleet().find((s) => s.vehicleId === 'muck-1')!, 50_000);
    const collector = moved(fleet().find((s) => s.vehicleId === 'col-food')!, 50_000);
    a.emit(truck);
    a.emit(collector);
    await until(() => onB.updates.length > 0, 5000);
    await until(() => onA.updates.flatMap((u) => u.batch).length >= 2, 5000);
    await sleep(400);

    // B's client got the truck (its filter), not the collector, and exactly once.
    const gotOnB = onB.updates.flatMap((u) => u.batch);
    expect(gotOnB.map((s) => s.vehicleId)).toEqual(['muck-1']);
    expect(gotOnB[0]!.latest).toEqual(truck.latest);
    // A's own client is not sent A's states a second time through Redis.
    expect(ids(onA.updates.flatMap((u) => u.batch))).toEqual(['col-food', 'muck-1']);

    // B's tracking never saw the fix; a client connecting to B later still gets it.
    const late = client(b.url, { token: 'tok-admin' });
    clients.push(late);
    const snapshot = await late.ready;
    expect(snapshot.find((s) => s.vehicleId === 'muck-1')!.latest).toEqual(truck.latest);
    expect(snapshot).toHaveLength(fleet().length);
  });

  it('two service instances: a JT/T 808 fix on instance A reaches a dispatcher connected to instance B', async () => {
    const services: TestService[] = [];
    let terminal: SimTerminal | undefined;
    try {
      const env = { REDIS_URL: serverUrls.redis! };
      services.push(...(await Promise.all([startTestService({ env }), startTestService({ env })])));
      const [a, b] = services as [TestService, TestService];
      // The same small city on both (the demo city costs a second of CPU per instance to generate and load).
      for (const s of services) expect((await s.call('POST', '/api/v1/import', { token: s.adminToken, body: smallCity() })).status).toBe(200);
      const list = await a.call('GET', '/api/v1/vehicles?kind=collector&limit=5', { token: a.adminToken });
      const vehicle = list.body.items.find((v: { terminalId?: string }) => v.terminalId);
      const onB = client(b.url, { token: b.adminToken, filter: { kind: ['collector'] } });
      clients.push(onB);
      await onB.ready;

      terminal = await SimTerminal.connect(a.jt808Port!, vehicle.terminalId);
      await terminal.login();
      const fixTimeMs = Math.floor(Date.now() / 1000) * 1000 - 3000;
      expect((await terminal.ack(terminal.sendLocation({ fixTimeMs, lat: 43.7371, lon: 7.4213, speedKmh: 12 }))).result).toBe(0);
      await until(() => onB.updates.some((u) => u.batch.some((s) => s.vehicleId === vehicle.id && s.latest?.fixTimeMs === fixTimeMs)), 5000);
      // B's own tracking never saw the fix: the push came through Redis.
      expect(b.tracking.tracker.get(vehicle.id)?.latest?.fixTimeMs).not.toBe(fixTimeMs);
    } finally {
      await terminal?.close();
      for (const s of services) await s.stop();
    }
  });

  it("a plan change on instance A reaches the routed driver on instance B (own room only) and a driver's report the dispatchers on B", async () => {
    const redisKey = `sanifleet-test-${randomBytes(6).toString('hex')}`;
    const a = await startHub({ redisUrl: serverUrls.redis, redisKey });
    hubs.push(a);
    const b = await startHub({ redisUrl: serverUrls.redis, redisKey });
    hubs.push(b);
    const driverOnB = client(b.url, { token: 'tok-driver' });
    const dispatcherOnB = client(b.url, { token: 'tok-dispatch' });
    const enforcementOnB = client(b.url, { token: 'tok-enforce' });
    const eastDispatcherOnB = client(b.url, { token: 'tok-dispatch-east' });
    clients.push(driverOnB, dispatcherOnB, enforcementOnB, eastDispatcherOnB);
    await Promise.all([driverOnB.ready, dispatcherOnB.ready, enforcementOnB.ready, eastDispatcherOnB.ready]);
    const heard = (c: LiveClient, event: string) => {
      const got: unknown[] = [];
      c.socket.on(event, (p: unknown) => got.push(p));
      return got;
    };
    const driverRoutes = heard(driverOnB, 'route:changed');
    const dispatcherRoutes = heard(dispatcherOnB, 'route:changed');
    const reports = heard(dispatcherOnB, 'driver:report');
    const enforcementReports = heard(enforcementOnB, 'driver:report');
    const eastReports = heard(eastDispatcherOnB, 'driver:report');

    a.hub.emitToVehicles(['col-res', 'col-food'], 'route:changed', (vehicleId) => ({ vehicleId, planId: 'p2', change: 'publish' }));
    a.hub.emitToRoles(['admin', 'dispatcher'], 'driver:report', { id: 'rep_1', kind: 'blocked_road' }, { reach: 'all' });
    // Reports about a vehicle: a dispatcher scoped to district east gets east's only, on any instance.
    a.hub.emitToRoles(['admin', 'dispatcher'], 'driver:report', { id: 'rep_west' }, { reach: 'all', about: { vehicleId: 'col-res' } });
    a.hub.emitToRoles(['admin', 'dispatcher'], 'driver:report', { id: 'rep_east' }, { reach: 'all', about: { vehicleId: 'col-food' } });
    await until(() => driverRoutes.length > 0 && reports.length >= 3 && eastReports.some((r) => (r as { id: string }).id === 'rep_east'), 5000);
    await sleep(300);
    // the driver of col-res hears its own vehicle's change only; staff do not get drivers' rooms
    expect(driverRoutes).toEqual([{ vehicleId: 'col-res', planId: 'p2', change: 'publish' }]);
    expect(dispatcherRoutes).toEqual([]);
    expect(reports).toEqual([{ id: 'rep_1', kind: 'blocked_road' }, { id: 'rep_west' }, { id: 'rep_east' }]);
    expect(enforcementReports).toEqual([]);
    expect(eastReports).toEqual([{ id: 'rep_1', kind: 'blocked_road' }, { id: 'rep_east' }]);
  });

  it('a truck whose terminal moved from A to B never jumps back when A emits its older state', async () => {
    const redisKey = `sanifleet-test-${randomBytes(6).toString('hex')}`;
    const a = await startHub({ redisUrl: serverUrls.redis, redisKey });
    hubs.push(a);
    const b = await startHub({ redisUrl: serverUrls.redis, redisKey });
    hubs.push(b);
    const onA = client(a.url, { token: 'tok-dispatch' });
    const onB = client(b.url, { token: 'tok-dispatch' });
    clients.push(onA, onB);
    await Promise.all([onA.ready, onB.ready]);

    const truck = fleet().find((s) => s.vehicleId === 'muck-1')!;
    const newer = moved(truck, 70_000);
    b.emit(newer);
    await until(() => onA.updates.some((u) => u.batch.some((s) => s.latest?.fixTimeMs === 70_000)), 5000);
    // A's tracker still holds the truck's state from before the terminal moved, and emits it (e.g. marking it offline).
    a.emit({ ...moved(truck, 65_000), motion: 'offline', updatedAtMs: 80_000 });
    await sleep(500);

    for (const c of [onA, onB]) {
      const seen = c.updates.flatMap((u) => u.batch).filter((s) => s.vehicleId === 'muck-1');
      expect(seen.map((s) => s.latest!.fixTimeMs)).toEqual([70_000]);
    }
  });
});
