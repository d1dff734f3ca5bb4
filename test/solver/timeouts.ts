/**
 * Timeout of the suites that solve real instances. Their work is fixed by the iteration
 * budget, so a slow or loaded machine only makes them take longer (the R102 test took 85-92 s
 * on a busy 2-core machine, 7 s of CPU on a quiet one): the timeout is a guard against a
 * hang, never a measure of speed. Speed is what `npm run bench:solver` measures.
 */
export const SOLVER_HANG_GUARD_MS = 10 * 60_000;
