/**
 * Command line: `npm run solver -- <command> ...`
 *   solve <problem.json> [--seed N] [--iterations N] [--time S] [--threads N] [--out solution.json]
 *   validate <problem.json> <solution.json>          (exit code 1 when a rule is broken; the report says
 *       valid, complete and unservedCount)
 *   bench <instance file> [--format F] [--time S] [--seed N] [--threads N] [--objective vehicles|cost] [--out solution.json]
 *       F: solomon | cvrp | carp | mcarptif (guessed from the file when omitted); solves,
 *       validates and prints the figures (use bench/solver.ts for whole benchmark sets)
 *   convert <instance file> [--format F] [--out problem.json]   classic format -> Problem JSON
 *   city [--seed N] [--scale X] [--out problem.json]           a generated city day
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { solve, validateSolution, type ProblemInput } from './index.js';
import { parseSolomon } from './bench/solomon.js';
import { parseCvrp } from './bench/cvrp.js';
import { parseCarp, parseMcarptif } from './bench/carp.js';
import { generateCity } from './fixtures/grid-city.js';

const [command, ...rest] = process.argv.slice(2);
const positional = rest.filter((a, i) => !a.startsWith('--') && !(i > 0 && rest[i - 1].startsWith('--')));
const opt = (name: string): string | undefined => { const i = rest.indexOf(`--${name}`); return i >= 0 ? rest[i + 1] : undefined; };

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function output(obj: unknown): void {
  const text = JSON.stringify(obj, null, 1);
  const out = opt('out');
  if (out) writeFileSync(out, text);
  else process.stdout.write(text + '\n');
}

function loadClassic(path: string): ProblemInput {
  const text = readFileSync(path, 'utf8');
  let format = opt('format');
  if (!format) {
    if (/NOMBRE\s*:/.test(text)) format = 'carp';
    else if (/DUMPING_SITES/.test(text)) format = 'mcarptif';
    else if (/NODE_COORD_SECTION/.test(text)) format = 'cvrp';
    else if (/CUST(OMER)?/.test(text)) format = 'solomon';
    else throw new Error('cannot tell the instance format; pass --format');
  }
  const objective = opt('objective') === 'cost' ? 'cost' : 'vehicles-then-cost';
  switch (format) {
    case 'solomon': return parseSolomon(text, { objective });
    case 'cvrp': return parseCvrp(text);
    case 'carp': return parseCarp(text);
    case 'mcarptif': return parseMcarptif(text);
    default: throw new Error(`unknown format ${format}`);
  }
}

function progressBar(fraction: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round(fraction * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}%`);
  if (fraction >= 1) process.stderr.write('\n');
}

async function main(): Promise<number> {
  const seed = Number(opt('seed') ?? 1);
  const timeS = opt('time');
  // search threads for the one problem (vrp/parallel/); 1 = the search on this thread
  const threads = Number(opt('threads') ?? 1);
  if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads: a whole number >= 1');
  switch (command) {
    case 'solve': {
      if (!positional[0]) throw new Error('usage: solve <problem.json>');
      const sol = await solve(readJson(positional[0]), {
        seed, maxIterations: Number(opt('iterations') ?? 20000), timeLimitMs: timeS ? Number(timeS) * 1000 : undefined, threads,
        onProgress: (f) => progressBar(f),
      });
      output(sol);
      return 0;
    }
    case 'validate': {
      if (!positional[1]) throw new Error('usage: validate <problem.json> <solution.json>');
      const report = validateSolution(readJson(positional[0]), readJson(positional[1]));
      output(report);
      return report.valid ? 0 : 1;
    }
    case 'bench': {
      if (!positional[0]) throw new Error('usage: bench <instance file>');
      const problem = loadClassic(positional[0]);
      const t0 = performance.now();
      const sol = await solve(problem, { seed, maxIterations: timeS ? 1e9 : Number(opt('iterations') ?? 20000), timeLimitMs: timeS ? Number(timeS) * 1000 : undefined, threads, onProgress: progressBar });
      const wallS = (performance.now() - t0) / 1000;
      const report = validateSolution(problem, sol);
      if (opt('out')) writeFileSync(opt('out')!, JSON.stringify(sol));
      // every figure from the validator's recomputation, not from what the solver states
      const r = report.recomputed;
      console.log(JSON.stringify({ instance: problem.name, vehicles: r.vehicles, distance: r.distanceM, cost: r.cost,
        unserved: report.unservedCount, complete: report.complete, valid: report.valid, violations: report.violations.slice(0, 5), repairs: sol.stats.repairs, threads, wallS }));
      return report.valid ? 0 : 1;
    }
    case 'convert': {
      if (!positional[0]) throw new Error('usage: convert <instance file>');
      output(loadClassic(positional[0]));
      return 0;
    }
    case 'city': {
      output(generateCity({ seed: Number(opt('seed') ?? 7), scale: Number(opt('scale') ?? 1) }));
      return 0;
    }
    default:
      process.stderr.write('commands: solve, validate, bench, convert, city (see solver/cli.ts)\n');
      return 2;
  }
}

main().then((code) => { process.exitCode = code; }, (e: Error) => { process.stderr.write(`error: ${e.message}\n`); process.exitCode = 2; });
