// The road network as the planner and the service see it: snap places to roads, route between
// them, compute travel time/distance matrices by vehicle kind and hour, and give leg geometry.
// Costs are exact integers (weights.ts), so the contraction-hierarchy answers equal plain Dijkstra.
import { buildContractionHierarchy, type ContractionHierarchy } from './ch-build.js';
import { ChSearch } from './ch-query.js';
import { largestStrongComponent } from './components.js';
import { dijkstra, treePath, type Seed } from './dijkstra.js';
import { segmentRoadGrade, type RoadGraph } from './graph.js';
import { VEHICLE_KINDS, type NetworkProfile, type VehicleKind } from './profile.js';
import { SnapIndex, type SnappedPosition } from './snap.js';
import {
  activeRestrictions,
  buildWeightSet,
  keyDistanceDm,
  keyTimeMs,
  packKey,
  weightSetId,
  type WeightSet,
} from './weights.js';

export interface TravelOptions {
  /** Defaults to 'car'. */
  vehicleKind?: VehicleKind;
  /** Local hour 0-23: restrictions in force then apply. Omitted: no time restrictions apply. */
  hour?: number;
  /**
   * Exactly these restrictions (indices into the profile's list) apply, whatever the hour and
   * the kinds they name: a planner that needs one static matrix for a whole shift passes the
   * union of the bans in force at any hour of it. Takes precedence over `hour`.
   */
  restrictionIndices?: number[];
}

/** A coordinate to snap, or a position already snapped with `RoadNetwork.snap`. */
export type Place = { lon: number; lat: number } | SnappedPosition;

export interface Leg {
  durationS: number;
  distanceM: number;
  /** Arcs driven whole, in order (the partial first and last segments are not included). */
  arcs: number[];
  /** The path from the start position to the end position, [lon, lat] pairs. */
  geometry: Array<[number, number]>;
  from: SnappedPosition;
  to: SnappedPosition;
}

/** Row-major (sources x targets); Infinity where a target cannot be reached. */
export interface TravelMatrix {
  sourceCount: number;
  targetCount: number;
  durationsS: Float64Array;
  distancesM: Float64Array;
}

export interface SegmentFeature {
  type: 'Feature';
  id: number;
  geometry: { type: 'LineString'; coordinates: Array<[number, number]> };
  properties: {
    segment: number;
    wayId: number;
    highway: string;
    roadGrade: number;
    lengthM: number;
    /** Directions open to traffic: both, only from -> to, or only to -> from. */
    oneway: 'no' | 'forward' | 'backward';
  };
}

export interface SegmentInfo {
  segment: number;
  wayId: number;
  highway: string;
  /** 1 = most important; sets how often a segment is swept. */
  roadGrade: number;
  lengthM: number;
  fromNode: number;
  toNode: number;
  /** Arc driving from -> to, or -1 (one-way the other way); likewise backward. */
  forwardArc: number;
  backwardArc: number;
  /** Time to sweep/wash the whole segment at the profile's working speed. */
  workDurationS: number;
}

interface PreparedWeights {
  weights: WeightSet;
  hierarchy: ContractionHierarchy;
  search: ChSearch;
}

export class RoadNetwork {
  private readonly prepared = new Map<string, PreparedWeights>();
  private readonly mainComponent = new Map<VehicleKind, Uint8Array>();
  private snapIndexCache: SnapIndex | null = null;
  private segmentArcsCache: { forward: Int32Array; backward: Int32Array } | null = null;
  private arcsBySegmentCache: { first: Int32Array; arcs: Int32Array } | null = null;

  constructor(
    readonly graph: RoadGraph,
    readonly profile: NetworkProfile,
    /** Hierarchies built earlier (e.g. loaded from the cache), by weight-set id. */
    hierarchies: Map<string, ContractionHierarchy> = new Map(),
  ) {
    const searches = new Map<ContractionHierarchy, ChSearch>();
    for (const [id, hierarchy] of hierarchies) {
      const { vehicleKind, restrictionIndices } = parseWeightSetId(id);
      const weights = buildWeightSet(graph, profile, vehicleKind, restrictionIndices);
      let search = searches.get(hierarchy);
      if (!search) searches.set(hierarchy, (search = new ChSearch(hierarchy)));
      this.prepared.set(id, { weights, hierarchy, search });
    }
  }

