/**
 * `npm run bench:simulate [-- --days 90 --fleet collector=12,17 --iterations 200 --work points]`:
 * a capacity study of the demo city with one worker thread and then with two; the figure is
 * the speed-up (goal ≥ 1.8 on two free cores) and the check that both give the same days.
 * Each thread's start (the thread, its road network from the cache) is a fixed cost a short
 * study does not amortise: the table shows when the first plan was done and the speed-up of the
 * steady part (plans after each thread's first), besides the whole run's.
 * A table and one JSON line. The fleet simulator's fix rate is not measured here (`npm run simulate --
 * fleet --mode load` prints what it sustains).
 */
import { cpus } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { arg } from './args.js';
import { demoCitySnapshot } from '../simulations/capacity/city.js';
import { parseFleets } from '../simulations/capacity/cli.js';
import type { ScenarioInput } from '../simulations/capacity/scenario.js';
import { runStudy, type StudyResult } from '../simulations/capacity/study.js';
import { DEMO_OSM_FILE } from '../src/demo/demo-files.js';

const days = Number(arg('days') ?? 90);
const fleets = parseFleets([arg('fleet') ?? 'collector=12,17']);
const iterations = Number(arg('iterations') ?? 200);
const work = (arg('work') ?? 'points').split(',') as ScenarioInput['work'];
const scenario: ScenarioInput = { days, fleets, iterations, work, seed: Number(arg('seed') ?? 1) };
const cacheDir = arg('cache') ?? './data/cache/network';

const city = await demoCitySnapshot();
const timed = async (threads: number): Promise<{ result: StudyResult; wallMs: number; cpuMs: number; firstMs: number; steadyMs: number }> => {
  const cpu = process.cpuUsage();
  const t = performance.now();
  // when the n-th plan was done: the first `threads` plans carry each thread's start
  const doneAtMs: number[] = [];
  const result = await runStudy(city, scenario, {
    osmFile: DEMO_OSM_FILE, networkCacheDir: cacheDir, threads,
    onProgress: (done, total) => {
      doneAtMs.push(performance.now() - t);
      process.stderr.write(`\r${threads} thread(s): ${done}/${total} plans`);
    },
  });
  process.stderr.write('\n');
  const used = process.cpuUsage(cpu);
  const wallMs = Math.round(performance.now() - t);
  const startedMs = doneAtMs[Math.min(threads, doneAtMs.length) - 1] ?? 0;
  return { result, wallMs, cpuMs: Math.round((used.user + used.system) / 1000), firstMs: Math.round(doneAtMs[0] ?? 0), steadyMs: Math.round(wallMs - startedMs) };
};

const one = await timed(1);
const two = await timed(2);
const same = isDeepStrictEqual(one.result.days, two.result.days);
const speedup = Math.round((one.wallMs / two.wallMs) * 100) / 100;
const plans = days * fleets.length;
// plans per second after each thread's first plan
const steadyRate = (r: typeof one, threads: number) => (plans - threads) / Math.max(1, r.steadyMs);
const steadySpeedup = plans > 2 ? Math.round((steadyRate(two, 2) / steadyRate(one, 1)) * 100) / 100 : null;
console.log(`\nCapacity study of the demo city: ${days} days × ${fleets.length} fleets (${plans} plans), ${iterations} iterations a day, work ${work?.join('+')}; ${cpus().length} cores`);
// on a shared machine the wall ratio says more of the others' load than of the study: the CPU per
// plan says what parallel work costs (a second thread's start, its network, contention)
console.log('\n| threads | wall s | first plan s | plans/min | steady plans/min | process cpu s | cpu s per plan |\n|---|---|---|---|---|---|---|');
for (const [n, r] of [[1, one], [2, two]] as const) {
  console.log(`| ${n} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.firstMs / 1000).toFixed(1)} | ${((plans / r.wallMs) * 60_000).toFixed(1)} | ${(steadyRate(r, n) * 60_000).toFixed(1)} | ${(r.cpuMs / 1000).toFixed(1)} | ${(r.cpuMs / 1000 / plans).toFixed(2)} |`);
}
console.log(`\nspeed-up ${speedup} (goal ≥ 1.8), steady part ${steadySpeedup ?? '–'}; same days with one and two threads: ${same}`);
for (const c of two.result.configs) console.log(`${c.label}: ${c.cleared}/${c.days} days cleared (${(c.interval.low * 100).toFixed(1)}-${(c.interval.high * 100).toFixed(1)} %)`);
console.log(`recommended: ${two.result.recommended?.label ?? 'none reaches the target'}`);
console.log(JSON.stringify({
  bench: 'simulate', case: 'capacity-demo-city', days, fleets, iterations, work, plans, cores: cpus().length,
  oneThread: { wallMs: one.wallMs, firstPlanMs: one.firstMs, cpuMs: one.cpuMs }, twoThreads: { wallMs: two.wallMs, firstPlanMs: two.firstMs, cpuMs: two.cpuMs }, speedup, steadySpeedup, goalSpeedup: 1.8, sameDays: same,
  configs: two.result.configs.map((c) => ({ fleet: c.fleet, cleared: c.cleared, days: c.days, interval: c.interval })), recommended: two.result.recommended?.fleet ?? null,
}));
