import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallCity } from '../helpers/city-fixture.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The detectors run in the service on every committed fix: fixes posted for a muck truck of a
 * city imported after start raise an incident, which the incident store holds once.
 */
describe('compliance in the service', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: smallCity() })).status).toBe(200);
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('three fixes of a loaded muck truck at 60 km/h raise one speeding incident, stored once though the batch is posted twice', async () => {
    const t0 = Date.now() - 60_000;
    const positions = [0, 1, 2].map((i) => ({
      vehicleId: 'muck-1', fixTime: t0 + i * 10_000, lat: 43.75, lon: 7.40 + i * 0.002, speedKmh: 60, headingDeg: 90, altitudeM: 0,
      positioned: true, loadState: 'full', coverClosed: true, bodyLifted: false, loadKg: 14_000, alarms: [],
    }));
    for (let k = 0; k < 2; k++) {
      const res = await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions } });
      expect(res.status).toBe(200);
    }
    await svc.compliance.flush();
    await svc.incidentSink.settle();
    const list = await svc.call('GET', '/api/v1/incidents?vehicleId=muck-1', { token: svc.adminToken });
    expect(list.body.items.map((i: { type: string; key: string; detection: string }) => [i.type, i.key, i.detection])).toEqual([
      ['speeding', `speeding:muck-1:${t0}`, 'open'],
    ]);
    expect(list.body.items[0].details).toMatchObject({ maxSpeedKmh: 60 });
    expect(list.body.items[0].fixIds).toEqual([0, 1, 2].map((i) => `muck-1@${new Date(t0 + i * 10_000).toISOString()}`));
    expect(svc.compliance.stats).toMatchObject({ judged: 3 });
  });
});