  /** Every weight set some vehicle kind needs at some hour of the day. */
  weightSetIdsForDay(): string[] {
    const ids = new Set<string>();
    for (const kind of VEHICLE_KINDS) {
      ids.add(weightSetId(kind, []));
      for (let hour = 0; hour < 24; hour++) ids.add(weightSetId(kind, activeRestrictions(this.profile, kind, hour)));
    }
    return [...ids];
  }

  /** Builds the hierarchies of all weight sets of the day now instead of on first use. */
  prepareAll(): void {
    for (const id of this.weightSetIdsForDay()) this.preparedById(id);
  }

  /** Built hierarchies by weight-set id (for the cache). */
  hierarchies(): Map<string, ContractionHierarchy> {
    return new Map([...this.prepared].map(([id, p]) => [id, p.hierarchy]));
  }

  weights(options: TravelOptions = {}): WeightSet {
    return this.preparedFor(options).weights;
  }

  get snapIndex(): SnapIndex {
    return (this.snapIndexCache ??= new SnapIndex(this.graph));
  }

  /**
   * The nearest road position a vehicle kind can drive to and away from (the largest strongly
   * connected part of the network), or null if none is within `maxDistanceM`.
   */
  snap(lon: number, lat: number, options: { vehicleKind?: VehicleKind; maxDistanceM?: number } = {}) {
    const accept = this.segmentFilter(options.vehicleKind ?? 'car');
    return this.snapIndex.nearest(lon, lat, options.maxDistanceM ?? 5000, accept);
  }

  /** Whether a vehicle kind can use the segment and reach it from the main network. */
  segmentFilter(vehicleKind: VehicleKind): (segment: number) => boolean {
    const inMain = this.mainComponentOf(vehicleKind);
    const { forward, backward } = this.segmentArcs();
    const timeMs = this.graph.arcTimeMs[vehicleKind];
    const usable = (arc: number) =>
      arc >= 0 && timeMs[arc] >= 0 && inMain[this.graph.arcTail[arc]] === 1 && inMain[this.graph.arcHead[arc]] === 1;
    return (segment) => usable(forward[segment]) || usable(backward[segment]);
  }

  /** Fastest route between two places (ties broken by distance); null when there is none. */
  route(from: Place, to: Place, options: TravelOptions = {}): Leg | null {
    const kind = options.vehicleKind ?? 'car';
    const source = this.place(from, kind, 'from');
    const target = this.place(to, kind, 'to');
    const { weights, search } = this.preparedFor(options);
    const direct = this.directKey(source, target, weights.arcKey);
    const sourceSeeds = this.sourceSeeds(source, weights.arcKey);
    const targetSeeds = this.targetSeeds(target, weights.arcKey);
    const found = search.route(sourceSeeds, targetSeeds);
    if (direct.key === Infinity && !found) return null;
    if (direct.key <= (found?.key ?? Infinity)) {
      return this.leg(direct.key, [], source, target, this.directGeometry(source, target, direct.forward));
    }
    const geometry: Array<[number, number]> = [];
    this.appendStart(geometry, source, usedSeed(sourceSeeds, found!.firstNode).forward);
    for (const arc of found!.arcs) this.appendArc(geometry, arc);
    this.appendEnd(geometry, target, usedSeed(targetSeeds, found!.lastNode).forward);
    return this.leg(found!.key, found!.arcs, source, target, geometry);
  }

  /**
   * Fastest route using only the segments `allowSegment` admits (e.g. a permit's corridor), by
   * plain Dijkstra on the costs of `options`; null when those segments do not join the places.
   * The segments the places are snapped to are always usable (the trip starts and ends on them).
   */
  routeWithin(from: Place, to: Place, allowSegment: (segment: number) => boolean, options: TravelOptions = {}): Leg | null {
    const kind = options.vehicleKind ?? 'car';
    const source = this.place(from, kind, 'from');
    const target = this.place(to, kind, 'to');
    const base = this.weights(options).arcKey;
    const arcKey = new Float64Array(base.length);
    for (let a = 0; a < base.length; a++) {
      const s = this.graph.arcSegment[a];
      arcKey[a] = allowSegment(s) || s === source.segment || s === target.segment ? base[a] : Infinity;
    }
    const direct = this.directKey(source, target, arcKey);
    const sourceSeeds = this.sourceSeeds(source, arcKey);
    const targetSeeds = this.targetSeeds(target, arcKey);
    const tree = dijkstra(this.graph, arcKey, sourceSeeds);
    let best: DirectedSeed | undefined;
    let bestKey = Infinity;
    for (const seed of targetSeeds) {
      const key = tree.key[seed.node] + seed.key;
      if (key < bestKey) {
        bestKey = key;
        best = seed;
      }
    }
    if (direct.key === Infinity && !best) return null;
    if (direct.key <= bestKey) return this.leg(direct.key, [], source, target, this.directGeometry(source, target, direct.forward));
    const arcs = treePath(this.graph, tree, best!.node);
    const firstNode = arcs.length > 0 ? this.graph.arcTail[arcs[0]] : best!.node;
    const geometry: Array<[number, number]> = [];
    this.appendStart(geometry, source, usedSeed(sourceSeeds, firstNode).forward);
    for (const arc of arcs) this.appendArc(geometry, arc);
    this.appendEnd(geometry, target, best!.forward);
    return this.leg(bestKey, arcs, source, target, geometry);
  }

