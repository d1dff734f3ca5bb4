import { beforeAll, describe, expect, it } from 'vitest';
import { dijkstra, treePath } from '../../solver/network/dijkstra.js';
import { generateCity } from '../../solver/network/generate.js';
import { mulberry32 } from '../../solver/random.js';
import { pointInPolygon } from '../../solver/geo.js';
import { buildGraph } from '../../solver/network/graph.js';
import { RoadNetwork } from '../../solver/network/network.js';
import { readOsm } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE, type NetworkProfile, type Restriction } from '../../solver/network/profile.js';
import type { SnappedPosition } from '../../solver/network/snap.js';

const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;

// Monaco-Ville and the port: closed to trucks 07:00-20:00; the Larvotto area penalised all day.
const centreBan: Restriction = {
  name: 'centre truck ban',
  polygon: { type: 'Polygon', coordinates: [[[7.418, 43.728], [7.43, 43.728], [7.43, 43.737], [7.418, 43.737], [7.418, 43.728]]] },
  vehicleKinds: ['truck'],
  fromHour: 7,
  toHour: 20,
  mode: 'ban',
};
const larvottoPenalty: Restriction = {
  name: 'school zone',
  polygon: { type: 'Polygon', coordinates: [[[7.43, 43.74], [7.44, 43.74], [7.44, 43.75], [7.43, 43.75], [7.43, 43.74]]] },
  vehicleKinds: ['car', 'truck'],
  fromHour: 22,
  toHour: 6,
  mode: 'penalty',
  penaltyFactor: 4,
};
const profile: NetworkProfile = { ...DEFAULT_NETWORK_PROFILE, restrictions: [centreBan, larvottoPenalty] };

function randomPositions(network: RoadNetwork, count: number, seed: number, kind: 'car' | 'truck' = 'car') {
  const random = mulberry32(seed);
  const g = network.graph;
  const positions: SnappedPosition[] = [];
  while (positions.length < count) {
    const p = Math.floor(random() * g.pointLon.length);
    const snapped = network.snap(g.pointLon[p] + (random() - 0.5) * 0.002, g.pointLat[p] + (random() - 0.5) * 0.002, {
      vehicleKind: kind,
    });
    if (snapped) positions.push(snapped);
  }
  return positions;
}

function expectSameMatrix(a: { durationsS: Float64Array; distancesM: Float64Array }, b: typeof a) {
  let differing = 0;
  for (let i = 0; i < a.durationsS.length; i++) {
    if (a.durationsS[i] !== b.durationsS[i] || a.distancesM[i] !== b.distancesM[i]) differing++;
  }
  expect(differing).toBe(0);
}


