import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CityProfile } from '../domain/city-profile.js';
import type { Db } from '../store/db.js';
import type { Role } from '../auth/principal.js';
import type { ApiRoutes } from './routes.js';

/** Our road data comes from OpenStreetMap: its licence asks for this line wherever it is drawn. */
export const OSM_ATTRIBUTION = 'Map data © OpenStreetMap contributors, ODbL';

export interface MapRouteDeps {
  db: Db;
  profile(): CityProfile;
  /** A raster tile URL template ({z}/{x}/{y}); without it the page draws our roads on a plain background. */
  tileUrl?: string;
}

export interface RoadFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'LineString'; coordinates: number[][] };
  properties: { name?: string; grade: number; highway?: string; district?: string; oneway: boolean };
}

const mapRoles: readonly Role[] = ['admin', 'dispatcher', 'enforcement', 'driver', 'planner'];

/**
 * Read-only map data for the web pages: the road network as GeoJSON and the map's
 * configuration. The road layer is built once per version of the road table (row count
 * and last update) and served with an ETag, so a page reload costs one small query.
 */
export function addMapRoutes(api: ApiRoutes, deps: MapRouteDeps): void {
  let cache: { version: string; etag: string; body: string; gzipped: Buffer } | undefined;
  let building: Promise<NonNullable<typeof cache>> | undefined;

  const roadLayer = async (): Promise<NonNullable<typeof cache>> => {
    const v = await deps.db.query<{ n: number; m: string | null }>(
      'select count(*)::int as n, max(updated_at)::text as m from road_segments',
    );
    const version = `${v.rows[0]?.n ?? 0}@${v.rows[0]?.m ?? ''}`;
    if (cache?.version === version) return cache;
    // Concurrent first requests share one build instead of each reading the whole table.
    building ??= (async () => {
      const res = await deps.db.query<{ id: string; doc: Record<string, any> }>('select id, doc from road_segments order by id');
      const features: RoadFeature[] = res.rows.map(({ id, doc }) => ({
        type: 'Feature',
        id,
        // 6 decimals ≈ 0.1 m: plenty for drawing, and a third smaller than full doubles.
        geometry: { type: 'LineString', coordinates: (doc.geometry.coordinates as number[][]).map((p) => [round6(p[0]!), round6(p[1]!)]) },
        properties: { name: doc.name, grade: doc.grade, highway: doc.highway, district: doc.district, oneway: !!doc.oneway },
      }));
      const body = JSON.stringify({ type: 'FeatureCollection', attribution: OSM_ATTRIBUTION, features });
      // Compressed once per version: road GeoJSON shrinks about fivefold.
      return { version, etag: `"roads-${createHash('sha1').update(version).digest('hex').slice(0, 16)}"`, body, gzipped: gzipSync(body) };
    })();
    try {
      cache = await building;
      return cache;
    } finally {
      building = undefined;
    }
  };

  api.add({
    method: 'get', path: '/map/roads', roles: mapRoles,
    summary: 'The road network as a GeoJSON FeatureCollection (name, grade, highway, district, oneway) for the map',
    handler: async ({ req, res }) => {
      const layer = await roadLayer();
      res.setHeader('ETag', layer.etag);
      res.setHeader('Cache-Control', 'private, no-cache');
      if (req.headers['if-none-match'] === layer.etag) return { status: 304 };
      res.setHeader('Vary', 'Accept-Encoding');
      res.status(200).type('application/geo+json');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.setHeader('Content-Encoding', 'gzip');
        res.send(layer.gzipped);
      } else {
        res.send(layer.body);
      }
      return undefined;
    },
  });

  api.add({
    method: 'get', path: '/map/config', roles: mapRoles,
    summary: 'Map configuration: optional tile URL (MAP_TILE_URL), attribution, the city\'s time zone and districts',
    handler: async () => {
      const profile = deps.profile();
      const districts = await deps.db.query<{ district: string }>(
        'select distinct district from vehicles where district is not null order by district',
      );
      return {
        ...(deps.tileUrl ? { tileUrl: deps.tileUrl } : {}),
        attribution: OSM_ATTRIBUTION,
        city: profile.name,
        timeZone: profile.timeZone,
        districts: districts.rows.map((r) => r.district),
      };
    },
  });
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
