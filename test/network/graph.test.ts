import { describe, expect, it } from 'vitest';
import { buildGraph, parseMaxspeedKmh, type RoadGraph } from '../../solver/network/graph.js';
import type { OsmData, OsmWay } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE } from '../../solver/network/profile.js';
import { readOsm } from '../../solver/network/osm-read.js';

const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;

/** A little town on a 100 m grid: node i at lon 120 + i * 0.001, lat 30. */
function town(ways: Array<Omit<OsmWay, 'id'>>): OsmData {
  const nodes = new Map<number, [number, number]>();
  for (let i = 1; i <= 20; i++) nodes.set(i, [120 + i * 0.001, 30 + (i % 2) * 0.0005]);
  return { nodes, ways: ways.map((w, i) => ({ id: 100 + i, ...w })) };
}

function arcsBetween(g: RoadGraph, fromOsm: number, toOsm: number): number[] {
  const from = [...g.nodeOsmId].indexOf(fromOsm);
  const to = [...g.nodeOsmId].indexOf(toOsm);
  const arcs: number[] = [];
  for (let a = g.firstArc[from]; a < g.firstArc[from + 1]; a++) if (g.arcHead[a] === to) arcs.push(a);
  return arcs;
}

describe('buildGraph', () => {
  it('compresses shape nodes into one segment between junctions and keeps the geometry', () => {
    const g = buildGraph(
      town([
        { tags: { highway: 'residential' }, nodeIds: [1, 2, 3, 4, 5] },
        { tags: { highway: 'residential' }, nodeIds: [3, 10] },
      ]),
      DEFAULT_NETWORK_PROFILE,
    );
    // Junctions: 1, 5 (ends), 3 (shared), 10 (end) -> segments 1-3, 3-5, 3-10.
    expect(g.nodeCount).toBe(4);
    expect(g.segmentCount).toBe(3);
    expect(g.arcCount).toBe(6);
    const first = 0;
    expect(g.segmentGeometryStart[first + 1] - g.segmentGeometryStart[first]).toBe(3);
    expect(g.segmentWayId[first]).toBe(100);
    // Two zig-zag pieces of 96.4 m east and 55.6 m north each: the length follows the shape.
    expect(g.segmentLengthM[first]).toBeCloseTo(2 * Math.hypot(96.4, 55.6), 0);
  });

  it('respects oneway=yes, oneway=-1, roundabouts and motorways', () => {
    const g = buildGraph(
      town([
        { tags: { highway: 'residential', oneway: 'yes' }, nodeIds: [1, 2] },
        { tags: { highway: 'residential', oneway: '-1' }, nodeIds: [3, 4] },
        { tags: { highway: 'primary', junction: 'roundabout' }, nodeIds: [5, 6] },
        { tags: { highway: 'motorway' }, nodeIds: [7, 8] },
        { tags: { highway: 'motorway', oneway: 'no' }, nodeIds: [9, 10] },
        { tags: { highway: 'tertiary' }, nodeIds: [11, 12] },
      ]),
      DEFAULT_NETWORK_PROFILE,
    );
    expect(arcsBetween(g, 1, 2)).toHaveLength(1);
    expect(arcsBetween(g, 2, 1)).toHaveLength(0);
    expect(arcsBetween(g, 3, 4)).toHaveLength(0);
    expect(arcsBetween(g, 4, 3)).toHaveLength(1);
    expect(arcsBetween(g, 5, 6)).toHaveLength(1);
    expect(arcsBetween(g, 6, 5)).toHaveLength(0);
    expect(arcsBetween(g, 8, 7)).toHaveLength(0);
    expect(arcsBetween(g, 10, 9)).toHaveLength(1);
    expect(arcsBetween(g, 12, 11)).toHaveLength(1);
  });

  it('drops private, no-access, area and non-drivable ways; bans trucks from hgv=no roads', () => {
    const g = buildGraph(
      town([
        { tags: { highway: 'service', access: 'private' }, nodeIds: [1, 2] },
        { tags: { highway: 'residential', motor_vehicle: 'no' }, nodeIds: [3, 4] },
        { tags: { highway: 'pedestrian' }, nodeIds: [5, 6] },
        { tags: { highway: 'service', area: 'yes' }, nodeIds: [7, 8] },
        { tags: { highway: 'residential', access: 'no', motorcar: 'yes' }, nodeIds: [9, 10] },
        { tags: { highway: 'secondary', hgv: 'no' }, nodeIds: [11, 12] },
      ]),
      DEFAULT_NETWORK_PROFILE,
    );
    expect(g.segmentCount).toBe(2);
    const [hgvArc] = arcsBetween(g, 11, 12);
    expect(g.arcTimeMs.car[hgvArc]).toBeGreaterThan(0);
    expect(g.arcTimeMs.truck[hgvArc]).toBe(-1);
    expect(g.arcTimeMs.sweeper[hgvArc]).toBe(-1);
  });

  it('uses maxspeed when tagged, the class default otherwise, capped per vehicle kind', () => {
    const g = buildGraph(
      town([
        { tags: { highway: 'trunk', maxspeed: '80' }, nodeIds: [1, 2] },
        { tags: { highway: 'trunk' }, nodeIds: [3, 4] },
        { tags: { highway: 'residential' }, nodeIds: [5, 6] },
      ]),
      DEFAULT_NETWORK_PROFILE,
    );
    const speedKmh = (arc: number, kind: 'car' | 'truck') =>
      (g.segmentLengthM[g.arcSegment[arc]] / (g.arcTimeMs[kind][arc] / 1000)) * 3.6;
    const [tagged] = arcsBetween(g, 1, 2);
    const [untagged] = arcsBetween(g, 3, 4);
    const [residential] = arcsBetween(g, 5, 6);
    expect(speedKmh(tagged, 'car')).toBeCloseTo(80, 0);
    expect(speedKmh(untagged, 'car')).toBeCloseTo(60, 0);
    expect(speedKmh(residential, 'car')).toBeCloseTo(20, 0);
    expect(speedKmh(tagged, 'truck')).toBeCloseTo(40, 0); // muck-truck cap
    expect(speedKmh(residential, 'truck')).toBeCloseTo(18, 0); // 20 km/h x 0.9
  });

  it('parses maxspeed values', () => {
    expect(parseMaxspeedKmh('50')).toBe(50);
    expect(parseMaxspeedKmh('30 mph')).toBeCloseTo(48.28, 2);
    expect(parseMaxspeedKmh('60;40')).toBe(40);
    expect(parseMaxspeedKmh('CN:urban')).toBeUndefined();
    expect(parseMaxspeedKmh('none')).toBeUndefined();
  });

  it('builds the Monaco graph with the junction count osmium reports', async () => {
    const g = buildGraph(await readOsm(demoPbf), DEFAULT_NETWORK_PROFILE);
    expect(g.nodeCount).toBe(2266);
    let lengthM = 0;
    for (let s = 0; s < g.segmentCount; s++) lengthM += g.segmentLengthM[s];
    expect(lengthM / 1000).toBeCloseTo(344.6, 0);
    expect(g.arcCount).toBeGreaterThan(4300);
  });
});
