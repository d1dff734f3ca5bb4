/**
 * bench:compliance, truth part: generated muck-truck nights (simulations/muck-night) replayed
 * over JT/T 808 into a freshly started service (in-process, embedded store, demo city, road
 * network), scored against their ground truth on the enforcement socket: recall and precision
 * per incident type, duplicates, and the latency to the incident's `opened` notice from the
 * commit of the fix that completed the violation (seen in-process on the tracking events) and,
 * as an upper bound, from its send.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { networkFromOsm, readOsm } from '../solver/network/index.js';
import { generateDemoCity } from '../src/demo/demo-city.js';
import { DEMO_OSM_FILE } from '../src/demo/demo-files.js';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { INCIDENT_TYPES, generateMuckNight } from '../simulations/muck-night/generate.js';
import { fixIdOf, lastNightBefore, listenAsEnforcement, percentile, prepareNight, replayNight, scoreNight, type NightScore } from '../simulations/muck-night/replay.js';

export interface TruthOptions {
  nights: number;
  seed: number;
  tripsPerTruck: number;
  /** Night-clock ms per wall ms of the replay. */
  speedup: number;
}

export async function runTruthNights(o: TruthOptions) {
  const osm = await readOsm(DEMO_OSM_FILE);
  const city = await generateDemoCity({ seed: 1, osm });
  const network = networkFromOsm(osm);
  const scores: NightScore[] = [];
  const misses: string[] = [];
  const falses: string[] = [];
  let fixes = 0;
  for (let k = 0; k < o.nights; k++) {
    const night = generateMuckNight(city, network, { seed: o.seed + k, night: lastNightBefore(Date.now()), tripsPerTruck: o.tripsPerTruck });
    fixes += night.frames.reduce((n, f) => n + (f.kind === 'live' ? 1 : f.fixes.length), 0);
    const adminToken = 'bench-truth-admin-token-0123456789';
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: adminToken, DEMO_CITY: 'always', JT808_PORT: '0', LOG_LEVEL: 'silent',
      NETWORK_CACHE_DIR: join(tmpdir(), 'sanifleet-bench-network-cache'), PLAN_WORKERS: '0',
    });
    const svc = await startService(config, pino({ level: 'silent' }), { inMemory: true });
    try {
      await svc.network;
      const committedAt = new Map<string, number>();
      svc.tracking.events.on('fixes', (list) => {
        const now = Date.now();
        for (const f of list) if (f.vehicleId) committedAt.set(fixIdOf(f.vehicleId, f.fixTimeMs), committedAt.get(fixIdOf(f.vehicleId, f.fixTimeMs)) ?? now);
      });
      const api = { url: svc.url, adminToken };
      const terminals = await prepareNight(api, night);
      const listener = await listenAsEnforcement(api);
      const sentAt = await replayNight(night, { jt808Port: svc.jt808Port!, terminals, speedup: o.speedup, maxPauseMs: 200 });
      await svc.compliance.flush();
      await svc.incidentSink.settle();
      await new Promise((r) => setTimeout(r, 1000));
      listener.socket.close();
      const score = scoreNight(night, listener.received, sentAt, committedAt);
      scores.push(score);
      const at = (ms: number) => new Date(ms).toISOString().slice(11, 19);
      for (const m of score.missed) misses.push(`seed ${night.seed}: ${m.type} ${m.vehicleId} ${at(m.startMs)}-${at(m.endMs)}`);
      for (const f of score.falseIncidents) falses.push(`seed ${night.seed}: ${f.type} ${f.vehicleId} ${f.startAt.slice(11, 19)} ${JSON.stringify(f.details ?? {})}`);
    } finally {
      await svc.close();
    }
  }
  const perType = INCIDENT_TYPES.map((type) => {
    const rows = scores.map((s) => s.perType.find((t) => t.type === type)!);
    const planted = rows.reduce((n, r) => n + r.planted, 0);
    const found = rows.reduce((n, r) => n + r.found, 0);
    const raised = rows.reduce((n, r) => n + r.raised, 0);
    const matched = rows.reduce((n, r) => n + r.matched, 0);
    const duplicates = rows.reduce((n, r) => n + r.duplicates, 0);
    const optional = rows.reduce((n, r) => n + r.optional, 0);
    const optionalFound = rows.reduce((n, r) => n + r.optionalFound, 0);
    return { type, planted, optional, optionalFound, found, raised, falseRaised: raised - matched, duplicates, recall: planted ? found / planted : null, precision: raised ? matched / raised : null };
  });
  const commit = scores.flatMap((s) => s.commitLatenciesMs);
  const send = scores.flatMap((s) => s.latenciesMs);
  const goals = {
    recall: perType.every((t) => t.recall === null || t.recall >= 0.99),
    precision: perType.every((t) => t.precision === null || t.precision >= 0.98),
    duplicates: perType.every((t) => t.duplicates === 0),
    p95: (percentile(commit, 95) ?? Infinity) <= 5000,
  };
  return {
    nights: o.nights, seed: o.seed, tripsPerTruck: o.tripsPerTruck, speedup: o.speedup, fixes, perType,
    latencyFromCommitMs: { n: commit.length, p50: percentile(commit, 50), p95: percentile(commit, 95), max: percentile(commit, 100) },
    latencyFromSendMs: { n: send.length, p50: percentile(send, 50), p95: percentile(send, 95), max: percentile(send, 100) },
    goals, misses, falses,
  };
}

export function printTruth(t: Awaited<ReturnType<typeof runTruthNights>>): void {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  console.log(`\ntruth: ${t.nights} generated night(s) from seed ${t.seed} (${t.tripsPerTruck} trips per permit truck, ${t.fixes} fixes, replayed at ${t.speedup}x over JT/T 808 into a fresh in-process service each)`);
  console.log('| type | planted | found | raised | false | duplicates | recall | precision | too near a threshold to call: planted / raised |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of t.perType) console.log(`| ${r.type} | ${r.planted} | ${r.found} | ${r.raised} | ${r.falseRaised} | ${r.duplicates} | ${pct(r.recall)} | ${pct(r.precision)} | ${r.optional} / ${r.optionalFound} |`);
  const l = t.latencyFromCommitMs, s = t.latencyFromSendMs;
  console.log(`latency to the enforcement socket: from the completing fix's commit p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms (n=${l.n}); from its send (upper bound) p50 ${s.p50} ms, p95 ${s.p95} ms`);
  console.log(`goals (recall >= 99%, precision >= 98% per type, 0 duplicates, p95 <= 5 s): ${Object.entries(t.goals).map(([k, v]) => `${k} ${v ? 'met' : 'NOT met'}`).join(', ')}`);
  for (const m of t.misses) console.log(`missed: ${m}`);
  for (const f of t.falses) console.log(`false: ${f}`);
}
