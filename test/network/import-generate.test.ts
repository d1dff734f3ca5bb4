import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNetwork, MAX_PROFILES_PER_SOURCE } from '../../solver/network/cache.js';
import { generateCity, osmXmlChunks } from '../../solver/network/generate.js';
import { buildGraph } from '../../solver/network/graph.js';
import { readOsm } from '../../solver/network/osm-read.js';
import { DEFAULT_NETWORK_PROFILE } from '../../solver/network/profile.js';

const centreXml = new URL('../../data/demo/osm/monaco-centre-drivable.osm', import.meta.url).pathname;
const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;
const cli = new URL('../../solver/network/cli.ts', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'network-import-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('synthetic city', () => {
  it('is the same city for the same seed and another for another seed', () => {
    const a = generateCity({ seed: 9, columns: 20, rows: 15 });
    const b = generateCity({ seed: 9, columns: 20, rows: 15 });
    const c = generateCity({ seed: 10, columns: 20, rows: 15 });
    expect([...a.nodes]).toEqual([...b.nodes]);
    expect(a.ways).toEqual(b.ways);
    expect([...a.nodes]).not.toEqual([...c.nodes]);
  });

  it('has arterials, one-way streets and a river crossed only at a few bridges', () => {
    const columns = 60;
    const rows = 40;
    const osm = generateCity({ seed: 4, columns, rows, bridgeEvery: 9 });
    const g = buildGraph(osm, DEFAULT_NETWORK_PROFILE);
    const classes = new Set(osm.ways.map((w) => w.tags.highway));
    expect(classes).toEqual(new Set(['trunk', 'primary', 'secondary', 'residential']));
    expect(osm.ways.filter((w) => w.tags.oneway).length).toBeGreaterThan(10);
    // The river lies between grid rows 19 and 20 (120 m blocks from lat 30.6).
    const riverLat = 30.6 + (19.5 * 120) / 111_195;
    let crossings = 0;
    for (let s = 0; s < g.segmentCount; s++) {
      const fromLat = g.nodeLat[g.segmentFrom[s]];
      const toLat = g.nodeLat[g.segmentTo[s]];
      if ((fromLat - riverLat) * (toLat - riverLat) < 0) crossings++;
    }
    // One bridge every 9 columns plus the two ring-road trunks.
    expect(crossings).toBe(Math.ceil((columns - 4) / 9) + 2);
  });

  it('writes OSM XML that reads back to the same ways and coordinates', async () => {
    const osm = generateCity({ seed: 5, columns: 12, rows: 10 });
    const file = join(scratch, 'city.osm');
    writeFileSync(file, [...osmXmlChunks(osm)].join(''));
    const back = await readOsm(file);
    expect(back.ways).toEqual(osm.ways);
    expect(back.nodes.size).toBe(osm.nodes.size);
    for (const [id, [lon, lat]] of osm.nodes) {
      const [lon2, lat2] = back.nodes.get(id)!;
      expect(Math.abs(lon - lon2)).toBeLessThan(1e-7);
      expect(Math.abs(lat - lat2)).toBeLessThan(1e-7);
    }
  });
});

