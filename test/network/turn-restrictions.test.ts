import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dijkstra } from '../../solver/network/dijkstra.js';
import { buildGraph } from '../../solver/network/graph.js';
import { RoadNetwork } from '../../solver/network/network.js';
import { readOsm, type OsmData, type OsmTurnRestriction } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE } from '../../solver/network/profile.js';

// A T-junction C with arms west (A), east (B) and north (N), and a long detour A-P-N.
//        P
//        |  \
//        |    N
//        |    |
//        A -- C ------------ B
const DEG = 0.001; // ~100 m
const coordinates: Record<number, [number, number]> = {
  1: [120, 30], // A
  2: [120 + DEG, 30], // C
  3: [120 + 6 * DEG, 30], // B, far enough that a U-turn at this dead end is slower than the detour
  4: [120 + DEG, 30 + DEG], // N
  5: [120, 30 + 2 * DEG], // P
};
const WEST = 11;
const EAST = 12;
const NORTH = 13;
const DETOUR = 14;

function town(turnRestrictions: OsmTurnRestriction[]): OsmData {
  return {
    nodes: new Map(Object.entries(coordinates).map(([id, c]) => [Number(id), c])),
    ways: [
      { id: WEST, tags: { highway: 'residential' }, nodeIds: [1, 2] },
      { id: EAST, tags: { highway: 'residential' }, nodeIds: [2, 3] },
      { id: NORTH, tags: { highway: 'residential' }, nodeIds: [2, 4] },
      { id: DETOUR, tags: { highway: 'residential' }, nodeIds: [1, 5, 4] },
    ],
    turnRestrictions,
  };
}

function network(turnRestrictions: OsmTurnRestriction[]): RoadNetwork {
  return new RoadNetwork(buildGraph(town(turnRestrictions), DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
}

const restriction = (kind: string, from: number, to: number, except: string[] = []): OsmTurnRestriction => ({
  id: 1,
  restriction: kind,
  fromWayId: from,
  viaNodeId: 2,
  toWayId: to,
  except,
});

/** A place on the middle of a way's first segment. */
function on(net: RoadNetwork, wayId: number, fraction = 0.5) {
  const g = net.graph;
  const segment = [...g.segmentWayId].indexOf(wayId);
  return net.snapIndex.at(segment, g.segmentLengthM[segment] * fraction);
}

function waysDriven(net: RoadNetwork, from: number, to: number): number[] {
  const leg = net.route(on(net, from), on(net, to))!;
  const ways = leg.arcs.map((a) => net.graph.segmentWayId[net.graph.arcSegment[a]]);
  return [from, ...ways, to].filter((w, i, all) => i === 0 || w !== all[i - 1]);
}

const scratch = mkdtempSync(join(tmpdir(), 'turns-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('turn restrictions', () => {
  it('turns left at the junction when nothing forbids it', () => {
    const net = network([]);
    expect(net.graph.turnRestrictionsApplied).toBe(0);
    expect(waysDriven(net, WEST, NORTH)).toEqual([WEST, NORTH]);
  });

  it('no_left_turn sends west-to-north traffic round the detour but leaves other turns alone', () => {
    const net = network([restriction('no_left_turn', WEST, NORTH)]);
    expect(net.graph.turnRestrictionsApplied).toBe(1);
    expect(waysDriven(net, WEST, NORTH)).toEqual([WEST, DETOUR, NORTH]);
    expect(waysDriven(net, EAST, NORTH)).toEqual([EAST, NORTH]);
    expect(waysDriven(net, NORTH, WEST)).toEqual([NORTH, WEST]);
    expect(waysDriven(net, WEST, EAST)).toEqual([WEST, EAST]);
  });

  it('only_straight_on allows only the named way', () => {
    const net = network([restriction('only_straight_on', WEST, EAST)]);
    expect(waysDriven(net, WEST, EAST)).toEqual([WEST, EAST]);
    expect(waysDriven(net, WEST, NORTH)).toEqual([WEST, DETOUR, NORTH]);
    expect(waysDriven(net, EAST, NORTH)).toEqual([EAST, NORTH]);
  });

  it('ignores restrictions that exempt motor cars', () => {
    const net = network([restriction('no_left_turn', WEST, NORTH, ['motorcar'])]);
    expect(waysDriven(net, WEST, NORTH)).toEqual([WEST, NORTH]);
  });

  it('keeps matrices equal to Dijkstra on the split junction, from every node copy', () => {
    const net = network([restriction('no_left_turn', WEST, NORTH), restriction('no_right_turn', NORTH, EAST)]);
    const g = net.graph;
    expect(g.nodeCount).toBeGreaterThan(4); // the junction was split
    const places = [WEST, EAST, NORTH, DETOUR].flatMap((w) => [on(net, w, 0.2), on(net, w, 0.8)]);
    const fast = net.matrix(places, places);
    const reference = net.referenceMatrix(places, places);
    expect([...fast.durationsS]).toEqual([...reference.durationsS]);
    expect([...fast.distancesM]).toEqual([...reference.distancesM]);
    const nodes = [...Array(g.nodeCount).keys()];
    const matrix = net.nodeMatrix(nodes, nodes);
    nodes.forEach((source) => {
      const tree = dijkstra(g, net.weights().arcKey, [{ node: source, key: 0 }]);
      nodes.forEach((target) => {
        const expected = tree.key[target] === Infinity ? Infinity : Math.floor(tree.key[target] / 2 ** 26) / 1000;
        expect(matrix.durationsS[source * nodes.length + target]).toBe(expected);
      });
    });
  });

  it('reads restriction relations from OSM XML', async () => {
    const file = join(scratch, 'turns.osm');
    writeFileSync(
      file,
      `<osm version="0.6">
 <node id="1" lat="30" lon="120"/><node id="2" lat="30" lon="120.001"/><node id="4" lat="30.001" lon="120.001"/>
 <way id="11"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
 <way id="13"><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/></way>
 <relation id="7">
  <member type="way" ref="11" role="from"/><member type="node" ref="2" role="via"/><member type="way" ref="13" role="to"/>
  <tag k="type" v="restriction"/><tag k="restriction" v="no_left_turn"/><tag k="except" v="bicycle;psv"/>
 </relation>
 <relation id="8"><member type="way" ref="11" role="outer"/><tag k="type" v="multipolygon"/></relation>
</osm>`,
    );
    const osm = await readOsm(file);
    expect(osm.turnRestrictions).toEqual([
      { id: 7, restriction: 'no_left_turn', fromWayId: 11, viaNodeId: 2, toWayId: 13, except: ['bicycle', 'psv'] },
    ]);
  });
});
