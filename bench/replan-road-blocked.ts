import { CorridorGeometry } from '../src/planning/corridor.js';
import { runPlanJob } from '../src/planning/plan-job.js';
import type { PlanOptions } from '../src/planning/plan-model.js';
import type { PlanStore } from '../src/planning/plan-store.js';
import type { PlanningSnapshot } from '../src/planning/snapshot.js';

/**
 * Re-plan after a road is blocked at 10:00 (planning bench, demo city): the street of the
 * first collection stop planned after 10:00 is closed; the matrices are computed again around it
 * (restricted Dijkstra per row: the hierarchies are not customisable) and the rest re-planned.
 * Violations are the validator's on the new Problem (with the recomputed matrices).
 */
export async function roadBlockedReplanBench(input: {
  plans: PlanStore; planId: string; snapshot: PlanningSnapshot; osmFile: string; cacheDir: string; options: PlanOptions;
}): Promise<Record<string, unknown>> {
  const base = (await input.plans.replanBase(input.planId))!;
  const atS = 10 * 3600;
  const stop = base.solution.routes.flatMap((r) => r.stops).filter((s) => s.type === 'job' && s.startS >= atS).sort((a, b) => a.startS - b.startS)[0];
  if (!stop) return { skipped: 'no collection stop after 10:00 in the plan' };
  const place = base.mapping.locations[stop.location]!;
  const near = (r: PlanningSnapshot['roadSegments'][number]) => new CorridorGeometry({ line: r.geometry.coordinates.map((c) => [c[0]!, c[1]!] as [number, number]), bufferM: 0, disks: [] }).distanceToLineM(place.lon, place.lat);
  const roadSegmentId = [...input.snapshot.roadSegments].sort((a, b) => near(a) - near(b))[0]!.id;
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const out = await runPlanJob({
    snapshot: input.snapshot, osmFile: input.osmFile, networkCacheDir: input.cacheDir, options: input.options,
    replan: { base, event: { kind: 'road_blocked', roadSegmentIds: [roadSegmentId], bufferM: 15 }, state: { atS, markedStopIds: [], positions: {} } },
  });
  const wallMs = Math.round(performance.now() - wall);
  const used = process.cpuUsage(cpu);
  const rec = out.mapping.replan!;
  return {
    roadSegmentId, pointId: stop.id, places: out.mapping.locations.length, matrices: Object.keys(out.mapping.profiles).length, wallMs, cpuMs: Math.round((used.user + used.system) / 1000),
    recomputeMs: rec.blocked?.recomputeMs, matrixRows: rec.blocked?.matrixRows, networkSegmentsClosed: rec.blocked?.networkSegments,
    unreachableItems: rec.blocked?.unreachableItems, moved: rec.moved, unserved: rec.unserved, violations: out.figures.violations,
    valid: out.report.valid,
  };
}