describe('loadNetwork with a cache directory', () => {
  it('builds once, then loads the cached graph and hierarchies with identical answers', async () => {
    const cacheDir = join(scratch, 'cache');
    const first = await loadNetwork(demoPbf, { cacheDir });
    expect(first.fromCache).toBe(false);
    const second = await loadNetwork(demoPbf, { cacheDir });
    expect(second.fromCache).toBe(true);
    expect(second.timingsMs.total).toBeLessThan(500);
    const places = [
      { lon: 7.4201, lat: 43.7312 },
      { lon: 7.4305, lat: 43.7395 },
      { lon: 7.4402, lat: 43.7468 },
    ];
    for (const vehicleKind of ['car', 'truck', 'sweeper'] as const) {
      const a = first.network.matrix(places, places, { vehicleKind });
      const b = second.network.matrix(places, places, { vehicleKind });
      expect([...b.durationsS]).toEqual([...a.durationsS]);
      expect([...b.distancesM]).toEqual([...a.distancesM]);
    }
    expect(second.network.graph.nodeCount).toBe(2266);
  });

  it('rebuilds when the source file changes and drops the stale cache file', async () => {
    const cacheDir = join(scratch, 'cache2');
    const source = join(scratch, 'city.osm');
    copyFileSync(centreXml, source);
    const first = await loadNetwork(source, { cacheDir });
    expect((await loadNetwork(source, { cacheDir })).fromCache).toBe(true);
    writeFileSync(source, [...osmXmlChunks(generateCity({ seed: 1, columns: 8, rows: 8 }))].join(''));
    const changed = await loadNetwork(source, { cacheDir });
    expect(changed.fromCache).toBe(false);
    expect(changed.network.graph.nodeCount).not.toBe(first.network.graph.nodeCount);
    expect(readdirSync(cacheDir)).toEqual([changed.cacheFile!.split('/').pop()]);
  });

  it('keeps a file per profile of the same source, so two profiles taking turns never rebuild, and drops the least recently used beyond the cap', async () => {
    const cacheDir = join(scratch, 'cache-profiles');
    const profileWith = (residentialKmh: number) => ({ ...DEFAULT_NETWORK_PROFILE, highwaySpeedKmh: { ...DEFAULT_NETWORK_PROFILE.highwaySpeedKmh, residential: residentialKmh } });
    const [a, b] = [profileWith(20), profileWith(21)];
    // each load a few milliseconds after the last, so the use times the eviction orders by differ
    const load = async (profile: typeof a) => {
      await new Promise((r) => setTimeout(r, 20));
      return loadNetwork(centreXml, { cacheDir, profile });
    };
    expect((await load(a)).fromCache).toBe(false);
    expect((await load(b)).fromCache).toBe(false);
    // a service on one profile and a worker on the other, started in turns
    expect((await load(a)).fromCache).toBe(true);
    expect((await load(b)).fromCache).toBe(true);
    expect(readdirSync(cacheDir)).toHaveLength(2);
    // more profiles than the cap: the least recently used (a, before b was loaded again) goes first
    for (let i = 0; i < MAX_PROFILES_PER_SOURCE - 1; i++) expect((await load(profileWith(30 + i))).fromCache).toBe(false);
    expect(readdirSync(cacheDir)).toHaveLength(MAX_PROFILES_PER_SOURCE);
    expect((await load(a)).fromCache).toBe(false);
    expect((await load(b)).fromCache).toBe(false);
  });

  it('rebuilds over a damaged cache file instead of failing', async () => {
    const cacheDir = join(scratch, 'cache4');
    const first = await loadNetwork(centreXml, { cacheDir });
    writeFileSync(first.cacheFile!, Buffer.from('garbage that is not a network cache'));
    const again = await loadNetwork(centreXml, { cacheDir });
    expect(again.fromCache).toBe(false);
    expect(again.network.graph.nodeCount).toBe(first.network.graph.nodeCount);
    expect((await loadNetwork(centreXml, { cacheDir })).fromCache).toBe(true);
  });

  it('builds one hierarchy for vehicle kinds that cost the same and caches it once', async () => {
    const cacheDir = join(scratch, 'cache3');
    const profile = {
      ...DEFAULT_NETWORK_PROFILE,
      vehicles: { ...DEFAULT_NETWORK_PROFILE.vehicles, sweeper: DEFAULT_NETWORK_PROFILE.vehicles.truck },
    };
    const built = await loadNetwork(centreXml, { cacheDir, profile });
    const loaded = await loadNetwork(centreXml, { cacheDir, profile });
    expect(loaded.fromCache).toBe(true);
    for (const { network } of [built, loaded]) {
      const hierarchies = network.hierarchies();
      expect(hierarchies.get('sweeper')).toBe(hierarchies.get('truck'));
      expect(hierarchies.get('car')).not.toBe(hierarchies.get('truck'));
    }
    const places = [
      { lon: 7.4201, lat: 43.7312 },
      { lon: 7.4255, lat: 43.7355 },
    ];
    const truck = loaded.network.matrix(places, places, { vehicleKind: 'truck' });
    const sweeper = loaded.network.matrix(places, places, { vehicleKind: 'sweeper' });
    expect([...sweeper.durationsS]).toEqual([...truck.durationsS]);
  });

  it('imports a user extract from the command line', async () => {
    const out = join(scratch, 'cli-out');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, 'import', centreXml, '--out', out]);
    expect(stdout).toMatch(/imported .*monaco-centre-drivable\.osm/);
    expect(stdout).toMatch(/junctions \d+, segments \d+, directed arcs \d+/);
    expect(readdirSync(out).some((name) => name.endsWith('.sfnet'))).toBe(true);
  });
});
