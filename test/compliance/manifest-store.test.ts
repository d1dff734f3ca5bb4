import { afterAll, beforeAll, expect, it } from 'vitest';
import { haversineM } from '../../solver/index.js';
import { ManifestMachine, type ManifestFix, type ManifestWorld } from '../../src/compliance/manifest.js';
import { ManifestRecorder, ManifestStore } from '../../src/compliance/manifest-store.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

/** The live e-manifest: the state machine's changes written to one row per trip, in order, on both stores. */
const SITE = [7.43, 43.735] as const;
const DISPOSAL = [7.44, 43.74] as const;
const near = (a: readonly number[], lon: number, lat: number) => haversineM(lon, lat, a[0]!, a[1]!) <= 100;
const world: ManifestWorld = {
  timeZone: 'Asia/Shanghai', graceMin: 60, loadedAboveKg: 1000,
  permitsOf: () => [{ id: 'permit-1', siteId: 'site-1', disposalFacilityId: 'disp-1', hours: { from: '22:00', to: '06:00' }, validFrom: '2026-01-01', validTo: '2026-12-31' }],
  sitesAt: (lon, lat) => (near(SITE, lon, lat) ? ['site-1'] : []),
  facilitiesAt: (lon, lat) => (near(DISPOSAL, lon, lat) ? ['disp-1'] : []),
};
const T = Date.parse('2026-11-30T23:00:00+08:00');
const fix = (vehicleId: string, m: number, at: readonly number[], over: Partial<ManifestFix> = {}): ManifestFix =>
  ({ vehicleId, fixTimeMs: T + m * 60_000, lon: at[0]!, lat: at[1]!, loadState: 'full', loadKg: 12_000, bodyLifted: false, ...over });
const AWAY = [7.435, 43.738] as const;

describeEachBackend('e-manifest recorder [%s]', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('writes a trip when it opens and updates the same row when it closes or is flagged', async () => {
    const manifests = new ManifestStore(store.db);
    const errors: unknown[] = [];
    const recorder = new ManifestRecorder(new ManifestMachine(world), manifests, (e) => errors.push(e));
    // not awaited one by one: the writes keep the machine's order
    const pending = [
      fix('a', 0, SITE), fix('a', 1, AWAY), fix('b', 0, SITE), fix('b', 1, AWAY),
      fix('a', 20, DISPOSAL, { bodyLifted: true }),
    ].map((f) => recorder.onFix(f));
    await Promise.all(pending);
    expect((await manifests.trips({ night: '2026-11-30' })).map((t) => [t.vehicleId, t.status])).toEqual([['a', 'closed'], ['b', 'open']]);
    await recorder.tick(Date.parse('2026-12-01T07:30:00+08:00'));
    await recorder.settle();
    const trips = await manifests.trips({ night: '2026-11-30' });
    expect(trips.map((t) => [t.vehicleId, t.status, t.flag ?? null])).toEqual([['a', 'closed', null], ['b', 'flagged', 'late']]);
    expect(trips[0]).toMatchObject({ loadKg: 12_000, closedFacilityId: 'disp-1', closedAt: new Date(T + 20 * 60_000).toISOString() });
    const balance = await manifests.balance({ night: '2026-11-30' });
    expect(balance[0]).toMatchObject({ trips: 2, loads: 1, late: 1, open: 1, kg: 24_000, kgDelivered: 12_000, unaccounted: 1 });
    expect(errors).toEqual([]);
  });
});
