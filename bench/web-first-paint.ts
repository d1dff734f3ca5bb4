/**
 * First map paint of the dispatch page, and the bytes it costs, in headless Chromium
 * against the whole service (embedded store, no internet):
 *
 *   npx tsx bench/web-first-paint.ts [--city demo|generated] [--columns 330] [--rows 330] [--runs 3] [--modes served,viewport-sim] [--store DIR] [--timeline]
 *
 * `demo` is the demo city (Monaco). `generated` is the synthetic city of
 * solver/network/generate.ts (330 x 330 gives ~208k road segments, as in bench/network.ts),
 * imported block by block as road segments with four depots at its corners to frame it.
 * The runs start once GET /health says the map's road layer is ready (`mapRoads.status`).
 * Each run opens a fresh browser context (cold cache) as an admin at /dispatch and reads:
 * the `map-first-paint` mark (set two frames after the first road answer is drawn)
 * relative to navigation start, the bytes on the wire (transferSize of the document
 * and every resource), and the road answer's own size.
 *
 * Modes: `served` asks the service as it is. `viewport-sim` puts a small HTTP proxy in
 * front of the service that answers GET /map/roads itself, gzipped, with what a
 * viewport-aware server sends (the roads crossing the bbox; grades 1-2 below zoom 13
 * (`--sim-grade-below-13`), 1-3 below 15, all from 15; at most 20,000 features
 * (`--sim-max-features`), flagged `truncated`), and passes
 * everything else through: the page's side of a viewport answer, without the server's query.
 *
 * `--store DIR` keeps the embedded store in DIR (importing 208k segments takes minutes):
 * a later run with the same DIR reuses it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { defaultCityProfile } from '../src/domain/city-profile.js';
import { generateCity } from '../solver/network/generate.js';
import { buildWeb, CHROMIUM_PATH } from '../scripts/chromium.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const cityKind = arg('city') ?? 'demo';
const columns = Number(arg('columns') ?? 330);
const rows = Number(arg('rows') ?? 330);
const runs = Number(arg('runs') ?? 3);
const modes = (arg('modes') ?? 'served').split(',') as Array<'served' | 'viewport-sim'>;
// The simulated server's policy (see the header): the highest grade sent below zoom 13, and the cap.
const simGradeBelow13 = Number(arg('sim-grade-below-13') ?? 2);
const simMaxFeatures = Number(arg('sim-max-features') ?? 20_000);
const ADMIN = 'bench-admin-token-0123456789abcdef';

buildWeb();
const keptStore = arg('store');
const reuse = !!keptStore && existsSync(keptStore);
const dataDir = keptStore ?? mkdtempSync(join(tmpdir(), 'bench-web-'));
const config = loadConfig({
  PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: ADMIN, DEMO_CITY: cityKind === 'demo' ? 'always' : 'never',
  JT808_ENABLED: 'false', LOG_LEVEL: 'silent', OSM_FILE: 'none', DATA_DIR: dataDir, IMPORT_BODY_LIMIT_BYTES: '200000000',
});
const svc = await startService(config, pino({ level: 'silent' }), { inMemory: !keptStore });
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${svc.url}${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  return res.json();
};

let segments = 0;
interface SimFeature { bbox: [number, number, number, number]; grade: number; json: string }
const simFeatures: SimFeature[] = [];
const keepForSim = modes.includes('viewport-sim');
/** The stored road segments' count, and (viewport-sim) each one as the simulated server sends it. */
async function readStoredSegments(): Promise<number> {
  const total: number = (await api('GET', '/api/v1/road-segments?limit=1')).total;
  if (!keepForSim) return total;
  for (let offset = 0; offset < total; offset += 1000) {
    for (const seg of (await api('GET', `/api/v1/road-segments?limit=1000&offset=${offset}`)).items) {
      const xs = seg.geometry.coordinates.map((c: number[]) => c[0]);
      const ys = seg.geometry.coordinates.map((c: number[]) => c[1]);
      simFeatures.push({ bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], grade: seg.grade,
        json: JSON.stringify({ type: 'Feature', id: seg.id, geometry: seg.geometry, properties: { name: seg.name, grade: seg.grade, highway: seg.highway, oneway: !!seg.oneway } }) });
    }
  }
  return total;
}
if (cityKind === 'generated' && reuse) {
  segments = await readStoredSegments();
  console.error(`reusing the store in ${dataDir}: ${segments} road segments`);
} else if (cityKind === 'generated') {
  const t0 = performance.now();
  const city = generateCity({ seed: 1, columns, rows });
  const grades = defaultCityProfile().sweeping.highwayGrades;
  const batch: unknown[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await api('POST', '/api/v1/import', { mode: 'merge', roadSegments: batch.splice(0) });
  };
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  // A segment runs from junction to junction (a node shared by ways, or a way's end), as
  // the routing graph counts them (bench/network.ts: "segments (undirected edges)").
  const uses = new Map<number, number>();
  for (const w of city.ways) for (const n of w.nodeIds) uses.set(n, (uses.get(n) ?? 0) + 1);
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  for (const w of city.ways) {
    let start = 0;
    for (let i = 1; i < w.nodeIds.length; i++) {
      if (i < w.nodeIds.length - 1 && (uses.get(w.nodeIds[i]!) ?? 0) < 2) continue;
      const line = w.nodeIds.slice(start, i + 1).map((n) => city.nodes.get(n)!).map((c) => [r6(c[0]), r6(c[1])]);
      start = i;
      for (const c of line) {
        minLon = Math.min(minLon, c[0]!); maxLon = Math.max(maxLon, c[0]!); minLat = Math.min(minLat, c[1]!); maxLat = Math.max(maxLat, c[1]!);
      }
      const seg = {
        id: `seg-${w.id}-${i}`, name: w.tags.name, grade: Number(grades[w.tags.highway!] ?? '4'), highway: w.tags.highway,
        geometry: { type: 'LineString', coordinates: line }, oneway: w.tags.oneway === 'yes',
      };
      batch.push(seg);
      if (keepForSim) {
        const xs = line.map((c) => c[0]!);
        const ys = line.map((c) => c[1]!);
        simFeatures.push({
          bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], grade: seg.grade,
          json: JSON.stringify({ type: 'Feature', id: seg.id, geometry: seg.geometry, properties: { name: seg.name, grade: seg.grade, highway: seg.highway, oneway: seg.oneway } }),
        });
      }
      segments++;
      if (batch.length >= 20_000) await flush();
    }
  }
  await flush();
  const corner = (lon: number, lat: number, n: number) => ({ id: `depot-${n}`, name: `Depot ${n}`, location: { type: 'Point', coordinates: [lon, lat] } });
  await api('POST', '/api/v1/import', { mode: 'merge', depots: [corner(minLon, minLat, 1), corner(maxLon, minLat, 2), corner(minLon, maxLat, 3), corner(maxLon, maxLat, 4)] });
  console.error(`generated ${columns}x${rows}: ${segments} road segments imported in ${Math.round(performance.now() - t0)} ms`);
} else {
  segments = await readStoredSegments();
}

