// The routing graph: vertices are OSM junctions (and way ends), a segment is the stretch of one
// way between two junctions (geometry kept), an arc is a segment driven in one allowed direction.
// Everything is flat typed arrays so that it serialises to one binary file and searches stay fast.
// The graph is turn-free: turn restrictions and turn costs are not modelled yet.
import { haversineM } from '../geo.js';
import type { OsmData, OsmTurnRestriction, OsmWay } from './osm-read.js';
import { VEHICLE_KINDS, type NetworkProfile, type VehicleKind } from './profile.js';

export interface RoadGraph {
  nodeCount: number;
  nodeLon: Float64Array;
  nodeLat: Float64Array;
  nodeOsmId: Float64Array;

  segmentCount: number;
  segmentFrom: Int32Array;
  segmentTo: Int32Array;
  segmentWayId: Float64Array;
  segmentLengthM: Float64Array;
  /** Index into `highwayClasses`. */
  segmentHighway: Uint8Array;
  /** Geometry of segment s: points segmentGeometryStart[s] .. segmentGeometryStart[s + 1] - 1, from -> to. */
  segmentGeometryStart: Int32Array;
  pointLon: Float64Array;
  pointLat: Float64Array;
  highwayClasses: string[];

  /** Arcs in CSR order by tail: arcs of node v are firstArc[v] .. firstArc[v + 1] - 1. */
  arcCount: number;
  firstArc: Int32Array;
  arcHead: Int32Array;
  arcTail: Int32Array;
  arcSegment: Int32Array;
  /** 1 when the arc runs against its segment's geometry (to -> from). */
  arcReversed: Uint8Array;
  /** Length in decimetres, rounded once per arc so that path sums are exact integers. */
  arcDistanceDm: Int32Array;
  /** Free-flow travel time in milliseconds per vehicle kind; -1 where that kind may not drive. */
  arcTimeMs: Record<VehicleKind, Int32Array>;
  /** Turn restrictions (via a node) built into the graph by splitting junctions. */
  turnRestrictionsApplied: number;
}

const FORWARD = 1;
const BACKWARD = 2;

