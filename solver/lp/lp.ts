/**
 * One small interface over the two LP/MIP engines we ship: javascript-lp-solver (pure JS,
 * the design card's choice) and HiGHS compiled to WebAssembly. Models are built once in
 * this neutral form; solver/README.md has the figures that chose the default per model.
 */
import jsLpModule from 'javascript-lp-solver';

// Both packages are CommonJS; under NodeNext their default import is module.exports.
type JsLp = { Solve(model: unknown): unknown };
const jsLp = ((jsLpModule as unknown as { default?: JsLp }).default ?? (jsLpModule as unknown as JsLp));
type HighsInstance = { solve(lp: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal?: number }> } };
type HighsLoader = () => Promise<HighsInstance>;
/** HiGHS (a 3.5 MB wasm build) is loaded on the first MIP, not when the solver is imported. */
async function highsLoader(): Promise<HighsInstance> {
  const highsModule: unknown = await import('highs');
  const load = ((highsModule as { default?: HighsLoader }).default ?? (highsModule as HighsLoader));
  return load();
}

export interface LinearModel {
  /** minimise sum(cost * x) */
  vars: Array<{ name: string; cost: number; integer?: boolean; upper?: number }>;
  rows: Array<{ name: string; terms: Array<[number, number]>; min?: number; max?: number; equal?: number }>;
}

export interface LpResult {
  feasible: boolean;
  objective: number;
  values: Float64Array;
}

export type LpBackend = 'jslp' | 'highs';

export function solveWithJsLp(model: LinearModel, timeoutMs = 20000): LpResult {
  const constraints: Record<string, { min?: number; max?: number; equal?: number }> = {};
  const variables: Record<string, Record<string, number>> = {};
  const ints: Record<string, 1> = {};
  model.rows.forEach((r, i) => {
    const key = `r${i}`;
    constraints[key] = r.equal !== undefined ? { equal: r.equal } : { ...(r.min !== undefined ? { min: r.min } : {}), ...(r.max !== undefined ? { max: r.max } : {}) };
  });
  model.vars.forEach((v, j) => {
    variables[`x${j}`] = { obj: v.cost };
    if (v.integer) ints[`x${j}`] = 1;
    if (v.upper !== undefined) {
      constraints[`ub${j}`] = { max: v.upper };
      variables[`x${j}`][`ub${j}`] = 1;
    }
  });
  model.rows.forEach((r, i) => { for (const [j, a] of r.terms) variables[`x${j}`][`r${i}`] = (variables[`x${j}`][`r${i}`] ?? 0) + a; });
  const res = jsLp.Solve({ optimize: 'obj', opType: 'min', constraints, variables, ints, options: { timeout: timeoutMs } }) as Record<string, unknown>;
  const values = new Float64Array(model.vars.length);
  model.vars.forEach((_, j) => { values[j] = Number(res[`x${j}`] ?? 0); });
  return { feasible: Boolean(res.feasible), objective: Number(res.result ?? 0), values };
}

let highsPromise: Promise<HighsInstance> | null = null;

/** CPLEX LP text of the model (what HiGHS' one-shot API reads). */
export function toLpFormat(model: LinearModel): string {
  const term = (a: number, j: number) => `${a < 0 ? '-' : '+'} ${Math.abs(a)} x${j}`;
  const lines = ['Minimize', ' obj: ' + (model.vars.map((v, j) => term(v.cost, j)).join(' ') || '0 x0'), 'Subject To'];
  model.rows.forEach((r, i) => {
    const lhs = r.terms.map(([j, a]) => term(a, j)).join(' ');
    if (r.equal !== undefined) lines.push(` r${i}: ${lhs} = ${r.equal}`);
    else {
      if (r.min !== undefined) lines.push(` r${i}l: ${lhs} >= ${r.min}`);
      if (r.max !== undefined) lines.push(` r${i}u: ${lhs} <= ${r.max}`);
    }
  });
  lines.push('Bounds');
  model.vars.forEach((v, j) => lines.push(v.upper !== undefined ? ` 0 <= x${j} <= ${v.upper}` : ` x${j} >= 0`));
  const ints = model.vars.map((v, j) => (v.integer ? `x${j}` : '')).filter(Boolean);
  if (ints.length) lines.push('General', ' ' + ints.join(' '));
  lines.push('End');
  return lines.join('\n');
}

/**
 * Without a time limit a MIP stops after this many branch-and-bound nodes: a fixed amount of
 * work, so the answer is the same on a quiet and on a loaded machine, as the solver's
 * iteration budgets promise. The set-partitioning and fleet-bound models of the tests and
 * benches close far below it (all optimal in under a second).
 */
export const MIP_MAX_NODES = 10_000;

/** HiGHS options for a limit: wall-clock seconds when the caller has a time budget, else nodes. */
export function highsLimits(timeLimitS?: number): Record<string, number> {
  return timeLimitS === undefined ? { mip_max_nodes: MIP_MAX_NODES } : { time_limit: timeLimitS };
}

/**
 * Statuses that stop at a limit but may hold a usable incumbent. The wasm build reports the
 * node limit as 'Unknown' (with the incumbent's objective when there is one).
 */
const LIMIT_STATUSES = new Set(['Time limit reached', 'Iteration limit reached', 'Unknown']);

export async function solveWithHighs(model: LinearModel, timeLimitS?: number): Promise<LpResult> {
  highsPromise ??= highsLoader();
  const highs = await highsPromise;
  const sol = highs.solve(toLpFormat(model), { ...highsLimits(timeLimitS), output_flag: false });
  const values = new Float64Array(model.vars.length);
  const hasIncumbent = Number.isFinite(sol.ObjectiveValue) && (model.vars.length === 0 || sol.Columns['x0']?.Primal !== undefined);
  const feasible = sol.Status === 'Optimal' || (LIMIT_STATUSES.has(sol.Status) && hasIncumbent);
  if (feasible) model.vars.forEach((_, j) => { values[j] = sol.Columns[`x${j}`]?.Primal ?? 0; });
  return { feasible, objective: feasible ? sol.ObjectiveValue : Infinity, values };
}

/**
 * `timeLimitS` caps the wall clock for callers under a time budget; without it HiGHS stops by
 * nodes (deterministic). javascript-lp-solver only solves the continuous allocation LP here,
 * which ends by itself; its timeout stays a safety cap.
 */
export async function solveLp(model: LinearModel, backend: LpBackend, timeLimitS?: number): Promise<LpResult> {
  return backend === 'highs' ? solveWithHighs(model, timeLimitS) : solveWithJsLp(model, (timeLimitS ?? 20) * 1000);
}
