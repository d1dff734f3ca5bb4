import { describe, expect, it } from 'vitest';
import { EMPTY, LOADED, line, local, monitor, only, phases, type Status } from './scenario.js';

const T0 = local(23);
const STOPPED_LOADED: Status = { ...LOADED, speedKmh: 0 };
const stopAt = (x: number, y: number, fromMs: number, n: number, s: Status) => line('T1', fromMs, [x, y], [x, y], n, 10, s);

describe('uncovered', () => {
  it('cover open while loaded and moving for 30 s raises one incident, closed when the cover closes', async () => {
    const fixes = line('T1', T0, [0, 0], [2_800, 0], 30, 10, LOADED).map((f, i) => (i >= 5 && i < 15 ? { ...f, coverClosed: false, speedKmh: 32 + i } : f));
    const all = await monitor().run(fixes);
    expect(only('uncovered', all)).toEqual(['uncovered open', 'uncovered close']);
    // 37-46 km/h with the cover open is over its 20 km/h limit as well
    expect(only('speeding', all)).toEqual(['speeding open', 'speeding close']);
    const events = all.filter((e) => e.type === 'uncovered');
    expect(events[0]!.startMs).toBe(fixes[5]!.fixTimeMs);
    expect(events[0]!.atMs).toBe(fixes[8]!.fixTimeMs);
    expect(events[1]!.endMs).toBe(fixes[15]!.fixTimeMs);
    expect(events[1]!.details.maxSpeedKmh).toBe(46);
    expect(events[0]!.thresholds).toMatchObject({ uncoveredAfterS: 30 });
  });

  it('near misses raise nothing: cover open while stopped at the site being loaded, driving to the exit inside it, then closed within 20 s of leaving; cover open while empty; a 20 s opening', async () => {
    const loading = [
      ...stopAt(0, 0, T0, 30, { speedKmh: 0, loadState: 'empty', loadKg: 0, coverClosed: false }),
      ...stopAt(0, 0, T0 + 300_000, 25, { speedKmh: 0, loadState: 'full', loadKg: 15_000, coverClosed: false }),
      ...line('T1', T0 + 550_000, [-40, 0], [40, 0], 5, 10, { ...LOADED, speedKmh: 10, coverClosed: false }),
      ...line('T1', T0 + 600_000, [0, 0], [200, 0], 3, 10, { ...LOADED, speedKmh: 15, coverClosed: false }),
      ...line('T1', T0 + 630_000, [300, 0], [2_800, 0], 20, 10, LOADED),
    ];
    expect(phases(await monitor().run(loading))).toEqual([]);
    const empty = line('T1', T0, [0, 0], [2_800, 0], 30, 10, { ...EMPTY, coverClosed: false });
    expect(phases(await monitor().run(empty))).toEqual([]);
    const brief = line('T1', T0, [0, 0], [2_800, 0], 30, 10, LOADED).map((f, i) => (i >= 5 && i < 8 ? { ...f, coverClosed: false } : f));
    // (30 km/h with the cover open is speeding for those three fixes: another rule)
    expect(only('uncovered', await monitor().run(brief))).toEqual([]);
  });
});

describe('spill', () => {
  it('the payload dropping 3 t while driving away from every facility raises one spill (open at the drop, close at the next fix)', async () => {
    const fixes = line('T1', T0, [200, 0], [2_000, 0], 20, 10, LOADED).map((f, i) => (i >= 10 ? { ...f, loadKg: 12_000 } : f));
    const events = await monitor().run(fixes);
    expect(phases(events)).toEqual(['spill open', 'spill close']);
    expect(events[0]!.startMs).toBe(fixes[10]!.fixTimeMs);
    expect(events[0]!.details).toMatchObject({ fromKg: 15_000, toKg: 12_000, dropKg: 3_000 });
    expect(events[0]!.fixIds).toHaveLength(2);
    expect(events[1]!.endMs).toBe(fixes[11]!.fixTimeMs);
  });

  it('a load trickling off (500 kg every 10 s for a minute) is one spill, open while it falls', async () => {
    const fixes = line('T1', T0, [200, 0], [2_000, 0], 20, 10, LOADED).map((f, i) => ({ ...f, loadKg: 15_000 - 500 * Math.min(Math.max(i - 5, 0), 6) }));
    const events = (await monitor().run(fixes)).filter((e) => e.type === 'spill');
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
    expect(events[0]!.startMs).toBe(fixes[9]!.fixTimeMs);
    expect(events[1]!.endMs).toBe(fixes[12]!.fixTimeMs);
    expect(events[1]!.details).toMatchObject({ fromKg: 15_000, toKg: 12_000, dropKg: 3_000 });
  });

  it('the load state stepping full -> half while moving raises a spill', async () => {
    const fixes = line('T1', T0, [200, 0], [2_000, 0], 20, 10, { ...LOADED, loadKg: undefined }).map((f, i) => (i >= 10 ? { ...f, loadState: 'half' as const } : f));
    const events = await monitor().run(fixes);
    expect(phases(events)).toEqual(['spill open', 'spill close']);
    expect(events[0]!.details).toMatchObject({ loadStateFrom: 'full', loadStateTo: 'half' });
  });

  it('near misses raise nothing: a 1.5 t sensor wobble, a drop within 100 m of the disposal site, a drop while stopped (another rule)', async () => {
    const wobble = line('T1', T0, [200, 0], [2_000, 0], 20, 10, LOADED).map((f, i) => ({ ...f, loadKg: i % 2 ? 13_500 : 15_000 }));
    expect(phases(await monitor().run(wobble))).toEqual([]);
    const nearSite = line('T1', T0, [2_500, 0], [2_900, 0], 10, 10, LOADED).map((f, i) => (i >= 8 ? { ...f, loadKg: 5_000 } : f));
    expect(phases(await monitor().run(nearSite))).toEqual([]);
    const stoppedDrop = [...line('T1', T0, [200, 0], [1_000, 0], 5, 10, LOADED), ...stopAt(1_000, 0, T0 + 50_000, 3, STOPPED_LOADED), ...stopAt(1_000, 0, T0 + 80_000, 2, { ...STOPPED_LOADED, loadKg: 13_000 })];
    expect(phases(await monitor().run(stoppedDrop)).filter((p) => p.startsWith('spill'))).toEqual([]);
  });
});

