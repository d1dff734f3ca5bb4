import { describe, expect, it } from 'vitest';
import { EMPTY, LOADED, fix, line, local, monitor, phases } from './scenario.js';

/** A loaded permit trip of T1 along the corridor (y = 0), with `off` fixes (index → y) replaced. */
function trip(off: Record<number, number>, n = 40, status = LOADED) {
  const t0 = local(23);
  return line('T1', t0, [0, 0], [2_800, 0], n, 10, status).map((f, i) => (off[i] === undefined ? f : fix('T1', f.fixTimeMs, (2_800 * i) / (n - 1), off[i]!, status)));
}

const range = (from: number, to: number, y: number) => Object.fromEntries(Array.from({ length: to - from + 1 }, (_, k) => [from + k, y]));

describe('off_route', () => {
  it('a loaded truck 100 m off its corridor for two minutes raises one incident, open then close, with the fixes and thresholds', async () => {
    const fixes = trip(range(10, 22, 100));
    const { run } = monitor();
    const events = await run(fixes);
    expect(phases(events)).toEqual(['off_route open', 'off_route close']);
    const [open, close] = events;
    expect(open!.key).toBe(`off_route:T1:${fixes[10]!.fixTimeMs}`);
    expect(close!.key).toBe(open!.key);
    expect(open!.permitId).toBe('P1');
    expect(open!.level).toBe(1);
    // opens once 60 s and 3 fixes are outside: the fixes 10..16
    expect(open!.atMs).toBe(fixes[16]!.fixTimeMs);
    expect(open!.fixIds).toHaveLength(7);
    expect(open!.thresholds).toMatchObject({ corridorWidthM: 30, offRouteAfterS: 60, backInsideFixes: 3, hysteresisM: 10 });
    expect(open!.details.distanceOutsideM).toBeCloseTo(85, 0);
    // back inside from fix 23, confirmed by the third inside fix (25)
    expect(close!.endMs).toBe(fixes[23]!.fixTimeMs);
    expect(close!.atMs).toBe(fixes[25]!.fixTimeMs);
  });

  it('escalates to level 2 after 5 minutes and level 3 after 15 minutes outside', async () => {
    const fixes = trip(range(5, 110, 100), 120);
    const events = await monitor().run(fixes);
    expect(events.map((e) => `${e.phase} ${e.level}`)).toEqual(['open 1', 'update 2', 'update 3', 'close 3']);
    expect(events[1]!.atMs - events[0]!.startMs).toBe(5 * 60_000);
    expect(events[2]!.atMs - events[0]!.startMs).toBe(15 * 60_000);
  });

  it('near misses raise nothing: a one-fix and a two-fix multipath spike, a 20 s excursion, GPS noise within the corridor, an empty truck off the corridor', async () => {
    const spike1 = trip({ 10: 90 });
    const spike2 = trip({ 10: 80, 11: -90 });
    const excursion = trip(range(10, 12, 60));
    const noise = trip(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [i, i % 2 === 0 ? 12 : -13])));
    const empty = trip(range(5, 30, 200), 40, EMPTY);
    for (const fixes of [spike1, spike2, excursion, noise, empty]) expect(phases(await monitor().run(fixes))).toEqual([]);
  });

  it('hysteresis: a truck hovering just inside the edge (within hysteresisM) does not end the incident; three fixes well inside do', async () => {
    // 10..19 outside at 60 m, 20..25 at 12 m (inside the 15 m half width, not 10 m inside it), then on the line
    const fixes = trip({ ...range(10, 19, 60), ...range(20, 25, 12) });
    const events = await monitor().run(fixes);
    expect(phases(events)).toEqual(['off_route open', 'off_route close']);
    expect(events[1]!.endMs).toBe(fixes[26]!.fixTimeMs);
  });

  it('an off-route that goes on until the truck unloads closes when the trip ends', async () => {
    const fixes = trip(range(10, 39, 150));
    const unloaded = fix('T1', fixes[39]!.fixTimeMs + 10_000, 2_800, 150, { ...EMPTY, speedKmh: 0 });
    const events = await monitor().run([...fixes, unloaded]);
    expect(phases(events)).toEqual(['off_route open', 'off_route close']);
    expect(events[1]!.details.closedBy).toBe('trip ended');
  });
});
