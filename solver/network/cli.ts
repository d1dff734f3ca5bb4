// Command line for the road network:
//   npx tsx solver/network/cli.ts import <file.osm.pbf|file.osm> --out <dir> [--profile profile.json]
//   npx tsx solver/network/cli.ts generate --out city.osm [--columns 100 --rows 100 --seed 1]
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadNetwork } from './cache.js';
import { generateCity, osmXmlChunks } from './generate.js';
import { DEFAULT_NETWORK_PROFILE, type NetworkProfile } from './profile.js';

const USAGE = `usage:
  import <file.osm.pbf|file.osm> --out <dir> [--profile profile.json]
      builds the routing graph and its contraction hierarchies into <dir> (the cache the service loads)
  generate --out <city.osm> [--columns N] [--rows N] [--seed N] [--block-m M]
      writes a synthetic city as OSM XML`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function numberOption(args: string[], name: string, fallback: number): number {
  const value = option(args, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`${name} must be a number, got ${value}`);
  return parsed;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'import') {
    const file = rest[0];
    const out = option(rest, '--out');
    if (!file || file.startsWith('--') || !out) {
      console.error(USAGE);
      return 2;
    }
    const profilePath = option(rest, '--profile');
    const profile: NetworkProfile = profilePath
      ? { ...DEFAULT_NETWORK_PROFILE, ...(JSON.parse(readFileSync(profilePath, 'utf8')) as Partial<NetworkProfile>) }
      : DEFAULT_NETWORK_PROFILE;
    const { network, fromCache, cacheFile, timingsMs } = await loadNetwork(file, { cacheDir: out, profile });
    const g = network.graph;
    let lengthM = 0;
    for (let s = 0; s < g.segmentCount; s++) lengthM += g.segmentLengthM[s];
    console.log(`${fromCache ? 'already imported' : 'imported'} ${file}`);
    console.log(`  junctions ${g.nodeCount}, segments ${g.segmentCount}, directed arcs ${g.arcCount}`);
    console.log(`  road length ${(lengthM / 1000).toFixed(1)} km; classes: ${g.highwayClasses.join(', ')}`);
    console.log(`  weight sets with contraction hierarchies: ${[...network.hierarchies().keys()].join(', ')}`);
    console.log(`  time ${timingsMs.total.toFixed(0)} ms${fromCache ? ' (from cache)' : ''}; cache ${cacheFile}`);
    console.log('  map data © OpenStreetMap contributors, ODbL 1.0, when the source is OpenStreetMap');
    return 0;
  }
  if (command === 'generate') {
    const out = option(rest, '--out');
    if (!out) {
      console.error(USAGE);
      return 2;
    }
    const osm = generateCity({
      seed: numberOption(rest, '--seed', 1),
      columns: numberOption(rest, '--columns', 100),
      rows: numberOption(rest, '--rows', 100),
      blockM: numberOption(rest, '--block-m', 120),
    });
    const stream = createWriteStream(out);
    for (const chunk of osmXmlChunks(osm)) if (!stream.write(chunk)) await once(stream, 'drain');
    stream.end();
    await once(stream, 'finish');
    console.log(`wrote ${out}: ${osm.nodes.size} nodes, ${osm.ways.length} ways`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
