import { afterAll, beforeAll, expect, it } from 'vitest';
import { CityRepo, RecordWriteError } from '../../src/store/city-repo.js';
import { resources } from '../../src/store/resources.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

/**
 * A city import writes its records a few hundred per statement. What a user would notice if
 * that went wrong: records lost or half-written at a statement's edge, a bounding box missing
 * from the map's queries, or an error that names the wrong record of the upload.
 */
describeEachBackend('writing many city records [%s]', (backend) => {
  let store: TestStore;
  let repo: CityRepo;
  beforeAll(async () => {
    store = await openTestStore(backend);
    repo = new CityRepo(store.db);
  });
  afterAll(async () => store?.close());

  const point = (i: number, name = `bin ${i}`) => ({
    id: `cp_${i}`, name, wasteClass: i % 2 ? 'kitchen' : 'residual', district: 'east',
    location: { type: 'Point', coordinates: [120 + i / 10_000, 30 + i / 20_000] },
  });

  it('stores every record of a batch larger than one statement, and an upsert replaces them all', async () => {
    const points = Array.from({ length: 1_201 }, (_, i) => point(i));
    await store.db.transaction((tx) => repo.writeMany(resources['collection-points'], points, 'upsert', tx));
    const rows = await store.db.query<{ id: string; doc: { name: string }; min_lon: number; max_lat: number; waste_class: string }>(
      'select id, doc, min_lon, max_lat, waste_class from collection_points order by id',
    );
    expect(rows.rows).toHaveLength(1_201);
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    for (const i of [0, 499, 500, 999, 1_000, 1_200]) {
      const row = byId.get(`cp_${i}`)!;
      expect(row.doc.name).toBe(`bin ${i}`);
      expect(row.waste_class).toBe(i % 2 ? 'kitchen' : 'residual');
      expect(row.min_lon).toBeCloseTo(120 + i / 10_000, 9);
      expect(row.max_lat).toBeCloseTo(30 + i / 20_000, 9);
    }
    await store.db.transaction((tx) => repo.writeMany(resources['collection-points'], points.map((p, i) => point(i, `${p.name} (moved)`)), 'upsert', tx));
    const again = await store.db.query<{ n: number; moved: number }>(
      "select count(*)::int as n, count(*) filter (where doc->>'name' like '% (moved)')::int as moved from collection_points",
    );
    expect(again.rows[0]).toEqual({ n: 1_201, moved: 1_201 });
  });

  it('names the record that breaks a constraint by its place in the batch, and the transaction leaves nothing behind', async () => {
    await store.db.query("insert into depots (id, doc) values ('dep_1', '{\"id\":\"dep_1\"}') on conflict do nothing");
    const vehicle = (i: number, terminalId: string) => ({
      id: `veh_${i}`, kind: 'sweeper', district: 'east', homeDepotId: 'dep_1', plate: `浙A${String(i).padStart(5, '0')}`, terminalId,
    });
    const vehicles = Array.from({ length: 1_200 }, (_, i) => vehicle(i, String(13_800_000_000 + i)));
    // The 1,101st vehicle takes the 701st's terminal: the third statement fails, the first two were fine.
    vehicles[1_100] = vehicle(1_100, String(13_800_000_000 + 700));
    const failure = await store.db
      .transaction((tx) => repo.writeMany(resources.vehicles, vehicles, 'upsert', tx))
      .then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(RecordWriteError);
    expect((failure as RecordWriteError).index).toBe(1_100);
    expect(String((failure as RecordWriteError).cause)).toMatch(/vehicles_terminal_id_key|duplicate/);
    const left = await store.db.query<{ n: number }>('select count(*)::int as n from vehicles');
    expect(left.rows[0]!.n).toBe(0);
  });
});
