import { beforeAll, describe, expect, it } from 'vitest';
import { validateSolution } from '../../solver/index.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import { joinProblem } from '../../src/planning/problem-codec.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { demoCitySnapshot } from '../../simulations/capacity/city.js';
import type { DayOutcome } from '../../simulations/capacity/evaluate.js';
import { evaluateDay } from '../../simulations/capacity/evaluate.js';
import { prepareStudy, runStudy } from '../../simulations/capacity/study.js';
import { runPlanJob } from '../../src/planning/plan-job.js';
import { TEST_NETWORK_CACHE } from '../helpers/planning.js';

/**
 * A small capacity study of the demo city through the real pipeline (road network → Problem →
 * solve → validate) in worker threads. Budgets are tiny (iterations, not seconds): the figures
 * are checked against the validator run here on each day's plan, not against the study's summary.
 */
let city: PlanningSnapshot;
beforeAll(async () => {
  city = await demoCitySnapshot();
});

const options = { osmFile: DEMO_OSM_FILE, networkCacheDir: TEST_NETWORK_CACHE };

describe('capacity study on the demo city', () => {
  // Two days: the small fleet already misses one, the large one clears both (each day is a plan of the city).
  const DAYS = 2;
  it('the larger fleet clears at least as many days, and the recommendation is the smallest fleet that reaches the target', async () => {
    const fleets = [{ collector: 6 }, { collector: 17 }];
    const checked: Array<{ fleet: string; collectors: number; cleared: boolean; outcome: DayOutcome }> = [];
    const result = await runStudy(city, { days: DAYS, seed: 11, iterations: 20, work: ['points'], fleets, targetShare: 0.99 }, {
      ...options, threads: 2,
      onPlan: (outcome, plan) => {
        const problem = joinProblem(plan.problemDoc, plan.problemMatrices);
        const report = validateSolution(problem, plan.solution);
        const pointsLeftOut = plan.excluded.filter((e) => e.kind === 'point').length;
        // points only: every required visit is a collection-point visit
        expect(report.recomputed.required).toBe(problem.jobs!.reduce((n, j) => n + (j.visitsPerDay ?? 1), 0));
        checked.push({
          fleet: outcome.fleet, collectors: problem.vehicles.filter((v) => v.id.startsWith('collector-')).length,
          cleared: report.valid && pointsLeftOut === 0 && report.recomputed.served === report.recomputed.required, outcome,
        });
      },
    });
    expect(checked).toHaveLength(2 * DAYS);
    // the fleet sizes reached the planner (less the trucks in the workshop that day)
    for (const c of checked) expect(c.collectors).toBe((c.fleet === 'collector=6' ? 6 : 17) - c.outcome.inRepair.filter((id) => id.startsWith('collector-')).length);
    // the study's verdict for each day is the validator's
    for (const c of checked) expect(c.outcome.cleared).toBe(c.cleared);
    const clearedDays = (fleet: string) => checked.filter((c) => c.fleet === fleet && c.cleared).length;
    expect(clearedDays('collector=17')).toBeGreaterThanOrEqual(clearedDays('collector=6'));
    expect(clearedDays('collector=17')).toBe(DAYS);
    expect(clearedDays('collector=6')).toBeLessThan(DAYS);
    // smallest fleet whose recomputed share reaches 99 %
    const reaching = fleets.filter((f) => clearedDays(`collector=${f.collector}`) / DAYS >= 0.99).map((f) => f.collector);
    expect(result.recommended?.fleet).toEqual({ collector: Math.min(...reaching) });
    expect(result.configs.map((c) => c.cleared)).toEqual([clearedDays('collector=6'), clearedDays('collector=17')]);
  });

  it("a study's day reuses the matrices of an earlier day and draws no map, and plans exactly as a plan made from scratch", async () => {
    const study = prepareStudy(city, { days: 2, seed: 3, iterations: 5, work: ['points'], fleets: [{ collector: 12 }] }, options);
    const [first, second] = [study.job(0), study.job(1)];
    expect(second.input.study).toBe(true);
    await runPlanJob(first.input); // its matrices are kept in this thread
    const reused = await runPlanJob(second.input);
    const fresh = await runPlanJob({ ...second.input, study: false });
    expect(reused.geometry.features).toEqual([]);
    expect(fresh.geometry.features.length).toBeGreaterThan(0);
    expect(joinProblem(reused.problemDoc, reused.problemMatrices)).toEqual(joinProblem(fresh.problemDoc, fresh.problemMatrices));
    expect(reused.solution).toEqual(fresh.solution);
    expect(evaluateDay(second.base, reused, second.input.snapshot.facilities)).toEqual(evaluateDay(second.base, fresh, second.input.snapshot.facilities));
  });

  it('is the same for a seed, whether the days run in two threads or in this one', async () => {
    const scenario = { days: 2, seed: 4, iterations: 10, work: ['points' as const], fleets: [{ collector: 9 }], rain: { probability: 0.5 } };
    const threaded = await runStudy(city, scenario, { ...options, threads: 2 });
    const inline = await runStudy(city, scenario, { ...options, threads: 0 });
    expect(inline.days).toEqual(threaded.days);
    expect(inline.configs).toEqual(threaded.configs);
    // and a different seed gives other days
    const other = await runStudy(city, { ...scenario, days: 1, seed: 5 }, { ...options, threads: 0 });
    expect(other.days[0]!.km).not.toBe(threaded.days[0]!.km);
  });
});
