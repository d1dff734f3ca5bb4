import type { ProblemInput, Solution, Unserved, ValidationReport } from '../../solver/index.js';
import type { ExcludedItem, ItemKind, PlanMapping } from './build-problem.js';

/** A plan's life: made by a job, checked by a dispatcher, driven, closed. */
export const planStatuses = ['planning', 'failed', 'draft', 'published', 'in_progress', 'closed', 'superseded'] as const;
export type PlanStatus = (typeof planStatuses)[number];

/** The moves a person may make (publishing also supersedes the plan in force, if any). */
export const planTransitions: Record<'publish' | 'start' | 'close', { from: PlanStatus[]; to: PlanStatus }> = {
  publish: { from: ['draft'], to: 'published' },
  start: { from: ['published'], to: 'in_progress' },
  close: { from: ['in_progress'], to: 'closed' },
};

/** `snow`: a snow day (清雪除冰): street work is snow clearing and de-icing (profile `winter`). */
export const planModes = ['normal', 'snow'] as const;
export type PlanMode = (typeof planModes)[number];

export interface PlanOptions {
  seed: number;
  iterations: number;
  timeLimitS: number;
  /** absent on plans made before modes existed: normal */
  mode?: PlanMode;
}

/** One item the plan does not serve, whoever left it out (the builder or the solver). */
export interface UnservedItem {
  kind: ItemKind;
  recordId: string;
  itemId: string;
  visit?: number;
  reason: string;
  detail: string;
  source: 'build' | 'solver';
}

export function unservedItems(excluded: ExcludedItem[], solverUnserved: Unserved[], mapping: PlanMapping): UnservedItem[] {
  const out: UnservedItem[] = excluded.map((e) => ({ ...e, source: 'build' as const }));
  for (const u of solverUnserved) {
    const sweep = mapping.sweepTasks[u.id];
    const muck = mapping.muckLoads[u.id];
    const point = mapping.jobs[u.id];
    out.push({
      kind: sweep ? 'segment' : muck ? 'muck_load' : 'point',
      recordId: sweep?.segmentId ?? muck?.permitId ?? point?.pointId ?? u.id,
      itemId: u.id, ...(u.visit === undefined ? {} : { visit: u.visit }), reason: u.reason, detail: u.detail, source: 'solver',
    });
  }
  return out;
}

/**
 * Classes a route refills at a facility rather than unloads there: the solver's `isConsumable`,
 * spelled out here because this module is bundled into the web page, which cannot load the
 * solver (a test keeps the two equal).
 */
export const REFILLED_CLASSES: readonly string[] = ['water', 'deicer'];

/** What each facility receives from a plan, kg (its share of the facility's daily capacity). */
export function deliveredKgByFacility(problem: ProblemInput, solution: Solution): Record<string, number> {
  const kg: Record<string, number> = {};
  const muckKg = new Map((problem.muckLoads ?? []).map((l) => [l.id, l.kg]));
  for (const r of solution.routes) {
    let before = 0;
    for (const s of r.stops) {
      if (s.type === 'facility' && s.id && !REFILLED_CLASSES.includes(r.carries)) kg[s.id] = (kg[s.id] ?? 0) + Math.max(0, before - s.loadKg);
      if (s.type === 'muck' && s.facilityId && s.id) kg[s.facilityId] = (kg[s.facilityId] ?? 0) + (muckKg.get(s.id) ?? 0);
      before = s.loadKg;
    }
  }
  return kg;
}

export interface PlanFigures {
  vehicles: number;
  distanceM: number;
  durationS: number;
  cost: number;
  iterations: number;
  seed: number;
  served: number;
  /** items the plan should serve and does not (build exclusions and solver), by reason */
  unserved: number;
  unservedByReason: Record<string, number>;
  /** items no vehicle is meant to serve (hand sweeping only, nothing required), by reason */
  notRoutedByReason: Record<string, number>;
  violations: number;
  facilityKg: Record<string, number>;
  timingsMs: Record<string, number>;
  /** a re-planned version: stops moved between vehicles (and of those, not from the broken one), done before T, left out, freed */
  replan?: { moved: number; movedOther: number; done: number; unserved: number; relaxed: number };
  /**
   * With breaks or facility capacities: how often the safety net after the search still acted
   * (trips sent to another facility or taken out, stops taken off a route to fit a break); a
   * dispatcher reads a non-zero count as "the plan was patched, not searched, there".
   */
  repairs?: { facilityTrips: number; breakTasks: number };
}

/** Reasons that say no vehicle is meant to do it (a dispatcher need not act). */
export const NOT_ROUTED = new Set(['manual_only', 'not_required']);

export function planFigures(problem: ProblemInput, solution: Solution, report: ValidationReport, unserved: UnservedItem[], timingsMs: Record<string, number>): PlanFigures {
  const byReason: Record<string, number> = {};
  const notRouted: Record<string, number> = {};
  let count = 0;
  for (const u of unserved) {
    const into = NOT_ROUTED.has(u.reason) ? notRouted : byReason;
    into[u.reason] = (into[u.reason] ?? 0) + 1;
    if (!NOT_ROUTED.has(u.reason)) count++;
  }
  return {
    vehicles: solution.cost.vehicles, distanceM: solution.cost.distanceM, durationS: solution.cost.durationS, cost: solution.cost.total,
    iterations: solution.stats.iterations, seed: solution.stats.seed,
    served: report.recomputed.served, unserved: count, unservedByReason: byReason, notRoutedByReason: notRouted,
    violations: report.violations.length, facilityKg: deliveredKgByFacility(problem, solution), timingsMs,
    ...(solution.stats.repairs ? { repairs: { ...solution.stats.repairs } } : {}),
  };
}
