import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { client, ids, until } from '../live/fixtures.js';
import { insertRoutePlan } from '../helpers/route-plan.js';

/**
 * A person whose account is scoped to a district or a contractor sees only those vehicles:
 * in the vehicle list and records, their live states, tracks, the live socket, the map's
 * district list and (district) the plans. Admins and unscoped people see the whole fleet.
 */
describeEachBackend('district and contractor scopes [%s]', (backend) => {
  let svc: TestService;
  const session: Record<string, string> = {};
  const admin = () => svc.adminToken;
  const get = (who: string, path: string) => svc.call('GET', `/api/v1${path}`, { token: session[who] });
  const vehicleIds = (res: { body: any }) => (res.body.items as Array<{ id?: string; vehicleId?: string }>).map((v) => v.id ?? v.vehicleId).sort();
  const day = new Date().toISOString().slice(0, 10);
  const trackRange = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
  const plan = {} as Record<'north' | 'south' | 'city', { planId: string; jobId: string }>;

  beforeAll(async () => {
    svc = await startTestService({ backend });
    const city = smallCity();
    const [col1, col2, muck1] = city.vehicles;
    Object.assign(col1!, { district: 'North', contractor: 'Acme' });
    Object.assign(col2!, { district: 'South', contractor: 'Acme' });
    Object.assign(muck1!, { district: 'North', contractor: 'Bolt' });
    expect((await svc.call('POST', '/api/v1/import', { token: admin(), body: city })).status).toBe(200);
    const people: Array<[string, Record<string, string>]> = [
      ['north', { role: 'dispatcher', district: 'North' }],
      ['bolt', { role: 'dispatcher', contractor: 'Bolt' }],
      ['northAcme', { role: 'enforcement', district: 'North', contractor: 'Acme' }],
      ['south', { role: 'enforcement', district: 'South' }],
      ['whole', { role: 'dispatcher' }],
      ['chief', { role: 'admin', district: 'North' }],
    ];
    for (const [name, fields] of people) {
      const created = await svc.call('POST', '/api/v1/users', { token: admin(), body: { name, displayName: name, password: 'correct horse 1', ...fields } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const login = await svc.call('POST', '/api/v1/auth/login', { body: { name, password: 'correct horse 1' } });
      expect(login.status).toBe(200);
      session[name] = login.body.token;
    }
    const options = { seed: 1, iterations: 100, timeLimitS: 1 };
    plan.north = (await svc.plans.create({ date: day, district: 'North', options, createdBy: 'test' }))!;
    plan.south = (await svc.plans.create({ date: day, district: 'South', options, createdBy: 'test' }))!;
    plan.city = (await svc.plans.create({ date: day, district: null, options, createdBy: 'test' }))!;
  });
  afterAll(() => svc?.stop());

  it('lists only the vehicles of the account\'s district, contractor or both; admins and unscoped people see all', async () => {
    expect(vehicleIds(await get('north', '/vehicles'))).toEqual(['col-1', 'muck-1']);
    expect(vehicleIds(await get('bolt', '/vehicles'))).toEqual(['muck-1']);
    expect(vehicleIds(await get('northAcme', '/vehicles'))).toEqual(['col-1']);
    expect(vehicleIds(await get('south', '/vehicles'))).toEqual(['col-2']);
    expect(vehicleIds(await get('whole', '/vehicles'))).toEqual(['col-1', 'col-2', 'muck-1']);
    expect(vehicleIds(await get('chief', '/vehicles'))).toEqual(['col-1', 'col-2', 'muck-1']);
    const counted = await get('north', '/vehicles?limit=1');
    expect(counted.body.total).toBe(2);
    // A filter narrows within the scope, never beyond it.
    expect(vehicleIds(await get('north', '/vehicles?district=South'))).toEqual([]);
  });

  it('refuses a vehicle outside the scope with 403 auth.forbidden, on its record, its state and its track', async () => {
    for (const path of ['/vehicles/col-2', '/vehicles/col-2/state', `/vehicles/col-2/track?${trackRange}`]) {
      const res = await get('north', path);
      expect(res.status, path).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
      expect(res.body.details[0]).toMatchObject({ path: 'params.id', message: expect.stringContaining('district "North"') });
    }
    expect((await get('bolt', '/vehicles/col-1')).status).toBe(403);
    expect((await get('bolt', '/vehicles/muck-1')).status).toBe(200);
    expect((await get('north', '/vehicles/col-1')).status).toBe(200);
    expect((await get('north', '/vehicles/col-1/state')).body).toMatchObject({ vehicleId: 'col-1', district: 'North', contractor: 'Acme' });
    expect((await get('north', `/vehicles/muck-1/track?${trackRange}`)).status).toBe(200);
    expect((await get('whole', '/vehicles/col-2/state')).status).toBe(200);
    expect((await get('chief', `/vehicles/col-2/track?${trackRange}`)).status).toBe(200);
    // An unknown vehicle stays 404 (the scope does not pretend it exists).
    expect((await get('north', '/vehicles/nope/state')).status).toBe(404);
  });

  it("keeps a vehicle's route and the drivers' reports to the scope", async () => {
    expect((await get('north', '/vehicles/col-2/route')).status).toBe(403);
    expect((await get('north', '/vehicles/col-1/route')).status).toBe(200);
    for (const vehicleId of ['col-1', 'col-2']) {
      const token = await svc.call('POST', '/api/v1/tokens', { token: admin(), body: { role: 'driver', vehicleId, label: `driver ${vehicleId}` } });
      const report = await svc.call('POST', '/api/v1/driver/reports', { token: token.body.token, body: { kind: 'blocked_road', note: `from ${vehicleId}` } });
      expect(report.status, JSON.stringify(report.body)).toBe(201);
    }
    const reportsOf = async (who: string, q = '') => ((await get(who, `/driver-reports${q}`)).body.items as Array<{ vehicleId: string }>).map((r) => r.vehicleId).sort();
    expect(await reportsOf('north')).toEqual(['col-1']);
    expect(await reportsOf('north', '?vehicleId=col-2')).toEqual([]);
    expect(await reportsOf('south')).toEqual(['col-2']);
    expect(await reportsOf('bolt')).toEqual([]);
    expect(await reportsOf('whole')).toEqual(['col-1', 'col-2']);
  });

  it("lets a scoped dispatcher mark done only the stops of the scope's vehicles", async () => {
    const planId = await insertRoutePlan(svc.db, { id: 'plan-scope', date: '2030-01-02', district: 'North' });
    expect((await svc.call('POST', `/api/v1/plans/${planId}/publish`, { token: admin() })).status).toBe(200);
    const mark = (stopId: string) => svc.call('POST', `/api/v1/plans/${planId}/stops/${stopId}/done`, { token: session.north, body: {} });
    const foreign = await mark('col-2.1');
    expect(foreign.status).toBe(403);
    expect(foreign.body.details[0].path).toBe('params.stopId');
    expect((await mark('col-1.1')).status).toBe(201);
  });

  it('keeps the live fleet state to the scope, whatever the filter asks', async () => {
    expect(vehicleIds(await get('north', '/fleet/state'))).toEqual(['col-1', 'muck-1']);
    expect(vehicleIds(await get('north', '/fleet/state?district=South'))).toEqual([]);
    expect(vehicleIds(await get('northAcme', '/fleet/state'))).toEqual(['col-1']);
    expect(vehicleIds(await get('whole', '/fleet/state'))).toEqual(['col-1', 'col-2', 'muck-1']);
  });

  it('lets a scoped dispatcher change only vehicles of the scope', async () => {
    const current = (await svc.call('GET', '/api/v1/vehicles/col-2', { token: admin() })).body;
    const put = await svc.call('PUT', '/api/v1/vehicles/col-2', { token: session.north, body: { ...current, district: 'North' } });
    expect(put.status).toBe(403);
    const { id: _id, ...fields } = current;
    const post = await svc.call('POST', '/api/v1/vehicles', { token: session.north, body: { ...fields, id: 'col-9', plate: '沪A00009', terminalId: undefined } });
    expect(post.status).toBe(403);
    expect(post.body.details[0].path).toBe('body');
    expect((await svc.call('DELETE', '/api/v1/vehicles/col-2', { token: session.north })).status).toBe(403);
    expect((await svc.call('GET', '/api/v1/vehicles/col-2', { token: admin() })).body.district).toBe('South');
  });

  it('offers the map only the districts of the vehicles the account sees', async () => {
    expect((await get('north', '/map/config')).body.districts).toEqual(['North']);
    expect((await get('whole', '/map/config')).body.districts).toEqual(['North', 'South']);
    expect((await get('bolt', '/map/config')).body.districts).toEqual(['North']);
  });

  it('shows a district account only its district\'s plans; another district\'s or the whole city\'s is 403', async () => {
    // Plans of the day the plans above were made for (another test publishes one of another day).
    const listed = await get('north', `/plans?date=${day}`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([plan.north.planId]);
    expect(listed.body.total).toBe(1);
    expect((await get('north', '/plans?district=South')).body.items).toEqual([]);
    expect((await get('north', '/plans?city=true')).body.items).toEqual([]);
    expect((await get('whole', `/plans?date=${day}`)).body.items).toHaveLength(3);
    expect((await get('bolt', `/plans?date=${day}`)).body.items).toHaveLength(3);
    expect((await get('north', `/plans/${plan.north.planId}`)).status).toBe(200);
    for (const path of [`/plans/${plan.south.planId}`, `/plans/${plan.city.planId}`, `/plan-jobs/${plan.south.jobId}`, `/plans/${plan.south.planId}/problem`]) {
      const res = await get('north', path);
      expect(res.status, path).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
    expect((await svc.call('POST', `/api/v1/plans/${plan.south.planId}/publish`, { token: session.north })).status).toBe(403);
    const ask = await svc.call('POST', '/api/v1/plans', { token: session.north, body: { date: day, district: 'South' } });
    expect(ask.status).toBe(403);
    expect(ask.body.details[0].path).toBe('body.district');
    const whole = await svc.call('POST', '/api/v1/plans', { token: session.north, body: { date: day } });
    expect(whole.status).toBe(403);
  });

  it('does not push another district\'s (or contractor\'s) vehicles over the live socket, in the snapshot or as updates', async () => {
    const scoped = client(svc.url, { token: session.north });
    const everyone = client(svc.url, { token: session.whole });
    try {
      expect(ids(await scoped.ready)).toEqual(['col-1', 'muck-1']);
      expect(ids(await everyone.ready)).toEqual(['col-1', 'col-2', 'muck-1']);
      // A filter cannot widen the scope either.
      const ack = await scoped.socket.emitWithAck('subscribe', { district: ['South', 'North'] });
      expect(ack).toEqual({ ok: true, count: 2 });
      const fix = (vehicleId: string, atMs: number) => ({ vehicleId, fixTime: atMs, lat: 43.735, lon: 7.42 + (atMs % 1000) / 1e6, speedKmh: 12 });
      const t0 = Date.now() - 5_000;
      // South's truck moves first, then North's: a scoped client that got South's would have it by the time North's arrives.
      expect((await svc.call('POST', '/api/v1/positions', { token: admin(), body: { positions: [fix('col-2', t0)] } })).status).toBe(200);
      await until(() => everyone.updates.some((u) => u.batch.some((s) => s.vehicleId === 'col-2')), 10_000);
      expect((await svc.call('POST', '/api/v1/positions', { token: admin(), body: { positions: [fix('col-1', t0 + 1000)] } })).status).toBe(200);
      await until(() => scoped.updates.some((u) => u.batch.some((s) => s.vehicleId === 'col-1')), 10_000);
      expect(scoped.updates.flatMap((u) => u.batch).map((s) => s.vehicleId)).not.toContain('col-2');
      expect(scoped.snapshots.flat().map((s) => s.vehicleId)).not.toContain('col-2');
    } finally {
      scoped.socket.close();
      everyone.socket.close();
    }
    const contractor = client(svc.url, { token: session.bolt });
    try {
      expect(ids(await contractor.ready)).toEqual(['muck-1']);
    } finally {
      contractor.socket.close();
    }
    // A planner still has no live view, scoped or not: it may connect (to follow capacity runs) but gets no
    // snapshot, and a filter is refused.
    const planner = await svc.call('POST', '/api/v1/users', { token: admin(), body: { name: 'plan.north', displayName: 'p', role: 'planner', district: 'North', password: 'correct horse 1' } });
    expect(planner.status).toBe(201);
    const login = await svc.call('POST', '/api/v1/auth/login', { body: { name: 'plan.north', password: 'correct horse 1' } });
    const asPlanner = client(svc.url, { token: login.body.token });
    const watcher = client(svc.url, { token: session.whole });
    try {
      await new Promise<void>((resolve, reject) => {
        asPlanner.socket.once('connect', () => resolve());
        asPlanner.socket.once('connect_error', reject);
      });
      await watcher.ready;
      expect(await asPlanner.socket.emitWithAck('subscribe', { district: ['North'] })).toMatchObject({ code: 'auth.forbidden' });
      expect((await svc.call('POST', '/api/v1/positions', { token: admin(), body: { positions: [{ vehicleId: 'col-1', fixTime: Date.now() - 1000, lat: 43.735, lon: 7.421, speedKmh: 12 }] } })).status).toBe(200);
      // once a whole-fleet client has the update, the planner would have it too if it were pushed
      await until(() => watcher.updates.some((u) => u.batch.some((s) => s.vehicleId === 'col-1')), 10_000);
      expect(asPlanner.snapshots).toEqual([]);
      expect(asPlanner.updates).toEqual([]);
    } finally {
      asPlanner.socket.close();
      watcher.socket.close();
    }
  });
});
