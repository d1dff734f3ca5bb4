/**
 * bench:compliance — the detectors' cost per fix: fixes per second through the compliance
 * pipeline (reorder buffer, per-fix judgement, the nine rules, the ledger), on the demo city's
 * permits, sites and zones, with and without off-route map matching on the demo road network.
 *
 *   npm run bench:compliance -- [--trucks 2000] [--minutes 30] [--batch 500] [--seed 1] [--matcher both|on|off]
 *                               [--nights 2] [--trips 4] [--speedup 1000] [--part both|cost|truth]
 *
 * Part two (`compliance-truth.ts`): recall, precision, duplicates and latency on generated nights
 * with ground truth (simulations/muck-night), replayed over JT/T 808 into a running service;
 * `--seed` seeds the nights too (night k has seed + k).
 *
 * Each truck drives its permit's corridor out loaded and back empty, a fix every 10 s with
 * ±6 m GPS noise; one truck in 20 leaves the corridor for 2 minutes, one in 20 speeds, one in 20
 * drives with the cover open, one in 50 sends a fix out of order, one in 25 uploads a 3-minute
 * blind-area stretch 5 minutes late (its detectors re-run over the history). Batches interleave the trucks
 * the way group commits do. Only accept()+tick() are timed (the fixes are built beforehand).
 * Timed in CPU time of this process (the machine may be shared; wall time is printed beside it). The budget line: a city of 10,000 trucks at one fix per 10 s offers 1,000 fixes/s; the share of
 * one core it takes is 1,000 / (fixes/s).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { arg } from './args.js';
import { printTruth, runTruthNights } from './compliance-truth.js';
import { haversineM, mulberry32 } from '../solver/index.js';
import { loadNetwork, simulateTrace, type Leg } from '../solver/network/index.js';
import { generateDemoCity } from '../src/demo/demo-city.js';
import { DEMO_OSM_FILE } from '../src/demo/demo-files.js';
import { cityProfileSchema } from '../src/domain/city-profile.js';
import type { Permit, Vehicle } from '../src/domain/model.js';
import { ComplianceMonitor } from '../src/compliance/monitor.js';
import { roadMatcher } from '../src/compliance/road-matcher.js';
import type { PositionMatcher } from '../src/compliance/detector.js';
import type { IncidentEvent } from '../src/compliance/incident-event.js';
import type { StoredFix } from '../src/tracking/position-writer.js';

const trucks = Number(arg('trucks') ?? 2000);
const minutes = Number(arg('minutes') ?? 30);
const batchSize = Number(arg('batch') ?? 500);
const seed = Number(arg('seed') ?? 1);
const matcherMode = arg('matcher') ?? 'both';
const part = arg('part') ?? 'both';
const nights = Number(arg('nights') ?? 2);
const tripsPerTruck = Number(arg('trips') ?? 4);
const speedup = Number(arg('speedup') ?? 1000);

const city = await generateDemoCity({ seed: 1 });
const profile = cityProfileSchema.parse({ ...city.profile });
const template = city.vehicles.find((v) => v.kind === 'muck_truck')!;
const vehicles: Vehicle[] = Array.from({ length: trucks }, (_, i) => ({ ...template, id: `bench-${i}`, plate: `B${i}`, terminalId: undefined, deviceId: undefined }) as Vehicle);
const permits: Permit[] = city.permits.map((p, k) => ({ ...p, vehicleIds: vehicles.filter((_, i) => i % city.permits.length === k).map((v) => v.id) }) as Permit);
const model = { vehicles, permits, facilities: city.facilities as never, sites: city.constructionSites as never, zones: city.restrictedZones as never };

/** Positions every 10 s along a polyline at 30 km/h (the network library's trace simulator, no noise). */
function route(line: number[][]): Array<[number, number]> {
  const geometry = line.map((c) => [c[0]!, c[1]!] as [number, number]);
  let lengthM = 0;
  for (let i = 1; i < geometry.length; i++) lengthM += haversineM(geometry[i - 1]![0], geometry[i - 1]![1], geometry[i]![0], geometry[i]![1]);
  return simulateTrace({ geometry, durationS: lengthM / (30 / 3.6) } as Leg, { seed: 1, intervalS: 10, noiseM: 0 }).map((f) => [f.lon, f.lat]);
}

