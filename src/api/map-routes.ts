import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CityProfile } from '../domain/city-profile.js';
import type { Db } from '../store/db.js';
import type { Role } from '../domain/principal.js';
import { fleetScopeOf } from '../domain/fleet-scope.js';
import type { ApiRoutes } from './routes.js';
import { z } from 'zod';
import { bboxParam } from './city-router.js';
import { decimalsForZoom, gradesForZoom, MAX_VIEW_FEATURES, MERGED_UP_TO_ZOOM, mergeRuns, pixelDegrees, RoadIndex, snapToTiles } from './road-view.js';

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
  /** `segments`: how many stored segments a merged line (low zoom) stands for. */
  properties: { name?: string; grade: number; highway?: string; district?: string; oneway: boolean; segments?: number };
}

const mapRoles: readonly Role[] = ['admin', 'dispatcher', 'enforcement', 'driver', 'planner'];

/**
 * Read-only map data for the web pages: the road network as GeoJSON and the map's
 * configuration. The road layer is read once per version of the road table (row count
 * and last update, checked after a write through this service and, on a shared
 * PostgreSQL, at most every VERSION_TTL_MS) and kept in memory; each answer carries an ETag, so a page reload costs a
 * 304. Without parameters the whole network is sent (small cities); with `zoom` and
 * `bbox` only what the view shows (road-view.ts).
 */
export interface MapRoutes {
  /**
   * A write changed the roads: the next request reads the table again, and the layer is
   * read again in the background (WARM_AFTER_WRITE_MS after the last write), so the first
   * page after an import does not pay for it.
   */
  invalidate(): void;
  /**
   * Reads the road layer now, with the merged streets of the low zooms a page opens at
   * (at start, in the background), so the first page does not wait for it.
   */
  warm(): Promise<{ roads: number }>;
  /**
   * A write of roads has begun (an import batch): no background read until it ends, so
   * the reads do not queue between the batches of a large import.
   */
  writeStarted(): void;
  writeEnded(): void;
  /** 'ready' once the layer of the latest write through this service is built (GET /health tells). */
  status(): { status: 'cold' | 'warming' | 'ready'; roads?: number; buildMs?: number };
  /** Stops a pending background read and waits for one under way. */
  close(): Promise<void>;
}

interface RoadLayer {
  version: string;
  index: RoadIndex;
  /** Streets merged from their segments, for low zooms; built on first use. */
  merged?: RoadIndex;
  whole?: { etag: string; body: string; gzipped: Buffer };
  views: Map<string, { etag: string; body: string; gzipped: Buffer }>;
}

const VERSION_TTL_MS = 2_000;
/** An import arrives in batches: read the layer again once they pause. */
const WARM_AFTER_WRITE_MS = 2_000;
const MAX_CACHED_VIEWS = 64;

const roadsQuery = z.strictObject({
  bbox: bboxParam.optional().describe('minLon,minLat,maxLon,maxLat: only roads crossing this box (snapped outward to the tile grid of the zoom)'),
  zoom: z.coerce.number().int().min(0).max(22).optional().describe('web-map zoom: grade 1 up to 11, grades 1-2 at 12-13, 1-3 at 14, all from 15; coordinates rounded to about a pixel'),
});

