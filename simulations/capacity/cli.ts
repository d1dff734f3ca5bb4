import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import { openDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { demoCitySnapshot, storeCitySnapshot } from './city.js';
import { fleetVehicles, type FleetConfig } from './perturb.js';
import { scenarioSchema, type ScenarioInput } from './scenario.js';
import { runStudy, type StudyResult } from './study.js';

/**
 *   npm run simulate -- capacity --days 30 --fleet collector=8,12,17 [--fleet sweeper=6,8]
 *     [--seed 1] [--iterations 200] [--threads 2] [--work points,muck,streets] [--start 2027-01-04]
 *     [--target 0.99] [--scenario scenario.json] [--store]
 *
 * Several --fleet flags are combined (every size of one with every size of the other). The
 * city is the demo city unless --store (the configured DATABASE_URL or DATA_DIR). Progress
 * goes to stderr; the table and then one JSON line (the summary) to stdout.
 * Exit codes: 0 done, 1 failed, 2 bad usage.
 */
export const CAPACITY_USAGE = `usage: npm run simulate -- capacity --days <N> --fleet <kind[:class]>=<n>,<n>... [--fleet ...]
  [--seed <S>] [--iterations <I>] [--threads <T>] [--work points,muck,streets] [--start YYYY-MM-DD]
  [--target 0.99] [--snow <share of days, every month>] [--scenario <file.json>] [--store]`;

export interface CliIo {
  out(line: string): void;
  progress(line: string): void;
}

export class UsageError extends Error {}

/** `collector=4,5,6` flags → every combination of the sizes. */
export function parseFleets(flags: string[]): FleetConfig[] {
  let configs: FleetConfig[] = [{}];
  for (const flag of flags) {
    const m = /^([a-z_]+(?::[a-z]+)?)=(\d+(?:,\d+)*)$/.exec(flag);
    if (!m) throw new UsageError(`--fleet ${flag}: expected kind[:class]=n[,n...] (collector=4,5,6)`);
    const sizes = m[2]!.split(',').map(Number);
    configs = configs.flatMap((c) => sizes.map((n) => ({ ...c, [m[1]!]: n })));
  }
  return configs;
}

export function parseCapacityArgs(argv: string[]): { scenario: ScenarioInput; threads: number; store: boolean } {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      days: { type: 'string' }, fleet: { type: 'string', multiple: true }, seed: { type: 'string' }, iterations: { type: 'string' },
      threads: { type: 'string' }, work: { type: 'string' }, start: { type: 'string' }, target: { type: 'string' },
      scenario: { type: 'string' }, store: { type: 'boolean' }, snow: { type: 'string' },
    },
  });
  const fromFile = values.scenario ? JSON.parse(readFileSync(values.scenario, 'utf8')) as Record<string, unknown> : {};
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const input = {
    ...fromFile,
    ...(values.days ? { days: num(values.days) } : {}),
    ...(values.fleet ? { fleets: parseFleets(values.fleet) } : {}),
    ...(values.seed ? { seed: num(values.seed) } : {}),
    ...(values.iterations ? { iterations: num(values.iterations) } : {}),
    ...(values.work ? { work: values.work.split(',') } : {}),
    ...(values.start ? { startDate: values.start } : {}),
    ...(values.target ? { targetShare: num(values.target) } : {}),
    // one share for every month; a scenario file gives the seasonal profile (snow.monthly)
    ...(values.snow ? { snow: { ...(fromFile.snow as object | undefined), monthly: Array.from({ length: 12 }, () => num(values.snow)) } } : {}),
  };
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'scenario'}: ${i.message}`).join('; '));
  }
  const threads = num(values.threads) ?? 1;
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) throw new UsageError('--threads: 0-64');
  return { scenario: input as ScenarioInput, threads, store: values.store ?? false };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function table(result: StudyResult): string[] {
  const rows = [['fleet', 'days', 'cleared', 'share', '95% CI', 'snow days cleared', 'vehicles', 'hours', 'km', 'unserved']];
  for (const c of result.configs) {
    const unserved = Object.entries(c.unservedByReason).map(([r, n]) => `${r}:${n}`).join(' ') || '-';
    rows.push([c.label, String(c.days), String(c.cleared), pct(c.share), `${pct(c.interval.low)}-${pct(c.interval.high)}`,
      `${c.snow.cleared}/${c.snow.days}`, String(c.mean.vehicles), String(c.mean.vehicleHours), String(c.mean.km), unserved]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.push(result.recommended
    ? `smallest fleet clearing ${pct(result.scenario.targetShare)} of days: ${result.recommended.label} (${pct(result.recommended.share)}, 95% CI ${pct(result.recommended.interval.low)}-${pct(result.recommended.interval.high)})`
    : `no fleet tried clears ${pct(result.scenario.targetShare)} of days`);
  return lines;
}

export async function runCapacityCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let args: ReturnType<typeof parseCapacityArgs>;
  try {
    args = parseCapacityArgs(argv);
  } catch (e) {
    io.progress(`${(e as Error).message}\n${CAPACITY_USAGE}`);
    return 2;
  }
  const config = loadConfig(env);
  let base: PlanningSnapshot;
  if (args.store) {
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, purpose: 'a capacity study', pgliteSharedBuffers: config.pgliteSharedBuffers });
    try {
      await migrate(db);
      base = await storeCitySnapshot(db);
    } finally {
      await db.close();
    }
  } else {
    base = await demoCitySnapshot();
  }
  for (const fleet of scenarioSchema.parse(args.scenario).fleets) {
    try {
      fleetVehicles(base.vehicles, fleet);
    } catch (e) {
      io.progress(`--fleet: ${(e as Error).message}\n${CAPACITY_USAGE}`);
      return 2;
    }
  }
  const osmFile = args.store ? config.osmFile : DEMO_OSM_FILE;
  if (!osmFile) {
    io.progress('the store\'s city has no road network (OSM_FILE=none): a study needs one');
    return 1;
  }
  const started = Date.now();
  const result = await runStudy(base, args.scenario, {
    osmFile, networkCacheDir: config.networkCacheDir, threads: args.threads,
    onProgress: (done, total, last) => {
      const width = 30;
      const bar = '#'.repeat(Math.round((done / total) * width)).padEnd(width, '.');
      io.progress(`[${bar}] ${done}/${total} days planned, ${Math.round((Date.now() - started) / 1000)} s; last: ${last.fleet} ${last.date} ${last.cleared ? 'cleared' : 'not cleared'}`);
    },
  });
  for (const line of table(result)) io.out(line);
  io.out(JSON.stringify({
    seed: result.scenario.seed, days: result.scenario.days, iterations: result.scenario.iterations, targetShare: result.scenario.targetShare,
    configs: result.configs.map((c) => ({ fleet: c.fleet, days: c.days, cleared: c.cleared, share: c.share, interval: c.interval, snow: c.snow, mean: c.mean, unservedByReason: c.unservedByReason })),
    recommended: result.recommended, wallS: Math.round((Date.now() - started) / 100) / 10,
  }));
  return 0;
}