describe('shortest paths and matrices on Monaco', () => {
  let network: RoadNetwork;
  beforeAll(async () => {
    network = new RoadNetwork(buildGraph(await readOsm(demoPbf), profile), profile);
  });

  it('contraction-hierarchy node-to-node costs equal plain Dijkstra on 4,000 random pairs', () => {
    const g = network.graph;
    const random = mulberry32(42);
    const arcKey = network.weights().arcKey;
    let compared = 0;
    let reachable = 0;
    for (let s = 0; s < 80; s++) {
      const source = Math.floor(random() * g.nodeCount);
      const tree = dijkstra(g, arcKey, [{ node: source, key: 0 }]);
      const targets = Array.from({ length: 50 }, () => Math.floor(random() * g.nodeCount));
      const matrix = network.nodeMatrix([source], targets);
      targets.forEach((target, t) => {
        compared++;
        const keyTimeS = Math.floor(tree.key[target] / 2 ** 26) / 1000;
        if (tree.key[target] === Infinity) expect(matrix.durationsS[t]).toBe(Infinity);
        else {
          reachable++;
          expect(matrix.durationsS[t]).toBe(keyTimeS);
          const distanceDm = treePath(g, tree, target).reduce((sum, a) => sum + g.arcDistanceDm[a], 0);
          expect(matrix.distancesM[t]).toBe(distanceDm / 10);
        }
      });
    }
    expect(compared).toBe(4000);
    expect(reachable).toBeGreaterThan(3000);
  });

  it('matrices between snapped positions equal the Dijkstra reference for car and truck', () => {
    const positions = randomPositions(network, 150, 7);
    expectSameMatrix(network.matrix(positions, positions), network.referenceMatrix(positions, positions));
    const truckPositions = randomPositions(network, 120, 8, 'truck');
    const options = { vehicleKind: 'truck' as const, hour: 10 };
    expectSameMatrix(
      network.matrix(truckPositions, truckPositions, options),
      network.referenceMatrix(truckPositions, truckPositions, options),
    );
  });

  it('routes are connected, start and end at the snapped points, and match the matrix', () => {
    const positions = randomPositions(network, 60, 9);
    const matrix = network.matrix(positions.slice(0, 30), positions.slice(30));
    const g = network.graph;
    for (let i = 0; i < 30; i++) {
      const leg = network.route(positions[i], positions[30 + i])!;
      expect(leg.durationS).toBe(matrix.durationsS[i * 30 + i]);
      expect(leg.distanceM).toBe(matrix.distancesM[i * 30 + i]);
      for (let k = 1; k < leg.arcs.length; k++) expect(g.arcTail[leg.arcs[k]]).toBe(g.arcHead[leg.arcs[k - 1]]);
      expect(leg.geometry[0]).toEqual([positions[i].lon, positions[i].lat]);
      expect(leg.geometry[leg.geometry.length - 1]).toEqual([positions[30 + i].lon, positions[30 + i].lat]);
      let geometryM = 0;
      for (let k = 1; k < leg.geometry.length; k++) {
        const [lon1, lat1] = leg.geometry[k - 1];
        const [lon2, lat2] = leg.geometry[k];
        geometryM += Math.hypot((lon2 - lon1) * 80_500, (lat2 - lat1) * 111_200);
      }
      // Decimetre rounding per arc and the flat-earth sum above: within a metre or two.
      expect(Math.abs(geometryM - leg.distanceM)).toBeLessThan(2 + leg.distanceM * 0.003);
    }
  });

  it('keeps trucks out of the centre during the ban hours and lets them in at night', () => {
    const from = network.snap(7.4125, 43.7305, { vehicleKind: 'truck' })!; // Fontvieille, west of the zone
    const to = network.snap(7.4335, 43.7385, { vehicleKind: 'truck' })!; // east of the zone
    const inZone = (leg: { geometry: Array<[number, number]> }) =>
      leg.geometry.some(([lon, lat]) => pointInPolygon(lon, lat, centreBan.polygon.coordinates as number[][][]));
    const night = network.route(from, to, { vehicleKind: 'truck', hour: 23 })!;
    const day = network.route(from, to, { vehicleKind: 'truck', hour: 10 })!;
    const car = network.route(from, to, { vehicleKind: 'car', hour: 10 })!;
    expect(inZone(night)).toBe(true);
    expect(inZone(car)).toBe(true);
    expect(inZone(day)).toBe(false);
    expect(day.durationS).toBeGreaterThan(night.durationS);
    // A place inside the zone cannot be reached by a truck while the ban holds.
    const inside = network.snap(7.4235, 43.7325, { vehicleKind: 'truck' })!;
    expect(network.route(from, inside, { vehicleKind: 'truck', hour: 10 })).toBeNull();
    expect(network.route(from, inside, { vehicleKind: 'truck', hour: 5 })).not.toBeNull();
  });

  it('penalises travel time in a penalty zone only during its hours', () => {
    const a = network.snap(7.4335, 43.7425)!;
    const b = network.snap(7.4375, 43.7465)!;
    const day = network.route(a, b, { hour: 12 })!;
    const night = network.route(a, b, { hour: 23 })!;
    expect(night.durationS).toBeGreaterThan(day.durationS * 1.5);
  });

  it('describes segments for sweeping: road grade by class, work time at the working speed', () => {
    const g = network.graph;
    const primary = [...Array(g.segmentCount).keys()].find((s) => network.highwayOf(s) === 'primary')!;
    const residential = [...Array(g.segmentCount).keys()].find((s) => network.highwayOf(s) === 'residential')!;
    const info = network.segmentInfo(primary);
    expect(info.roadGrade).toBe(1);
    expect(network.segmentInfo(residential).roadGrade).toBe(4);
    expect(info.workDurationS).toBeCloseTo(info.lengthM / (10 / 3.6), 6);
    expect(info.wayId).toBeGreaterThan(0);
    const geometry = network.segmentGeometry(primary);
    expect(geometry[0]).toEqual([g.nodeLon[info.fromNode], g.nodeLat[info.fromNode]]);
    expect(geometry[geometry.length - 1]).toEqual([g.nodeLon[info.toNode], g.nodeLat[info.toNode]]);
  });

  it('exports the road segments as GeoJSON for the map', () => {
    const geojson = network.toGeoJson();
    expect(geojson.features).toHaveLength(network.graph.segmentCount);
    const oneWays = geojson.features.filter((f) => f.properties.oneway !== 'no');
    expect(oneWays.length).toBeGreaterThan(500);
    const feature = geojson.features[10];
    expect(feature.geometry.coordinates.length).toBeGreaterThanOrEqual(2);
    expect(feature.properties.wayId).toBe(network.graph.segmentWayId[10]);
    const primaries = network.toGeoJson((s) => network.highwayOf(s) === 'primary').features;
    expect(primaries.every((f) => f.properties.roadGrade === 1)).toBe(true);
  });

  it('rejects an hour that is not 0-23', () => {
    const a = network.snap(7.4335, 43.7425)!;
    expect(() => network.route(a, a, { hour: 24 })).toThrow(/hour must be an integer 0-23/);
  });

  it('stays on one two-way segment when both places are on it', () => {
    const g = network.graph;
    const { forward, backward } = network.segmentArcs();
    let segment = 0;
    while (!(forward[segment] >= 0 && backward[segment] >= 0 && g.segmentLengthM[segment] > 200)) segment++;
    const a = network.snapIndex.at(segment, 50);
    const b = network.snapIndex.at(segment, 150);
    const there = network.route(a, b)!;
    const back = network.route(b, a)!;
    expect(there.arcs).toEqual([]);
    expect(there.distanceM).toBeCloseTo(100, 0);
    expect(back.distanceM).toBeCloseTo(100, 0);
  });
});

