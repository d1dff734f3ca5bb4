import { runPlanJob, type PlanJobInput, type PlanJobResult } from '../../src/planning/plan-job.js';
import { PlanThread } from '../../src/planning/plan-thread.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { daysInRepair, drawDay, type DayDraw } from './draws.js';
import { evaluateDay, type DayOutcome } from './evaluate.js';
import { daySnapshot, fleetLabel, fleetVehicles, type FleetConfig } from './perturb.js';
import { scenarioSchema, type Scenario, type ScenarioInput } from './scenario.js';
import { recommend, wilson } from './stats.js';

/**
 * A Monte Carlo capacity study: every fleet configuration meets every simulated day; each
 * (fleet, day) is planned by the real pipeline (plan-job.ts: road network → Problem → solve →
 * validate) in a worker thread (plan-thread.ts), and evaluated (evaluate.ts). Each job's
 * result depends only on its input (the solver's seed and iteration budget, no time limit),
 * so the study is the same for a seed whatever the number of threads or their finishing order.
 */
export interface StudyOptions {
  osmFile: string;
  networkCacheDir?: string;
  /** worker threads; 0 plans in this thread (debugging) */
  threads?: number;
  onProgress?: (done: number, total: number, last: DayOutcome) => void;
  /** each day's plan as the planner made it (tests check it with the validator themselves) */
  onPlan?: (outcome: DayOutcome, result: PlanJobResult) => void;
  /** stops the study (its threads are ended; the study rejects) */
  signal?: AbortSignal;
}

export interface ConfigSummary {
  label: string;
  fleet: FleetConfig;
  days: number;
  cleared: number;
  share: number;
  /** Wilson 95 % interval of the share */
  interval: { low: number; high: number };
  unservedByReason: Record<string, number>;
  /** the snow days among them (planned in the winter mode) and how many were cleared */
  snow: { days: number; cleared: number };
  mean: { vehicles: number; vehicleHours: number; km: number; cost: number };
  /** facility id → the highest share of its daily capacity used on any day */
  peakFacilityShare: Record<string, number>;
}

export interface StudyResult {
  scenario: Scenario;
  configs: ConfigSummary[];
  /** the smallest fleet whose share reaches scenario.targetShare, or null */
  recommended: { label: string; fleet: FleetConfig; share: number; interval: { low: number; high: number } } | null;
  days: DayOutcome[];
}

/** Solver seed of a day: the same for every fleet (common random numbers), different per day. */
const daySeed = (s: Scenario, day: number) => ((s.seed * 1_000_003 + day * 7919) >>> 0) || 1;

/** One (fleet, day) of a study: the plan job's input and what its outcome records besides the plan. */
export interface StudyJob {
  fleet: FleetConfig;
  label: string;
  draw: DayDraw;
  input: PlanJobInput;
  base: Omit<DayOutcome, 'cleared' | 'pointVisits' | 'unservedByReason' | 'vehicles' | 'vehicleHours' | 'km' | 'cost' | 'facilityLoad' | 'validator'>;
}

export interface PreparedStudy {
  scenario: Scenario;
  /** fleets × days; job i is fleet ⌊i / days⌋ on day i mod days */
  count: number;
  job(i: number): StudyJob;
}

/**
 * The study's jobs, each made when asked for: the same job for the same (city, scenario, i) in
 * any process, so a day planned by a worker on another machine is the day this one would plan.
 */