export function addMapRoutes(api: ApiRoutes, deps: MapRouteDeps): MapRoutes {
  let layer: RoadLayer | undefined;
  let checked: { version: string; atMs: number } | undefined;
  let building: Promise<RoadLayer> | undefined;
  // Writes through this service, and the count the last finished warm-up had seen.
  let writes = 0;
  let warmedWrites = -1;
  let warming = 0;
  let lastBuildMs: number | undefined;
  let warmTimer: NodeJS.Timeout | undefined;
  let activeWrites = 0;

  // An embedded store belongs to this process alone (data-dir-lock.ts), and every road write
  // here calls invalidate(): its version needs no asking again (counting 200,000 rows costs a
  // page a few hundred milliseconds). A shared PostgreSQL has other writers: ask now and then.
  const versionTtlMs = deps.db.kind === 'pglite' ? Infinity : VERSION_TTL_MS;
  const currentVersion = async (): Promise<string> => {
    if (checked && Date.now() - checked.atMs < versionTtlMs) return checked.version;
    const v = await deps.db.query<{ n: number; m: string | null }>(
      'select count(*)::int as n, max(updated_at)::text as m from road_segments',
    );
    checked = { version: `${v.rows[0]?.n ?? 0}@${v.rows[0]?.m ?? ''}`, atMs: Date.now() };
    return checked.version;
  };

  const roadLayer = async (): Promise<RoadLayer> => {
    const version = await currentVersion();
    if (layer?.version === version) return layer;
    // Concurrent first requests share one build instead of each reading the whole table.
    building ??= (async () => {
      const t0 = Date.now();
      // Only what the map draws leaves the store (not the whole record).
      const res = await deps.db.query<{ id: string; grade: number; name: string | null; highway: string | null; district: string | null; oneway: boolean | null; coordinates: number[][] | string }>(
        `select id, grade, doc->>'name' as name, doc->>'highway' as highway, district, (doc->>'oneway')::boolean as oneway,
                doc->'geometry'->'coordinates' as coordinates
         from road_segments order by id`,
      );
      const features: RoadFeature[] = res.rows.map((r) => ({
        type: 'Feature',
        id: r.id,
        // 6 decimals ≈ 0.1 m: plenty for drawing, and a third smaller than full doubles.
        geometry: { type: 'LineString', coordinates: (typeof r.coordinates === 'string' ? JSON.parse(r.coordinates) as number[][] : r.coordinates).map((p) => [round6(p[0]!), round6(p[1]!)]) },
        properties: { name: r.name ?? undefined, grade: r.grade, highway: r.highway ?? undefined, district: r.district ?? undefined, oneway: !!r.oneway },
      }));
      const built: RoadLayer = { version, index: new RoadIndex(features), views: new Map() };
      lastBuildMs = Date.now() - t0;
      return built;
    })();
    try {
      layer = await building;
      return layer;
    } finally {
      building = undefined;
    }
  };

  const etagOf = (key: string): string => `"roads-${createHash('sha1').update(key).digest('hex').slice(0, 16)}"`;
  // Compressed once per cached answer: road GeoJSON shrinks about fivefold.
  const packed = (key: string, body: string) => ({ etag: etagOf(key), body, gzipped: gzipSync(body) });

  api.add({
    method: 'get', path: '/map/roads', roles: mapRoles, query: roadsQuery,
    summary: `The road network as a GeoJSON FeatureCollection (name, grade, highway, district, oneway) for the map; with zoom and bbox only the view (at most ${MAX_VIEW_FEATURES} roads, major grades first, "truncated": true beyond), without them the whole network`,
    handler: async ({ req, res, query }) => {
      const l = await roadLayer();
      let answer: { etag: string; body: string; gzipped: Buffer };
      if (query.bbox === undefined && query.zoom === undefined) {
        l.whole ??= packed(l.version, JSON.stringify({ type: 'FeatureCollection', attribution: OSM_ATTRIBUTION, features: l.index.features }));
        answer = l.whole;
      } else {
        const zoom = query.zoom;
        const bbox = query.bbox && zoom !== undefined ? snapToTiles(query.bbox, zoom) : query.bbox;
        const key = `${l.version}|${bbox?.join(',') ?? '*'}|${zoom ?? '*'}`;
        let cached = l.views.get(key);
        if (!cached) {
          const grades = zoom === undefined ? [1, 2, 3, 4] : gradesForZoom(zoom);
          const lowZoom = zoom !== undefined && zoom <= MERGED_UP_TO_ZOOM;
          if (lowZoom) l.merged ??= new RoadIndex(mergeRuns(l.index.features));
          const view = (lowZoom ? l.merged! : l.index).view({
            bbox, grades, max: MAX_VIEW_FEATURES,
            decimals: zoom === undefined ? 6 : decimalsForZoom(zoom),
            toleranceDeg: zoom === undefined ? undefined : pixelDegrees(zoom) / 2,
          });
          cached = packed(key, JSON.stringify({
            type: 'FeatureCollection', attribution: OSM_ATTRIBUTION,
            ...(bbox ? { bbox } : {}), ...(zoom !== undefined ? { zoom } : {}), grades, merged: lowZoom, truncated: view.truncated, features: view.features,
          }));
          if (l.views.size >= MAX_CACHED_VIEWS) l.views.delete(l.views.keys().next().value!);
          l.views.set(key, cached);
        }
        answer = cached;
      }
      res.setHeader('ETag', answer.etag);
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('Vary', 'Accept-Encoding');
      if (req.headers['if-none-match'] === answer.etag) return { status: 304 };
      res.status(200).type('application/geo+json');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.setHeader('Content-Encoding', 'gzip');
        res.send(answer.gzipped);
      } else {
        res.send(answer.body);
      }
      return undefined;
    },
  });

  api.add({
    method: 'get', path: '/map/config', roles: mapRoles,
    summary: 'Map configuration: optional tile URL (MAP_TILE_URL), attribution, the city\'s time zone and districts (a district-scoped account: its own)',
    handler: async ({ principal }) => {
      const profile = deps.profile();
      const scope = fleetScopeOf(principal);
      // A scoped account is offered the districts of the vehicles it sees.
      const districts = scope?.district !== undefined ? { rows: [{ district: scope.district }] } : await deps.db.query<{ district: string }>(
        `select distinct district from vehicles where district is not null ${scope?.contractor !== undefined ? "and doc->>'contractor' = $1" : ''} order by district`,
        scope?.contractor !== undefined ? [scope.contractor] : [],
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

  const warm = async (): Promise<{ roads: number }> => {
    const seen = writes;
    warming++;
    try {
      const l = await roadLayer();
      // The opening view of a large city is at a low zoom: its merged streets are built now too,
      // after a turn of the event loop (live pushes and device fixes wait for each step).
      await new Promise((resolve) => setImmediate(resolve));
      l.merged ??= new RoadIndex(mergeRuns(l.index.features));
      warmedWrites = Math.max(warmedWrites, seen);
      return { roads: l.index.features.length };
    } finally {
      warming--;
    }
  };

  const scheduleWarm = (): void => {
    clearTimeout(warmTimer);
    warmTimer = undefined;
    if (activeWrites > 0 || warmedWrites === writes) return;
    warmTimer = setTimeout(() => {
      warmTimer = undefined;
      // A failure here is met again, and answered, by the next request.
      warm().catch(() => undefined);
    }, WARM_AFTER_WRITE_MS);
    warmTimer.unref();
  };

  return {
    invalidate: () => {
      checked = undefined;
      writes++;
      scheduleWarm();
    },
    writeStarted: () => {
      activeWrites++;
      scheduleWarm();
    },
    writeEnded: () => {
      activeWrites = Math.max(0, activeWrites - 1);
      scheduleWarm();
    },
    warm,
    status: () => {
      const roads = layer?.index.features.length;
      const status = warmedWrites === writes && warming === 0 ? 'ready' : warming > 0 || warmTimer || activeWrites > 0 ? 'warming' : 'cold';
      return { status, ...(roads !== undefined ? { roads } : {}), ...(lastBuildMs !== undefined ? { buildMs: lastBuildMs } : {}) };
    },
    close: async () => {
      clearTimeout(warmTimer);
      warmTimer = undefined;
      await building?.catch(() => undefined);
    },
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
