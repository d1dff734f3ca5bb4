import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../solver/index.js';
import { EMPTY, LOADED, fix, line, local, monitor, phases } from './scenario.js';
import type { StoredFix } from '../../src/tracking/position-writer.js';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import type { LaneContextReader } from '../../src/compliance/lane-context.js';
import { slimFix } from '../../src/compliance/vehicle-context.js';

const T0 = local(23);
/** A loaded permit trip, 40 fixes 10 s apart, 100 m off the corridor at fixes 10..22. */
function offRouteTrip(): StoredFix[] {
  return line('T1', T0, [0, 0], [2_800, 0], 40, 10, LOADED).map((f, i) => (i >= 10 && i <= 22 ? fix('T1', f.fixTimeMs, (2_800 * i) / 39, 100, LOADED) : f));
}

function shuffled<T>(list: T[], seed: number): T[] {
  const rng = mulberry32(seed);
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rng() * (i + 1));
    [out[i], out[k]] = [out[k]!, out[i]!];
  }
  return out;
}

describe('the detector pipeline judges fixes in fix-time order', () => {
  it('out-of-order fixes (one shuffled batch, or swapped across batches) raise the same incidents as in order, once', async () => {
    const inOrder = await monitor().run(offRouteTrip());
    expect(phases(inOrder)).toEqual(['off_route open', 'off_route close']);
    const shuffledBatch = await monitor().run(shuffled(offRouteTrip(), 7));
    expect(shuffledBatch.map((e) => [e.key, e.phase, e.endMs])).toEqual(inOrder.map((e) => [e.key, e.phase, e.endMs]));
    const fixes = offRouteTrip();
    // fix 12 arrives a batch after fixes 13..19: late, so its stretch is re-run
    const m = monitor();
    const swapped = await m.run(fixes.slice(0, 12), fixes.slice(13, 20), [fixes[12]!], fixes.slice(20));
    expect(swapped.map((e) => [e.key, e.phase, e.endMs])).toEqual(inOrder.map((e) => [e.key, e.phase, e.endMs]));
    expect(m.monitor.stats.replays).toBe(1);
  });

  it('duplicates (in one batch and resent later) are judged once', async () => {
    const fixes = offRouteTrip();
    const m = monitor();
    const events = await m.run([...fixes.slice(0, 20), ...fixes.slice(0, 20)], fixes.slice(15), fixes);
    expect(phases(events)).toEqual(['off_route open', 'off_route close']);
    expect(m.monitor.stats.judged).toBe(40);
    expect(m.monitor.stats.duplicates).toBe(20 + 5 + 40);
  });

  it('implausible fixes (GPS jumps flagged before commit) are left out: three jumps off the corridor and a 120 km/h spike raise nothing', async () => {
    const fixes = line('T1', T0, [0, 0], [2_800, 0], 40, 10, LOADED).map((f, i) => (i >= 10 && i <= 16 ? { ...fix('T1', f.fixTimeMs, 1_000, 900, { ...LOADED, speedKmh: 120 }), implausible: true } : f));
    const m = monitor();
    expect(phases(await m.run(fixes))).toEqual([]);
    expect(m.monitor.stats.implausible).toBe(7);
  });

  it('fixes without a GNSS position (the last place repeated, speed 0) are left out: no dumping from a lift seen in a tunnel', async () => {
    const fixes = line('T1', T0, [1_500, 300], [1_500, 300], 12, 10, { ...LOADED, speedKmh: 0, bodyLifted: true }).map((f) => ({ ...f, positioned: false }));
    const m = monitor();
    expect(phases(await m.run(fixes))).toEqual([]);
    expect(m.monitor.stats.unpositioned).toBe(12);
  });

  it('a late blind-area batch holding a spill raises it once, and the batch resent raises nothing more', async () => {
    const fixes = line('T1', T0, [200, 0], [2_000, 0], 30, 10, LOADED).map((f, i) => (i >= 14 ? { ...f, loadKg: 11_000 } : f));
    const live = [...fixes.slice(0, 10), ...fixes.slice(20)];
    const blind = fixes.slice(10, 20).map((f) => ({ ...f, blindArea: true }));
    const m = monitor();
    // live alone: 15 t before the gap, 11 t after it, more than 60 s of moving apart: no spill judged across a gap
    expect(phases(await m.run(live))).toEqual([]);
    const events = await m.run(blind);
    expect(phases(events)).toEqual(['spill open', 'spill close']);
    expect(events[0]!.startMs).toBe(fixes[14]!.fixTimeMs);
    expect(phases(await m.run(blind, blind.slice(3)))).toEqual(['spill open', 'spill close']);
  });

  it('a late batch with the start of an off-route already raised live does not raise it again: one key from open to close', async () => {
    const fixes = line('T1', T0, [0, 0], [2_800, 0], 45, 10, LOADED).map((f, i) => (i >= 10 && i <= 30 ? fix('T1', f.fixTimeMs, (2_800 * i) / 44, 100, LOADED) : f));
    const m = monitor();
    const events = await m.run([...fixes.slice(0, 10), ...fixes.slice(15, 26)], fixes.slice(10, 15), fixes.slice(26));
    expect(phases(events)).toEqual(['off_route open', 'off_route close']);
    expect(events[0]!.startMs).toBe(fixes[15]!.fixTimeMs);
    expect(events[1]!.key).toBe(events[0]!.key);
    expect(events[1]!.endMs).toBe(fixes[31]!.fixTimeMs);
    expect(m.monitor.stats.replays).toBe(1);
  });

  it('a load that went empty during a gap in the live fixes (unloaded at the disposal site, uploaded later) raises no spill', async () => {
    const fixes = [
      ...line('T1', T0, [2_000, 0], [2_900, 0], 10, 10, LOADED),
      ...line('T1', T0 + 100_000, [3_000, 0], [3_000, 0], 6, 10, { ...EMPTY, speedKmh: 0 }),
      ...line('T1', T0 + 160_000, [2_900, 0], [1_500, 0], 10, 10, EMPTY),
    ];
    const live = [...fixes.slice(0, 9), ...fixes.slice(17)];
    const m = monitor();
    expect(phases(await m.run(live))).toEqual([]);
    expect(phases(await m.run(fixes.slice(9, 17)))).toEqual([]);
  });

  it('live, nothing is judged across a gap: a truck loaded before 5 silent minutes and found parked empty after them raises no dumping, a cover open before and after them no uncovered', async () => {
    const parked = [
      ...line('T1', T0, [2_000, 0], [2_500, 0], 5, 10, LOADED),
      ...line('T1', T0 + 340_000, [1_500, 300], [1_500, 300], 12, 10, { ...EMPTY, speedKmh: 0 }),
    ];
    expect(phases(await monitor().run(parked))).toEqual([]);
    const cover = { ...LOADED, speedKmh: 15, coverClosed: false };
    const uncovered = [...line('T1', T0, [500, 0], [600, 0], 3, 10, cover), ...line('T1', T0 + 320_000, [1_500, 0], [1_600, 0], 2, 10, cover)];
    expect(phases(await monitor().run(uncovered))).toEqual([]);
  });

  it('a blind-area stretch uploaded 40 minutes late (older than the history kept) is still judged: its spill is raised', async () => {
    const stretch = line('T1', T0, [200, 0], [1_200, 0], 12, 10, LOADED).map((f, i) => (i >= 6 ? { ...f, loadKg: 11_000 } : f));
    const later = line('T1', T0 + 40 * 60_000, [0, 0], [2_800, 0], 40, 10, LOADED);
    const m = monitor();
    expect(phases(await m.run(later))).toEqual([]);
    expect(phases(await m.run(stretch))).toEqual(['spill open', 'spill close']);
  });

  it('a blind-area stretch older than the history is judged with the fixes before it, read back from the store: a load fallen across its start is a spill', async () => {
    // loaded with 15 t; the stretch uploaded 40 minutes late begins at 11 t: the load fell between the last fix before it and its first
    const before = line('T1', T0, [200, 0], [700, 0], 6, 10, LOADED);
    const blind = line('T1', T0 + 60_000, [800, 0], [1_300, 0], 6, 10, { ...LOADED, loadKg: 11_000 }).map((f) => ({ ...f, blindArea: true }));
    const after = line('T1', T0 + 40 * 60_000, [0, 0], [2_800, 0], 40, 10, { ...LOADED, loadKg: 11_000 });
    const stored = [...before, ...blind, ...after];
    const reads: Array<[number, number]> = [];
    const readContext: LaneContextReader = async (vehicleId, fromMs, toMs) => {
      reads.push([fromMs, toMs]);
      return { fixes: stored.filter((f) => f.vehicleId === vehicleId && f.fixTimeMs >= fromMs && f.fixTimeMs <= toMs).map(slimFix), incidents: [] };
    };
    const m = monitor({ readContext });
    expect(phases(await m.run(before, after))).toEqual([]); // nothing is judged across the 40-minute gap
    const events = await m.run(blind);
    expect(phases(events)).toEqual(['spill open', 'spill close']);
    expect(events[0]!.startMs).toBe(blind[0]!.fixTimeMs);
    expect(reads).toEqual([[blind[0]!.fixTimeMs - 30 * 60_000, after[0]!.fixTimeMs]]);
    // the lane alone holds only the fixes after the stretch: no drop is seen
    const alone = monitor();
    await alone.run(before, after);
    expect(phases(await alone.run(blind))).toEqual([]);
  });

  it('a late stretch older than the history does not raise again an incident raised before it and since forgotten by the lane', async () => {
    const before = line('T1', T0, [200, 0], [700, 0], 6, 10, { ...LOADED, speedKmh: 55 });
    const blind = line('T1', T0 + 60_000, [800, 0], [1_300, 0], 6, 10, LOADED).map((f) => ({ ...f, blindArea: true }));
    // uploaded 70 minutes late: the lane has let go of the fixes and of the incident before it
    const after = line('T1', T0 + 70 * 60_000, [0, 0], [2_800, 0], 40, 10, LOADED);
    const stored = [...before, ...blind, ...after];
    const raised: IncidentEvent[] = [];
    const m = monitor({
      readContext: async (vehicleId, fromMs, toMs) => ({
        fixes: stored.filter((f) => f.vehicleId === vehicleId && f.fixTimeMs >= fromMs && f.fixTimeMs <= toMs).map(slimFix),
        incidents: raised.filter((e) => e.phase === 'close').map((event) => ({ event, closed: true })),
      }),
    });
    raised.push(...await m.run(before, after));
    expect(phases(raised)).toEqual(['speeding open', 'speeding close']);
    const count = m.events.length;
    await m.run(blind);
    expect(phases(m.events.slice(count))).toEqual([]);
  });

  it('an incident the late fixes disprove is closed as re-evaluated; the next one is raised on its own', async () => {
    // live: every third fix at 50 km/h (three in a row as far as the live stream knows); blind: the fixes between, at 30;
    // then live again, with a real three-fix speeding
    const speeds = [50, 30, 30, 50, 30, 30, 50, 30, 30, 30, 30, 55, 56, 57, 30, 30, 30, 30];
    const fixes = line('T1', T0, [200, 0], [1_900, 0], speeds.length, 10, LOADED).map((f, i) => ({ ...f, speedKmh: speeds[i]! }));
    const live = fixes.filter((_, i) => i % 3 === 0 && i <= 6);
    const blind = fixes.filter((_, i) => i <= 6 && i % 3 !== 0);
    const m = monitor();
    expect(phases(await m.run(live))).toEqual(['speeding open']);
    m.advance(5_000);
    const expected = [
      ['open', `speeding:T1:${fixes[0]!.fixTimeMs}`, undefined],
      ['close', `speeding:T1:${fixes[0]!.fixTimeMs}`, 're-evaluation'],
      ['open', `speeding:T1:${fixes[11]!.fixTimeMs}`, undefined],
      ['close', `speeding:T1:${fixes[11]!.fixTimeMs}`, undefined],
    ];
    const events = await m.run(blind, fixes.slice(7));
    expect(events.map((e) => [e.phase, e.key, e.details.closedBy])).toEqual(expected);
    // the same when the late fixes come in one batch with newer ones: the stretch is re-run before those are judged
    const one = monitor();
    await one.run(live);
    const together = await one.run([...blind, ...fixes.slice(7)]);
    expect(together.map((e) => [e.phase, e.key, e.details.closedBy])).toEqual(expected);
  });

  it('an incident of a vehicle silent for offlineAfterS closes as of its last fix; fixes after a real silence start afresh', async () => {
    const m = monitor();
    const fixes = line('T1', T0, [200, 0], [2_000, 0], 10, 10, { ...LOADED, speedKmh: 50 }).map((f, i) => (i >= 5 ? { ...f, fixTimeMs: f.fixTimeMs + 600_000 } : f));
    await m.run(fixes.slice(0, 5));
    m.advance(298_000); // 299 s after the last fix arrived
    m.monitor.tick();
    expect(phases(m.events)).toEqual(['speeding open']);
    m.advance(2_000);
    m.monitor.tick();
    await m.monitor.flush();
    expect(m.events.map((e) => [e.phase, e.endMs, e.details.closedBy])).toEqual([['open', undefined, undefined], ['close', fixes[4]!.fixTimeMs, 'offline']]);
    await m.run(fixes.slice(5));
    expect(m.events.map((e) => [e.phase, e.startMs])).toEqual([
      ['open', fixes[0]!.fixTimeMs], ['close', fixes[0]!.fixTimeMs], ['open', fixes[5]!.fixTimeMs],
    ]);
  });

  it('fixes that go on from where a vehicle fell silent (a blind area uploaded after the offline close) do not raise the closed incident again', async () => {
    const m = monitor();
    const fixes = line('T1', T0, [200, 0], [2_000, 0], 10, 10, { ...LOADED, speedKmh: 50 });
    await m.run(fixes.slice(0, 5));
    m.advance(301_000);
    m.monitor.tick();
    await m.run(fixes.slice(5));
    expect(m.events.map((e) => [e.phase, e.startMs, e.details.closedBy])).toEqual([['open', fixes[0]!.fixTimeMs, undefined], ['close', fixes[0]!.fixTimeMs, 'offline']]);
  });

  it('silence is judged on the fixes\' time: a night replayed 1000x faster closes and reopens the same incidents as live', async () => {
    // T1 speeds, falls silent for 10 min while T2 goes on reporting, then speeds again
    const t1 = [...line('T1', T0, [200, 0], [600, 0], 5, 10, { ...LOADED, speedKmh: 50 }), ...line('T1', T0 + 640_000, [700, 0], [1_100, 0], 5, 10, { ...LOADED, speedKmh: 50 })];
    const t2 = line('T2', T0, [0, 500], [2_000, 500], 80, 10, { ...EMPTY, speedKmh: 20 });
    const replay = async (wallPerFixSecondMs: number) => {
      const m = monitor();
      const batches = [...new Set([...t1, ...t2].map((f) => f.fixTimeMs))].sort((a, b) => a - b);
      let lastMs = T0;
      for (const t of batches) {
        m.advance((t - lastMs) * wallPerFixSecondMs / 1000);
        lastMs = t;
        m.monitor.accept([...t1, ...t2].filter((f) => f.fixTimeMs === t));
        m.monitor.tick();
      }
      await m.monitor.flush();
      return m.events.map((e) => [e.vehicleId, e.type, e.phase, e.startMs, e.endMs, e.details.closedBy]);
    };
    const live = await replay(1000);
    expect(live).toEqual([
      ['T1', 'speeding', 'open', t1[0]!.fixTimeMs, undefined, undefined],
      ['T1', 'speeding', 'close', t1[0]!.fixTimeMs, t1[4]!.fixTimeMs, 'offline'],
      ['T1', 'speeding', 'open', t1[5]!.fixTimeMs, undefined, undefined],
    ]);
    expect(await replay(1)).toEqual(live);
  });

  it('a fix completing a violation is held no longer than reorderHoldMs of wall time', async () => {
    const fixes = line('T1', T0, [200, 0], [400, 0], 3, 10, { ...LOADED, speedKmh: 50 });
    const m = monitor();
    m.monitor.accept(fixes);
    m.monitor.tick();
    expect(phases(m.events)).toEqual([]);
    m.advance(1_000);
    m.monitor.tick();
    await m.monitor.flush();
    expect(phases(m.events)).toEqual(['speeding open']);
  });
});
