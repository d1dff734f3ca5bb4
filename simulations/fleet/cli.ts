import { haversineM, mulberry32 } from '../../solver/index.js';
import { loadNetwork, type RoadNetwork, type VehicleKind } from '../../solver/network/index.js';
import { loadTerminalProfilesFile } from '../../src/config.js';
import { cityProfileSchema } from '../../src/domain/city-profile.js';
import { DEMO_OSM_FILE, DEMO_TERMINAL_PROFILES } from '../../src/demo/demo-files.js';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { networkProfileFor } from '../../src/planning/network-profile.js';
import type { SimFix } from '../plan-day.js';
import { Fleet, simClock, type FleetVehicle } from './fleet.js';
import { DEMO_DAY, planTracks, type StoredPlan, type VehicleDevice } from './plan-tracks.js';
import { runViolations } from './violations.js';

/**
 * `npm run simulate -- fleet --mode demo|load ...`: the fleet simulator against a running
 * service, over its JT/T 808 port and its HTTP API (an admin token reads the plan and, in load
 * mode, adds the load vehicles).
 *   demo: today's (or --date's) plans in force, driven at real time or --speedup N; a sped-up
 *         clock never runs ahead of the wall clock (a fix from the future is refused), so speed
 *         up a past day or a day's past hours.
 *   load: --vehicles N trucks (load-0001 ...) driving random routes, --rate fixes/s in all, for
 *         --minutes M; prints the fixes sent and answered per second.
 *   violations: one night of the demo city's muck trucks with planted incidents of every type
 *         (the compliance truth generator, violations.ts); --score scores what the service raises.
 */
export interface CliIo {
  out(line: string): void;
  progress(line: string): void;
}

const USAGE = `usage: npm run simulate -- fleet --mode demo|load [--url http://127.0.0.1:8080] [--jt808-host H] [--jt808-port 5015]
  [--token ADMIN_TOKEN (or env SANIFLEET_TOKEN)] [--osm-file F] [--network-cache-dir D] [--seed N] [--blind-share 0.2] [--breakdown-share 0]
  demo: [--date YYYY-MM-DD] [--speedup 1] [--from HH:MM]
  load: [--vehicles 100] [--rate 100] [--minutes 5]
  violations: [--night YYYY-MM-DD] [--trips 2] [--speedup N] [--score] [--demo-seed 1]`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

