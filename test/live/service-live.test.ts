import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { client, refusal } from './fixtures.js';
import { OSM_ATTRIBUTION } from '../../src/api/map-routes.js';
import { loadConfig } from '../../src/config.js';

let svc: TestService;
const tokenOf = (role: string) => svc.firstStartTokens.find((t) => t.role === role)!.token;

beforeAll(async () => {
  svc = await startTestService({ demo: true, env: { MAP_TILE_URL: 'https://tiles.example.test/{z}/{x}/{y}.png' } });
});
afterAll(async () => {
  await svc?.stop();
});

describe('map routes on the demo city', () => {
  it('serves the road network as GeoJSON with grade and name, revalidated by ETag', async () => {
    const t0 = Date.now();
    const res = await svc.call('GET', '/api/v1/map/roads', { token: tokenOf('dispatcher') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/geo\+json/);
    expect(res.body.type).toBe('FeatureCollection');
    expect(res.body.attribution).toBe(OSM_ATTRIBUTION);
    const segments = await svc.call('GET', '/api/v1/road-segments?limit=1', { token: tokenOf('dispatcher') });
    expect(res.body.features).toHaveLength(segments.body.total);
    const f = res.body.features[0];
    expect(f.geometry.type).toBe('LineString');
    expect([1, 2, 3, 4]).toContain(f.properties.grade);
    expect(res.body.features.some((x: any) => typeof x.properties.name === 'string' && x.properties.name.length > 0)).toBe(true);
    // fetch asks for gzip and inflates: the layer travels compressed.
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const etag = res.headers.get('etag')!;
    const again = await svc.call('GET', '/api/v1/map/roads', { token: tokenOf('driver'), headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('rebuilds the road layer when a road changes', async () => {
    const before = await svc.call('GET', '/api/v1/map/roads', { token: svc.adminToken });
    const seg = before.body.features[0];
    const stored = await svc.call('GET', `/api/v1/road-segments/${seg.id}`, { token: svc.adminToken });
    const body = { ...stored.body, name: 'Renamed road 测试路' };
    const put = await svc.call('PUT', `/api/v1/road-segments/${seg.id}`, { token: svc.adminToken, body });
    expect(put.status).toBe(200);
    const after = await svc.call('GET', '/api/v1/map/roads', { token: tokenOf('enforcement'), headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(after.body.features.find((x: any) => x.id === seg.id).properties.name).toBe(body.name);
  });

  it('refuses a MAP_TILE_URL that is not a tile template, naming the variable', () => {
    expect(() => loadConfig({ MAP_TILE_URL: 'https://tiles.example.test/tile.png' })).toThrow(/MAP_TILE_URL=.*\{z\}, \{x\} and \{y\}/);
    expect(loadConfig({ MAP_TILE_URL: 'https://t.example/{z}/{x}/{y}.png' }).mapTileUrl).toBe('https://t.example/{z}/{x}/{y}.png');
  });

  it('admits the map roles only', async () => {
    expect((await svc.call('GET', '/api/v1/map/roads')).status).toBe(401);
    expect((await svc.call('GET', '/api/v1/map/roads', { token: tokenOf('device') })).status).toBe(403);
    expect((await svc.call('GET', '/api/v1/map/config', { token: tokenOf('device') })).status).toBe(403);
  });

  it('gives the page its configuration: tile URL from MAP_TILE_URL, OSM attribution, time zone, districts', async () => {
    const res = await svc.call('GET', '/api/v1/map/config', { token: tokenOf('driver') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tileUrl: 'https://tiles.example.test/{z}/{x}/{y}.png', attribution: OSM_ATTRIBUTION, timeZone: 'Asia/Shanghai' });
    expect(res.body.districts.length).toBeGreaterThan(0);
  });
});

describe('live hub in the service', () => {
  it('pushes the demo fleet to a dispatcher and refuses a device token', async () => {
    const vehicles = await svc.call('GET', '/api/v1/vehicles?limit=1000', { token: svc.adminToken });
    const c = client(svc.url, { token: tokenOf('dispatcher') });
    try {
      const snapshot = await c.ready;
      expect(snapshot.map((s) => s.vehicleId).sort()).toEqual(vehicles.body.items.map((v: any) => v.id).sort());
    } finally {
      c.socket.close();
    }
    expect((await refusal(svc.url, { token: tokenOf('device') })).message).toBe('forbidden');
  });
});
