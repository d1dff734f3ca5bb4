import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixId } from '../../src/compliance/fix-id.js';
import { permitNight } from '../../src/compliance/manifest.js';
import { smallCity } from '../helpers/city-fixture.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The detectors run in the service on every committed fix: fixes posted for a muck truck of a
 * city imported after start raise an incident, which the incident store holds once; the same
 * ordered lanes keep the e-manifest live.
 */
describe('compliance in the service', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
    const city = smallCity() as any;
    city.vehicles.push({ ...city.vehicles.find((v: any) => v.id === 'muck-1'), id: 'muck-2', plate: '沪A00004' });
    city.permits[0].vehicleIds = ['muck-1', 'muck-2'];
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: city })).status).toBe(200);
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

  it('a loaded trip from the site to the disposal site, posted as it happens, is a closed e-manifest trip of its night', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 20 * 60_000;
    const at = (i: number, lon: number, lat: number, s: Record<string, unknown>) => ({
      vehicleId: 'muck-2', fixTime: t0 + i * 10_000, lon, lat, headingDeg: 90, altitudeM: 0, positioned: true, alarms: [], coverClosed: true, ...s,
    });
    const positions = [
      ...[0, 1, 2].map((i) => at(i, 7.43, 43.735, { speedKmh: 0, loadState: 'full', loadKg: 15_000, bodyLifted: false })),
      ...Array.from({ length: 12 }, (_, k) => at(3 + k, 7.4301 + (k + 1) * 0.0008, 43.7351 + (k + 1) * 0.0004, { speedKmh: 30, loadState: 'full', loadKg: 15_000, bodyLifted: false })),
      ...[15, 16, 17].map((i) => at(i, 7.44, 43.74, { speedKmh: 0, loadState: i === 15 ? 'full' : 'empty', loadKg: i === 15 ? 15_000 : 0, bodyLifted: i >= 16 })),
    ];
    expect((await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions } })).body.accepted).toBe(18);
    await svc.compliance.flush();
    const { night, windowEndMs } = permitNight(t0, 'Asia/Shanghai', { from: '22:00', to: '06:00' });
    let trips: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 250 && !trips.some((t) => t.closedAt); i++) {
      trips = (await svc.call('GET', `/api/v1/manifests?date=${night}`, { token: svc.adminToken })).body.trips.filter((t: { vehicleId: string }) => t.vehicleId === 'muck-2');
      if (!trips.some((t) => t.closedAt)) await new Promise((r) => setTimeout(r, 20));
    }
    // closed inside the disposal site when the body went up; flagged late as well when this runs after the night's window plus an hour's grace
    const late = t0 > windowEndMs + 60 * 60_000;
    expect(trips).toEqual([expect.objectContaining({
      permitId: 'permit-1', siteId: 'site-1', closedFacilityId: 'disp-1', closeFixId: fixId('muck-2', t0 + 160_000), loadKg: 15_000,
      status: late ? 'flagged' : 'closed', ...(late ? { flag: 'late' } : {}),
    })]);
  });
});
