import { beforeAll, describe, expect, it } from 'vitest';
import { generateCity } from '../../solver/network/generate.js';
import { mulberry32 } from '../../solver/random.js';
import { buildGraph } from '../../solver/network/graph.js';
import { haversineM, metresPerDegree } from '../../solver/geo.js';
import { MapMatcher } from '../../solver/network/match.js';
import { RoadNetwork } from '../../solver/network/network.js';
import { readOsm } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE } from '../../solver/network/profile.js';
import { legSegments, MatchScore, simulateTrace } from '../../solver/network/trace.js';

const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;

describe('snapping', () => {
  let network: RoadNetwork;
  beforeAll(async () => {
    network = new RoadNetwork(buildGraph(await readOsm(demoPbf), DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
  });

  it('finds the same nearest road as a brute-force scan over every geometry piece', () => {
    const g = network.graph;
    const random = mulberry32(5);
    for (let trial = 0; trial < 60; trial++) {
      const lon = 7.41 + random() * 0.035;
      const lat = 43.725 + random() * 0.025;
      const snapped = network.snapIndex.nearest(lon, lat, 10_000)!;
      let bestM = Infinity;
      for (let s = 0; s < g.segmentCount; s++) {
        for (let p = g.segmentGeometryStart[s]; p + 1 < g.segmentGeometryStart[s + 1]; p++) {
          // Dense sampling of each piece: a brute force independent of the projection maths.
          for (let k = 0; k <= 16; k++) {
            const x = g.pointLon[p] + ((g.pointLon[p + 1] - g.pointLon[p]) * k) / 16;
            const y = g.pointLat[p] + ((g.pointLat[p + 1] - g.pointLat[p]) * k) / 16;
            bestM = Math.min(bestM, haversineM(lon, lat, x, y));
          }
        }
      }
      // The index works in a local flat projection: equal to the sphere within 0.1%.
      expect(snapped.distanceM).toBeLessThanOrEqual(bestM * 1.001 + 0.01);
      expect(snapped.distanceM).toBeGreaterThan(bestM - Math.max(1, bestM * 0.01));
      expect(haversineM(lon, lat, snapped.lon, snapped.lat)).toBeCloseTo(snapped.distanceM, 0);
    }
  });

  it('snaps a point beside a road onto it, with offset and fraction along the segment', () => {
    const g = network.graph;
    const segment = 100;
    const point = network.snapIndex.at(segment, g.segmentLengthM[segment] / 2);
    const snapped = network.snapIndex.within(point.lon + 0.00005, point.lat, 30);
    const same = snapped.find((s) => s.segment === segment)!;
    expect(same).toBeDefined();
    expect(same.fraction).toBeGreaterThan(0.3);
    expect(same.fraction).toBeLessThan(0.7);
    expect(same.distanceM).toBeLessThan(4.1);
  });

  it('only snaps to roads the vehicle kind can drive in the connected network', () => {
    const truckOk = network.segmentFilter('truck');
    const random = mulberry32(6);
    for (let i = 0; i < 100; i++) {
      const snapped = network.snap(7.41 + random() * 0.035, 43.725 + random() * 0.025, { vehicleKind: 'truck' })!;
      expect(truckOk(snapped.segment)).toBe(true);
      expect(network.highwayOf(snapped.segment)).not.toBe('living_street');
    }
  });
});

describe('map matching on the Monaco extract', () => {
  it('recovers most driven segments of noisy 10-30 s traces through stacked, winding streets', async () => {
    const network = new RoadNetwork(buildGraph(await readOsm(demoPbf), DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
    const matcher = new MapMatcher(network);
    const random = mulberry32(77);
    const g = network.graph;
    const score = new MatchScore();
    let legs = 0;
    while (legs < 30) {
      const p = Math.floor(random() * g.pointLon.length);
      const q = Math.floor(random() * g.pointLon.length);
      const leg = network.route(network.snap(g.pointLon[p], g.pointLat[p])!, network.snap(g.pointLon[q], g.pointLat[q])!);
      if (!leg || leg.distanceM < 800) continue;
      legs++;
      const fixes = simulateTrace(leg, { seed: legs, intervalS: 10 + (legs % 3) * 10, noiseM: 12 });
      const result = matcher.match(fixes);
      score.add(legSegments(leg, g.arcSegment), result.edges.map((e) => e.segment));
    }
    expect(score.recall).toBeGreaterThan(0.9);
    expect(score.precision).toBeGreaterThan(0.9);
  });
});

describe('map matching', () => {
  let network: RoadNetwork;
  beforeAll(() => {
    network = new RoadNetwork(
      buildGraph(generateCity({ seed: 3, columns: 40, rows: 40 }), DEFAULT_NETWORK_PROFILE),
      DEFAULT_NETWORK_PROFILE,
    );
  });

  function run(noiseM: number, intervalS: number, dropShare = 0) {
    const random = mulberry32(noiseM * 100 + intervalS);
    const matcher = new MapMatcher(network, { sigmaM: Math.max(10, noiseM) });
    const score = new MatchScore();
    let timesOk = true;
    for (let trial = 0; trial < 25; trial++) {
      const a = network.snap(104.0 + random() * 0.045, 30.6 + random() * 0.04)!;
      const b = network.snap(104.0 + random() * 0.045, 30.6 + random() * 0.04)!;
      const leg = network.route(a, b);
      if (!leg || leg.distanceM < 800) continue;
      const fixes = simulateTrace(leg, { seed: trial, intervalS, noiseM, startTimeMs: 1.7e12, dropShare });
      const result = matcher.match(fixes);
      score.add(legSegments(leg, network.graph.arcSegment), result.edges.map((e) => e.segment));
      for (let k = 0; k < result.edges.length; k++) {
        const e = result.edges[k];
        if (e.exitTimeMs < e.entryTimeMs) timesOk = false;
        if (k > 0 && e.entryTimeMs < result.edges[k - 1].exitTimeMs) timesOk = false;
      }
      const first = result.edges[0];
      if (first && first.entryTimeMs !== fixes[0].timeMs) timesOk = false;
    }
    return { recall: score.recall, precision: score.precision, timesOk, truthCount: score.truth };
  }

  it('recovers the driven segments from 15 s fixes with 10 m noise', () => {
    const { recall, precision, timesOk, truthCount } = run(10, 15);
    expect(truthCount).toBeGreaterThan(300);
    expect(recall).toBeGreaterThan(0.95);
    expect(precision).toBeGreaterThan(0.93);
    expect(timesOk).toBe(true);
  });

  it('stays useful with 30 s fixes, 20 m noise and a fifth of the fixes lost', () => {
    const { recall, precision, timesOk } = run(20, 30, 0.2);
    expect(recall).toBeGreaterThan(0.8);
    expect(precision).toBeGreaterThan(0.8);
    expect(timesOk).toBe(true);
  });

  it('gives matched positions on the road near each fix and entry/exit times between fixes', () => {
    const a = network.snap(104.001, 30.601)!;
    const b = network.snap(104.03, 30.62)!;
    const leg = network.route(a, b)!;
    const fixes = simulateTrace(leg, { seed: 1, intervalS: 10, noiseM: 5, startTimeMs: 0 });
    const result = new MapMatcher(network).match(fixes);
    expect(result.chainBreaks).toBe(0);
    result.positions.forEach((p, i) => {
      expect(p).not.toBeNull();
      expect(haversineM(p!.lon, p!.lat, fixes[i].lon, fixes[i].lat)).toBeLessThan(40);
    });
    const last = result.edges[result.edges.length - 1];
    expect(last.exitTimeMs).toBe(fixes[fixes.length - 1].timeMs);
  });

  it('drops a single wild fix (a jump no vehicle could make) instead of breaking the chain', () => {
    const a = network.snap(104.005, 30.605)!;
    const b = network.snap(104.04, 30.61)!;
    const leg = network.route(a, b)!;
    const fixes = simulateTrace(leg, { seed: 4, intervalS: 10, noiseM: 5 });
    const wild = Math.floor(fixes.length / 2);
    const { yM } = metresPerDegree(30.6);
    fixes[wild] = { ...fixes[wild], lat: fixes[wild].lat + 1500 / yM }; // 1.5 km off, 10 s later
    const result = new MapMatcher(network).match(fixes);
    expect(result.chainBreaks).toBe(0);
    expect(result.positions[wild]).toBeNull();
    expect(result.positions.filter((p) => p === null)).toHaveLength(1);
    const truth = new Set(legSegments(leg, network.graph.arcSegment));
    const matched = new Set(result.edges.map((e) => e.segment));
    expect([...matched].filter((s) => !truth.has(s))).toEqual([]);
  });

  it('restarts the chain across a long silence instead of inventing a route', () => {
    const a = network.snap(104.001, 30.601)!;
    const b = network.snap(104.01, 30.605)!;
    const c = network.snap(104.04, 30.63)!;
    const d = network.snap(104.045, 30.635)!;
    const first = simulateTrace(network.route(a, b)!, { seed: 2, intervalS: 10, noiseM: 5, startTimeMs: 0 });
    const second = simulateTrace(network.route(c, d)!, { seed: 3, intervalS: 10, noiseM: 5, startTimeMs: 3_600_000 });
    const result = new MapMatcher(network).match([...second, ...first]); // out of order on purpose
    expect(result.chainBreaks).toBe(1);
    const gapEdges = result.edges.filter((e) => e.entryTimeMs < 3_600_000 && e.exitTimeMs > first[first.length - 1].timeMs);
    expect(gapEdges).toEqual([]);
  });
});
