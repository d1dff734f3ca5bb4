import { createHash } from 'node:crypto';
import { solve, validateSolution, type ProblemInput, type Solution, type ValidationReport } from '../../solver/index.js';
import { loadNetwork, type RoadNetwork } from '../../solver/network/index.js';
import { buildProblem, type ExcludedItem, type MatrixOf, type PlanMapping } from './build-problem.js';
import { networkProfileFor } from './network-profile.js';
import { planGeometry, type PlanGeometry } from './plan-geometry.js';
import { planFigures, unservedItems, type PlanFigures, type PlanOptions, type UnservedItem } from './plan-model.js';
import { splitProblem } from './problem-codec.js';
import type { PlanningSnapshot } from './snapshot.js';
import { buildReplanProblem, relaxRestrictions, replanDiff, type ReplanBase, type ReplanEvent, type ReplanRecord, type ReplanState } from './replan.js';
import { PlanClock } from './plan-clock.js';
import { withFixes, withNewPoints } from './replan-points.js';
import { blockedMatrices, closedRoads, withoutBlockedItems } from './road-block.js';

/**
 * One plan, start to end, without the store: road network → Problem → solve → validate →
 * geometry. Runs inside a worker thread (plan-worker.ts) so the service's event loop never
 * waits on it; the caller reads the snapshot from the store before and writes the result after.
 */
export interface PlanJobInput {
  snapshot: PlanningSnapshot;
  osmFile: string;
  networkCacheDir?: string;
  options: PlanOptions;
  /** a re-plan of the plan in force from the state at T, instead of a plan from the city */
  replan?: { base: ReplanBase; event: ReplanEvent; state: ReplanState };
  /**
   * A capacity study's day: nobody draws it on a map (no geometry), and its travel matrices are
   * those of the previous days when the places are the same (the days of a study differ in
   * demand, breakdowns and outages, rarely in places): the per-day setup left is the Problem.
   */
  study?: boolean;
}

export type PlanPhase = 'network' | 'build' | 'solve' | 'validate' | 'geometry';

export interface PlanProgress {
  phase: PlanPhase;
  /** 0..1 over the whole job */
  fraction: number;
  /** the solver's current best (during 'solve') */
  best?: { vehicles: number; unserved: number; cost: number };
}

export interface PlanJobResult {
  /** the Problem without its matrices, and the matrices packed (problem-codec.ts) */
  problemDoc: ProblemInput;
  problemMatrices: Uint8Array;
  mapping: PlanMapping;
  excluded: ExcludedItem[];
  solution: Solution;
  report: ValidationReport;
  unserved: UnservedItem[];
  figures: PlanFigures;
  geometry: PlanGeometry;
}

/** Where each phase's share of the progress bar starts. */
const PHASE_START: Record<PlanPhase, number> = { network: 0, build: 0.05, solve: 0.15, validate: 0.92, geometry: 0.96 };

// A worker keeps the last network it loaded: the next job of the same city needs no reload.
let cached: { key: string; network: RoadNetwork } | undefined;

async function networkFor(input: PlanJobInput): Promise<RoadNetwork> {
  const profile = networkProfileFor(input.snapshot.profile, input.snapshot.restrictedZones);
  const key = createHash('sha256').update(input.osmFile).update(JSON.stringify(profile)).digest('hex');
  if (cached?.key !== key) {
    const loaded = await loadNetwork(input.osmFile, { profile, cacheDir: input.networkCacheDir });
    cached = { key, network: loaded.network };
    studyMatrices.clear();
  }
  return cached.network;
}

// A study's matrices by (places, vehicle kind, bans) on the cached network: a few, as one matrix
// of 1,000 places is 16 MB.
const studyMatrices = new Map<string, ReturnType<MatrixOf>>();
const STUDY_MATRICES_KEPT = 6;
function studyMatrix(network: RoadNetwork): MatrixOf {
  return (places, options) => {
    const key = createHash('sha256').update(JSON.stringify(places)).update(JSON.stringify(options)).digest('hex');
    let m = studyMatrices.get(key);
    if (!m) {
      m = network.matrix(places, places, options);
      studyMatrices.set(key, m);
      while (studyMatrices.size > STUDY_MATRICES_KEPT) studyMatrices.delete(studyMatrices.keys().next().value!);
    }
    return m;
  };
}

