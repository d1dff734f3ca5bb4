/**
 * Road-network benchmark: import, graph size, point-to-point queries, 100x100 and 1,000x1,000
 * matrices and map matching, on the demo city (Monaco extract) and on a generated city of
 * 200,000+ segments. Every matrix is spot-checked against plain Dijkstra.
 * Routes and matrices are timed the way a caller uses them — coordinates in, answer out, the
 * snapping of every place included (as OSRM's /route and /table include theirs) — and again
 * from places snapped beforehand, so the snapping's share shows.
 *   npm run bench:network -- [--cities demo,generated] [--columns 330] [--rows 330] [--seed 1] [--write-osm city.osm]
 * Prints a table, then exactly one JSON line.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNetwork } from '../solver/network/cache.js';
import { dijkstra } from '../solver/network/dijkstra.js';
import { generateCity, osmXmlChunks } from '../solver/network/generate.js';
import { mulberry32 } from '../solver/random.js';
import { buildGraph } from '../solver/network/graph.js';
import { MapMatcher } from '../solver/network/match.js';
import { RoadNetwork } from '../solver/network/network.js';
import { DEFAULT_NETWORK_PROFILE } from '../solver/network/profile.js';
import type { SnappedPosition } from '../solver/network/snap.js';
import { legSegments, MatchScore, simulateTrace } from '../solver/network/trace.js';
import { arg } from './args.js';

const columns = Number(arg('columns') ?? 330);
const rows = Number(arg('rows') ?? 330);
const seed = Number(arg('seed') ?? 1);
const writeOsm = arg('write-osm');
const cities = (arg('cities') ?? 'demo,generated').split(',');
const demoPbf = fileURLToPath(new URL('../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** Random places near the roads: as coordinates (what a caller has) and as snapped positions. */
function randomPlaces(network: RoadNetwork, count: number, seedValue: number): { coordinates: Array<{ lon: number; lat: number }>; positions: SnappedPosition[] } {
  const random = mulberry32(seedValue);
  const g = network.graph;
  const coordinates: Array<{ lon: number; lat: number }> = [];
  const positions: SnappedPosition[] = [];
  while (positions.length < count) {
    const p = Math.floor(random() * g.pointLon.length);
    const place = { lon: g.pointLon[p] + (random() - 0.5) * 0.001, lat: g.pointLat[p] + (random() - 0.5) * 0.001 };
    const snapped = network.snap(place.lon, place.lat);
    if (snapped) { coordinates.push(place); positions.push(snapped); }
  }
  return { coordinates, positions };
}

interface CityFigures {
  nodes: number;
  segments: number;
  arcs: number;
  chArcs: number;
  /** route between coordinates (both snapped in the call), with geometry */
  p2pP50Ms: number;
  p2pP99Ms: number;
  /** route between places snapped beforehand */
  p2pSnappedP50Ms: number;
  p2pSnappedP99Ms: number;
  /** matrix from coordinates (every place snapped in the call): what a caller pays */
  matrix100Ms: number;
  matrix1000Ms: number;
  /** the same matrices from places snapped beforehand */
  matrix100SnappedMs: number;
  matrix1000SnappedMs: number;
  /** snapping 2,000 coordinates alone (what the 1,000 x 1,000 matrix from coordinates adds) */
  snap2000PlacesMs: number;
  matrixCellsCheckedAgainstDijkstra: number;
  matrixCellsDiffering: number;
  matchFixesPerS: number;
  matchRecall: number;
  matchPrecision: number;
}

