/**
 * Map road layer benchmark: bytes and time of GET /api/v1/map/roads for the whole network
 * and for screen-sized views at several zooms, on the demo city (Monaco) and on a
 * generated city of 200,000+ road segments (solver/network/generate.ts, one segment per
 * block). The service runs in this process on an in-memory store; requests go over
 * loopback HTTP and bytes are counted as sent (gzip when asked).
 *   npm run bench:map -- [--columns 330] [--rows 330] [--seed 1]
 * Prints a table, then exactly one JSON line.
 */
import { request } from 'node:http';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startService, type Service } from '../src/service.js';
import { defaultCityProfile } from '../src/domain/city-profile.js';
import { generateCity } from '../solver/network/generate.js';
import { arg } from './args.js';

const columns = Number(arg('columns') ?? 330);
const rows = Number(arg('rows') ?? 330);
const seed = Number(arg('seed') ?? 1);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

interface Fetched { status: number; bytes: number; ms: number; body: Buffer; etag?: string }

function get(service: Service, path: string, headers: Record<string, string> = {}): Promise<Fetched> {
  const url = new URL(path, service.url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: body.length, ms: performance.now() - t0, body, etag: res.headers.etag });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The box a 1280 x 800 px screen shows around a centre at a zoom (web mercator, 256 px tiles). */
function screenBox(centre: [number, number], zoom: number, widthPx = 1280, heightPx = 800): string {
  const degPerPx = 360 / (256 * 2 ** zoom);
  const halfLon = (widthPx / 2) * degPerPx;
  const halfLat = (heightPx / 2) * degPerPx * Math.cos((centre[1] * Math.PI) / 180);
  return [centre[0] - halfLon, centre[1] - halfLat, centre[0] + halfLon, centre[1] + halfLat].map((x) => x.toFixed(6)).join(',');
}

async function measureCity(service: Service, label: string, centre: [number, number], zooms: number[]) {
  const rowsOut: Array<Record<string, unknown>> = [];
  // The first request after start reads the layer from the store: what a page opening on a fresh service waits.
  const cold = await get(service, `/api/v1/map/roads?zoom=${zooms[0]}&bbox=${screenBox(centre, zooms[0]!)}`, { 'accept-encoding': 'gzip' });
  rowsOut.push({ city: label, view: 'first request after start (layer read)', zoom: zooms[0], features: '-', truncated: '-', gzipBytes: cold.bytes, rawBytes: '-', firstMs: round(cold.ms), warmMs: '-', newViewMs: '-', revalidateMs: '-' });
  for (const zoom of zooms) {
    const path = `/api/v1/map/roads?zoom=${zoom}&bbox=${screenBox(centre, zoom)}`;
    const first = await get(service, path, { 'accept-encoding': 'gzip' });
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push((await get(service, path, { 'accept-encoding': 'gzip' })).ms);
    const raw = await get(service, path);
    const parsed = JSON.parse(raw.body.toString()) as { features: Array<{ geometry: { coordinates: unknown[] } }>; truncated: boolean };
    const points = parsed.features.reduce((n, f) => n + f.geometry.coordinates.length, 0);
    // Views not asked before: the centre moved by a screen width each time.
    const fresh: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const shifted: [number, number] = [centre[0] + (i * 1280 * 360) / (256 * 2 ** zoom), centre[1]];
      fresh.push((await get(service, `/api/v1/map/roads?zoom=${zoom}&bbox=${screenBox(shifted, zoom)}`, { 'accept-encoding': 'gzip' })).ms);
    }
    const revalidate = await get(service, path, { 'accept-encoding': 'gzip', 'if-none-match': first.etag ?? '' });
    if (revalidate.status !== 304) throw new Error(`expected 304 on revalidation, got ${revalidate.status}`);
    rowsOut.push({
      city: label, view: 'screen 1280x800', zoom, features: parsed.features.length, points, truncated: parsed.truncated,
      gzipBytes: first.bytes, rawBytes: raw.bytes, firstMs: round(first.ms), warmMs: round(median(warm)), newViewMs: round(median(fresh)), revalidateMs: round(revalidate.ms),
    });
  }
  const whole = await get(service, '/api/v1/map/roads', { 'accept-encoding': 'gzip' });
  const wholeWarm = await get(service, '/api/v1/map/roads', { 'accept-encoding': 'gzip' });
  const wholeRaw = await get(service, '/api/v1/map/roads');
  const features = (JSON.parse(wholeRaw.body.toString()) as { features: unknown[] }).features.length;
  rowsOut.push({ city: label, view: 'whole network', zoom: '-', features, truncated: false, gzipBytes: whole.bytes, rawBytes: wholeRaw.bytes, firstMs: round(whole.ms), warmMs: round(wholeWarm.ms), newViewMs: '-', revalidateMs: '-' });
  return rowsOut;
}