class Api {
  constructor(readonly base: string, private readonly token: string | undefined) {}
  async call(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method, headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  }
  async all(path: string): Promise<any[]> {
    const out: any[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=500&offset=${offset}`);
      out.push(...page.items);
      if (page.items.length < 500) return out;
    }
  }
}

async function cityNetwork(api: Api, args: string[], env: Record<string, string | undefined>): Promise<{ network: RoadNetwork; timeZone: string }> {
  const profile = cityProfileSchema.parse(await api.call('GET', '/city-profile'));
  const zones = (await api.all('/restricted-zones'));
  const osmFile = option(args, 'osm-file') ?? env.OSM_FILE ?? DEMO_OSM_FILE;
  const loaded = await loadNetwork(osmFile, { profile: networkProfileFor(profile, zones), cacheDir: option(args, 'network-cache-dir') ?? env.NETWORK_CACHE_DIR ?? './data/cache/network' });
  return { network: loaded.network, timeZone: profile.timeZone };
}

export async function runFleetCli(args: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const mode = option(args, 'mode');
  if (mode !== 'demo' && mode !== 'load' && mode !== 'violations') {
    io.out(USAGE);
    return 2;
  }
  const url = option(args, 'url') ?? `http://127.0.0.1:${env.PORT ?? 8080}`;
  const token = option(args, 'token') ?? env.SANIFLEET_TOKEN;
  const api = new Api(url, token);
  const jt808Port = Number(option(args, 'jt808-port') ?? env.JT808_PORT ?? 5015);
  const host = option(args, 'jt808-host') ?? new URL(url).hostname;
  const seed = Number(option(args, 'seed') ?? 1);
  if (mode === 'violations') {
    if (!token) {
      io.out(`violations: an admin token is needed (--token or SANIFLEET_TOKEN) to add the night's extra truck\n${USAGE}`);
      return 2;
    }
    const speedup = option(args, 'speedup');
    return runViolations({
      url, adminToken: token, jt808Port, jt808Host: host, osmFile: option(args, 'osm-file') ?? env.OSM_FILE ?? DEMO_OSM_FILE,
      demoSeed: Number(option(args, 'demo-seed') ?? env.DEMO_SEED ?? 1), seed, tripsPerTruck: Number(option(args, 'trips') ?? 2),
      night: option(args, 'night'), speedup: speedup === undefined ? undefined : Number(speedup), score: args.includes('--score'),
      out: io.out, progress: io.progress,
    });
  }
  const terminalProfiles = loadTerminalProfilesFile(env.TERMINAL_PROFILES ?? DEMO_TERMINAL_PROFILES);
  const { network, timeZone } = await cityNetwork(api, args, env);
  const devices: VehicleDevice[] = (await api.all('/vehicles')).map((v) => ({ id: v.id, terminalId: v.terminalId, terminalModel: v.terminalModel, deviceId: v.deviceId, capacityKg: v.capacityKg }));

  let vehicles: FleetVehicle[];
  let clock;
  if (mode === 'demo') {
    const date = option(args, 'date') ?? PlanClock.localDate(Date.now(), timeZone);
    const inForce = [...(await api.all(`/plans?date=${date}&status=published`)), ...(await api.all(`/plans?date=${date}&status=in_progress`))];
    if (inForce.length === 0) {
      io.out(`no plan in force for ${date}: plan and publish one (POST /api/v1/plans, then /publish), or run npm start on the demo city`);
      return 1;
    }
    vehicles = [];
    for (const p of inForce) {
      const stored = (await api.call('GET', `/plans/${p.id}/problem`)) as StoredPlan;
      const segmentIds = new Set(Object.values(stored.mapping.sweepTasks).map((t) => t.segmentId));
      const roads = new Map((await api.all('/road-segments')).filter((r) => segmentIds.has(r.id)).map((r) => [r.id as string, r.geometry.coordinates as Array<[number, number]>]));
      vehicles.push(...planTracks({ plan: stored, network, roads, devices, options: { ...DEMO_DAY, seed } }).vehicles);
    }
    const speedup = Number(option(args, 'speedup') ?? 1);
    const from = option(args, 'from');
    const clockOfPlan = new PlanClock(date, timeZone);
    const startMs = from ? clockOfPlan.epochMs(Number(from.slice(0, 2)) * 3600 + Number(from.slice(3, 5)) * 60)
      : speedup === 1 ? Date.now() : Math.min(...vehicles.map((v) => v.fixes[0]?.timeMs ?? Infinity));
    const sim = simClock(startMs, speedup);
    // never ahead of the wall clock: the service refuses fixes from the future
    clock = { nowMs: () => Math.min(sim.nowMs(), Date.now()) };
    io.out(`demo: ${date}, ${inForce.length} plan(s), ${vehicles.length} vehicles, ${vehicles.reduce((n, v) => n + v.fixes.length, 0)} fixes, ×${speedup} from ${new Date(startMs).toISOString()}`);
  } else {
    const n = Number(option(args, 'vehicles') ?? 100);
    const rate = Number(option(args, 'rate') ?? 100);
    const minutes = Number(option(args, 'minutes') ?? 5);
    await ensureLoadVehicles(api, n);
    vehicles = loadTracks(network, n, rate, minutes, seed);
    clock = simClock(Date.now(), 1);
    io.out(`load: ${n} vehicles, ${rate} fixes/s, ${minutes} min (${vehicles.reduce((k, v) => k + v.fixes.length, 0)} fixes)`);
  }

  const fleet = new Fleet({
    vehicles, target: { host, jt808Port, httpUrl: url }, clock, terminalProfiles, seed,
    tickMs: mode === 'load' ? 100 : 1000,
    blindShare: Number(option(args, 'blind-share') ?? (mode === 'load' ? 0 : 0.2)),
    breakdownShare: Number(option(args, 'breakdown-share') ?? 0),
    onError: (vehicleId, err) => io.out(`${vehicleId}: ${err.message}`),
  }).start();
  const t0 = Date.now();
  let last = { at: t0, sent: 0 };
  const timer = setInterval(() => {
    const s = fleet.stats;
    const sent = s.locations + s.batchedFixes + s.osmand;
    const now = Date.now();
    io.progress(`${new Date(clock.nowMs()).toISOString()}  connected ${s.connected}/${s.vehicles}  fixes ${sent} (${Math.round(((sent - last.sent) * 1000) / Math.max(1, now - last.at))}/s)  answered ${s.acked}  batches ${s.batches}  errors ${s.errors}`);
    last = { at: now, sent };
  }, 2000);
  const stop = () => void fleet.stop();
  process.once('SIGINT', stop);
  await fleet.done;
  await fleet.drain();
  clearInterval(timer);
  await fleet.stop();
  const s = fleet.stats;
  const sent = s.locations + s.batchedFixes + s.osmand;
  const wallS = (Date.now() - t0) / 1000;
  io.out(JSON.stringify({ simulate: 'fleet', mode, vehicles: s.vehicles, connected: s.connected, fixes: sent, locations: s.locations, batches: s.batches, batchedFixes: s.batchedFixes, osmand: s.osmand, answered: s.acked, errors: s.errors, breakdowns: s.breakdowns, wallS: Math.round(wallS), fixesPerS: Math.round(sent / wallS) }));
  return s.errors > 0 ? 1 : 0;
}

/** The load vehicles, added once through the import API (merge): collectors with terminals 19900000001... */
async function ensureLoadVehicles(api: Api, n: number): Promise<void> {
  const depot = (await api.call('GET', '/depots?limit=1')).items[0];
  if (!depot) throw new Error('the city has no depot to base the load vehicles at');
  const vehicles = Array.from({ length: n }, (_, i) => ({
    id: `load-${String(i + 1).padStart(4, '0')}`, plate: `LOAD${String(i + 1).padStart(5, '0')}`, kind: 'collector', wasteClasses: ['residual'],
    capacityKg: 8000, capacityM3: 18, sealed: true, homeDepotId: depot.id, shift: { from: '00:00', to: '23:59' },
    terminalId: String(19_900_000_000 + i + 1), terminalModel: 'generic',
  }));
  await api.call('POST', '/import', { mode: 'merge', vehicles });
}

/** Random drives over the network: from a random road to the next at network speed, a fix every n/rate s. */
function loadTracks(network: RoadNetwork, n: number, rate: number, minutes: number, seed: number): FleetVehicle[] {
  const random = mulberry32(seed);
  const kind: VehicleKind = 'truck';
  const nodes = network.graph.nodeCount;
  const place = () => {
    for (;;) {
      const node = Math.floor(random() * nodes);
      const snapped = network.snap(network.graph.nodeLon[node]!, network.graph.nodeLat[node]!, { vehicleKind: kind });
      if (snapped) return snapped;
    }
  };
  const intervalMs = (n / rate) * 1000;
  const startMs = Date.now();
  const endMs = startMs + minutes * 60_000;
  return Array.from({ length: n }, (_, i) => {
    const fixes: SimFix[] = [];
    let at = place();
    let t = startMs + random() * intervalMs;
    while (t < endMs) {
      const to = place();
      const leg = network.route(at, to, { vehicleKind: kind });
      if (!leg || leg.geometry.length < 2 || leg.durationS <= 0) { at = to; continue; }
      const line = leg.geometry;
      const speedMs = leg.distanceM / leg.durationS;
      const legStart = t;
      let done = 0;
      for (let k = 1; k < line.length && t < endMs; k++) {
        const pieceM = haversineM(line[k - 1]![0], line[k - 1]![1], line[k]![0], line[k]![1]);
        while (t < endMs && ((t - legStart) / 1000) * speedMs <= done + pieceM) {
          const share = pieceM > 0 ? Math.max(0, (((t - legStart) / 1000) * speedMs - done) / pieceM) : 0;
          const headingDeg = ((Math.atan2((line[k]![0] - line[k - 1]![0]) * Math.cos((line[k - 1]![1] * Math.PI) / 180), line[k]![1] - line[k - 1]![1]) * 180) / Math.PI + 360) % 360;
          fixes.push({ timeMs: Math.round(t), lon: line[k - 1]![0] + (line[k]![0] - line[k - 1]![0]) * share, lat: line[k - 1]![1] + (line[k]![1] - line[k - 1]![1]) * share,
            speedKmh: speedMs * 3.6, headingDeg, working: false, loadKg: 0, coverClosed: true, bodyLifted: false });
          t += intervalMs;
        }
        done += pieceM;
      }
      at = to;
    }
    return { vehicleId: `load-${String(i + 1).padStart(4, '0')}`, terminalId: String(19_900_000_000 + i + 1), terminalModel: 'generic', capacityKg: 8000, fixes };
  });
}