  /** Travel time and distance from every source to every target (bucket many-to-many on the CH). */
  matrix(sources: Place[], targets: Place[], options: TravelOptions = {}): TravelMatrix {
    const kind = options.vehicleKind ?? 'car';
    const sourcePositions = sources.map((p, i) => this.place(p, kind, `sources[${i}]`));
    const targetPositions = targets.map((p, i) => this.place(p, kind, `targets[${i}]`));
    const { weights, search } = this.preparedFor(options);
    const keys = search.matrix(
      sourcePositions.map((p) => this.sourceSeeds(p, weights.arcKey)),
      targetPositions.map((p) => this.targetSeeds(p, weights.arcKey)),
    );
    this.applyDirect(keys, sourcePositions, targetPositions, weights.arcKey);
    return toMatrix(keys, sources.length, targets.length);
  }

  /** Like `matrix`, between graph nodes (junctions). */
  nodeMatrix(sourceNodes: number[], targetNodes: number[], options: TravelOptions = {}): TravelMatrix {
    const { search } = this.preparedFor(options);
    const keys = search.matrix(
      sourceNodes.map((node) => [{ node, key: 0 }]),
      targetNodes.map((node) => [{ node, key: 0 }]),
    );
    return toMatrix(keys, sourceNodes.length, targetNodes.length);
  }

  /** The same matrix by plain Dijkstra, one search per source: the reference for tests. */
  referenceMatrix(sources: Place[], targets: Place[], options: TravelOptions = {}): TravelMatrix {
    const kind = options.vehicleKind ?? 'car';
    const sourcePositions = sources.map((p, i) => this.place(p, kind, `sources[${i}]`));
    const targetPositions = targets.map((p, i) => this.place(p, kind, `targets[${i}]`));
    const arcKey = buildWeightSet(this.graph, this.profile, kind, this.restrictionsFor(options)).arcKey;
    const keys = new Float64Array(sources.length * targets.length).fill(Infinity);
    sourcePositions.forEach((source, s) => {
      const tree = dijkstra(this.graph, arcKey, this.sourceSeeds(source, arcKey));
      targetPositions.forEach((target, t) => {
        let best = Infinity;
        for (const seed of this.targetSeeds(target, arcKey)) best = Math.min(best, tree.key[seed.node] + seed.key);
        keys[s * targets.length + t] = best;
      });
    });
    this.applyDirect(keys, sourcePositions, targetPositions, arcKey);
    return toMatrix(keys, sources.length, targets.length);
  }