describe('shortest paths and matrices on generated cities', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: matrices equal Dijkstra, node pairs and snapped positions`, () => {
      const city = generateCity({ seed, columns: 45, rows: 40 });
      const network = new RoadNetwork(buildGraph(city, DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
      const g = network.graph;
      expect(g.segmentCount).toBeGreaterThan(3000);
      const random = mulberry32(seed * 100);
      const nodes = Array.from({ length: 60 }, () => Math.floor(random() * g.nodeCount));
      const arcKey = network.weights().arcKey;
      const matrix = network.nodeMatrix(nodes, nodes);
      let compared = 0;
      nodes.forEach((source, s) => {
        const tree = dijkstra(g, arcKey, [{ node: source, key: 0 }]);
        nodes.forEach((target, t) => {
          compared++;
          if (tree.key[target] === Infinity) {
            expect(matrix.durationsS[s * 60 + t]).toBe(Infinity);
            expect(matrix.distancesM[s * 60 + t]).toBe(Infinity);
            return;
          }
          const distanceDm = treePath(g, tree, target).reduce((sum, a) => sum + g.arcDistanceDm[a], 0);
          expect(matrix.durationsS[s * 60 + t]).toBe(Math.floor(tree.key[target] / 2 ** 26) / 1000);
          expect(matrix.distancesM[s * 60 + t]).toBe(distanceDm / 10);
        });
      });
      expect(compared).toBe(3600);
      const positions = randomPositions(network, 100, seed);
      expectSameMatrix(network.matrix(positions, positions), network.referenceMatrix(positions, positions));
    });
  }
});
