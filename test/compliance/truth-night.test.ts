import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { networkFromOsm, readOsm } from '../../solver/network/index.js';
import { generateDemoCity } from '../../src/demo/demo-city.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import { generateMuckNight, type MuckNight } from '../../simulations/muck-night/generate.js';
import { lastNightBefore, listenAsEnforcement, prepareNight, replayNight, scoreNight, type Received } from '../../simulations/muck-night/replay.js';

/**
 * Truth data end to end: one generated night of muck trucks on the demo city (every incident type
 * planted, near misses around them) replayed over JT/T 808 into a service with the road network;
 * what an enforcement officer receives on the incident socket is scored against the ground truth.
 */
describe('a generated muck-truck night over JT/T 808', () => {
  let svc: TestService;
  let night: MuckNight;
  let stopListening: () => void = () => undefined;
  let received: Received[];
  let sentAt: Map<string, number>;

  beforeAll(async () => {
    const osm = await readOsm(DEMO_OSM_FILE);
    const city = await generateDemoCity({ seed: 1, osm });
    night = generateMuckNight(city, networkFromOsm(osm), { seed: 11, night: lastNightBefore(Date.now()), tripsPerTruck: 2 });
    svc = await startTestService({ demo: true, roadNetwork: true });
    await svc.network; // off-route judged on map-matched positions, as in production
    const api = { url: svc.url, adminToken: svc.adminToken };
    const terminals = await prepareNight(api, night);
    const listener = await listenAsEnforcement(api);
    stopListening = () => listener.socket.close();
    received = listener.received;
    sentAt = await replayNight(night, { jt808Port: svc.jt808Port!, terminals });
    await svc.compliance.flush();
    await svc.incidentSink.settle();
    const settled = received.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(received.length).toBe(settled);
  });
  afterAll(async () => {
    stopListening();
    await svc?.stop();
  });

  it('raises every planted incident once and nothing on the near misses', () => {
    const types = new Set(night.truth.map((p) => p.type));
    expect([...types].sort()).toEqual(['illegal_dumping', 'no_permit', 'off_route', 'outside_hours', 'restricted_zone', 'speeding', 'spill', 'uncovered', 'wrong_site']);
    expect([...new Set(night.nearMisses.map((m) => m.kind))].sort()).toEqual([
      'brief_excursion', 'cover_open_loading', 'duplicate', 'late_batch', 'lift_in_disposal', 'multipath_spike', 'out_of_order', 'speed_spike', 'window_start',
    ]);
    const score = scoreNight(night, received, sentAt);
    const brief = (x: { type: string; vehicleId?: string; startAt?: string; startMs?: number }) => `${x.type} ${x.vehicleId} ${x.startAt ?? new Date(x.startMs!).toISOString()}`;
    if (process.env.TRUTH_DEBUG) console.log(JSON.stringify(received.filter((r) => r.change === 'opened').map((r) => [r.incident.type, r.incident.vehicleId, r.incident.startAt, r.incident.details])), JSON.stringify(night.truth.map((p) => [p.type, p.vehicleId, new Date(p.startMs).toISOString(), new Date(p.endMs).toISOString()])));
    expect(score.missed.map(brief)).toEqual([]);
    expect(score.falseIncidents.map(brief)).toEqual([]);
    expect(score.duplicates).toBe(0);
  });
});