// The first run starts once the service says its map is ready (GET /health: mapRoads), as a
// deployment's readiness check would: a large city's road layer is built after the import.
{
  const t0 = performance.now();
  for (;;) {
    // The service's event loop is busy while it builds the layer: a reused connection may be reset meanwhile.
    const health = (await api('GET', '/api/v1/health').catch(() => ({ mapRoads: { status: 'unreachable' } }))) as { mapRoads?: { status: string; roads?: number; buildMs?: number } };
    if (!health.mapRoads || health.mapRoads.status === 'ready') {
      console.error(`map road layer ready after ${Math.round(performance.now() - t0)} ms of waiting (built in ${health.mapRoads?.buildMs ?? '?'} ms, ${health.mapRoads?.roads ?? '?'} roads)`);
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What a viewport-aware server answers (see the header). */
function viewportAnswer(url: URL): string {
  const bbox = (url.searchParams.get('bbox') ?? '-180,-90,180,90').split(',').map(Number) as [number, number, number, number];
  const zoom = Number(url.searchParams.get('zoom') ?? 0);
  const maxGrade = zoom < 13 ? simGradeBelow13 : zoom < 15 ? 3 : 4;
  const picked: string[] = [];
  let truncated = false;
  for (const f of simFeatures) {
    if (f.grade > maxGrade || f.bbox[2] < bbox[0] || f.bbox[0] > bbox[2] || f.bbox[3] < bbox[1] || f.bbox[1] > bbox[3]) continue;
    if (picked.length >= simMaxFeatures) {
      truncated = true;
      break;
    }
    picked.push(f.json);
  }
  return `{"type":"FeatureCollection","bbox":${JSON.stringify(bbox)},"zoom":${zoom},"truncated":${truncated},"features":[${picked.join(',')}]}`;
}

// The proxy of viewport-sim (see the header).
const proxy = createServer((req, res) => {
  if (req.url?.startsWith('/api/v1/map/roads')) {
    const body = gzipSync(viewportAnswer(new URL(req.url, 'http://x')));
    res.writeHead(200, { 'content-type': 'application/geo+json', 'content-encoding': 'gzip', 'cache-control': 'private, no-cache' });
    res.end(body);
    return;
  }
  const target = new URL(svc.url);
  const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
interface Run { mode: string; firstPaintMs: number; bytes: number; roadBytes: number; roadDecodedBytes: number; roadFeatures: number; requests: number }
const results: Run[] = [];
try {
  for (const mode of modes) for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const base = mode === 'viewport-sim' ? proxyUrl : svc.url;
    await page.route((url) => !url.href.startsWith(base), (route) => route.abort());
    await page.goto(`${base}/dispatch?token=${ADMIN}`);
    await page.locator('body[data-first-paint="done"]').waitFor({ timeout: 300_000 });
    const r = await page.evaluate(() => {
      const mark = performance.getEntriesByName('map-first-paint')[0]!;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const roads = res.filter((e) => e.name.includes('/api/v1/map/roads'));
      return {
        firstPaintMs: mark.startTime,
        bytes: nav.transferSize + res.reduce((s, e) => s + e.transferSize, 0),
        roadBytes: roads.reduce((s, e) => s + e.transferSize, 0),
        roadDecodedBytes: roads.reduce((s, e) => s + e.decodedBodySize, 0),
        requests: res.length + 1,
        timeline: [`document ${Math.round(nav.responseEnd)} ms, DOMContentLoaded ${Math.round(nav.domContentLoadedEventEnd)} ms`,
          ...res.map((e) => `${Math.round(e.startTime)}-${Math.round(e.responseEnd)} ms ${e.name.replace(location.origin, '').slice(0, 90)} (${e.transferSize} B)`),
          `map-first-paint ${Math.round(mark.startTime)} ms`],
      };
    });
    if (process.argv.includes('--timeline')) console.error(r.timeline.join('\n'));
    const label = (await page.locator('input[name=layer][value=roads]').locator('xpath=..').textContent()) ?? '';
    results.push({ mode, firstPaintMs: r.firstPaintMs, bytes: r.bytes, roadBytes: r.roadBytes, roadDecodedBytes: r.roadDecodedBytes, requests: r.requests, roadFeatures: Number(label.match(/\d+/)?.[0] ?? 0) });
    console.error(`${mode} run ${i + 1}: first paint ${Math.round(r.firstPaintMs)} ms, ${r.bytes} bytes`);
    await ctx.close();
  }
} finally {
  await browser.close();
  proxy.close();
  await svc.close();
  if (!keptStore) rmSync(dataDir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const mode of modes) {
  const rs = results.filter((r) => r.mode === mode);
  const summary = {
    bench: 'web-first-paint', city: cityKind, mode, roadSegments: segments, runs,
    ...(mode === 'viewport-sim' ? { simGradeBelow13, simMaxFeatures } : {}),
    firstPaintMsMedian: Math.round(median(rs.map((r) => r.firstPaintMs))),
    firstPaintMsRuns: rs.map((r) => Math.round(r.firstPaintMs)),
    bytesOnWire: median(rs.map((r) => r.bytes)),
    roadAnswerBytesOnWire: median(rs.map((r) => r.roadBytes)),
    roadAnswerBytesDecoded: median(rs.map((r) => r.roadDecodedBytes)),
    roadFeaturesDrawn: median(rs.map((r) => r.roadFeatures)),
    requests: median(rs.map((r) => r.requests)),
    firstPaintLe2000Ms: median(rs.map((r) => r.firstPaintMs)) <= 2000,
  };
  console.table({
    mode,
    'road segments in the city': segments,
    'first map paint, median (ms)': summary.firstPaintMsMedian,
    'bytes on the wire (all)': summary.bytesOnWire,
    'road answer on the wire': summary.roadAnswerBytesOnWire,
    'road answer decoded': summary.roadAnswerBytesDecoded,
    'road features drawn': summary.roadFeaturesDrawn,
  });
  console.log(JSON.stringify(summary));
}
