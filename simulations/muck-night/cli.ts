/**
 * Writes one generated night as files: `truth.json` (the ground truth: per planted incident its
 * type, vehicle and start/end, plus the near misses) and `frames.json` (what the terminals send,
 * in order). A replay elsewhere can then be scored against `truth.json`.
 *
 *   npx tsx simulations/muck-night/cli.ts --seed 7 [--night 2026-11-30] [--trips 4] --out dir
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { networkFromOsm, readOsm } from '../../solver/network/index.js';
import { generateDemoCity } from '../../src/demo/demo-city.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import { generateMuckNight } from './generate.js';
import { lastNightBefore } from './replay.js';

const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const out = option('out');
if (!out) {
  console.error('usage: cli.ts --seed N [--night YYYY-MM-DD] [--trips 4] --out dir');
  process.exit(2);
}
const osm = await readOsm(DEMO_OSM_FILE);
const city = await generateDemoCity({ seed: 1, osm });
const night = generateMuckNight(city, networkFromOsm(osm), {
  seed: Number(option('seed') ?? 1), night: option('night') ?? lastNightBefore(Date.now()), tripsPerTruck: Number(option('trips') ?? 4),
});
const iso = (ms: number) => new Date(ms).toISOString();
await mkdir(out, { recursive: true });
await writeFile(join(out, 'truth.json'), JSON.stringify({
  seed: night.seed, night: night.night, extraVehicles: night.extraVehicles,
  incidents: night.truth.map((p) => ({ type: p.type, vehicleId: p.vehicleId, start: iso(p.startMs), end: iso(p.endMs), ...(p.note ? { note: p.note } : {}), ...(p.optional ? { optional: true } : {}) })),
  nearMisses: night.nearMisses.map((m) => ({ kind: m.kind, vehicleId: m.vehicleId, at: iso(m.atMs) })),
}, null, 2));
await writeFile(join(out, 'frames.json'), JSON.stringify(night.frames));
console.log(`${night.truth.length} planted incidents, ${night.nearMisses.length} near misses, ${night.frames.length} frames → ${out}`);