export async function runPlanJob(input: PlanJobInput, onProgress: (p: PlanProgress) => void = () => undefined): Promise<PlanJobResult> {
  if (input.replan) return runReplanJob(input, input.replan, onProgress);
  const timingsMs: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timingsMs[name] = Math.round(performance.now() - t);
    }
  };
  onProgress({ phase: 'network', fraction: PHASE_START.network });
  const network = await timed('networkMs', () => networkFor(input));
  onProgress({ phase: 'build', fraction: PHASE_START.build });
  const built = await timed('buildMs', () => buildProblem(input.snapshot, network, { mode: input.options.mode ?? 'normal', ...(input.study ? { matrix: studyMatrix(network) } : {}) }));
  Object.assign(timingsMs, { matricesMs: Math.round(built.timingsMs.matrices), corridorsMs: Math.round(built.timingsMs.corridors) });
  onProgress({ phase: 'solve', fraction: PHASE_START.solve, best: { vehicles: 0, unserved: 0, cost: 0 } });
  const solveShare = PHASE_START.validate - PHASE_START.solve;
  const solution = await timed('solveMs', () => solve(built.problem, {
    seed: input.options.seed, maxIterations: input.options.iterations, timeLimitMs: input.options.timeLimitS * 1000,
    onProgress: (f, d) => onProgress({ phase: 'solve', fraction: PHASE_START.solve + solveShare * f, best: { vehicles: d.vehicles, unserved: d.unassigned, cost: d.cost } }),
  }));
  onProgress({ phase: 'validate', fraction: PHASE_START.validate, best: { vehicles: solution.cost.vehicles, unserved: solution.unserved.length, cost: solution.cost.total } });
  const report = await timed('validateMs', () => validateSolution(built.problem, solution));
  onProgress({ phase: 'geometry', fraction: PHASE_START.geometry });
  const geometry: PlanGeometry = input.study ? { type: 'FeatureCollection', features: [] }
    : await timed('geometryMs', () => planGeometry(network, built.problem, solution, built.mapping));
  const unserved = unservedItems(built.excluded, solution.unserved, built.mapping);
  const { doc, matrices } = await timed('packMs', () => splitProblem(built.problem));
  // the stored mapping leaves out the roads' shapes: the GeoJSON has them where they are driven
  const mapping: PlanMapping = { ...built.mapping, sweepTasks: Object.fromEntries(Object.entries(built.mapping.sweepTasks).map(([id, t]) => [id, { segmentId: t.segmentId, work: t.work }])) };
  return {
    problemDoc: doc, problemMatrices: matrices, mapping, excluded: built.excluded, solution, report, unserved,
    figures: planFigures(built.problem, solution, report, unserved, timingsMs), geometry,
  };
}

/**
 * A re-plan (replan.ts): the remaining work at T with each stop kept on its vehicle; what the
 * solver cannot keep there is freed and solved once more. The result is a plan like any other
 * (validated against the Problem it was solved from), its mapping saying what it re-planned.
 */
