import { MapMatcher, type RoadNetwork } from '../../solver/network/index.js';
import type { PositionMatcher } from './detector.js';

/**
 * Off-route's map matching on the road network: the HMM matcher (Newson & Krumm) over the
 * vehicle's recent fixes places the newest one on the road it is driving, so GPS noise
 * beside the corridor's road counts as on it and a truck on a parallel street counts as off.
 * Asked only for fixes that look outside the corridor, so its cost is paid by few fixes.
 * One matcher is reused (its work arrays are sized to the network); calls are synchronous.
 */
export function roadMatcher(network: RoadNetwork): PositionMatcher {
  const matcher = new MapMatcher(network);
  return {
    matchLast(recent) {
      const last = recent[recent.length - 1];
      if (!last) return null;
      if (recent.length < 2) {
        const s = network.snap(last.lon, last.lat, { vehicleKind: 'truck', maxDistanceM: 100 });
        return s ? { lon: s.lon, lat: s.lat } : null;
      }
      // the speed keeps a standing truck on its road; the course tells the road from the one across it
      const result = matcher.match(recent.map((f) => ({ lon: f.lon, lat: f.lat, timeMs: f.timeMs, speedKmh: f.speedKmh, headingDeg: f.headingDeg })));
      const p = result.positions[result.positions.length - 1];
      return p ? { lon: p.lon, lat: p.lat } : null;
    },
  };
}
