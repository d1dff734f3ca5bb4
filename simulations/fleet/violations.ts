import { networkFromOsm, readOsm } from '../../solver/network/index.js';
import { generateDemoCity } from '../../src/demo/demo-city.js';
import { generateMuckNight, INCIDENT_TYPES } from '../muck-night/generate.js';
import { lastNightBefore, listenAsEnforcement, prepareNight, replayNight, scoreNight, type Received } from '../muck-night/replay.js';

/**
 * `npm run simulate -- fleet --mode violations`: the compliance issue's truth generator
 * (simulations/muck-night/) plants its incidents into a running demo city: one night of the
 * city's muck trucks — off route, uncovered, speeding (also inside a blind area sent late as
 * 0x0704), spill, illegal dumping, wrong site, outside hours, restricted zone, no permit — sent
 * over JT/T 808 as its terminals would, with the near misses that must raise nothing. With
 * `--score` an enforcement officer's socket collects what the service raises and it is scored
 * against the night's ground truth (recall and precision per type, false incidents, duplicates).
 */
export interface ViolationsOptions {
  url: string;
  adminToken: string;
  jt808Port: number;
  jt808Host?: string;
  osmFile: string;
  /** the demo city's seed (the service's DEMO_SEED): the night runs on its permits and trucks */
  demoSeed: number;
  seed: number;
  tripsPerTruck: number;
  night?: string;
  /** night-clock ms per wall ms; absent: as fast as the acks come back */
  speedup?: number;
  score: boolean;
  out(line: string): void;
  progress(line: string): void;
}

export async function runViolations(o: ViolationsOptions): Promise<number> {
  const osm = await readOsm(o.osmFile);
  const city = await generateDemoCity({ seed: o.demoSeed, osm });
  const night = generateMuckNight(city, networkFromOsm(osm), { seed: o.seed, night: o.night ?? lastNightBefore(Date.now()), tripsPerTruck: o.tripsPerTruck });
  const api = { url: o.url, adminToken: o.adminToken };
  const terminals = await prepareNight(api, night);
  const missing = [...new Set(night.frames.map((f) => (f.kind === 'live' ? f.fix.vehicleId : f.fixes[0]!.vehicleId)))].filter((id) => !terminals.has(id));
  if (missing.length) {
    o.out(`the service's city has no terminal for ${missing.join(', ')}: violations mode plants into the demo city (DEMO_SEED=${o.demoSeed})`);
    return 1;
  }
  const planted: Record<string, number> = {};
  for (const p of night.truth) if (!p.optional) planted[p.type] = (planted[p.type] ?? 0) + 1;
  o.progress(`violations: night of ${night.night}, ${terminals.size} trucks, ${night.frames.length} frames, ${night.truth.length} planted incidents, ${night.nearMisses.length} near misses`);
  const listener = o.score ? await listenAsEnforcement(api) : undefined;
  let received: Received[] = [];
  let sentAt: Map<string, number>;
  try {
    sentAt = await replayNight(night, { jt808Port: o.jt808Port, terminals, ...(o.jt808Host ? { host: o.jt808Host } : {}), ...(o.speedup ? { speedup: o.speedup } : {}) });
    if (listener) {
      // every frame is acknowledged (committed); the detectors' notices follow: wait until they stop coming
      let seen = -1;
      for (let quiet = 0; quiet < 3;) {
        await new Promise((r) => setTimeout(r, 1000));
        quiet = listener.received.length === seen ? quiet + 1 : 0;
        seen = listener.received.length;
      }
      received = listener.received;
    }
  } finally {
    listener?.socket.close();
  }
  const summary: Record<string, unknown> = { simulate: 'fleet', mode: 'violations', night: night.night, seed: o.seed, frames: night.frames.length, planted };
  if (listener) {
    const score = scoreNight(night, received, sentAt);
    o.out('| type | planted | found | raised | recall | precision |\n|---|---|---|---|---|---|');
    for (const t of score.perType) {
      if (t.planted === 0 && t.raised === 0) continue;
      const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
      o.out(`| ${t.type} | ${t.planted} | ${t.found} | ${t.raised} | ${pct(t.recall)} | ${pct(t.precision)} |`);
    }
    o.out(`missed ${score.missed.length}, false ${score.falseIncidents.length}, duplicates ${score.duplicates}`);
    summary.score = {
      perType: Object.fromEntries(score.perType.filter((t) => INCIDENT_TYPES.includes(t.type)).map((t) => [t.type, { planted: t.planted, found: t.found, raised: t.raised }])),
      missed: score.missed.length, falseIncidents: score.falseIncidents.length, duplicates: score.duplicates,
    };
  }
  o.out(JSON.stringify(summary));
  return 0;
}