/** Builds the routing graph of `osm` under `profile` (drivable classes, access, oneway, speeds). */
export function buildGraph(osm: OsmData, profile: NetworkProfile): RoadGraph {
  const ways = osm.ways.filter((way) => isDrivable(way, profile));

  // A node is a vertex where ways meet, where a way ends, or where a way passes twice.
  const useCount = new Map<number, number>();
  for (const way of ways) {
    for (const nodeId of way.nodeIds) useCount.set(nodeId, (useCount.get(nodeId) ?? 0) + 1);
  }
  const vertexOf = new Map<number, number>();
  const nodeLon: number[] = [];
  const nodeLat: number[] = [];
  const nodeOsmId: number[] = [];
  const vertex = (osmId: number): number => {
    let v = vertexOf.get(osmId);
    if (v === undefined) {
      v = nodeOsmId.length;
      vertexOf.set(osmId, v);
      const [lon, lat] = osm.nodes.get(osmId)!;
      nodeLon.push(lon);
      nodeLat.push(lat);
      nodeOsmId.push(osmId);
    }
    return v;
  };

  const highwayClasses: string[] = [];
  const highwayIndex = new Map<string, number>();
  const segmentFrom: number[] = [];
  const segmentTo: number[] = [];
  const segmentWayId: number[] = [];
  const segmentLengthM: number[] = [];
  const segmentHighway: number[] = [];
  const segmentDirections: number[] = [];
  const segmentSpeedKmh: number[] = [];
  const segmentHeavyGoodsBanned: boolean[] = [];
  const geometryStart: number[] = [0];
  const pointLon: number[] = [];
  const pointLat: number[] = [];

  for (const way of ways) {
    const tags = way.tags;
    const directions = directionsOf(tags);
    const highway = tags.highway;
    let classIndex = highwayIndex.get(highway);
    if (classIndex === undefined) {
      classIndex = highwayClasses.length;
      highwayClasses.push(highway);
      highwayIndex.set(highway, classIndex);
    }
    const speedKmh = parseMaxspeedKmh(tags.maxspeed) ?? profile.highwaySpeedKmh[highway];
    const heavyGoodsBanned = isNo(tags.hgv) || isNo(tags.goods);

    let start = 0;
    const ids = way.nodeIds;
    for (let i = 1; i < ids.length; i++) {
      const isLast = i === ids.length - 1;
      if (!isLast && (useCount.get(ids[i]) ?? 0) < 2) continue;
      let lengthM = 0;
      for (let k = start; k <= i; k++) {
        const [lon, lat] = osm.nodes.get(ids[k])!;
        pointLon.push(lon);
        pointLat.push(lat);
        if (k > start) {
          const [pLon, pLat] = osm.nodes.get(ids[k - 1])!;
          lengthM += haversineM(pLon, pLat, lon, lat);
        }
      }
      geometryStart.push(pointLon.length);
      segmentFrom.push(vertex(ids[start]));
      segmentTo.push(vertex(ids[i]));
      segmentWayId.push(way.id);
      segmentLengthM.push(lengthM);
      segmentHighway.push(classIndex);
      segmentDirections.push(directions);
      segmentSpeedKmh.push(speedKmh);
      segmentHeavyGoodsBanned.push(heavyGoodsBanned);
      start = i;
    }
  }

  const segmentCount = segmentFrom.length;
  // Arcs as plain lists first: turn restrictions may still split junctions and clone arcs.
  const arcs: ArcList = { tail: [], head: [], segment: [], reversed: [] };
  for (let s = 0; s < segmentCount; s++) {
    if (segmentFrom[s] === segmentTo[s] && segmentLengthM[s] === 0) continue;
    if (segmentDirections[s] & FORWARD) pushArc(arcs, segmentFrom[s], segmentTo[s], s, 0);
    if (segmentDirections[s] & BACKWARD) pushArc(arcs, segmentTo[s], segmentFrom[s], s, 1);
  }
  const turnRestrictionsApplied = applyTurnRestrictions(osm, vertexOf, segmentWayId, arcs, nodeLon, nodeLat, nodeOsmId);
  const nodeCount = nodeOsmId.length;

  // CSR by tail, stable in arc creation order.
  const arcCount = arcs.tail.length;
  const firstArc = new Int32Array(nodeCount + 1);
  for (let i = 0; i < arcCount; i++) firstArc[arcs.tail[i] + 1]++;
  for (let v = 0; v < nodeCount; v++) firstArc[v + 1] += firstArc[v];
  const fill = firstArc.slice(0, nodeCount);
  const arcHead = new Int32Array(arcCount);
  const arcTail = new Int32Array(arcCount);
  const arcSegment = new Int32Array(arcCount);
  const arcReversed = new Uint8Array(arcCount);
  const arcDistanceDm = new Int32Array(arcCount);
  const arcTimeMs = Object.fromEntries(VEHICLE_KINDS.map((kind) => [kind, new Int32Array(arcCount)])) as Record<
    VehicleKind,
    Int32Array
  >;
  for (let i = 0; i < arcCount; i++) {
    const a = fill[arcs.tail[i]]++;
    const s = arcs.segment[i];
    arcHead[a] = arcs.head[i];
    arcTail[a] = arcs.tail[i];
    arcSegment[a] = s;
    arcReversed[a] = arcs.reversed[i];
    arcDistanceDm[a] = Math.round(segmentLengthM[s] * 10);
    const highway = highwayClasses[segmentHighway[s]];
    for (const kind of VEHICLE_KINDS) {
      const vehicle = profile.vehicles[kind];
      const banned =
        vehicle.forbiddenHighways.includes(highway) || (vehicle.heavyGoods && segmentHeavyGoodsBanned[s]);
      const speedKmh = Math.min(segmentSpeedKmh[s] * vehicle.speedFactor, vehicle.maxSpeedKmh);
      arcTimeMs[kind][a] = banned ? -1 : Math.max(1, Math.round((segmentLengthM[s] / (speedKmh / 3.6)) * 1000));
    }
  }

  return {
    nodeCount,
    nodeLon: Float64Array.from(nodeLon),
    nodeLat: Float64Array.from(nodeLat),
    nodeOsmId: Float64Array.from(nodeOsmId),
    segmentCount,
    segmentFrom: Int32Array.from(segmentFrom),
    segmentTo: Int32Array.from(segmentTo),
    segmentWayId: Float64Array.from(segmentWayId),
    segmentLengthM: Float64Array.from(segmentLengthM),
    segmentHighway: Uint8Array.from(segmentHighway),
    segmentGeometryStart: Int32Array.from(geometryStart),
    pointLon: Float64Array.from(pointLon),
    pointLat: Float64Array.from(pointLat),
    highwayClasses,
    arcCount,
    firstArc,
    arcHead,
    arcTail,
    arcSegment,
    arcReversed,
    arcDistanceDm,
    arcTimeMs,
    turnRestrictionsApplied,
  };
}

