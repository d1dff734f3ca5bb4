import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../solver/random.js';
import { buildGraph } from '../../solver/network/graph.js';
import { RoadNetwork } from '../../solver/network/network.js';
import { readOsm } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE } from '../../solver/network/profile.js';
import type { SnappedPosition } from '../../solver/network/snap.js';

/**
 * A matrix with roads closed (a blocked road in a re-plan) searches again only the rows whose
 * fastest paths used a closed road: it must equal searching every row, cell for cell.
 */
const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;

let network: RoadNetwork;
let places: SnappedPosition[];
beforeAll(async () => {
  network = new RoadNetwork(buildGraph(await readOsm(demoPbf), DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
  const random = mulberry32(9);
  places = [];
  while (places.length < 60) {
    const p = Math.floor(random() * network.graph.pointLon.length);
    const s = network.snap(network.graph.pointLon[p], network.graph.pointLat[p], { vehicleKind: 'truck' });
    if (s) places.push(s);
  }
});

describe('matrix with closed roads', () => {
  it('equals a search of every row, and searches again only the rows a closure touches', () => {
    const used = network.route(places[0]!, places[1]!, { vehicleKind: 'truck' })!;
    const onPath = [...new Set(used.arcs.map((a) => network.graph.arcSegment[a]))];
    expect(onPath.length).toBeGreaterThan(2);
    // a road in the middle of a fastest path, a place's own road, and nothing at all
    for (const shut of [new Set([onPath[Math.floor(onPath.length / 2)]!]), new Set([places[5]!.segment]), new Set<number>()]) {
      const closed = (s: number) => shut.has(s);
      const fast = network.matrixAvoiding(places, places, closed, { vehicleKind: 'truck' });
      const all = network.matrixAvoiding(places, places, closed, { vehicleKind: 'truck', searchAll: true });
      expect(Array.from(fast.durationsS)).toEqual(Array.from(all.durationsS));
      expect(Array.from(fast.distancesM)).toEqual(Array.from(all.distancesM));
      expect(all.searched).toBe(places.length);
      expect(fast.searched).toBeLessThan(places.length);
      if (shut.size === 0) {
        expect(fast.searched).toBe(0);
        expect(Array.from(fast.durationsS)).toEqual(Array.from(network.matrix(places, places, { vehicleKind: 'truck' }).durationsS));
      } else expect(fast.searched).toBeGreaterThan(0);
    }
    // the closed road is no longer driven: the trip that used it costs more now
    const shut = new Set([onPath[Math.floor(onPath.length / 2)]!]);
    const after = network.matrixAvoiding(places, places, (s) => shut.has(s), { vehicleKind: 'truck' });
    expect(after.durationsS[1]).toBeGreaterThan(used.durationS);
  });
});