describe('illegal_dumping', () => {
  it('stopped 90 s outside every site with the body lifted raises one incident from the stop start, closed when it drives off', async () => {
    const stop = stopAt(1_500, 300, T0 + 50_000, 10, STOPPED_LOADED).map((f, i) => (i >= 3 ? { ...f, bodyLifted: true, loadKg: 15_000 - i * 1_500, loadState: 'half' as const } : f));
    const fixes = [...line('T1', T0, [1_000, 300], [1_500, 300], 5, 10, LOADED), ...stop, ...line('T1', T0 + 150_000, [1_500, 300], [2_000, 300], 3, 10, EMPTY)];
    const events = (await monitor().run(fixes)).filter((e) => e.type === 'illegal_dumping');
    expect(phases(events)).toEqual(['illegal_dumping open', 'illegal_dumping close']);
    expect(events[0]!.startMs).toBe(stop[0]!.fixTimeMs);
    expect(events[0]!.atMs).toBe(stop[6]!.fixTimeMs);
    expect(events[0]!.details).toMatchObject({ bodyLifted: true, nearestPlaceId: 'D' });
    // 1,425 m east and 225 m north of the disposal site's fence: 1,443 m (within the local projection's 0.1%)
    expect(Math.abs((events[0]!.details.nearestPlaceM as number) - 1_443)).toBeLessThanOrEqual(2);
    expect(events[1]!.endMs).toBe(T0 + 150_000);
  });

  it('the payload falling 4 t at a 2-minute stop, body never reported lifted, is dumping too', async () => {
    const stop = stopAt(1_500, 300, T0, 13, { ...STOPPED_LOADED, bodyLifted: undefined }).map((f, i) => (i >= 6 ? { ...f, loadKg: 11_000 } : f));
    expect(only('illegal_dumping', await monitor().run(stop))).toEqual(['illegal_dumping open']);
  });

  it('an empty truck lifting its body at a stop on the road is no dumping', async () => {
    const emptyLift = stopAt(1_500, 300, T0, 12, { ...EMPTY, speedKmh: 0, bodyLifted: true });
    expect(only('illegal_dumping', await monitor().run(emptyLift))).toEqual([]);
  });

  it('near misses raise nothing: lifting inside the disposal site (near its fence), loading at the site, a 40 s lift on the road', async () => {
    const insideFence = stopAt(3_090, 0, T0, 12, { ...STOPPED_LOADED, bodyLifted: true }); // 15 m outside the outline, inside the 25 m tolerance
    expect(phases(await monitor().run(insideFence))).toEqual([]);
    const loading = stopAt(0, 0, T0, 30, { speedKmh: 0, loadState: 'empty', loadKg: 0, coverClosed: false }).map((f, i) => ({ ...f, loadKg: i * 500, loadState: i > 20 ? 'full' as const : 'empty' as const }));
    expect(phases(await monitor().run(loading))).toEqual([]);
    const brief = [...stopAt(1_500, 300, T0, 5, { ...STOPPED_LOADED, bodyLifted: true }), ...line('T1', T0 + 50_000, [1_500, 300], [2_000, 300], 3, 10, LOADED)];
    expect(only('illegal_dumping', await monitor().run(brief))).toEqual([]);
  });
});

describe('wrong_site', () => {
  it('a permit trip unloading at another disposal site raises wrong_site, not illegal dumping', async () => {
    const fixes = [
      ...line('T1', T0, [0, 100], [0, 1_900], 10, 10, LOADED),
      ...stopAt(0, 2_000, T0 + 100_000, 10, STOPPED_LOADED).map((f, i) => (i >= 2 ? { ...f, bodyLifted: true, loadState: 'empty' as const, loadKg: 0 } : f)),
      ...line('T1', T0 + 200_000, [0, 1_900], [0, 1_000], 3, 10, EMPTY),
    ];
    const events = await monitor().run(fixes);
    expect(phases(events).filter((p) => !p.startsWith('off_route'))).toEqual(['wrong_site open', 'wrong_site close']);
    const open = events.find((e) => e.type === 'wrong_site')!;
    expect(open.permitId).toBe('P1');
    expect(open.details).toMatchObject({ siteId: 'O', disposalFacilityId: 'D', bodyLifted: true });
    expect(open.startMs).toBe(T0 + 100_000);
  });

  it('unloading inside the permit\'s disposal site raises nothing', async () => {
    const fixes = [
      ...line('T1', T0, [0, 0], [2_900, 0], 30, 10, LOADED),
      ...stopAt(3_000, 0, T0 + 300_000, 10, STOPPED_LOADED).map((f, i) => (i >= 2 ? { ...f, bodyLifted: true, loadState: 'empty' as const, loadKg: 0 } : f)),
      ...line('T1', T0 + 400_000, [2_900, 0], [500, 0], 10, 10, EMPTY),
    ];
    expect(phases(await monitor().run(fixes))).toEqual([]);
  });
});