  /**
   * The matrix with some road segments closed (a blocked road). The hierarchies hold the open
   * network and are not customisable (CH, not CCH), so only the rows a closure can change are
   * searched again, by plain Dijkstra with the closed arcs removed: a source's row changes only
   * when the fastest path to some target runs over a closed arc a = (u → v), i.e. when
   * key(i, u) + key(a) + key(v, j) equals key(i, j) — exact, as costs are packed integer keys
   * (weights.ts) and the hierarchy's answers are the unique optima. The other rows keep the
   * open network's cells, except targets on a closed segment, which no one reaches any more; a
   * place on a closed segment can be neither left nor reached. `searchAll` searches every row
   * (the reference for tests). `searched` = rows searched again.
   */
  matrixAvoiding(sources: Place[], targets: Place[], closed: (segment: number) => boolean, options: TravelOptions & { searchAll?: boolean } = {}): TravelMatrix & { searched: number } {
    const kind = options.vehicleKind ?? 'car';
    const sourcePositions = sources.map((p, i) => this.place(p, kind, `sources[${i}]`));
    const targetPositions = targets.map((p, i) => this.place(p, kind, `targets[${i}]`));
    const { weights, search } = this.preparedFor(options);
    const open = weights.arcKey;
    const arcKey = new Float64Array(open.length);
    const closedArcs: number[] = [];
    for (let a = 0; a < open.length; a++) {
      const shut = closed(this.graph.arcSegment[a]);
      arcKey[a] = shut ? Infinity : open[a];
      if (shut && open[a] !== Infinity) closedArcs.push(a);
    }
    const m = targets.length;
    const keys = new Float64Array(sources.length * m).fill(Infinity);
    const affected = new Uint8Array(sources.length);
    if (options.searchAll) affected.fill(1);
    else {
      // the open network's answers, and each place's way to and from the closed arcs' ends
      const openKeys = search.matrix(sourcePositions.map((p) => this.sourceSeeds(p, open)), targetPositions.map((p) => this.targetSeeds(p, open)));
      this.applyDirect(openKeys, sourcePositions, targetPositions, open);
      const tails = closedArcs.map((a) => [{ node: this.graph.arcTail[a], key: 0 }]);
      const heads = closedArcs.map((a) => [{ node: this.graph.arcHead[a], key: 0 }]);
      const toTail = search.matrix(sourcePositions.map((p) => this.sourceSeeds(p, open)), tails);
      const fromHead = search.matrix(heads, targetPositions.map((p) => this.targetSeeds(p, open)));
      const k = closedArcs.length;
      sourcePositions.forEach((source, s) => {
        if (closed(source.segment)) {
          affected[s] = 1;
          return;
        }
        for (let c = 0; c < k && !affected[s]; c++) {
          const via = toTail[s * k + c] + open[closedArcs[c]];
          if (via === Infinity) continue;
          for (let t = 0; t < m; t++) {
            if (via + fromHead[c * m + t] <= openKeys[s * m + t]) {
              affected[s] = 1;
              break;
            }
          }
        }
        if (affected[s]) return;
        for (let t = 0; t < m; t++) keys[s * m + t] = closed(targetPositions[t].segment) ? Infinity : openKeys[s * m + t];
      });
    }
    const targetSeeds = targetPositions.map((t) => this.targetSeeds(t, arcKey));
    let searched = 0;
    sourcePositions.forEach((source, s) => {
      if (!affected[s]) return;
      searched++;
      const seeds = this.sourceSeeds(source, arcKey);
      if (seeds.length === 0) return;
      const tree = dijkstra(this.graph, arcKey, seeds);
      targetSeeds.forEach((list, t) => {
        let best = Infinity;
        for (const seed of list) best = Math.min(best, tree.key[seed.node] + seed.key);
        keys[s * m + t] = best;
      });
      // staying on one open segment (the direct trip) for this row
      for (let t = 0; t < m; t++) {
        if (targetPositions[t].segment !== source.segment) continue;
        const direct = this.directKey(source, targetPositions[t], arcKey).key;
        if (direct < keys[s * m + t]) keys[s * m + t] = direct;
      }
    });
    return { ...toMatrix(keys, sources.length, m), searched };
  }

  /** Time a sweeper or washer needs to work the whole segment at its working speed. */
  segmentWorkDurationS(segment: number): number {
    return this.graph.segmentLengthM[segment] / (this.profile.sweeperWorkSpeedKmh / 3.6);
  }

  roadGrade(segment: number): number {
    return segmentRoadGrade(this.graph, segment, this.profile);
  }

  highwayOf(segment: number): string {
    return this.graph.highwayClasses[this.graph.segmentHighway[segment]];
  }

  /** What the planners need to know about a road segment (the unit swept, washed and monitored). */
  segmentInfo(segment: number): SegmentInfo {
    const g = this.graph;
    const { forward, backward } = this.segmentArcs();
    return {
      segment,
      wayId: g.segmentWayId[segment],
      highway: this.highwayOf(segment),
      roadGrade: this.roadGrade(segment),
      lengthM: g.segmentLengthM[segment],
      fromNode: g.segmentFrom[segment],
      toNode: g.segmentTo[segment],
      forwardArc: forward[segment],
      backwardArc: backward[segment],
      workDurationS: this.segmentWorkDurationS(segment),
    };
  }

