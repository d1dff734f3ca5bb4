import { describe, expect, it } from 'vitest';
import { EMPTY, LOADED, fix, line, local, monitor, phases } from './scenario.js';

/** A loaded trip of `vehicle` along the corridor from `startMs`, `n` fixes 10 s apart, unloaded inside the disposal site 10 s after. */
const trip = (vehicle: string, startMs: number, n = 20) => [
  ...line(vehicle, startMs, [0, 0], [2_800, 0], n, 10, LOADED),
  fix(vehicle, startMs + n * 10_000, 3_000, 0, { ...EMPTY, speedKmh: 0 }),
];

describe('outside_hours', () => {
  it('a loaded trip at 21:30 (before the 22:00-06:00 window) raises one incident, closed when the window begins', async () => {
    const fixes = trip('T1', local(21, 50), 80); // 21:50:00 .. 22:03:10
    const events = await monitor().run(fixes);
    expect(phases(events)).toEqual(['outside_hours open', 'outside_hours close']);
    // the first three fixes (35 m apart) are inside the site: the trip on the road starts with the fourth
    expect(events[0]!.startMs).toBe(local(21, 50, 30));
    expect(events[0]!.atMs).toBe(local(21, 51, 30));
    expect(events[0]!.thresholds).toMatchObject({ permitHours: '22:00-06:00', timeZone: 'Asia/Shanghai' });
    expect(events[0]!.details.localTimeAtStart).toBe('21:50:30');
    expect(events[1]!.endMs).toBe(local(22));
  });

  it('after the window (06:30 the next morning) is outside hours, not a missing permit', async () => {
    const events = await monitor().run(trip('T1', local(6, 30, 0, 2)));
    expect(phases(events)).toEqual(['outside_hours open', 'outside_hours close']);
  });

  it('near misses raise nothing: loading and driving inside the site from 21:58, leaving at 22:00:00; a trip starting exactly at 22:00:00, one after midnight inside the window, one ending exactly at 06:00:00, an empty truck at noon', async () => {
    expect(phases(await monitor().run(trip('T1', local(22))))).toEqual([]);
    const inSite = [...line('T1', local(21, 58), [-40, 0], [40, 0], 12, 10, { ...LOADED, speedKmh: 8 }), ...trip('T1', local(22)).slice(1)];
    expect(phases(await monitor().run(inSite))).toEqual([]);
    expect(phases(await monitor().run(trip('T1', local(2, 0, 0, 2))))).toEqual([]);
    const ending = trip('T1', local(5, 56, 50, 2), 20); // last fix 05:59:60 = 06:00:00
    expect(phases(await monitor().run(ending))).toEqual([]);
    const empty = line('T1', local(12), [0, 0], [2_800, 0], 20, 10, { ...LOADED, loadState: 'empty', loadKg: 0 });
    expect(phases(await monitor().run(empty))).toEqual([]);
  });
});

describe('no_permit', () => {
  it('a muck truck on no permit driving loaded at night raises no_permit once; so does one whose permit expired', async () => {
    for (const vehicle of ['T2', 'T4']) {
      const events = await monitor().run(trip(vehicle, local(23)));
      expect(phases(events)).toEqual(['no_permit open', 'no_permit close']);
      expect(events[0]!.vehicleId).toBe(vehicle);
      expect(events[0]!.startMs).toBe(local(23, 0, 10));
      expect(events[0]!.atMs).toBe(local(23, 1, 10));
    }
  });

  it('names the night a trip after midnight belongs to', async () => {
    const events = await monitor().run(trip('T2', local(2, 0, 0, 2)));
    expect(events[0]!.details.nightDate).toBe('2026-12-01');
  });

  it('raises nothing for a permitted truck, nor for a truck without a permit driving empty', async () => {
    expect(phases(await monitor().run(trip('T1', local(23))))).toEqual([]);
    const empty = line('T2', local(23), [0, 0], [2_800, 0], 20, 10, { ...LOADED, loadState: 'empty', loadKg: 0 });
    expect(phases(await monitor().run(empty))).toEqual([]);
  });
});
