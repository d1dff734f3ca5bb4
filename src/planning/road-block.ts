import { z } from 'zod';
import { pointInPolygon, type ProblemInput } from '../../solver/index.js';
import type { RoadNetwork, SnappedPosition } from '../../solver/network/index.js';
import { lineStringGeometry, polygonGeometry } from '../domain/geo.js';
import { matrixRows, UNREACHABLE_S, type PlanMapping } from './build-problem.js';
import { CorridorGeometry } from './corridor.js';
import type { UnservedItem } from './plan-model.js';
import type { RoadSegment } from '../domain/model.js';

/**
 * A blocked road as a re-planning event: from T on, the road segments named (stored road
 * segment ids), or those running along a line drawn on the map, or those inside an area, are
 * closed. Travel is computed again with their arcs removed; what can no longer be reached is
 * left out with the reason `road_blocked`.
 */
export const roadBlockedEventSchema = z.strictObject({
  kind: z.literal('road_blocked'),
  roadSegmentIds: z.array(z.string().min(1).max(100)).min(1).max(500).optional(),
  line: lineStringGeometry.optional(),
  area: polygonGeometry.optional(),
  /** A road belongs to a drawn `line` when all of it lies this close to the line (the drawing is not the road). */
  bufferM: z.number().min(1).max(100).default(15),
});
export type RoadBlockedEvent = z.infer<typeof roadBlockedEventSchema>;

export interface ClosedRoads {
  /** 1 = closed, per network segment */
  closed: Uint8Array;
  count: number;
  /** stored road segment ids of the event that match no road of the network */
  unmatched: string[];
}

/** The network's segments the event closes. */
export function closedRoads(network: RoadNetwork, event: RoadBlockedEvent, roadSegments: RoadSegment[]): ClosedRoads {
  const stored = new Map(roadSegments.map((r) => [r.id, r]));
  const shapes: CorridorGeometry[] = [];
  const unmatched: string[] = [];
  for (const id of event.roadSegmentIds ?? []) {
    const seg = stored.get(id);
    if (seg) shapes.push(storedShape(seg));
    else unmatched.push(id);
  }
  // a line drawn on the map is not the road: the roads all along it within bufferM
  if (event.line) shapes.push(new CorridorGeometry({ line: event.line.coordinates.map((c) => [c[0]!, c[1]!] as [number, number]), bufferM: event.bufferM, disks: [] }));
  const rings = event.area?.coordinates as number[][][] | undefined;
  const n = network.graph.segmentCount;
  const closed = new Uint8Array(n);
  let count = 0;
  for (let s = 0; s < n; s++) {
    const g = network.segmentGeometry(s);
    if (shapes.some((shape) => shape.containsLine(g)) || (rings && g.some(([lon, lat]) => pointInPolygon(lon, lat, rings)))) {
      closed[s] = 1;
      count++;
    }
  }
  const matched = new Set<string>();
  // a stored segment that closes nothing is named back: the dispatcher should know
  for (const id of event.roadSegmentIds ?? []) {
    const seg = stored.get(id);
    if (!seg) continue;
    const shape = storedShape(seg);
    for (let s = 0; s < n && !matched.has(id); s++) if (closed[s] && shape.containsLine(network.segmentGeometry(s))) matched.add(id);
    if (!matched.has(id)) unmatched.push(id);
  }
  return { closed, count, unmatched };
}

/**
 * A stored segment's shape is the road's own (the import's, to 1e-6°): the network's segments
 * lying on it within a few metres, not a neighbouring carriageway or a side street's stub.
 */
const STORED_SEGMENT_TOLERANCE_M = 3;
function storedShape(seg: RoadSegment): CorridorGeometry {
  return new CorridorGeometry({ line: seg.geometry.coordinates.map((c) => [c[0]!, c[1]!] as [number, number]), bufferM: STORED_SEGMENT_TOLERANCE_M, disks: [] });
}

/**
 * Every matrix of the plan again with the closed roads removed, each with its profile's vehicle
 * kind and bans (RoadNetwork.matrixAvoiding: Dijkstra again only for the rows whose fastest
 * paths used a closed road). `rows` = rows searched again over all matrices.
 */
