import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../solver/random.js';
import { buildGraph } from '../../solver/network/graph.js';
import { RoadNetwork } from '../../solver/network/network.js';
import { readOsm } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE, type NetworkProfile } from '../../solver/network/profile.js';
import type { SnappedPosition } from '../../solver/network/snap.js';

const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;
const centreBan = {
  name: 'centre truck ban', vehicleKinds: ['truck' as const], fromHour: 7, toHour: 20, mode: 'ban' as const,
  polygon: { type: 'Polygon' as const, coordinates: [[[7.418, 43.728], [7.43, 43.728], [7.43, 43.737], [7.418, 43.737], [7.418, 43.728]]] },
};
const profile: NetworkProfile = { ...DEFAULT_NETWORK_PROFILE, restrictions: [centreBan] };

let network: RoadNetwork;
let places: SnappedPosition[];
beforeAll(async () => {
  network = new RoadNetwork(buildGraph(await readOsm(demoPbf), profile), profile);
  const random = mulberry32(5);
  places = [];
  while (places.length < 30) {
    const p = Math.floor(random() * network.graph.pointLon.length);
    const s = network.snap(network.graph.pointLon[p], network.graph.pointLat[p], { vehicleKind: 'truck' });
    if (s) places.push(s);
  }
});

describe('routes within a set of segments, explicit restriction sets', () => {
  it('with every segment allowed, equals the fastest route (time, distance, path)', () => {
    for (let i = 0; i + 1 < places.length; i++) {
      const plain = network.route(places[i]!, places[i + 1]!, { vehicleKind: 'truck' });
      const within = network.routeWithin(places[i]!, places[i + 1]!, () => true, { vehicleKind: 'truck' });
      expect(within?.durationS).toBe(plain?.durationS);
      expect(within?.distanceM).toBe(plain?.distanceM);
      expect(within?.geometry).toEqual(plain?.geometry);
    }
  });

  it('uses only the allowed segments (plus those it starts and ends on), or finds nothing', () => {
    const [a, b] = [places[0]!, places[1]!];
    const plain = network.route(a, b, { vehicleKind: 'truck' })!;
    const used = new Set(plain.arcs.map((arc) => network.graph.arcSegment[arc]!));
    // forbid one segment of the fastest path: the route goes round it or fails
    const forbidden = [...used][Math.floor(used.size / 2)]!;
    const detour = network.routeWithin(a, b, (s) => s !== forbidden, { vehicleKind: 'truck' });
    if (detour) {
      expect(detour.arcs.map((arc) => network.graph.arcSegment[arc])).not.toContain(forbidden);
      expect(detour.durationS).toBeGreaterThanOrEqual(plain.durationS);
    }
    expect(network.routeWithin(a, b, (s) => s === a.segment || s === b.segment, { vehicleKind: 'truck' })).toBeNull();
  });

  it('applies exactly the restrictions named, whatever the hour', () => {
    const m1 = network.matrix(places, places, { vehicleKind: 'truck', hour: 10 });
    const m2 = network.matrix(places, places, { vehicleKind: 'truck', restrictionIndices: [0] });
    expect(Array.from(m2.durationsS)).toEqual(Array.from(m1.durationsS));
    const m3 = network.matrix(places, places, { vehicleKind: 'truck', hour: 10, restrictionIndices: [] });
    expect(Array.from(m3.durationsS)).toEqual(Array.from(network.matrix(places, places, { vehicleKind: 'truck' }).durationsS));
    expect(() => network.matrix(places, places, { vehicleKind: 'truck', restrictionIndices: [3] })).toThrow(/no restriction 3/);
  });
});