  /**
   * The road segments as a GeoJSON FeatureCollection of LineStrings (for the map), with
   * segment id, OSM way id, highway class, road grade, length and one-way direction.
   */
  toGeoJson(accept: (segment: number) => boolean = () => true): {
    type: 'FeatureCollection';
    features: SegmentFeature[];
  } {
    const { forward, backward } = this.segmentArcs();
    const features: SegmentFeature[] = [];
    for (let s = 0; s < this.graph.segmentCount; s++) {
      if (!accept(s)) continue;
      const oneway = forward[s] >= 0 && backward[s] >= 0 ? 'no' : forward[s] >= 0 ? 'forward' : 'backward';
      features.push({
        type: 'Feature',
        id: s,
        geometry: { type: 'LineString', coordinates: this.segmentGeometry(s) },
        properties: {
          segment: s,
          wayId: this.graph.segmentWayId[s],
          highway: this.highwayOf(s),
          roadGrade: this.roadGrade(s),
          lengthM: Math.round(this.graph.segmentLengthM[s] * 10) / 10,
          oneway,
        },
      });
    }
    return { type: 'FeatureCollection', features };
  }

  /** Geometry of a segment from its `from` node to its `to` node, [lon, lat] pairs. */
  segmentGeometry(segment: number): Array<[number, number]> {
    const g = this.graph;
    const points: Array<[number, number]> = [];
    for (let p = g.segmentGeometryStart[segment]; p < g.segmentGeometryStart[segment + 1]; p++) {
      points.push([g.pointLon[p], g.pointLat[p]]);
    }
    return points;
  }

  /** Geometry of an arc in driving direction, [lon, lat] pairs. */
  arcGeometry(arc: number): Array<[number, number]> {
    const points: Array<[number, number]> = [];
    this.appendArc(points, arc);
    return points;
  }

  /**
   * Forward (from -> to) and backward arc of every segment, -1 where that direction is closed.
   * At junctions split by turn restrictions a direction has clones; this is the first of them
   * (clones share segment, head, length and costs).
   */
  segmentArcs(): { forward: Int32Array; backward: Int32Array } {
    if (this.segmentArcsCache) return this.segmentArcsCache;
    const forward = new Int32Array(this.graph.segmentCount).fill(-1);
    const backward = new Int32Array(this.graph.segmentCount).fill(-1);
    for (let a = this.graph.arcCount - 1; a >= 0; a--) {
      if (this.graph.arcReversed[a]) backward[this.graph.arcSegment[a]] = a;
      else forward[this.graph.arcSegment[a]] = a;
    }
    return (this.segmentArcsCache = { forward, backward });
  }

  // ---- internals ----

  private restrictionsFor(options: TravelOptions): number[] {
    if (options.restrictionIndices) {
      const indices = [...new Set(options.restrictionIndices)].sort((a, b) => a - b);
      for (const i of indices) {
        if (!Number.isInteger(i) || i < 0 || i >= this.profile.restrictions.length) throw new RangeError(`no restriction ${i} in the profile`);
      }
      return indices;
    }
    const kind = options.vehicleKind ?? 'car';
    return options.hour === undefined ? [] : activeRestrictions(this.profile, kind, options.hour);
  }

  private preparedFor(options: TravelOptions): PreparedWeights {
    return this.preparedById(weightSetId(options.vehicleKind ?? 'car', this.restrictionsFor(options)));
  }

  private preparedById(id: string): PreparedWeights {
    let prepared = this.prepared.get(id);
    if (!prepared) {
      const { vehicleKind, restrictionIndices } = parseWeightSetId(id);
      const weights = buildWeightSet(this.graph, this.profile, vehicleKind, restrictionIndices);
      // Kinds often cost the same (sweeper and truck, a zone without roads): share the hierarchy.
      const twin = [...this.prepared.values()].find((p) => sameKeys(p.weights.arcKey, weights.arcKey));
      if (twin) prepared = { weights, hierarchy: twin.hierarchy, search: twin.search };
      else {
        const hierarchy = buildContractionHierarchy(
          this.graph.nodeCount,
          this.graph.arcTail,
          this.graph.arcHead,
          weights.arcKey,
        );
        prepared = { weights, hierarchy, search: new ChSearch(hierarchy) };
      }
      this.prepared.set(id, prepared);
    }
    return prepared;
  }

