import { expect, it } from 'vitest';
import { haversineM } from '../../solver/index.js';
import { fixId } from '../../src/compliance/fix-id.js';
import { ManifestMachine, permitNight, type ManifestFix, type ManifestWorld } from '../../src/compliance/manifest.js';

/**
 * The e-manifest state machine on hand-made nights (Asia/Shanghai, permit 22:00-06:00, 60 min
 * grace): a trip opens at the site exit when loaded, closes inside its disposal site with the
 * body lifted, and is flagged when it ends elsewhere or runs past the window plus the grace.
 */
const SITE = [7.43, 43.735] as const;
const DISPOSAL = [7.44, 43.74] as const;
const OTHER = [7.45, 43.75] as const;
const circles: Record<string, { at: readonly [number, number]; r: number }> = {
  'site-1': { at: SITE, r: 100 }, 'disp-1': { at: DISPOSAL, r: 100 }, 'disp-2': { at: OTHER, r: 100 },
};
const inside = (ids: string[], lon: number, lat: number) => ids.filter((id) => haversineM(lon, lat, circles[id]!.at[0], circles[id]!.at[1]) <= circles[id]!.r);
const world: ManifestWorld = {
  timeZone: 'Asia/Shanghai', graceMin: 60, loadedAboveKg: 1000,
  permitsOf: (v) => (v === 'muck-1' ? [{ id: 'permit-1', siteId: 'site-1', disposalFacilityId: 'disp-1', hours: { from: '22:00', to: '06:00' }, validFrom: '2026-01-01', validTo: '2026-12-31' }] : []),
  sitesAt: (lon, lat) => inside(['site-1'], lon, lat),
  facilitiesAt: (lon, lat) => inside(['disp-1', 'disp-2'], lon, lat),
};
/** 23:00 local on 30 Nov 2026 */
const NIGHT = Date.parse('2026-11-30T23:00:00+08:00');
const min = (m: number) => NIGHT + m * 60_000;

function fix(m: number, at: readonly [number, number], over: Partial<ManifestFix> = {}): ManifestFix {
  return { vehicleId: 'muck-1', fixTimeMs: min(m), lon: at[0], lat: at[1], loadState: 'full', loadKg: 15_000, bodyLifted: false, ...over };
}
const away = (k: number): [number, number] => [SITE[0] + 0.002 + k * 0.001, SITE[1] + 0.0005 * k];

function run(fixes: ManifestFix[], m = new ManifestMachine(world)) {
  return { m, changes: fixes.flatMap((f) => m.onFix(f)) };
}

it('opens a trip at the site exit when loaded and closes it inside the disposal site with the body lifted', () => {
  const { changes } = run([
    fix(0, SITE, { loadState: 'empty', loadKg: 0 }), fix(10, SITE), fix(11, away(0)), fix(20, away(5)),
    fix(30, DISPOSAL), fix(31, DISPOSAL, { bodyLifted: true }), fix(33, DISPOSAL, { bodyLifted: false, loadState: 'empty', loadKg: 0 }),
  ]);
  expect(changes.map((c) => c.kind)).toEqual(['opened', 'closed']);
  expect(changes[0]!.trip).toMatchObject({ permitId: 'permit-1', siteId: 'site-1', disposalFacilityId: 'disp-1', night: '2026-11-30', openedAtMs: min(11), openFixId: fixId('muck-1', min(11)), loadKg: 15_000, status: 'open' });
  expect(changes[1]!.trip).toMatchObject({ status: 'closed', closedAtMs: min(31), closedFacilityId: 'disp-1', closeFixId: fixId('muck-1', min(31)) });
  expect(changes[1]!.trip.flag).toBeUndefined();
});

it('opens nothing for a truck leaving the site empty, or a vehicle without a permit', () => {
  expect(run([fix(0, SITE, { loadState: 'empty' }), fix(1, away(0), { loadState: 'empty' }), fix(2, away(1), { loadState: 'full' })]).changes).toEqual([]);
  expect(run([fix(0, SITE, { vehicleId: 'col-1' }), fix(1, away(0), { vehicleId: 'col-1' })]).changes).toEqual([]);
});

it('flags a trip that ends elsewhere: lifted at another disposal site, or the load gone on the road', () => {
  const other = run([fix(0, SITE), fix(1, away(0)), fix(20, OTHER), fix(21, OTHER, { bodyLifted: true })]).changes;
  expect(other.map((c) => c.kind)).toEqual(['opened', 'flagged']);
  expect(other[1]!.trip).toMatchObject({ status: 'flagged', flag: 'ended_elsewhere', closedFacilityId: 'disp-2', closedAtMs: min(21) });
  const road = run([fix(0, SITE), fix(1, away(0)), fix(5, away(3), { loadState: 'empty', loadKg: 0 })]).changes;
  expect(road[1]!.trip).toMatchObject({ flag: 'ended_elsewhere', closedAtMs: min(5) });
  expect(road[1]!.trip.closedFacilityId).toBeUndefined();
});

it('flags a trip still open past the window end plus the grace, and keeps the flag when it then closes', () => {
  // opened 05:30 local, the window ends 06:00, grace 60 min: late from 07:00
  const { m, changes } = run([fix(389, SITE), fix(390, away(0)), fix(419, away(2)), fix(480, away(3)), fix(481, away(4)), fix(490, DISPOSAL, { bodyLifted: true })]);
  expect(changes.map((c) => c.kind)).toEqual(['opened', 'flagged', 'closed']);
  expect(changes[1]!.trip).toMatchObject({ flag: 'late', status: 'flagged' });
  expect(changes[2]!.trip).toMatchObject({ flag: 'late', status: 'flagged', closedFacilityId: 'disp-1', closedAtMs: min(490) });
  expect(m.openTrips()).toEqual([]);
});

it('flags a late trip on the clock when the truck stops reporting', () => {
  const { m } = run([fix(0, SITE), fix(1, away(0))]);
  expect(m.tick(Date.parse('2026-12-01T06:59:00+08:00'))).toEqual([]);
  const late = m.tick(Date.parse('2026-12-01T07:01:00+08:00'));
  expect(late.map((c) => [c.kind, c.trip.flag])).toEqual([['flagged', 'late']]);
  expect(m.tick(Date.parse('2026-12-01T08:00:00+08:00'))).toEqual([]);
});

it('ignores fixes older than the latest (the caller orders them) and implausible jumps', () => {
  const { changes } = run([fix(0, SITE), fix(5, away(0)), fix(3, DISPOSAL, { bodyLifted: true }), fix(6, DISPOSAL, { bodyLifted: true, implausible: true })]);
  expect(changes.map((c) => c.kind)).toEqual(['opened']);
});

it('puts a 02:00 trip on the night that began the evening before; a 22:00 start on its own date', () => {
  const w = { from: '22:00', to: '06:00' };
  expect(permitNight(Date.parse('2026-12-01T02:00:00+08:00'), 'Asia/Shanghai', w)).toEqual({ night: '2026-11-30', windowEndMs: Date.parse('2026-12-01T06:00:00+08:00') });
  expect(permitNight(Date.parse('2026-11-30T22:00:00+08:00'), 'Asia/Shanghai', w).night).toBe('2026-11-30');
  expect(permitNight(Date.parse('2026-11-30T10:00:00+08:00'), 'Asia/Shanghai', { from: '09:00', to: '16:00' })).toEqual({ night: '2026-11-30', windowEndMs: Date.parse('2026-11-30T16:00:00+08:00') });
});