const rng = mulberry32(seed);
const startMs = Date.UTC(2026, 11, 1, 15, 0, 0); // 23:00 Asia/Shanghai
const fixesPerTruck = (minutes * 60) / 10;
const routes = permits.map((p) => route(p.corridor.line.coordinates));
const perTruck: StoredFix[][] = vehicles.map((v, i) => {
  const route = routes[i % routes.length]!;
  const there = [...route, ...route.slice().reverse()];
  const offset = Math.floor(rng() * there.length);
  const kind = i % 20; // 0: off route, 1: speeding, 2: cover open
  const list: StoredFix[] = [];
  for (let k = 0; k < fixesPerTruck; k++) {
    const pos = (offset + k) % there.length;
    const loaded = pos < route.length;
    let [lon, lat] = there[pos]!;
    const inEvent = k >= 60 && k < 72;
    if (kind === 0 && inEvent) lat += 80 / 111_195;
    lon += ((rng() - 0.5) * 12) / 80_000;
    lat += ((rng() - 0.5) * 12) / 111_195;
    list.push({
      deviceId: v.id, vehicleId: v.id, fixTimeMs: startMs + k * 10_000, lon, lat, speedKmh: kind === 1 && inEvent ? 55 : 28 + rng() * 8, headingDeg: 0, altitudeM: 0,
      positioned: true, alarms: [], source: 'jt808', loadState: loaded ? 'full' : 'empty', loadKg: loaded ? 15_000 + rng() * 300 : rng() * 200,
      coverClosed: !(kind === 2 && inEvent), bodyLifted: false,
    });
  }
  if (i % 50 === 49) [list[100], list[101]] = [list[101]!, list[100]!];
  return list;
});
// Interleave as commits would, tick by tick. One truck in 25 loses coverage for 3 minutes (from fix 30):
// that stretch arrives 5 minutes late, as a blind-area upload, and is re-run.
const BLIND_FROM = 30;
const BLIND_FIXES = 18;
const BLIND_DELAY_TICKS = 30;
const late = new Map<number, StoredFix[]>();
const stream: StoredFix[] = [];
for (let k = 0; k < fixesPerTruck; k++) {
  for (let i = 0; i < perTruck.length; i++) {
    const f = perTruck[i]!;
    if (i % 25 === 3 && k >= BLIND_FROM && k < BLIND_FROM + BLIND_FIXES) {
      const due = BLIND_FROM + BLIND_FIXES + BLIND_DELAY_TICKS;
      if (!late.has(due)) late.set(due, []);
      late.get(due)!.push({ ...f[k]!, blindArea: true });
    } else stream.push(f[k]!);
  }
  stream.push(...(late.get(k) ?? []));
}

async function run(matcher: PositionMatcher | undefined) {
  const counts: Record<string, number> = {};
  let clock = startMs;
  globalThis.gc?.();
  const heapBeforeMB = process.memoryUsage().heapUsed / 2 ** 20;
  const m = new ComplianceMonitor({
    sink: { emit: (e: IncidentEvent) => void (counts[`${e.type}:${e.phase}`] = (counts[`${e.type}:${e.phase}`] ?? 0) + 1) },
    profile: () => profile, now: () => clock, matcher: () => matcher,
  });
  m.setCity(model);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < stream.length; i += batchSize) {
    const batch = stream.slice(i, i + batchSize);
    clock = batch[batch.length - 1]!.fixTimeMs + 500;
    m.accept(batch);
    m.tick();
  }
  await m.flush();
  const ms = performance.now() - t0;
  // What the lanes hold (history, buffers, ledgers): the heap the monitor keeps alive (with --expose-gc).
  globalThis.gc?.();
  const monitorHeapMB = process.memoryUsage().heapUsed / 2 ** 20 - heapBeforeMB;
  const cpu = process.cpuUsage(cpu0);
  // CPU time, not wall: the machine is shared, and the question is the share of one core.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const fixesPerS = stream.length / (cpuMs / 1000);
  return { monitorHeapMB: globalThis.gc ? Math.round(monitorHeapMB) : null, matcher: matcher ? 'on' : 'off', fixes: stream.length, wallMs: Math.round(ms), cpuMs: Math.round(cpuMs), fixesPerS: Math.round(fixesPerS), usPerFix: Math.round(((cpuMs * 1000) / stream.length) * 10) / 10, coreShareFor10kTrucks: Math.round((1000 / fixesPerS) * 1000) / 1000, judged: m.stats.judged, replays: m.stats.replays, counts };
}

const results = [];
if (part !== 'truth') {
  if (matcherMode !== 'on') results.push(await run(undefined));
  if (matcherMode !== 'off') {
    const { network } = await loadNetwork(DEMO_OSM_FILE, { cacheDir: join(tmpdir(), 'sanifleet-bench-network-cache') });
    results.push(await run(roadMatcher(network)));
  }
  console.log(`compliance pipeline: ${trucks} trucks x ${fixesPerTruck} fixes (10 s), batches of ${batchSize}, demo city (${permits.length} permits, ${city.facilities.length} facilities, ${city.constructionSites.length} sites, ${city.restrictedZones.length} zones)`);
  console.log('| map matching | fixes | wall ms | CPU ms | fixes per CPU s | CPU µs/fix | share of a core for 10,000 trucks @10 s | monitor heap MB | incidents opened |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const opened = Object.entries(r.counts).filter(([k]) => k.endsWith(':open')).map(([k, n]) => `${k.split(':')[0]} ${n}`).join(', ');
    console.log(`| ${r.matcher} | ${r.fixes} | ${r.wallMs} | ${r.cpuMs} | ${r.fixesPerS} | ${r.usPerFix} | ${r.coreShareFor10kTrucks} | ${r.monitorHeapMB ?? 'n/a (no --expose-gc)'} | ${opened} |`);
  }
}
const truth = part !== 'cost' && nights > 0 ? await runTruthNights({ nights, seed, tripsPerTruck, speedup }) : undefined;
if (truth) printTruth(truth);
console.log(JSON.stringify({ bench: 'compliance', trucks, fixesPerTruck, batchSize, seed, results, truth }));
// the services' pools and timers are closed; what is left (the PGlite worker) must not hold the process
process.exit(0);
