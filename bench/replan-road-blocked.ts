import { runPlanJob } from '../src/planning/plan-job.js';
import type { PlanOptions } from '../src/planning/plan-model.js';
import type { PlanStore } from '../src/planning/plan-store.js';
import type { PlanningSnapshot } from '../src/planning/snapshot.js';

/**
 * Re-plan after a road is blocked at 10:00 (planning bench, demo city): the street of the
 * first sweeping stop planned after 10:00 is closed; the matrices are computed again around it
 * (restricted Dijkstra per row: the hierarchies are not customisable) and the rest re-planned.
 * Violations are the validator's on the new Problem (with the recomputed matrices).
 */
export async function roadBlockedReplanBench(input: {
  plans: PlanStore; planId: string; snapshot: PlanningSnapshot; osmFile: string; cacheDir: string; options: PlanOptions;
}): Promise<Record<string, unknown>> {
  const base = (await input.plans.replanBase(input.planId))!;
  const atS = 10 * 3600;
  const stop = base.solution.routes.flatMap((r) => r.stops).filter((s) => s.type === 'sweep' && s.startS >= atS && s.id?.startsWith('sweep:')).sort((a, b) => a.startS - b.startS)[0];
  if (!stop) return { skipped: 'no sweeping stop after 10:00 in the plan' };
  const roadSegmentId = stop.id!.slice('sweep:'.length);
  const wall = performance.now();
  const out = await runPlanJob({
    snapshot: input.snapshot, osmFile: input.osmFile, networkCacheDir: input.cacheDir, options: input.options,
    replan: { base, event: { kind: 'road_blocked', roadSegmentIds: [roadSegmentId], bufferM: 15 }, state: { atS, markedStopIds: [], positions: {} } },
  });
  const wallMs = Math.round(performance.now() - wall);
  const rec = out.mapping.replan!;
  return {
    roadSegmentId, places: out.mapping.locations.length, matrices: Object.keys(out.mapping.profiles).length, wallMs,
    recomputeMs: rec.blocked?.recomputeMs, matrixRows: rec.blocked?.matrixRows, networkSegmentsClosed: rec.blocked?.networkSegments,
    unreachableItems: rec.blocked?.unreachableItems, moved: rec.moved, unserved: rec.unserved, violations: out.figures.violations,
    valid: out.report.valid,
  };
}
