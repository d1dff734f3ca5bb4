import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoadFeature } from '../../src/api/map-routes.js';
import { decimalsForZoom, gradesForZoom, mergeRuns, RoadIndex, simplify, snapToTiles, type BBox } from '../../src/api/road-view.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';

/**
 * The road layer by viewport and zoom: low zoom sends the major grades only, high zoom
 * the roads crossing the view, never more than the cap (major first, flagged), with the
 * same ETag for small pans inside the same tiles.
 */
const road = (id: string, grade: 1 | 2 | 3 | 4, coordinates: number[][]): RoadFeature => ({
  type: 'Feature', id, geometry: { type: 'LineString', coordinates }, properties: { grade, oneway: false },
});

describe('road view', () => {
  const features = [
    road('a-primary', 1, [[7.40, 43.70], [7.50, 43.70]]),
    road('b-secondary', 2, [[7.41, 43.71], [7.42, 43.71]]),
    road('c-residential', 4, [[7.4101, 43.7101], [7.4102, 43.7102]]),
    road('d-far-residential', 4, [[8.0, 44.0], [8.001, 44.001]]),
    road('e-tertiary', 3, [[7.45, 43.72], [7.451234567, 43.721234567], [7.451234568, 43.721234568]]),
  ];
  const index = new RoadIndex(features);
  const ids = (v: { features: RoadFeature[] }) => v.features.map((f) => f.id);

  it('draws major grades from afar and every grade at street level', () => {
    expect(gradesForZoom(8)).toEqual([1]);
    expect(gradesForZoom(12)).toEqual([1, 2]);
    expect(gradesForZoom(14)).toEqual([1, 2, 3]);
    expect(gradesForZoom(17)).toEqual([1, 2, 3, 4]);
    expect(ids(index.view({ grades: [1], decimals: 6, max: 100 }))).toEqual(['a-primary']);
  });

  it('keeps the roads crossing the box, major first, and flags a cut at the cap', () => {
    const box: BBox = [7.405, 43.695, 7.46, 43.73];
    expect(ids(index.view({ bbox: box, grades: [1, 2, 3, 4], decimals: 6, max: 100 }))).toEqual(['a-primary', 'b-secondary', 'e-tertiary', 'c-residential']);
    const cut = index.view({ bbox: box, grades: [1, 2, 3, 4], decimals: 6, max: 2 });
    expect(ids(cut)).toEqual(['a-primary', 'b-secondary']);
    expect(cut.truncated).toBe(true);
    expect(index.view({ bbox: box, grades: [1, 2, 3, 4], decimals: 6, max: 4 }).truncated).toBe(false);
  });

  it('rounds coordinates to about a pixel and drops points and roads that collapse', () => {
    expect(decimalsForZoom(12)).toBe(4);
    expect(decimalsForZoom(16)).toBe(5);
    expect(decimalsForZoom(20)).toBe(6);
    const coarse = index.view({ grades: [3, 4], decimals: 3, max: 100 });
    expect(coarse.features.find((f) => f.id === 'e-tertiary')!.geometry.coordinates).toEqual([[7.45, 43.72], [7.451, 43.721]]);
    // 15 m long: one point at 3 decimals, nothing to draw.
    expect(ids(coarse)).not.toContain('c-residential');
  });

  it('chains a street stored block by block into one line for low zooms, and no further', () => {
    const named = (id: string, name: string, coordinates: number[][]): RoadFeature => ({ ...road(id, 1, coordinates), properties: { grade: 1, name, oneway: false } });
    const merged = mergeRuns([
      named('s2', 'Main', [[1, 0], [2, 0]]),
      named('s1', 'Main', [[0, 0], [1, 0]]),
      named('s3', 'Main', [[3, 0], [2, 0]]), // stored the other way round
      named('x1', 'Cross', [[1, -1], [1, 0]]),
      named('x2', 'Cross', [[1, 0], [1, 1]]),
      named('t1', 'Main', [[2, 0], [2, 1]]), // a third Main segment at (2,0): the run stops there
    ]);
    const byName = (n: string) => merged.filter((f) => f.properties.name === n).map((f) => f.geometry.coordinates);
    expect(byName('Cross')).toEqual([[[1, -1], [1, 0], [1, 1]]]);
    expect(byName('Main')).toHaveLength(3);
    expect(byName('Main')).toContainEqual([[0, 0], [1, 0], [2, 0]]);
    expect(merged.find((f) => f.properties.name === 'Cross')!.properties.segments).toBe(2);
  });

  it('simplifies a line to the points that matter at the tolerance', () => {
    const wobbly = [[0, 0], [1, 0.001], [2, -0.001], [3, 0], [3, 1]];
    expect(simplify(wobbly, 0.01)).toEqual([[0, 0], [3, 0], [3, 1]]);
    expect(simplify(wobbly, 0.0001)).toEqual(wobbly);
  });

  it('snaps a box outward to the tile grid, so small pans ask for the same view', () => {
    const a = snapToTiles([7.41, 43.72, 7.43, 43.74], 14);
    const b = snapToTiles([7.4105, 43.7205, 7.4295, 43.7395], 14);
    expect(a).toEqual(b);
    expect(a[0]).toBeLessThanOrEqual(7.41);
    expect(a[1]).toBeLessThanOrEqual(43.72);
    expect(a[2]).toBeGreaterThanOrEqual(7.43);
    expect(a[3]).toBeGreaterThanOrEqual(43.74);
    const world = snapToTiles([-180, -90, 180, 90], 3);
    expect(world).toEqual([-180, -90, 180, 90]);
  });
});

