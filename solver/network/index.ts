// Public API of the road network. The planner and the service use only what is exported here.
export { readOsm, type OsmData, type OsmWay } from './osm-read.js';
export {
  DEFAULT_NETWORK_PROFILE,
  VEHICLE_KINDS,
  restrictionActiveAt,
  type NetworkProfile,
  type VehicleKind,
  type VehicleProfile,
  type Restriction,
  type GeoJsonPolygon,
  type GeoJsonMultiPolygon,
} from './profile.js';
export { buildGraph, parseMaxspeedKmh, type RoadGraph } from './graph.js';
export {
  RoadNetwork,
  type Leg,
  type Place,
  type SegmentFeature,
  type SegmentInfo,
  type TravelMatrix,
  type TravelOptions,
} from './network.js';
export type { SnappedPosition } from './snap.js';
export { loadNetwork, type LoadNetworkOptions, type LoadedNetwork } from './cache.js';
export { generateCity, osmXmlChunks, type SyntheticCityOptions } from './generate.js';
export { MapMatcher, type GpsFix, type MatchOptions, type MatchResult, type MatchedEdge } from './match.js';
export { simulateTrace, legSegments, MatchScore, type TraceOptions } from './trace.js';
export { dijkstra, type Seed, type ShortestPathTree } from './dijkstra.js';

import { buildGraph } from './graph.js';
import { RoadNetwork } from './network.js';
import type { OsmData } from './osm-read.js';
import { DEFAULT_NETWORK_PROFILE, type NetworkProfile } from './profile.js';

/** A network straight from OSM data (no cache); hierarchies are built on first use. */
export function networkFromOsm(osm: OsmData, profile: NetworkProfile = DEFAULT_NETWORK_PROFILE): RoadNetwork {
  return new RoadNetwork(buildGraph(osm, profile), profile);
}