function measure(network: RoadNetwork, seedValue: number): CityFigures {
  const g = network.graph;
  const { coordinates, positions } = randomPlaces(network, 2000, seedValue);
  network.matrix(positions.slice(0, 10), positions.slice(0, 10)); // builds the CH if not yet there

  // Point to point: full route with geometry (after a warm-up, as a long-running service would
  // be), from coordinates and from snapped positions, the two kinds interleaved.
  for (let i = 0; i < 1000; i++) network.route(coordinates[i], coordinates[1999 - i]);
  const times: number[] = [];
  const snappedTimes: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const a = i % 2000;
    const b = (i * 7919 + 13) % 2000;
    let t0 = performance.now();
    network.route(coordinates[a], coordinates[b]);
    times.push(performance.now() - t0);
    t0 = performance.now();
    network.route(positions[a], positions[b]);
    snappedTimes.push(performance.now() - t0);
  }
  // median of several runs each, the two kinds interleaved so that load on the machine hits both alike
  const timeMatrix = (n: number, runs: number) => {
    const fromCoordinates: number[] = [];
    const fromSnapped: number[] = [];
    for (let r = 0; r < runs; r++) {
      let t0 = performance.now();
      network.matrix(coordinates.slice(0, n), coordinates.slice(1000, 1000 + n));
      fromCoordinates.push(performance.now() - t0);
      t0 = performance.now();
      network.matrix(positions.slice(0, n), positions.slice(1000, 1000 + n));
      fromSnapped.push(performance.now() - t0);
    }
    return { coordinatesMs: median(fromCoordinates), snappedMs: median(fromSnapped) };
  };
  const matrix100 = timeMatrix(100, 15);
  const matrix1000 = timeMatrix(1000, 5);
  // the snapping a 1,000 x 1,000 matrix from coordinates does: 2,000 places
  const snapRuns: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (const c of coordinates) network.snap(c.lon, c.lat);
    snapRuns.push(performance.now() - t0);
  }

  // Spot check: 5 full rows of the 1,000 x 1,000 matrix against plain Dijkstra.
  const sources = positions.slice(0, 5);
  const targets = positions.slice(1000, 2000);
  const fast = network.matrix(sources, targets);
  const reference = network.referenceMatrix(sources, targets);
  let differing = 0;
  for (let i = 0; i < fast.durationsS.length; i++) {
    if (fast.durationsS[i] !== reference.durationsS[i] || fast.distancesM[i] !== reference.distancesM[i]) differing++;
  }

  // Map matching: 15 s fixes with 10 m noise along random legs.
  const matcher = new MapMatcher(network);
  let fixes = 0;
  let matchMs = 0;
  const score = new MatchScore();
  for (let i = 0; i < 60; i++) {
    const leg = network.route(positions[i], positions[1999 - i]);
    if (!leg || leg.distanceM < 500) continue;
    const trace = simulateTrace(leg, { seed: i, intervalS: 15, noiseM: 10 });
    const t0 = performance.now();
    const result = matcher.match(trace);
    matchMs += performance.now() - t0;
    fixes += trace.length;
    score.add(legSegments(leg, g.arcSegment), result.edges.map((e) => e.segment));
  }
  const ch = network.hierarchies().get('car')!;
  return {
    nodes: g.nodeCount,
    segments: g.segmentCount,
    arcs: g.arcCount,
    chArcs: ch.upHead.length + ch.downHead.length,
    p2pP50Ms: round(percentile(times, 50), 4),
    p2pP99Ms: round(percentile(times, 99), 4),
    p2pSnappedP50Ms: round(percentile(snappedTimes, 50), 4),
    p2pSnappedP99Ms: round(percentile(snappedTimes, 99), 4),
    matrix100Ms: round(matrix100.coordinatesMs),
    matrix1000Ms: round(matrix1000.coordinatesMs),
    matrix100SnappedMs: round(matrix100.snappedMs),
    matrix1000SnappedMs: round(matrix1000.snappedMs),
    snap2000PlacesMs: round(median(snapRuns)),
    matrixCellsCheckedAgainstDijkstra: fast.durationsS.length,
    matrixCellsDiffering: differing,
    matchFixesPerS: Math.round(fixes / (matchMs / 1000)),
    matchRecall: round(score.recall, 3),
    matchPrecision: round(score.precision, 3),
  };
}