async function runReplanJob(input: PlanJobInput, replan: NonNullable<PlanJobInput['replan']>, onProgress: (p: PlanProgress) => void): Promise<PlanJobResult> {
  const timingsMs: Record<string, number> = {};
  const t0 = performance.now();
  onProgress({ phase: 'network', fraction: PHASE_START.network });
  const network = await networkFor(input);
  timingsMs.networkMs = Math.round(performance.now() - t0);
  onProgress({ phase: 'build', fraction: PHASE_START.build });
  const added = replan.event.kind === 'new_points' ? withNewPoints(network, replan.base, input.snapshot, replan.event.pointIds) : { base: replan.base, excluded: [] };
  const fixed = withFixes(network, added.base, input.snapshot, replan.state.positions);
  // a blocked road: every matrix again without it, and what it cuts off left out (road-block.ts)
  let blocked: ReplanRecord['blocked'];
  let closed: ((segment: number) => boolean) | undefined;
  if (replan.event.kind === 'road_blocked') {
    const roads = closedRoads(network, replan.event, input.snapshot.roadSegments);
    const m = blockedMatrices(network, fixed.base.problem, fixed.base.mapping, roads);
    fixed.base = { ...fixed.base, problem: { ...fixed.base.problem, matrices: m.matrices } };
    closed = (s) => roads.closed[s] === 1;
    blocked = { networkSegments: roads.count, unmatchedRoadSegmentIds: roads.unmatched, matrixRows: m.rows, recomputeMs: Math.round(m.ms), unreachableItems: 0 };
  }
  const rp = buildReplanProblem(fixed.base, replan.event, replan.state, fixed.startLocations);
  rp.excluded.push(...added.excluded);
  if (blocked) {
    const cut = withoutBlockedItems(rp.problem, fixed.base.mapping);
    rp.problem = cut.problem;
    rp.excluded.push(...cut.excluded);
    blocked.unreachableItems = cut.excluded.length;
  }
  const solveShare = PHASE_START.validate - PHASE_START.solve;
  const opts = (share: number, offset: number) => ({
    seed: input.options.seed, maxIterations: input.options.iterations, timeLimitMs: input.options.timeLimitS * 1000,
    onProgress: (f: number, d: { vehicles: number; unassigned: number; cost: number }) =>
      onProgress({ phase: 'solve' as const, fraction: PHASE_START.solve + solveShare * (offset + share * f), best: { vehicles: d.vehicles, unserved: d.unassigned, cost: d.cost } }),
  });
  const t1 = performance.now();
  let problem = rp.problem;
  let solution = await solve(problem, opts(0.7, 0));
  // a stop kept on its vehicle that the vehicle can no longer do: free it rather than leave it out
  const restricted = new Set([...(problem.jobs ?? []), ...(problem.sweepTasks ?? [])].filter((x) => x.vehicleIds && !x.id.startsWith('carried:')).map((x) => x.id));
  const relax = new Set(solution.unserved.map((u) => u.id).filter((id) => restricted.has(id)));
  if (relax.size > 0) {
    problem = relaxRestrictions(problem, relax);
    solution = await solve(problem, opts(0.3, 0.7));
  }
  timingsMs.solveMs = Math.round(performance.now() - t1);
  onProgress({ phase: 'validate', fraction: PHASE_START.validate, best: { vehicles: solution.cost.vehicles, unserved: solution.unserved.length, cost: solution.cost.total } });
  const report = validateSolution(problem, solution);
  onProgress({ phase: 'geometry', fraction: PHASE_START.geometry });
  const base = fixed.base;
  const geometry = planGeometry(network, problem, solution, base.mapping, closed);
  const unserved = [...rp.excluded, ...unservedItems([], solution.unserved, base.mapping)];
  const { doc, matrices } = await splitProblem(problem);
  const diff = replanDiff(rp, base.solution, solution);
  const record: ReplanRecord = {
    basePlanId: base.planId, event: replan.event, atS: replan.state.atS, at: new PlanClock(base.mapping.date, base.mapping.timeZone).iso(replan.state.atS),
    done: rp.done, relaxed: relax.size, ...diff, ...(blocked ? { blocked } : {}),
  };
  timingsMs.totalMs = Math.round(performance.now() - t0);
  const figures = { ...planFigures(problem, solution, report, unserved, timingsMs), replan: { moved: diff.moved, movedOther: diff.movedOther, done: rp.done.length, unserved: diff.unserved, relaxed: relax.size } };
  return {
    problemDoc: doc, problemMatrices: matrices, mapping: { ...base.mapping, replan: record }, excluded: [], solution, report, unserved, figures, geometry,
  };
}
