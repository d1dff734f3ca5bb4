/**
 * A VRPTW benchmark set in the Solomon text format (Solomon 100, Gehring & Homberger 400 and
 * 1,000) run for bench/solver.ts: which instances (a fixed subset per class for a quick loop),
 * one solve per instance with its plan taken at checkpoints (anytime figures), and every plan,
 * the checkpoints' as well as the final one, scored from the validator's recomputation.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { solve, validateSolution, type ProblemInput, type Solution } from '../index.js';
import { readCsv } from './common.js';
import { score, type BestKnown, type Row } from './score.js';
import { loadSolomon } from './solomon.js';

/** The instance class of a name: C1, R2, RC1 … (Solomon `RC105`, Homberger `RC1_4_5`). */
export function instanceClass(name: string): string {
  return /^([A-Z]+\d)/.exec(name)?.[1] ?? name;
}

/**
 * Instance names of a folder in natural order, then narrowed: `only` one name, `subset` the
 * first k of each class by that order (fixed by name, so a quick loop always runs the same
 * ones), `every` every n-th.
 */
export function pickInstances(dir: string, opts: { only?: string; subset?: number; every?: number } = {}): string[] {
  let names = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => basename(f, '.txt'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (opts.only) names = names.filter((n) => n === opts.only);
  if (opts.subset) {
    const taken = new Map<string, number>();
    names = names.filter((n) => {
      const c = instanceClass(n), k = taken.get(c) ?? 0;
      taken.set(c, k + 1);
      return k < opts.subset!;
    });
  }
  if (opts.every && opts.every > 1) names = names.filter((_, i) => i % opts.every! === 0);
  return names;
}

/** Best known per instance from a `bks.csv` with `instance, vehicles, distance` (+ Solomon's distance-only columns). */
export function readBestKnown(path: string, distanceOnly = false): Map<string, BestKnown> {
  const out = new Map<string, BestKnown>();
  for (const r of readCsv(path)) {
    const text = distanceOnly ? r.mindist_distance : r.distance;
    out.set(r.instance, { value: Number(text), text, proven: false, vehicles: distanceOnly ? undefined : Number(r.vehicles),
      doubtful: distanceOnly && /DOUBTFUL mindist/.test(r.notes ?? '') });
  }
  return out;
}

/** A moment of the run at which the plan is scored: seconds of wall clock or iterations. */
export interface Moment { label: string; ms?: number; iteration?: number }

export interface InstanceRun {
  final: Solution;
  wallS: number;
  /** CPU seconds of this process during the solve (less sensitive than wall time to other work on the machine) */
  cpuS: number;
  /** the plan at each moment, in the order of `moments` (the final plan for a moment never reached) */
  atMoments: Solution[];
}

/** One solve with its plan kept at each moment (the solver hands it out; nothing is validated here). */
export async function runInstance(problem: ProblemInput, opts: { seed: number; threads?: number; timeS?: number; maxIterations?: number; moments: Moment[] }): Promise<InstanceRun> {
  const atMs = opts.moments.filter((m) => m.ms !== undefined).map((m) => m.ms!);
  const atIterations = opts.moments.filter((m) => m.iteration !== undefined).map((m) => m.iteration!);
  const byMs = new Map<number, Solution>(), byIt = new Map<number, Solution>();
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  const final = await solve(problem, {
    seed: opts.seed, threads: opts.threads, maxIterations: opts.maxIterations ?? 1e9, timeLimitMs: opts.timeS === undefined ? undefined : opts.timeS * 1000,
    checkpoints: { atMs, atIterations, onCheckpoint: (sol, at) => (at.ms !== undefined ? byMs.set(at.ms, sol) : byIt.set(at.iteration!, sol)) },
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const atMoments = opts.moments.map((m) => (m.ms !== undefined ? byMs.get(m.ms) : byIt.get(m.iteration!)) ?? final);
  return { final, wallS, cpuS, atMoments };
}

/** Score a plan against the best known from the validator's recomputation alone (the plan's own figures are not read). */
export function scorePlan(name: string, problem: ProblemInput, plan: Solution, timeS: number, bks: BestKnown | undefined): Row {
  return score(name, validateSolution(problem, plan), timeS, bks);
}

/** Load an instance of a set folder. */
export function loadInstance(dir: string, name: string, distanceOnly = false): ProblemInput {
  return loadSolomon(join(dir, `${name}.txt`), { objective: distanceOnly ? 'cost' : 'vehicles-then-cost' });
}
