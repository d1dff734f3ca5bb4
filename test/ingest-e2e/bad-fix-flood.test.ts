import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';

/**
 * Bad fixes flooding in beside live terminals: fixes that pass validation but that the
 * store refuses (here a constraint the service does not know of, standing in for any value
 * validation did not foresee) share group commits with the good fixes of other terminals.
 * Every good fix must still be acknowledged and stored; only the bad ones are answered
 * with an error, and they are counted by reason.
 */
describeEachBackend('a flood of fixes the store refuses beside good terminals (%s)', (backend) => {
  let svc: TestService;
  const terminals: SimTerminal[] = [];
  let jt808Vehicles: Array<{ id: string; terminalId: string }>;
  let jsonVehicle: string;

  const admin = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: svc.adminToken, body });
  const stored = async (vehicleId: string) => (await svc.db.query<{ n: number }>('select count(*)::int as n from positions where vehicle_id = $1', [vehicleId])).rows[0]!.n;

  beforeAll(async () => {
    svc = await startTestService({ backend, demo: true });
    const vehicles = (await admin('GET', '/api/v1/vehicles?limit=100')).body.items as Array<Record<string, any>>;
    const withTerminal = vehicles.filter((v) => v.terminalId);
    jt808Vehicles = withTerminal.slice(0, 6).map((v) => ({ id: v.id, terminalId: v.terminalId }));
    jsonVehicle = withTerminal[6]!.id;
    const template = { ...vehicles.find((v) => v.kind === 'collector')! };
    delete template.terminalId;
    delete template.terminalModel;
    for (const [i, deviceId] of ['phone-bad', 'phone-good'].entries()) {
      const res = await admin('POST', '/api/v1/vehicles', { ...template, id: deviceId, plate: `沪F${String(i + 1).padStart(5, '0')}`, deviceId });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await svc.db.query('alter table positions add constraint test_refuses_altitude check (altitude_m <> 1234)');
  });

  afterAll(async () => {
    for (const t of terminals) await t.close();
    await svc?.stop();
  });

  it('acknowledges and stores every good fix; answers, and counts, only the refused ones', async () => {
    for (const v of jt808Vehicles) {
      const t = await SimTerminal.connect(svc.jt808Port!, v.terminalId);
      terminals.push(t);
      await t.login();
    }
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 30 * 60_000;
    const framesPerTerminal = 30;
    const badOsmand = 150;
    const goodOsmand = 30;
    const jsonRequests = 20;
    const osmand = (id: string, i: number, altitude: number) =>
      fetch(`${svc.url}/api/v1/osmand?id=${id}&lat=43.73&lon=7.42&timestamp=${(t0 + i * 1000) / 1000}&altitude=${altitude}`)
        .then(async (r) => ({ status: r.status, body: await r.json() }));

    // Everything at once: frames, bad and good phones and JSON batches interleave in the same commits.
    const serials: number[][] = jt808Vehicles.map(() => []);
    const http: Array<Promise<{ status: number; body: any }>> = [];
    for (let i = 0; i < Math.max(framesPerTerminal, badOsmand); i++) {
      if (i < framesPerTerminal) {
        terminals.forEach((t, k) => serials[k]!.push(t.sendLocation({ fixTimeMs: t0 + i * 1000, lat: 43.73 + k * 0.001, lon: 7.42, speedKmh: 5, altitudeM: 20 })));
      }
      if (i < badOsmand) http.push(osmand('phone-bad', i, 1234));
      if (i < goodOsmand) http.push(osmand('phone-good', i, 20));
      if (i < jsonRequests) {
        http.push(svc.call('POST', '/api/v1/positions', {
          token: svc.adminToken,
          body: { positions: [
            { vehicleId: jsonVehicle, fixTime: t0 + i * 1000, lat: 43.74, lon: 7.42, altitudeM: 20 },
            { vehicleId: jsonVehicle, fixTime: t0 + i * 1000 + 500, lat: 43.74, lon: 7.42, altitudeM: 1234 },
          ] },
        }));
      }
    }
    const answers = await Promise.all(http);

    for (const [k, t] of terminals.entries()) {
      const results = await Promise.all(serials[k]!.map((s) => t.ack(s, undefined, 30_000).then((r) => r.result)));
      expect(results, `terminal ${t.terminalId}`).toEqual(new Array(framesPerTerminal).fill(0));
      expect(await stored(jt808Vehicles[k]!.id)).toBe(framesPerTerminal);
    }
    const bad = answers.filter((a) => a.body?.rejected?.[0]?.index === 0);
    const good = answers.filter((a) => a.body?.accepted === 1 && a.body.rejected?.length === 0);
    const json = answers.filter((a) => a.body?.rejected?.[0]?.path === 'body.positions.1');
    expect(answers.every((a) => a.status === 200), JSON.stringify(answers.find((a) => a.status !== 200))).toBe(true);
    expect(bad.length).toBe(badOsmand);
    for (const a of bad) expect(a.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, reason: 'store_refused' }] });
    expect(good.length).toBe(goodOsmand);
    expect(json.length).toBe(jsonRequests);
    for (const a of json) expect(a.body).toEqual({ accepted: 1, duplicates: 0, rejected: [{ path: 'body.positions.1', reason: 'store_refused' }] });

    expect(await stored('phone-bad')).toBe(0);
    expect(await stored('phone-good')).toBe(goodOsmand);
    expect(await stored(jsonVehicle)).toBe(jsonRequests);
    const stats = (await admin('GET', '/api/v1/ingest/stats')).body;
    expect(stats.rejected.store_refused).toBe(badOsmand + jsonRequests);
    expect(stats.accepted).toBe(framesPerTerminal * jt808Vehicles.length + goodOsmand + jsonRequests);
  });
});