  private mainComponentOf(kind: VehicleKind): Uint8Array {
    let inMain = this.mainComponent.get(kind);
    if (!inMain) {
      const timeMs = this.graph.arcTimeMs[kind];
      inMain = largestStrongComponent(this.graph, (arc) => timeMs[arc] >= 0);
      this.mainComponent.set(kind, inMain);
    }
    return inMain;
  }

  private place(place: Place, kind: VehicleKind, name: string): SnappedPosition {
    if ('segment' in place) return place;
    const snapped = this.snap(place.lon, place.lat, { vehicleKind: kind });
    if (!snapped) throw new Error(`${name}: no road for a ${kind} near ${place.lon}, ${place.lat}`);
    return snapped;
  }

  /** Seeds of a search leaving `p`: drive on to the segment's end in each open direction. */
  sourceSeeds(p: SnappedPosition, arcKey: Float64Array): DirectedSeed[] {
    const { forward, backward } = this.segmentArcs();
    const seeds: DirectedSeed[] = [];
    const f = forward[p.segment];
    const b = backward[p.segment];
    if (f >= 0 && arcKey[f] !== Infinity) seeds.push({ node: this.graph.arcHead[f], key: portion(arcKey[f], 1 - p.fraction), forward: true });
    if (b >= 0 && arcKey[b] !== Infinity) seeds.push({ node: this.graph.arcHead[b], key: portion(arcKey[b], p.fraction), forward: false });
    return seeds;
  }

  /**
   * Seeds of a search arriving at `p`: from the segment end it is entered from, plus the rest.
   * A junction split by turn restrictions has several copies, each a possible entry.
   */
  targetSeeds(p: SnappedPosition, arcKey: Float64Array): DirectedSeed[] {
    const { first, arcs } = this.arcsBySegment();
    const seeds: DirectedSeed[] = [];
    for (let i = first[p.segment]; i < first[p.segment + 1]; i++) {
      const a = arcs[i];
      if (arcKey[a] === Infinity) continue;
      const forward = this.graph.arcReversed[a] === 0;
      const key = portion(arcKey[a], forward ? p.fraction : 1 - p.fraction);
      seeds.push({ node: this.graph.arcTail[a], key, forward });
    }
    return seeds;
  }

  /** Every arc of every segment (clones at split junctions included), CSR by segment. */
  private arcsBySegment(): { first: Int32Array; arcs: Int32Array } {
    if (this.arcsBySegmentCache) return this.arcsBySegmentCache;
    const g = this.graph;
    const first = new Int32Array(g.segmentCount + 1);
    for (let a = 0; a < g.arcCount; a++) first[g.arcSegment[a] + 1]++;
    for (let s = 0; s < g.segmentCount; s++) first[s + 1] += first[s];
    const fill = first.slice(0, g.segmentCount);
    const arcs = new Int32Array(g.arcCount);
    for (let a = 0; a < g.arcCount; a++) arcs[fill[g.arcSegment[a]]++] = a;
    return (this.arcsBySegmentCache = { first, arcs });
  }

  /** Staying on one segment without passing a node, when direction allows. */
  private directKey(source: SnappedPosition, target: SnappedPosition, arcKey: Float64Array) {
    if (source.segment !== target.segment) return { key: Infinity, forward: true };
    const { forward, backward } = this.segmentArcs();
    const f = forward[source.segment];
    const b = backward[source.segment];
    if (target.fraction >= source.fraction && f >= 0 && arcKey[f] !== Infinity) {
      return { key: portion(arcKey[f], target.fraction - source.fraction), forward: true };
    }
    if (target.fraction <= source.fraction && b >= 0 && arcKey[b] !== Infinity) {
      return { key: portion(arcKey[b], source.fraction - target.fraction), forward: false };
    }
    return { key: Infinity, forward: true };
  }

  private applyDirect(keys: Float64Array, sources: SnappedPosition[], targets: SnappedPosition[], arcKey: Float64Array) {
    const bySegment = new Map<number, number[]>();
    targets.forEach((t, i) => {
      const list = bySegment.get(t.segment);
      if (list) list.push(i);
      else bySegment.set(t.segment, [i]);
    });
    sources.forEach((source, s) => {
      for (const t of bySegment.get(source.segment) ?? []) {
        const direct = this.directKey(source, targets[t], arcKey).key;
        const cell = s * targets.length + t;
        if (direct < keys[cell]) keys[cell] = direct;
      }
    });
  }

