/**
 * Anytime plans: the Solution as it stands at given moments of one solve (wall-clock times
 * for a bench's "gap at 10 s, 60 s, 300 s", iteration counts for a deterministic look). At a
 * checkpoint the partition being searched gives its best plan so far, settled like the final
 * one (settle.ts); partitions already finished give their routes; partitions not searched yet
 * are listed unserved. A moment the solve never reaches gets the final plan. Nothing here
 * feeds back into the search: a solve with checkpoints returns exactly the plan it returns
 * without them.
 */
import type { Problem, Route, Solution, Unserved } from './problem.js';
import type { Compiled } from './vrp/compile.js';
import type { SearchCheckpoints } from './vrp/search.js';
import { diagnose } from './vrp/plan.js';
import { settlePartition, toSolution } from './settle.js';

export interface SolveCheckpoints {
  /** milliseconds since the solve started, ascending */
  atMs?: readonly number[];
  /** iterations over the whole solve (the partitions' counts added up), ascending */
  atIterations?: readonly number[];
  /** the plan at that moment (a fresh object the receiver may keep); called once per moment, in order */
  onCheckpoint: (solution: Solution, at: { ms?: number; iteration?: number }) => void;
}

/** What the solve has settled before a partition's search (compile's unserved included). */
export interface SettledSoFar {
  routes: readonly Route[];
  unserved: readonly Unserved[];
  usedKg: ReadonlyMap<string, number>;
  iterations: number;
}

export class Checkpoints {
  private servedMs = 0;
  private servedIt = 0;

  constructor(private readonly p: Problem, private readonly cp: SolveCheckpoints, private readonly startMs: number, private readonly seed: number) {}

  /** The hook for the search of partition k, given what the partitions before it settled. */
  forPartition(compiled: Compiled, k: number, sofar: SettledSoFar): SearchCheckpoints {
    const cm = compiled.models[k];
    const emit: SearchCheckpoints['onCheckpoint'] = (best, at) => {
      const settled = settlePartition(this.p, cm, best, new Map(sofar.usedKg));
      const later: Unserved[] = [];
      for (const next of compiled.models.slice(k + 1)) for (let t = 0; t < next.model.nTasks; t++) later.push(diagnose(this.p, next, t));
      // stats.iterations: the work done when the plan was handed out (not when it was found)
      const sol = toSolution(this.p, [...sofar.routes, ...settled.routes],
        [...sofar.unserved, ...settled.unserved, ...settled.takenOut, ...later], sofar.iterations + at.iteration, this.seed);
      if (at.ms !== undefined) { this.servedMs++; this.cp.onCheckpoint(sol, { ms: at.ms - this.startMs }); }
      else { this.servedIt++; this.cp.onCheckpoint(sol, { iteration: sofar.iterations + at.iteration }); }
    };
    return {
      atMs: this.cp.atMs?.slice(this.servedMs).map((ms) => this.startMs + ms),
      atIterations: this.cp.atIterations?.slice(this.servedIt).map((it) => it - sofar.iterations),
      onCheckpoint: emit,
    };
  }

  /** Moments the search did not reach get the final plan. */
  finish(solution: Solution): void {
    const copy = () => structuredClone(solution);
    for (const ms of this.cp.atMs?.slice(this.servedMs) ?? []) this.cp.onCheckpoint(copy(), { ms });
    for (const iteration of this.cp.atIterations?.slice(this.servedIt) ?? []) this.cp.onCheckpoint(copy(), { iteration });
    this.servedMs = this.cp.atMs?.length ?? 0;
    this.servedIt = this.cp.atIterations?.length ?? 0;
  }
}