describe('GET /map/roads by view', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
    const city = smallCity();
    // A 20 x 20 grid of roads about 100 m apart: grade 1 every 10th line, grade 4 elsewhere.
    const roadSegments = [];
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) {
        const lon = 7.40 + i * 0.00125;
        const lat = 43.70 + j * 0.0009;
        roadSegments.push({
          id: `g-${i}-${j}`, name: `Road ${i}/${j}`, grade: j % 10 === 0 ? 1 : 4,
          geometry: { type: 'LineString', coordinates: [[lon, lat], [lon + 0.00125, lat]] },
        });
      }
    }
    const imp = await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: { ...city, roadSegments } });
    expect(imp.status, JSON.stringify(imp.body)).toBe(200);
  });
  afterAll(() => svc?.stop());
  const get = (q: string, headers?: Record<string, string>) => svc.call('GET', `/api/v1/map/roads${q}`, { token: svc.adminToken, headers });

  it('sends only the major grades at low zoom and the roads of the view at high zoom', async () => {
    const whole = await get('');
    expect(whole.body.features).toHaveLength(400);
    const far = await get('?zoom=11&bbox=7.3,43.6,7.5,43.8');
    expect(far.status).toBe(200);
    expect(far.body.grades).toEqual([1]);
    expect(far.body.features).toHaveLength(40);
    expect(far.body.features.every((f: RoadFeature) => f.properties.grade === 1)).toBe(true);
    expect(far.body.truncated).toBe(false);
    const near = await get('?zoom=18&bbox=7.4001,43.7001,7.4020,43.7015');
    expect(near.body.features.length).toBeGreaterThan(0);
    expect(near.body.features.length).toBeLessThan(20);
    const [minLon, minLat, maxLon, maxLat] = near.body.bbox as number[];
    for (const f of near.body.features as RoadFeature[]) {
      const lons = f.geometry.coordinates.map((p) => p[0]!);
      const lats = f.geometry.coordinates.map((p) => p[1]!);
      expect(Math.max(...lons) >= minLon! && Math.min(...lons) <= maxLon! && Math.max(...lats) >= minLat! && Math.min(...lats) <= maxLat!).toBe(true);
    }
    expect(near.headers.get('content-encoding')).toBe('gzip');
  });

  it('answers 304 to the same view and a small pan, and a road change at once', async () => {
    const first = await get('?zoom=16&bbox=7.401,43.701,7.41,43.705');
    const etag = first.headers.get('etag')!;
    expect((await get('?zoom=16&bbox=7.4011,43.7011,7.4099,43.7049', { 'if-none-match': etag })).status).toBe(304);
    const seg = first.body.features[0] as RoadFeature;
    const stored = (await svc.call('GET', `/api/v1/road-segments/${seg.id}`, { token: svc.adminToken })).body;
    expect((await svc.call('PUT', `/api/v1/road-segments/${seg.id}`, { token: svc.adminToken, body: { ...stored, name: '新路' } })).status).toBe(200);
    const after = await get('?zoom=16&bbox=7.401,43.701,7.41,43.705', { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.body.features.find((f: RoadFeature) => f.id === seg.id).properties.name).toBe('新路');
  });

  it('reads the road layer again in the background after an import, so /health says ready before any page asks', async () => {
    const health = async () => (await svc.call('GET', '/api/v1/health')).body.mapRoads as { status: string; roads?: number };
    const untilReady = async () => {
      while ((await health()).status !== 'ready') await new Promise((r) => setTimeout(r, 50));
    };
    await untilReady();
    const more = Array.from({ length: 5 }, (_, i) => ({
      id: `extra-${i}`, grade: 1, geometry: { type: 'LineString', coordinates: [[7.45 + i * 0.001, 43.75], [7.451 + i * 0.001, 43.75]] },
    }));
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: { mode: 'merge', roadSegments: more } })).status).toBe(200);
    // No road request in between: the service itself builds the new layer.
    await untilReady();
    expect(await health()).toMatchObject({ status: 'ready', roads: 405 });
    expect((await get('')).body.features).toHaveLength(405);
  });

  it('refuses a bad box or zoom naming the parameter', async () => {
    const bad = await get('?zoom=14&bbox=7.5,43.7,7.4,43.8');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('query.bbox');
    const zoom = await get('?zoom=30');
    expect(zoom.status).toBe(400);
    expect(zoom.body.details[0].path).toBe('query.zoom');
  });
});