async function start(demo: boolean): Promise<Service> {
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN, DEMO_CITY: demo ? 'always' : 'never', JT808_ENABLED: 'false', OSM_FILE: 'none', LOG_LEVEL: 'silent',
  });
  return startService(config, pino({ level: 'silent' }), { inMemory: true });
}

// ---- demo city ----
const demoService = await start(true);
const demoRows = await measureCity(demoService, 'demo (Monaco)', [7.4225, 43.7383], [13, 14, 15, 16, 17]);
await demoService.close();

// ---- generated city: one road segment per block ----
const t0 = performance.now();
const osm = generateCity({ seed, columns, rows });
const grades = defaultCityProfile().sweeping.highwayGrades;
const generatedService = await start(false);
let segments = 0;
let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
let batch: unknown[][] = [];
const flush = async () => {
  if (batch.length === 0) return;
  const values = batch.map((_, i) => `($${i * 9 + 1}, $${i * 9 + 2}, $${i * 9 + 3}, $${i * 9 + 4}, $${i * 9 + 5}, $${i * 9 + 6}, $${i * 9 + 7}, $${i * 9 + 8}, $${i * 9 + 9}::jsonb)`);
  await generatedService.db.query(
    `insert into road_segments (id, grade, district, osm_way_id, min_lon, min_lat, max_lon, max_lat, doc) values ${values.join(', ')}`,
    batch.flat(),
  );
  batch = [];
};
// Segments run from junction to junction (a node shared by two ways or more, or a way's end), as the road graph's do.
const uses = new Map<number, number>();
for (const way of osm.ways) for (const n of way.nodeIds) uses.set(n, (uses.get(n) ?? 0) + 1);
for (const way of osm.ways) {
  const grade = Number(grades[way.tags.highway!] ?? '4');
  let from = 0;
  for (let i = 1; i < way.nodeIds.length; i++) {
    if (i < way.nodeIds.length - 1 && (uses.get(way.nodeIds[i]!) ?? 0) < 2) continue;
    const points = way.nodeIds.slice(from, i + 1).map((n) => osm.nodes.get(n)!);
    const id = `seg-${way.id}-${from}`;
    from = i;
    const coordinates = points.map(([x, y]) => [Math.round(x * 1e6) / 1e6, Math.round(y * 1e6) / 1e6]);
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    const [a, b] = [[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]] as [[number, number], [number, number]];
    const doc = { id, name: way.tags.name, grade, highway: way.tags.highway, oneway: way.tags.oneway === 'yes', geometry: { type: 'LineString', coordinates } };
    minLon = Math.min(minLon, a[0], b[0]); maxLon = Math.max(maxLon, a[0], b[0]);
    minLat = Math.min(minLat, a[1], b[1]); maxLat = Math.max(maxLat, a[1], b[1]);
    batch.push([id, grade, null, way.id, a[0], a[1], b[0], b[1], JSON.stringify(doc)]);
    segments++;
    if (batch.length >= 500) await flush();
  }
}
await flush();
const loadMs = performance.now() - t0;
const centre: [number, number] = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
const generatedRows = await measureCity(generatedService, `generated ${columns}x${rows}`, centre, [11, 12, 13, 14, 15, 16, 17]);
await generatedService.close();

const all = [...demoRows, ...generatedRows];
const header = ['city', 'view', 'zoom', 'features', 'points', 'truncated', 'gzipBytes', 'rawBytes', 'firstMs', 'warmMs', 'newViewMs', 'revalidateMs'];
console.log(header.join('\t'));
for (const r of all) console.log(header.map((h) => String(r[h] ?? '-')).join('\t'));
console.log(`generated city: ${segments} road segments, generated and stored in ${round(loadMs / 1000, 1)} s`);
console.log(JSON.stringify({ bench: 'map-roads', generatedSegments: segments, rows: all }));
