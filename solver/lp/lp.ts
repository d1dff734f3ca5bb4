/**
 * One small interface over the two LP/MIP engines we ship: javascript-lp-solver (pure JS,
 * the design card's choice) and HiGHS compiled to WebAssembly. Models are built once in
 * this neutral form; solver/README.md has the figures that chose the default per model.
 */
import jsLpModule from 'javascript-lp-solver';
import highsModule from 'highs';

// Both packages are CommonJS; under NodeNext their default import is module.exports.
type JsLp = { Solve(model: unknown): unknown };
const jsLp = ((jsLpModule as unknown as { default?: JsLp }).default ?? (jsLpModule as unknown as JsLp));
type HighsInstance = { solve(lp: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal?: number }> } };
type HighsLoader = () => Promise<HighsInstance>;
const highsLoader = ((highsModule as unknown as { default?: HighsLoader }).default ?? (highsModule as unknown as HighsLoader));

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
 * A work limit instead of the clock: with `maxNodes` the branch and bound stops after that many
 * nodes and only a proven optimum is taken, so the answer is the same on a fast or a loaded
 * machine (the time limit stays as a safety cap that a deterministic caller sets far away).
 */
export interface HighsLimits {
  maxNodes?: number;
}

export async function solveWithHighs(model: LinearModel, timeLimitS = 20, limits: HighsLimits = {}): Promise<LpResult> {
  highsPromise ??= highsLoader();
  const highs = await highsPromise;
  const options: Record<string, unknown> = { time_limit: timeLimitS, output_flag: false };
  if (limits.maxNodes !== undefined) options.mip_max_nodes = limits.maxNodes;
  const sol = highs.solve(toLpFormat(model), options);
  const values = new Float64Array(model.vars.length);
  const acceptIncumbent = limits.maxNodes === undefined && sol.Status === 'Time limit reached';
  const feasible = sol.Status === 'Optimal' || (acceptIncumbent && Number.isFinite(sol.ObjectiveValue));
  if (feasible) model.vars.forEach((_, j) => { values[j] = sol.Columns[`x${j}`]?.Primal ?? 0; });
  return { feasible, objective: feasible ? sol.ObjectiveValue : Infinity, values };
}

export async function solveLp(model: LinearModel, backend: LpBackend, timeLimitS = 20, limits: HighsLimits = {}): Promise<LpResult> {
  return backend === 'highs' ? solveWithHighs(model, timeLimitS, limits) : solveWithJsLp(model, timeLimitS * 1000);
}
