/**
 * More than one core for one problem (issue 15, item 4): search threads with their own
 * seeds feed one pool of routes, set partitioning picks the plan, and every round restarts
 * the threads from the best plan. The plan must be valid, the same for the same seed,
 * thread count and budget, and built from the work of both threads.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseProblem, solve, validateSolution } from '../../solver/index.js';
import { loadSolomon } from '../../solver/bench/solomon.js';
import { compileProblem } from '../../solver/vrp/compile.js';
import { parallelSearch, threadSeed } from '../../solver/vrp/parallel/parallelSearch.js';
import { SearchThread } from '../../solver/vrp/parallel/threads.js';
import { SOLVER_HANG_GUARD_MS } from './timeouts.js';

const solomon = (name: string) => loadSolomon(join(import.meta.dirname, '..', '..', 'data', 'bench', 'solomon', `${name}.txt`));

describe('parallel search (threads)', { timeout: SOLVER_HANG_GUARD_MS }, () => {
  it('gives a valid plan, the same one on a second run, with two threads', async () => {
    const p = solomon('RC105');
    const a = await solve(p, { seed: 3, maxIterations: 200, threads: 2 });
    const report = validateSolution(p, a);
    expect(report.violations).toEqual([]);
    expect(report.complete).toBe(true);
    // each of the two threads ran the budget
    expect(a.stats.iterations).toBe(400);
    const b = await solve(p, { seed: 3, maxIterations: 200, threads: 2 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('builds the plan from routes the second thread found', async () => {
    const m = compileProblem(parseProblem(solomon('RC105'))).models[0].model;
    const other = new SearchThread('test-search-1');
    try {
      const r = await parallelSearch(m, { seed: 1, maxIterations: 300, threads: [other] });
      expect(r.unassigned).toEqual([]);
      expect(r.routesByThread.reduce((a, b) => a + b, 0)).toBe(r.routes.length);
      expect(r.routesByThread[1]).toBeGreaterThan(0);
    } finally {
      await other.terminate();
    }
  });

  it('is never worse than one thread with the same budget per thread (thread 0 is the one-thread search)', async () => {
    const p = solomon('RC105');
    const one = await solve(p, { seed: 1, maxIterations: 300 });
    const two = await solve(p, { seed: 1, maxIterations: 300, threads: 2 });
    expect(validateSolution(p, two).violations).toEqual([]);
    expect(two.cost.vehicles).toBeLessThanOrEqual(one.cost.vehicles);
    if (two.cost.vehicles === one.cost.vehicles) expect(two.cost.total).toBeLessThanOrEqual(one.cost.total + 1e-6);
  });

  it('gives each thread and round its own seed, the first thread keeping the caller\'s', () => {
    const seeds = new Set<number>();
    for (let thread = 0; thread < 4; thread++) for (let round = 0; round < 4; round++) seeds.add(threadSeed(7, thread, round));
    expect(seeds.size).toBe(16);
    expect(threadSeed(7, 0, 0)).toBe(7);
  });
});
