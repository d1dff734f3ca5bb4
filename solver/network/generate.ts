// A seeded synthetic city for scale tests and benchmarks: a jittered street grid with arterials
// (secondary every few streets, primary further apart, a trunk ring), alternating one-way local
// streets, a few closed-off and truck-banned streets, and a river crossed by few bridges.
// It is produced as OSM data, so it goes through the same import as a real extract, and
// `osmXmlChunks` writes it as .osm XML for any other engine to be measured on the same network.
import type { OsmData, OsmWay } from './osm-read.js';
import { metresPerDegree } from '../geo.js';
import { mulberry32 } from '../random.js';

export interface SyntheticCityOptions {
  seed: number;
  /** Intersections west-east and south-north. */
  columns: number;
  rows: number;
  /** Distance between neighbouring intersections. */
  blockM?: number;
  /** South-west corner (defaults to a point in Chengdu, Sichuan). */
  originLon?: number;
  originLat?: number;
  /** Every n-th street is secondary / primary (primary wins where both apply). */
  secondaryEvery?: number;
  primaryEvery?: number;
  /** Share of local streets that are one-way (direction alternates street by street). */
  oneWayShare?: number;
  /** A river runs between two rows in the middle; north-south streets cross it only every n columns. */
  bridgeEvery?: number;
  /** Share of local block segments left out, so that the grid is not perfectly regular. */
  missingShare?: number;
}

/** Deterministic for a given seed: the same options give the same city, node for node. */
export function generateCity(options: SyntheticCityOptions): OsmData {
  const {
    seed,
    columns,
    rows,
    blockM = 120,
    originLon = 104.0,
    originLat = 30.6,
    secondaryEvery = 4,
    primaryEvery = 12,
    oneWayShare = 0.4,
    bridgeEvery = 9,
    missingShare = 0.05,
  } = options;
  if (columns < 2 || rows < 2) throw new Error('generateCity: columns and rows must be at least 2');
  const random = mulberry32(seed);
  const { xM, yM } = metresPerDegree(originLat);
  const nodes = new Map<number, [number, number]>();
  let nextNodeId = 1;
  const addNode = (xMetres: number, yMetres: number): number => {
    const id = nextNodeId++;
    nodes.set(id, [originLon + xMetres / xM, originLat + yMetres / yM]);
    return id;
  };
  const jitter = blockM * 0.15;
  const grid = new Float64Array(columns * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      grid[r * columns + c] = addNode(c * blockM + (random() - 0.5) * jitter, r * blockM + (random() - 0.5) * jitter);
    }
  }
  const riverRow = Math.floor(rows / 2) - 1; // the river runs between riverRow and riverRow + 1
  const classOf = (index: number, count: number): string => {
    if (index === 0 || index === count - 1) return 'trunk';
    if (index % primaryEvery === 0) return 'primary';
    if (index % secondaryEvery === 0) return 'secondary';
    return 'residential';
  };

  const ways: OsmWay[] = [];
  let nextWayId = 1;
  /** One OSM way per street stretch, with a bent shape point inside every block. */
  const emitStreet = (corners: number[], highway: string, index: number): void => {
    if (corners.length < 2) return;
    const nodeIds: number[] = [corners[0]];
    for (let i = 1; i < corners.length; i++) {
      const [lon1, lat1] = nodes.get(corners[i - 1])!;
      const [lon2, lat2] = nodes.get(corners[i])!;
      const bendM = (random() - 0.5) * blockM * 0.1;
      const midX = ((lon1 + lon2) / 2 - originLon) * xM + bendM;
      const midY = ((lat1 + lat2) / 2 - originLat) * yM - bendM;
      nodeIds.push(addNode(midX, midY), corners[i]);
    }
    const tags: Record<string, string> = { highway, name: `${highway} ${index}` };
    if (highway === 'residential' && random() < oneWayShare) tags.oneway = index % 2 === 0 ? 'yes' : '-1';
    if (highway === 'primary' || highway === 'trunk') tags.maxspeed = highway === 'trunk' ? '60' : '50';
    if (highway === 'residential' && random() < 0.02) tags.hgv = 'no';
    ways.push({ id: nextWayId++, tags, nodeIds });
  };
  /** Splits a street where blocks are missing (local streets only) and emits the pieces. */
  const emitWithGaps = (corners: number[], highway: string, index: number, cutAfter: (i: number) => boolean) => {
    let piece: number[] = [corners[0]];
    for (let i = 1; i < corners.length; i++) {
      const missing = cutAfter(i - 1) || (highway === 'residential' && random() < missingShare);
      if (missing) {
        emitStreet(piece, highway, index);
        piece = [corners[i]];
      } else piece.push(corners[i]);
    }
    emitStreet(piece, highway, index);
  };

  for (let r = 0; r < rows; r++) {
    const corners = Array.from({ length: columns }, (_, c) => grid[r * columns + c]);
    emitWithGaps(corners, classOf(r, rows), r, () => false);
  }
  for (let c = 0; c < columns; c++) {
    const corners = Array.from({ length: rows }, (_, r) => grid[r * columns + c]);
    const highway = classOf(c, columns);
    const bridge = c % bridgeEvery === Math.floor(bridgeEvery / 2) || highway === 'trunk';
    emitWithGaps(corners, highway, c, (r) => r === riverRow && !bridge);
  }
  return { nodes, ways };
}

/** The city (or any OsmData) as OSM XML 0.6, in chunks to write one after another. */
export function* osmXmlChunks(osm: OsmData, generator = 'sanifleet generateCity'): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="${escapeXml(generator)}">\n`;
  let buffer: string[] = [];
  for (const [id, [lon, lat]] of osm.nodes) {
    buffer.push(`  <node id="${id}" lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}"/>\n`);
    if (buffer.length >= 10_000) {
      yield buffer.join('');
      buffer = [];
    }
  }
  for (const way of osm.ways) {
    const parts = [`  <way id="${way.id}">\n`];
    for (const ref of way.nodeIds) parts.push(`    <nd ref="${ref}"/>\n`);
    for (const [k, v] of Object.entries(way.tags)) parts.push(`    <tag k="${escapeXml(k)}" v="${escapeXml(v)}"/>\n`);
    parts.push('  </way>\n');
    buffer.push(parts.join(''));
    if (buffer.length >= 2_000) {
      yield buffer.join('');
      buffer = [];
    }
  }
  buffer.push('</osm>\n');
  yield buffer.join('');
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