  private leg(key: number, arcs: number[], from: SnappedPosition, to: SnappedPosition, geometry: Array<[number, number]>): Leg {
    return { durationS: keyTimeMs(key) / 1000, distanceM: keyDistanceDm(key) / 10, arcs, geometry, from, to };
  }

  private appendPoint(points: Array<[number, number]>, lon: number, lat: number): void {
    const last = points[points.length - 1];
    if (!last || last[0] !== lon || last[1] !== lat) points.push([lon, lat]);
  }

  private appendArc(points: Array<[number, number]>, arc: number): void {
    const g = this.graph;
    const s = g.arcSegment[arc];
    const first = g.segmentGeometryStart[s];
    const last = g.segmentGeometryStart[s + 1] - 1;
    if (g.arcReversed[arc]) for (let p = last; p >= first; p--) this.appendPoint(points, g.pointLon[p], g.pointLat[p]);
    else for (let p = first; p <= last; p++) this.appendPoint(points, g.pointLon[p], g.pointLat[p]);
  }

  private appendStart(points: Array<[number, number]>, p: SnappedPosition, forward: boolean): void {
    const g = this.graph;
    this.appendPoint(points, p.lon, p.lat);
    const lengthM = g.segmentLengthM[p.segment];
    const inner = forward
      ? this.snapIndex.pointsBetween(p.segment, p.offsetM, lengthM + 1)
      : this.snapIndex.pointsBetween(p.segment, -1, p.offsetM).reverse();
    for (const q of inner) this.appendPoint(points, g.pointLon[q], g.pointLat[q]);
  }

  private appendEnd(points: Array<[number, number]>, p: SnappedPosition, forward: boolean): void {
    const g = this.graph;
    const lengthM = g.segmentLengthM[p.segment];
    const inner = forward
      ? this.snapIndex.pointsBetween(p.segment, -1, p.offsetM)
      : this.snapIndex.pointsBetween(p.segment, p.offsetM, lengthM + 1).reverse();
    for (const q of inner) this.appendPoint(points, g.pointLon[q], g.pointLat[q]);
    this.appendPoint(points, p.lon, p.lat);
  }

  private directGeometry(from: SnappedPosition, to: SnappedPosition, forward: boolean): Array<[number, number]> {
    const g = this.graph;
    const points: Array<[number, number]> = [];
    this.appendPoint(points, from.lon, from.lat);
    const inner = forward
      ? this.snapIndex.pointsBetween(from.segment, from.offsetM, to.offsetM)
      : this.snapIndex.pointsBetween(from.segment, to.offsetM, from.offsetM).reverse();
    for (const q of inner) this.appendPoint(points, g.pointLon[q], g.pointLat[q]);
    this.appendPoint(points, to.lon, to.lat);
    return points;
  }
}

/** A search seed on a snapped position, and whether it drives the segment from -> to. */
export interface DirectedSeed extends Seed {
  forward: boolean;
}

/** The seed a search result started from: the cheapest one at the node it reports. */
function usedSeed(seeds: DirectedSeed[], node: number): DirectedSeed {
  let best: DirectedSeed | undefined;
  for (const seed of seeds) if (seed.node === node && (!best || seed.key < best.key)) best = seed;
  return best!;
}

/** The share of an arc's cost for driving part of it; time and distance rounded separately. */
export function portion(key: number, share: number): number {
  return packKey(Math.round(keyTimeMs(key) * share), Math.round(keyDistanceDm(key) * share));
}

function sameKeys(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function toMatrix(keys: Float64Array, sourceCount: number, targetCount: number): TravelMatrix {
  const durationsS = new Float64Array(keys.length);
  const distancesM = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === Infinity) {
      durationsS[i] = Infinity;
      distancesM[i] = Infinity;
    } else {
      durationsS[i] = keyTimeMs(key) / 1000;
      distancesM[i] = keyDistanceDm(key) / 10;
    }
  }
  return { sourceCount, targetCount, durationsS, distancesM };
}

export function parseWeightSetId(id: string): { vehicleKind: VehicleKind; restrictionIndices: number[] } {
  const [kind, restrictions] = id.split('+r');
  if (!VEHICLE_KINDS.includes(kind as VehicleKind)) throw new Error(`unknown weight set ${id}`);
  return {
    vehicleKind: kind as VehicleKind,
    restrictionIndices: restrictions ? restrictions.split('.').map(Number) : [],
  };
}
