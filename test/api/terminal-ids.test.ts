import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';

/**
 * One terminal, one vehicle: a JT/T 808 phone number is BCD left-padded to 12 (2013) or 20
 * (2019) digits, so "13800000001" and "013800000001" are one terminal. Records keep the
 * canonical id (leading zeros stripped) and a second vehicle with the same canonical id, in
 * either the terminal or the device field, is refused with 409 on POST, PUT and import.
 */
describeEachBackend('canonical terminal ids (%s)', (backend) => {
  let svc: TestService;
  const terminals: SimTerminal[] = [];
  const template = () => structuredClone(smallCity().vehicles[0]!) as Record<string, unknown>;
  const admin = (method: string, path: string, body?: unknown) => svc.call(method, `/api/v1${path}`, { token: svc.adminToken, body });

  beforeAll(async () => {
    svc = await startTestService({ backend });
    // col-1 is sent as "013800000001", col-2 as "013800000002" (12-digit 2013 form).
    expect((await admin('POST', '/import', smallCity())).status).toBe(200);
  });

  afterAll(async () => {
    for (const t of terminals) await t.close();
    await svc?.stop();
  });

  it('stores and answers the canonical id; the terminalId filter finds the vehicle by either spelling', async () => {
    expect((await admin('GET', '/vehicles/col-1')).body.terminalId).toBe('13800000001');
    for (const spelling of ['013800000001', '13800000001', '00000000013800000001']) {
      const list = await admin('GET', `/vehicles?terminalId=${spelling}`);
      expect(list.body.items.map((v: { id: string }) => v.id)).toEqual(['col-1']);
    }
    const created = await admin('POST', '/vehicles', { ...template(), id: 'col-3', plate: 'P3', terminalId: '0000000013800000003', deviceId: '0077' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ terminalId: '13800000003', deviceId: '77' });
    expect((await admin('GET', '/vehicles/col-3')).body).toMatchObject({ terminalId: '13800000003', deviceId: '77' });
  });

  it('refuses a second vehicle with the same canonical id on POST, in either field', async () => {
    for (const [field, value] of [['terminalId', '13800000001'], ['terminalId', '00000000013800000001'], ['deviceId', '013800000001'], ['terminalId', '77']] as const) {
      const res = await admin('POST', '/vehicles', { ...template(), id: 'col-dup', plate: 'PD', terminalId: undefined, [field]: value });
      expect(res.status, `${field} ${value}`).toBe(409);
      expect(res.body.details[0].path).toBe(`body.${field}`);
    }
    expect((await admin('GET', '/vehicles/col-dup')).status).toBe(404);
  });

  it('refuses it on PUT, but a vehicle may keep its own id in any spelling', async () => {
    const col2 = (await admin('GET', '/vehicles/col-2')).body;
    const taken = await admin('PUT', '/vehicles/col-2', { ...col2, terminalId: '013800000001' });
    expect(taken.status).toBe(409);
    expect(taken.body.details).toEqual([{ path: 'body.terminalId', message: expect.stringContaining('"col-1"') }]);
    expect((await admin('GET', '/vehicles/col-2')).body.terminalId).toBe('13800000002');
    const own = await admin('PUT', '/vehicles/col-2', { ...col2, terminalId: '000013800000002' });
    expect(own.status).toBe(200);
    expect(own.body.terminalId).toBe('13800000002');
  });

  it('refuses it on import, inside the batch and against the store, and writes nothing', async () => {
    const against = await admin('POST', '/import', { vehicles: [{ ...template(), id: 'col-7', plate: 'P7', terminalId: '0013800000002' }] });
    expect(against.status).toBe(409);
    expect(against.body.details.map((d: { path: string }) => d.path)).toEqual(['body.vehicles.0.terminalId']);
    const inside = await admin('POST', '/import', {
      vehicles: [{ ...template(), id: 'col-8', plate: 'P8', terminalId: '555' }, { ...template(), id: 'col-9', plate: 'P9', terminalId: '0555' }],
    });
    expect(inside.status).toBe(409);
    expect(inside.body.details.map((d: { path: string }) => d.path)).toEqual(['body.vehicles.1.terminalId']);
    for (const id of ['col-7', 'col-8', 'col-9']) expect((await admin('GET', `/vehicles/${id}`)).status).toBe(404);
  });

  it('lets an import swap two vehicles\' terminals', async () => {
    const [a, b] = [(await admin('GET', '/vehicles/col-1')).body, (await admin('GET', '/vehicles/col-2')).body];
    const res = await admin('POST', '/import', { vehicles: [{ ...a, terminalId: b.terminalId }, { ...b, terminalId: a.terminalId }] });
    expect(res.status).toBe(200);
    expect((await admin('GET', '/vehicles/col-1')).body.terminalId).toBe('13800000002');
    const back = await admin('POST', '/import', { vehicles: [{ ...a }, { ...b }] });
    expect(back.status).toBe(200);
    expect((await admin('GET', '/vehicles/col-1')).body.terminalId).toBe('13800000001');
  });

  it('takes the fixes of a terminal speaking 2013 or 2019 headers, or OsmAnd with either spelling, for the one vehicle', async () => {
    const baseMs = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const sent: Array<[string, boolean]> = [['013800000001', false], ['13800000001', true], ['00000000013800000001', true]];
    for (const [i, [id, is2019]] of sent.entries()) {
      const t = await SimTerminal.connect(svc.jt808Port!, id, { is2019 });
      terminals.push(t);
      await t.login();
      const serial = t.sendLocation({ fixTimeMs: baseMs + i * 1000, lat: 43.735, lon: 7.42, speedKmh: 10 });
      expect((await t.ack(serial)).result).toBe(0);
    }
    for (const [i, id] of ['013800000001', '13800000001'].entries()) {
      const res = await svc.call('GET', `/api/v1/osmand?id=${id}&lat=43.735&lon=7.42&timestamp=${(baseMs + (10 + i) * 1000) / 1000}`);
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(1);
    }
    const rows = await svc.db.query<{ vehicle_id: string; n: number }>('select vehicle_id, count(*)::int as n from positions group by vehicle_id');
    expect(rows.rows).toEqual([{ vehicle_id: 'col-1', n: 5 }]);
    // The dispatcher's text finds the terminal's live connection from the vehicle record.
    const message = await admin('POST', '/vehicles/col-1/messages', { text: 'hello' });
    expect(message.status).toBe(200);
    expect(message.body.delivered).toBe(true);
  });
});
