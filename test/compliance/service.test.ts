import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallCity } from '../helpers/city-fixture.js';
import { captureLog } from '../helpers/log-capture.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The detectors run in the service on every committed fix: fixes posted for a muck truck of a
 * city imported after start raise an incident, which reaches the incident sink (the log at info,
 * until the incident store is connected) once.
 */
describe('compliance in the service', () => {
  let svc: TestService;
  const log = captureLog('info');

  beforeAll(async () => {
    svc = await startTestService({ logger: log.logger });
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: smallCity() })).status).toBe(200);
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('three fixes of a loaded muck truck at 60 km/h raise one speeding incident, sent to the sink once though the batch is posted twice', async () => {
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
    const incidents = log.lines.filter((l) => l.component === 'compliance' && l.incident);
    expect(incidents.map((l) => [l.msg, l.incident.vehicleId, l.incident.key])).toEqual([
      ['incident open: speeding', 'muck-1', `speeding:muck-1:${t0}`],
    ]);
    expect(incidents[0]!.incident.details).toMatchObject({ maxSpeedKmh: 60 });
    expect(svc.compliance.stats).toMatchObject({ judged: 3 });
  });
});