export function blockedMatrices(network: RoadNetwork, problem: ProblemInput, mapping: PlanMapping, roads: ClosedRoads): { matrices: ProblemInput['matrices']; rows: number; ms: number } {
  const t0 = performance.now();
  const out: ProblemInput['matrices'] = {};
  const n = mapping.locations.length;
  let rows = 0;
  for (const name of Object.keys(problem.matrices)) {
    const info = mapping.profiles[name];
    if (!info) {
      out[name] = problem.matrices[name]!;
      continue;
    }
    const placed: Array<SnappedPosition | null> = mapping.locations.map((l) => network.snap(l.lon, l.lat, { vehicleKind: info.networkKind }));
    const fallback = placed.find((p) => p !== null);
    if (!fallback) {
      out[name] = problem.matrices[name]!;
      continue;
    }
    const all = placed.map((p) => p ?? fallback);
    const m = network.matrixAvoiding(all, all, (s) => roads.closed[s] === 1, { vehicleKind: info.networkKind, restrictionIndices: info.restrictionIndices });
    rows += m.searched;
    out[name] = matrixRows(m, placed);
  }
  return { matrices: out, rows, ms: performance.now() - t0 };
}

/**
 * The items of a re-plan Problem that no vehicle able to serve them can reach and leave any
 * more (a point on a closed street, a street cut off): taken out and listed as `road_blocked`.
 */
export function withoutBlockedItems(problem: ProblemInput, mapping: PlanMapping): { problem: ProblemInput; excluded: UnservedItem[] } {
  const excluded: UnservedItem[] = [];
  const reaches = (vehicleIds: (v: ProblemInput['vehicles'][number]) => boolean, ...locs: number[]) => problem.vehicles.filter(vehicleIds).some((v) => {
    const d = problem.matrices[v.profile]!.durationsS;
    return locs.every((loc) => d[v.startLocation]![loc]! < UNREACHABLE_S && d[loc]![v.endLocation ?? v.startLocation]! < UNREACHABLE_S);
  });
  const jobs = (problem.jobs ?? []).filter((j) => {
    if (j.id.startsWith('carried:')) return true;
    const ok = reaches((v) => v.kind === 'collector' && (v.classes ?? []).includes(j.wasteClass) && (!j.vehicleIds || j.vehicleIds.includes(v.id)), j.location)
      || reaches((v) => v.kind === 'collector' && (v.classes ?? []).includes(j.wasteClass), j.location);
    if (!ok) {
      for (let visit = 0; visit < (j.visitsPerDay ?? 1); visit++) {
        excluded.push({ kind: 'point', recordId: mapping.jobs[j.id]?.pointId ?? j.id, itemId: j.id, visit, reason: 'road_blocked', detail: 'every road to the point is blocked', source: 'build' });
      }
    }
    return ok;
  });
  const sweepTasks = (problem.sweepTasks ?? []).filter((t) => {
    const ok = reaches((v) => v.kind === t.vehicleKind, t.fromLocation, t.toLocation);
    if (!ok) {
      for (let visit = 0; visit < Math.min(t.passes ?? 1, t.mechanicalPasses ?? 1); visit++) {
        excluded.push({ kind: 'segment', recordId: mapping.sweepTasks[t.id]?.segmentId ?? t.id, itemId: t.id, visit, reason: 'road_blocked', detail: 'the street is blocked or every road to it is', source: 'build' });
      }
    }
    return ok;
  });
  const muckLoads = (problem.muckLoads ?? []).filter((l) => {
    const ok = reaches((v) => l.permit.vehicleIds.includes(v.id), l.siteLocation);
    if (!ok) excluded.push({ kind: 'muck_load', recordId: mapping.muckLoads[l.id]?.permitId ?? l.permit.id, itemId: l.id, reason: 'road_blocked', detail: 'every road to the construction site is blocked', source: 'build' });
    return ok;
  });
  return { problem: { ...problem, jobs, sweepTasks, muckLoads }, excluded };
}