// OSRM's figures are not measured by this bench: OSRM's own runs on this machine kind, quoted in
// solver/network/README.md ("Peer figures"), printed beside ours for reading side by side.
const OSRM = {
  source: 'solver/network/README.md, "Peer figures": OSRM v6.0.0, car profile, contraction hierarchies, full Monaco extract, '
    + 'HTTP on 127.0.0.1 with snapping and JSON included, measured on this machine kind before 23 Nov 2026 (not re-run by this bench)',
  routeP50Ms: 0.66,
  table100Ms: 9.9,
  table1000Ms: 396,
};

// ---- demo city ----
async function demoCity() {
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-network-'));
  const cold = await loadNetwork(demoPbf, { cacheDir });
  const warmRuns: number[] = [];
  let demoNetwork = cold.network;
  for (let i = 0; i < 5; i++) {
    const warm = await loadNetwork(demoPbf, { cacheDir });
    if (!warm.fromCache) throw new Error('the network cache was not used');
    warmRuns.push(warm.timingsMs.total);
    demoNetwork = warm.network;
  }
  rmSync(cacheDir, { recursive: true, force: true });
  return { importColdMs: round(cold.timingsMs.total), importCachedMs: round(median(warmRuns)), ...measure(demoNetwork, 11) };
}

// ---- generated city ----
async function generatedCity() {
  let t0 = performance.now();
  const city = generateCity({ seed, columns, rows });
  const generateMs = performance.now() - t0;
  if (writeOsm) {
    const stream = createWriteStream(writeOsm);
    for (const chunk of osmXmlChunks(city)) if (!stream.write(chunk)) await once(stream, 'drain');
    stream.end();
    await once(stream, 'finish');
  }
  t0 = performance.now();
  const cityGraph = buildGraph(city, DEFAULT_NETWORK_PROFILE);
  const graphMs = performance.now() - t0;
  const cityNetwork = new RoadNetwork(cityGraph, DEFAULT_NETWORK_PROFILE);
  t0 = performance.now();
  cityNetwork.weights({ vehicleKind: 'car' }); // builds the car hierarchy
  const chBuildMs = performance.now() - t0;
  const generated = {
    columns,
    rows,
    generateMs: round(generateMs),
    graphBuildMs: round(graphMs),
    chBuildMs: round(chBuildMs),
    ...measure(cityNetwork, 12),
  };
  // A last sanity check that the matrix answers are exact on the generated city, node to node.
  const random = mulberry32(99);
  const nodes = Array.from({ length: 3 }, () => Math.floor(random() * cityGraph.nodeCount));
  const targets = Array.from({ length: 1000 }, () => Math.floor(random() * cityGraph.nodeCount));
  const m = cityNetwork.nodeMatrix(nodes, targets);
  const arcKey = cityNetwork.weights().arcKey;
  nodes.forEach((node, s) => {
    const tree = dijkstra(cityGraph, arcKey, [{ node, key: 0 }]);
    targets.forEach((target, t) => {
      const expected = tree.key[target] === Infinity ? Infinity : Math.floor(tree.key[target] / 2 ** 26) / 1000;
      if (m.durationsS[s * 1000 + t] !== expected) generated.matrixCellsDiffering++;
    });
  });
  generated.matrixCellsCheckedAgainstDijkstra += 3000;
  return generated;
}

const demo = cities.includes('demo') ? await demoCity() : undefined;
const generated = cities.includes('generated') ? await generatedCity() : undefined;

// goals on the matrices a caller gets: coordinates in, snapping included
const goals = {
  ...(demo && {
    demoMatrix1000Le400Ms: demo.matrix1000Ms <= 400,
    demoP2pP50Le0_1Ms: demo.p2pP50Ms <= 0.1,
    demoImportCachedLe1000Ms: demo.importCachedMs < 1000,
  }),
  ...(generated && {
    generatedMatrix1000Le3000Ms: generated.matrix1000Ms <= 3000,
    generatedChBuildLe60s: generated.chBuildMs <= 60_000,
    generated200kEdges: generated.segments >= 200_000,
  }),
  allMatricesEqualDijkstra: (demo?.matrixCellsDiffering ?? 0) === 0 && (generated?.matrixCellsDiffering ?? 0) === 0,
};

