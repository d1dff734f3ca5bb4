/**
 * Road-network benchmark: import, graph size, point-to-point queries, 100x100 and 1,000x1,000
 * matrices and map matching, on the demo city (Monaco extract) and on a generated city of
 * 200,000+ segments. Every matrix is spot-checked against plain Dijkstra.
 *   npm run bench:network -- [--columns 330] [--rows 330] [--seed 1] [--write-osm city.osm]
 * Prints a table, then exactly one JSON line.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
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

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const columns = Number(arg('columns') ?? 330);
const rows = Number(arg('rows') ?? 330);
const seed = Number(arg('seed') ?? 1);
const writeOsm = arg('write-osm');
const demoPbf = fileURLToPath(new URL('../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function randomPositions(network: RoadNetwork, count: number, seedValue: number): SnappedPosition[] {
  const random = mulberry32(seedValue);
  const g = network.graph;
  const positions: SnappedPosition[] = [];
  while (positions.length < count) {
    const p = Math.floor(random() * g.pointLon.length);
    const snapped = network.snap(g.pointLon[p] + (random() - 0.5) * 0.001, g.pointLat[p] + (random() - 0.5) * 0.001);
    if (snapped) positions.push(snapped);
  }
  return positions;
}

interface CityFigures {
  nodes: number;
  segments: number;
  arcs: number;
  chArcs: number;
  p2pP50Ms: number;
  p2pP99Ms: number;
  matrix100Ms: number;
  matrix1000Ms: number;
  matrixCellsCheckedAgainstDijkstra: number;
  matrixCellsDiffering: number;
  matchFixesPerS: number;
  matchRecall: number;
  matchPrecision: number;
}

function measure(network: RoadNetwork, seedValue: number): CityFigures {
  const g = network.graph;
  const positions = randomPositions(network, 2000, seedValue);
  network.matrix(positions.slice(0, 10), positions.slice(0, 10)); // builds the CH if not yet there

  // Point to point: full route with geometry between snapped positions (after a warm-up, as
  // a long-running service would be).
  for (let i = 0; i < 1000; i++) network.route(positions[i], positions[1999 - i]);
  const times: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const a = positions[i % 2000];
    const b = positions[(i * 7919 + 13) % 2000];
    const t0 = performance.now();
    network.route(a, b);
    times.push(performance.now() - t0);
  }
  const timeMatrix = (n: number) => {
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      network.matrix(positions.slice(0, n), positions.slice(1000, 1000 + n));
      runs.push(performance.now() - t0);
    }
    return median(runs);
  };
  const matrix100Ms = timeMatrix(100);
  const matrix1000Ms = timeMatrix(1000);

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
    matrix100Ms: round(matrix100Ms),
    matrix1000Ms: round(matrix1000Ms),
    matrixCellsCheckedAgainstDijkstra: fast.durationsS.length,
    matrixCellsDiffering: differing,
    matchFixesPerS: Math.round(fixes / (matchMs / 1000)),
    matchRecall: round(score.recall, 3),
    matchPrecision: round(score.precision, 3),
  };
}

// ---- demo city ----
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
const demo = { importColdMs: round(cold.timingsMs.total), importCachedMs: round(median(warmRuns)), ...measure(demoNetwork, 11) };

// ---- generated city ----
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
{
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
}

const goals = {
  demoMatrix1000Le400Ms: demo.matrix1000Ms <= 400,
  demoP2pP50Le0_1Ms: demo.p2pP50Ms <= 0.1,
  generatedMatrix1000Le3000Ms: generated.matrix1000Ms <= 3000,
  generatedChBuildLe60s: generated.chBuildMs <= 60_000,
  generated200kEdges: generated.segments >= 200_000,
  demoImportCachedLe1000Ms: demo.importCachedMs < 1000,
  allMatricesEqualDijkstra: demo.matrixCellsDiffering === 0 && generated.matrixCellsDiffering === 0,
};

const table: Array<[string, string | number, string | number]> = [
  ['', 'demo (Monaco)', `generated ${columns}x${rows}`],
  ['junction nodes', demo.nodes, generated.nodes],
  ['segments (undirected edges)', demo.segments, generated.segments],
  ['directed arcs', demo.arcs, generated.arcs],
  ['CH arcs (car, incl. shortcuts)', demo.chArcs, generated.chArcs],
  ['import, first time (ms)', demo.importColdMs, `${generated.generateMs} gen + ${generated.graphBuildMs} graph`],
  ['import, cached (ms)', demo.importCachedMs, '-'],
  ['CH build, car (ms)', '(in import)', generated.chBuildMs],
  ['route p50 (ms)', demo.p2pP50Ms, generated.p2pP50Ms],
  ['route p99 (ms)', demo.p2pP99Ms, generated.p2pP99Ms],
  ['matrix 100x100 (ms)', demo.matrix100Ms, generated.matrix100Ms],
  ['matrix 1000x1000 (ms)', demo.matrix1000Ms, generated.matrix1000Ms],
  ['cells checked vs Dijkstra', demo.matrixCellsCheckedAgainstDijkstra, generated.matrixCellsCheckedAgainstDijkstra],
  ['cells differing', demo.matrixCellsDiffering, generated.matrixCellsDiffering],
  ['map matching (fixes/s)', demo.matchFixesPerS, generated.matchFixesPerS],
  ['matched segments recall', demo.matchRecall, generated.matchRecall],
  ['matched segments precision', demo.matchPrecision, generated.matchPrecision],
];
console.log('road network benchmark (route = snapped position to snapped position, with geometry)');
for (const [name, a, b] of table) console.log(`  ${name.padEnd(32)} ${String(a).padStart(16)} ${String(b).padStart(26)}`);
console.log(`  goals: ${Object.entries(goals).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}`);
console.log(JSON.stringify({ bench: 'network', demo, generated, goals }));