export function prepareStudy(base: PlanningSnapshot, input: ScenarioInput, where: { osmFile: string; networkCacheDir?: string }): PreparedStudy {
  const s = scenarioSchema.parse(input);
  const facilityIds = base.facilities.map((f) => f.id).sort();
  const draws = new Map<number, DayDraw>();
  const drawOf = (day: number) => {
    if (!draws.has(day)) draws.set(day, drawDay(s, day, facilityIds));
    return draws.get(day)!;
  };
  const repairs = new Map<string, Set<number>>();
  const inRepair = (id: string, day: number) => {
    if (!repairs.has(id)) repairs.set(id, daysInRepair(s, id));
    return repairs.get(id)!.has(day);
  };
  const fleets = s.fleets.map((fleet) => ({ fleet, label: fleetLabel(fleet), vehicles: fleetVehicles(base.vehicles, fleet) }));
  return {
    scenario: s,
    count: s.days * s.fleets.length,
    job(i: number): StudyJob {
      if (!(i >= 0 && i < s.days * s.fleets.length)) throw new RangeError(`study job ${i} out of 0..${s.days * s.fleets.length - 1}`);
      const { fleet, label, vehicles } = fleets[Math.floor(i / s.days)]!;
      const draw = drawOf(i % s.days);
      const snapshot = daySnapshot(base, s, draw, vehicles, (id) => inRepair(id, draw.index));
      return {
        fleet, label, draw,
        input: { snapshot, osmFile: where.osmFile, networkCacheDir: where.networkCacheDir, study: true, options: { seed: daySeed(s, draw.index), iterations: s.iterations, timeLimitS: 7 * 86_400, ...(draw.snow ? { mode: 'snow' as const } : {}) } },
        base: {
          day: draw.index, date: draw.date, fleet: label, rain: draw.rain, snow: draw.snow, festivals: draw.festivals,
          inRepair: vehicles.filter((v) => inRepair(v.id, draw.index)).map((v) => v.id), facilityFactor: draw.facilityFactor,
        },
      };
    },
  };
}

export async function runStudy(base: PlanningSnapshot, input: ScenarioInput, options: StudyOptions): Promise<StudyResult> {
  const study = prepareStudy(base, input, options);
  const s = study.scenario;
  const jobs: StudyJob[] = Array.from({ length: study.count }, (_, i) => study.job(i));

  const outcomes: DayOutcome[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const finish = (i: number, result: PlanJobResult) => {
    const job = jobs[i]!;
    const outcome = evaluateDay(job.base, result, job.input.snapshot.facilities);
    outcomes[i] = outcome;
    done++;
    options.onPlan?.(outcome, result);
    options.onProgress?.(done, jobs.length, outcome);
  };
  const threadCount = Math.min(options.threads ?? 1, jobs.length);
  if (threadCount === 0) {
    for (let i = 0; i < jobs.length; i++) {
      options.signal?.throwIfAborted();
      finish(i, await runPlanJob(jobs[i]!.input));
    }
  } else {
    const threads = Array.from({ length: threadCount }, () => new PlanThread());
    const abort = () => void Promise.all(threads.map((t) => t.terminate()));
    options.signal?.addEventListener('abort', abort);
    try {
      // each thread takes the next job when it is free (and keeps its road network loaded)
      await Promise.all(threads.map(async (thread) => {
        while (next < jobs.length) {
          const i = next++;
          finish(i, await thread.run(`capacity-${i}`, jobs[i]!.input, () => undefined));
        }
      }));
    } finally {
      options.signal?.removeEventListener('abort', abort);
      await Promise.all(threads.map((t) => t.terminate()));
    }
  }
  return summarize(s, outcomes);
}

export function summarize(s: Scenario, days: DayOutcome[]): StudyResult {
  const configs: ConfigSummary[] = s.fleets.map((fleet) => {
    const label = fleetLabel(fleet);
    const mine = days.filter((d) => d.fleet === label);
    const cleared = mine.filter((d) => d.cleared).length;
    const unservedByReason: Record<string, number> = {};
    const peakFacilityShare: Record<string, number> = {};
    for (const d of mine) {
      for (const [r, n] of Object.entries(d.unservedByReason)) unservedByReason[r] = (unservedByReason[r] ?? 0) + n;
      for (const [id, l] of Object.entries(d.facilityLoad)) if (l.share !== null) peakFacilityShare[id] = Math.max(peakFacilityShare[id] ?? 0, l.share);
    }
    const mean = (f: (d: DayOutcome) => number) => (mine.length ? Math.round((mine.reduce((a, d) => a + f(d), 0) / mine.length) * 100) / 100 : 0);
    return {
      label, fleet, days: mine.length, cleared, share: mine.length ? cleared / mine.length : 0, interval: wilson(cleared, mine.length),
      unservedByReason, snow: { days: mine.filter((d) => d.snow).length, cleared: mine.filter((d) => d.snow && d.cleared).length },
      mean: { vehicles: mean((d) => d.vehicles), vehicleHours: mean((d) => d.vehicleHours), km: mean((d) => d.km), cost: mean((d) => d.cost) },
      peakFacilityShare,
    };
  });
  const best = recommend(configs, s.targetShare);
  return {
    scenario: s, configs, days,
    recommended: best && { label: best.label, fleet: best.fleet, share: best.share, interval: best.interval },
  };
}
