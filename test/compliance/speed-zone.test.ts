import { describe, expect, it } from 'vitest';
import { ComplianceMonitor } from '../../src/compliance/monitor.js';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import { LOADED, cityModel, line, local, monitor, only, phases, profile } from './scenario.js';

const T0 = local(23);
/** T1 along y = `y` from x 200 eastwards, fixes 10 s apart with the given speeds. */
const speeds = (list: number[], y = 0, x0 = 200, stepM = 60) => line('T1', T0, [x0, y], [x0 + stepM * (list.length - 1), y], list.length, 10, LOADED).map((f, i) => ({ ...f, speedKmh: list[i]! }));

describe('speeding', () => {
  it('three fixes over 40 km/h raise one incident with the speed series; three back under close it', async () => {
    const fixes = speeds([30, 38, 45, 52, 49, 44, 39, 35, 30, 30]);
    const events = (await monitor().run(fixes)).filter((e) => e.type === 'speeding');
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
    expect(events[0]!.startMs).toBe(fixes[2]!.fixTimeMs);
    expect(events[0]!.atMs).toBe(fixes[4]!.fixTimeMs);
    expect(events[0]!.thresholds).toMatchObject({ limitKmh: 40, limitSource: 'muckTruckInTown', speedingFixes: 3 });
    expect(events[0]!.details).toMatchObject({ maxSpeedKmh: 52, speedsKmh: [45, 52, 49] });
    expect(events[1]!.endMs).toBe(fixes[6]!.fixTimeMs);
    expect(events[1]!.atMs).toBe(fixes[8]!.fixTimeMs);
  });

  it('a speed oscillating around the limit stays one incident (hysteresis)', async () => {
    const events = await monitor().run(speeds([45, 46, 47, 39, 45, 38, 46, 47, 30, 30, 30]));
    expect(only('speeding', events)).toEqual(['speeding open', 'speeding close']);
  });

  it('with the cover open the limit is 20 km/h; inside a 30 km/h zone it is 30', async () => {
    const open = speeds([25, 26, 27, 10, 10, 10]).map((f) => ({ ...f, coverClosed: false }));
    const events = await monitor().run(open);
    expect(events.find((e) => e.type === 'speeding')!.thresholds).toMatchObject({ limitKmh: 20, limitSource: 'coverOpen' });
    const zone = await monitor().run(speeds([35, 36, 37, 20, 20, 20], 0, 1_950, 10));
    const z = zone.find((e) => e.type === 'speeding')!;
    expect(z.thresholds).toMatchObject({ limitKmh: 30, limitSource: 'zone' });
    expect(z.zoneId).toBe('Z2');
  });

  it('a profile change takes effect on the next fixes (the muck-truck limit lowered to 30 km/h), and a city the detectors cannot read leaves the one they had', async () => {
    let current = profile();
    const events: IncidentEvent[] = [];
    const m = new ComplianceMonitor({ sink: { emit: (e) => void events.push(e) }, profile: () => current, now: () => T0 });
    m.setCity(cityModel());
    m.setCity({ ...cityModel(), permits: [{ corridor: null } as never] });
    m.accept(speeds([35, 35, 35, 35]));
    await m.flush();
    expect(events).toEqual([]);
    current = profile({ speedLimitsKmh: { muckTruckInTown: 30 } });
    m.accept(speeds([35, 35, 35, 35]).map((f) => ({ ...f, fixTimeMs: f.fixTimeMs + 60_000 })));
    await m.flush();
    expect(phases(events)).toEqual(['speeding open']);
    expect(events[0]!.thresholds.limitKmh).toBe(30);
  });

  it('near misses raise nothing: a one-fix speed spike, two fixes over, 35 km/h outside the slow zone', async () => {
    expect(only('speeding', await monitor().run(speeds([30, 90, 30, 30, 30])))).toEqual([]);
    expect(only('speeding', await monitor().run(speeds([30, 45, 44, 30, 45, 30])))).toEqual([]);
    expect(only('speeding', await monitor().run(speeds([35, 35, 35, 35], 0, 200, 10)))).toEqual([]);
  });
});

describe('restricted_zone', () => {
  it('a muck truck inside the school zone during its banned hours (07:00-09:00) raises one incident with the zone', async () => {
    const t = local(7, 30, 0, 2);
    const fixes = line('T1', t, [725, 600], [1_325, 600], 13, 10, { ...LOADED, loadState: 'empty', loadKg: 0 });
    const events = (await monitor().run(fixes)).filter((e) => e.type === 'restricted_zone');
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
    expect(events[0]!.zoneId).toBe('Z1');
    // inside (x 900-1,100) at fixes 4-7; open on the second fix inside, ends at the first outside, closed on the second
    expect(events[0]!.startMs).toBe(fixes[4]!.fixTimeMs);
    expect(events[0]!.atMs).toBe(fixes[5]!.fixTimeMs);
    expect(events[1]!.endMs).toBe(fixes[8]!.fixTimeMs);
    expect(events[1]!.atMs).toBe(fixes[9]!.fixTimeMs);
    expect(events[0]!.thresholds).toMatchObject({ zoneHours: '07:00-09:00' });
  });

  it('near misses raise nothing: the same drive at 23:00 (outside the banned hours), a single fix inside the zone', async () => {
    const night = line('T1', T0, [700, 600], [1_300, 600], 13, 10, { ...LOADED, loadState: 'empty', loadKg: 0 });
    expect(only('restricted_zone', await monitor().run(night))).toEqual([]);
    const grazing = line('T1', local(7, 30, 0, 2), [700, 450], [1_300, 450], 7, 10, { ...LOADED, loadState: 'empty', loadKg: 0 }).map((f, i) => (i === 3 ? { ...f, lat: f.lat + 100 / 111_195 } : f));
    expect(only('restricted_zone', await monitor().run(grazing))).toEqual([]);
  });
});