type Figure = string | number | undefined;
const rowsOut: Array<[string, Figure, Figure, Figure]> = [
  ['', 'demo (Monaco)', `generated ${columns}x${rows}`, 'OSRM, Monaco (*)'],
  ['junction nodes', demo?.nodes, generated?.nodes, 4291],
  ['segments (undirected edges)', demo?.segments, generated?.segments, ''],
  ['directed arcs', demo?.arcs, generated?.arcs, ''],
  ['CH arcs (car, incl. shortcuts)', demo?.chArcs, generated?.chArcs, 14469],
  ['import, first time (ms)', demo?.importColdMs, generated && `${generated.generateMs} gen + ${generated.graphBuildMs} graph`, ''],
  ['import, cached (ms)', demo?.importCachedMs, '-', ''],
  ['CH build, car (ms)', '(in import)', generated?.chBuildMs, ''],
  ['route p50, coordinates in (ms)', demo?.p2pP50Ms, generated?.p2pP50Ms, `${OSRM.routeP50Ms} (HTTP)`],
  ['route p99, coordinates in (ms)', demo?.p2pP99Ms, generated?.p2pP99Ms, ''],
  ['route p50, snapped in (ms)', demo?.p2pSnappedP50Ms, generated?.p2pSnappedP50Ms, ''],
  ['route p99, snapped in (ms)', demo?.p2pSnappedP99Ms, generated?.p2pSnappedP99Ms, ''],
  ['matrix 100x100, coordinates in (ms)', demo?.matrix100Ms, generated?.matrix100Ms, `${OSRM.table100Ms} (HTTP)`],
  ['matrix 100x100, snapped in (ms)', demo?.matrix100SnappedMs, generated?.matrix100SnappedMs, ''],
  ['matrix 1000x1000, coordinates in (ms)', demo?.matrix1000Ms, generated?.matrix1000Ms, `${OSRM.table1000Ms} (HTTP)`],
  ['matrix 1000x1000, snapped in (ms)', demo?.matrix1000SnappedMs, generated?.matrix1000SnappedMs, ''],
  ['snap 2,000 places (ms)', demo?.snap2000PlacesMs, generated?.snap2000PlacesMs, ''],
  ['cells checked vs Dijkstra', demo?.matrixCellsCheckedAgainstDijkstra, generated?.matrixCellsCheckedAgainstDijkstra, ''],
  ['cells differing', demo?.matrixCellsDiffering, generated?.matrixCellsDiffering, ''],
  ['map matching (fixes/s)', demo?.matchFixesPerS, generated?.matchFixesPerS, ''],
  ['matched segments recall', demo?.matchRecall, generated?.matchRecall, ''],
  ['matched segments precision', demo?.matchPrecision, generated?.matchPrecision, ''],
];
const cell = (x: Figure) => (x === undefined ? '(not run)' : String(x));
console.log('road network benchmark (route: with geometry; "coordinates in": every place snapped inside the timed call, as a caller uses it)');
for (const [name, a, b, c] of rowsOut) console.log(`  ${name.padEnd(38)} ${cell(a).padStart(16)} ${cell(b).padStart(26)} ${cell(c).padStart(18)}`);
console.log(`  (*) OSRM is not run by this bench: ${OSRM.source}.`);
console.log(`  machine load average (1 min) at the end: ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
console.log(`  goals: ${Object.entries(goals).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}`);
console.log(JSON.stringify({ bench: 'network', demo, generated, osrm: OSRM, goals, loadAverage1m: round(loadavg()[0]) }));