interface ArcList {
  tail: number[];
  head: number[];
  segment: number[];
  reversed: number[];
}

function pushArc(arcs: ArcList, tail: number, head: number, segment: number, reversed: number): void {
  arcs.tail.push(tail);
  arcs.head.push(head);
  arcs.segment.push(segment);
  arcs.reversed.push(reversed);
}

/**
 * Turn restrictions via a node, by splitting the junction: arriving arcs that may leave by the
 * same set of arcs share one copy of the junction, which has only those leaving arcs. The graph
 * stays node-based (so CH and Dijkstra are unchanged) yet forbids exactly the restricted turns.
 * Restrictions via ways, and those exempting motor cars, are not applied. Returns how many were.
 */
function applyTurnRestrictions(
  osm: OsmData,
  vertexOf: Map<number, number>,
  segmentWayId: number[],
  arcs: ArcList,
  nodeLon: number[],
  nodeLat: number[],
  nodeOsmId: number[],
): number {
  const byVertex = new Map<number, OsmTurnRestriction[]>();
  for (const r of osm.turnRestrictions ?? []) {
    if (r.viaNodeId === undefined || r.except.includes('motorcar') || r.except.includes('motor_vehicle')) continue;
    if (!/^(no|only)_/.test(r.restriction)) continue;
    const v = vertexOf.get(r.viaNodeId);
    if (v === undefined) continue;
    const list = byVertex.get(v);
    if (list) list.push(r);
    else byVertex.set(v, [r]);
  }
  // Arcs at the restricted junctions, kept up to date as arcs are cloned and redirected.
  const arriving = new Map<number, number[]>();
  const leaving = new Map<number, number[]>();
  for (const v of byVertex.keys()) {
    arriving.set(v, []);
    leaving.set(v, []);
  }
  for (let i = 0; i < arcs.tail.length; i++) {
    arriving.get(arcs.head[i])?.push(i);
    leaving.get(arcs.tail[i])?.push(i);
  }
  const removed = new Set<number>();
  let applied = 0;
  for (const [v, restrictions] of byVertex) {
    const incoming = arriving.get(v)!.filter((i) => !removed.has(i) && arcs.head[i] === v);
    const outgoing = leaving.get(v)!.filter((i) => !removed.has(i));
    if (incoming.some((i) => arcs.tail[i] === v)) continue; // a loop at the junction: leave it alone
    const allowedFrom = (arrival: number): number[] => {
      const fromWay = segmentWayId[arcs.segment[arrival]];
      return outgoing.filter((leave) => {
        const toWay = segmentWayId[arcs.segment[leave]];
        for (const r of restrictions) {
          if (r.fromWayId !== fromWay) continue;
          if (r.restriction.startsWith('no_') && r.toWayId === toWay) return false;
          if (r.restriction.startsWith('only_') && r.toWayId !== toWay) return false;
        }
        return true;
      });
    };
    const groups = new Map<string, { allowed: number[]; arrivals: number[] }>();
    for (const arrival of incoming) {
      const allowed = allowedFrom(arrival);
      const key = allowed.join(',');
      const group = groups.get(key);
      if (group) group.arrivals.push(arrival);
      else groups.set(key, { allowed, arrivals: [arrival] });
    }
    const fullKey = outgoing.join(',');
    if (groups.size === 0 || (groups.size === 1 && groups.has(fullKey))) continue; // nothing bites here
    applied += restrictions.length;
    // The unrestricted group (or the first) keeps the junction itself; the others get copies.
    const ordered = [...groups.entries()].sort(([a], [b]) => (a === fullKey ? -1 : b === fullKey ? 1 : 0));
    ordered.forEach(([, group], index) => {
      if (index === 0) {
        for (const leave of outgoing) if (!group.allowed.includes(leave)) removed.add(leave);
        return;
      }
      const copy = nodeOsmId.length;
      nodeLon.push(nodeLon[v]);
      nodeLat.push(nodeLat[v]);
      nodeOsmId.push(nodeOsmId[v]);
      for (const arrival of group.arrivals) arcs.head[arrival] = copy;
      for (const leave of group.allowed) {
        const head = arcs.head[leave];
        pushArc(arcs, copy, head, arcs.segment[leave], arcs.reversed[leave]);
        arriving.get(head)?.push(arcs.tail.length - 1);
      }
    });
  }
  if (removed.size > 0) {
    const indices = arcs.tail.map((_, i) => i).filter((i) => !removed.has(i));
    arcs.tail = indices.map((i) => arcs.tail[i]);
    arcs.head = indices.map((i) => arcs.head[i]);
    arcs.segment = indices.map((i) => arcs.segment[i]);
    arcs.reversed = indices.map((i) => arcs.reversed[i]);
  }
  return applied;
}

const NO_ACCESS = new Set(['no', 'private', 'agricultural', 'forestry', 'emergency', 'military']);

function isDrivable(way: OsmWay, profile: NetworkProfile): boolean {
  const tags = way.tags;
  if (!(tags.highway in profile.highwaySpeedKmh)) return false;
  if (tags.area === 'yes') return false;
  const oneway = tags.oneway;
  if (oneway === 'reversible' || oneway === 'alternating') return false;
  // The most specific access tag wins (motorcar over motor_vehicle over vehicle over access).
  const access = tags.motorcar ?? tags.motor_vehicle ?? tags.vehicle ?? tags.access;
  return access === undefined || !NO_ACCESS.has(access);
}

function directionsOf(tags: Record<string, string>): number {
  const oneway = tags.oneway;
  if (oneway === 'yes' || oneway === '1' || oneway === 'true') return FORWARD;
  if (oneway === '-1' || oneway === 'reverse') return BACKWARD;
  if (oneway === 'no' || oneway === '0' || oneway === 'false') return FORWARD | BACKWARD;
  const junction = tags.junction;
  if (junction === 'roundabout' || junction === 'circular') return FORWARD;
  if (tags.highway === 'motorway' || tags.highway === 'motorway_link') return FORWARD;
  return FORWARD | BACKWARD;
}

function isNo(value: string | undefined): boolean {
  return value === 'no' || value === 'private';
}

/** "50", "50 km/h", "30 mph", "50;40" (the lower), else undefined (zone codes, "none", "walk"). */
export function parseMaxspeedKmh(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let best: number | undefined;
  for (const part of value.split(';')) {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(mph|km\/h|kmh|kph)?\s*$/i.exec(part);
    if (!match) continue;
    const kmh = Number(match[1]) * (match[2]?.toLowerCase() === 'mph' ? 1.609344 : 1);
    if (kmh > 0 && (best === undefined || kmh < best)) best = kmh;
  }
  return best;
}

/** Road grade of a segment (1 = most important) for sweeping frequencies. */
export function segmentRoadGrade(graph: RoadGraph, segment: number, profile: NetworkProfile): number {
  return profile.roadGradeByHighway[graph.highwayClasses[graph.segmentHighway[segment]]] ?? profile.defaultRoadGrade;
}
