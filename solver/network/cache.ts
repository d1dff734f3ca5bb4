// Import with a cache: the first import of an extract reads the OSM file, builds the graph and
// one contraction hierarchy per weight set of the day, and writes them all to one binary file
// named after the source's sha256 and the profile's hash. Later imports map that file straight
// into typed arrays. A changed source or profile gets a new name; files of an older source are
// removed, while each profile of the current source keeps its file (up to MAX_PROFILES_PER_SOURCE,
// the least recently used dropped first): services, workers and studies of one city with
// different profiles would otherwise delete each other's file and rebuild at every start.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ContractionHierarchy } from './ch-build.js';
import { buildGraph, type RoadGraph } from './graph.js';
import { RoadNetwork } from './network.js';
import { readOsm } from './osm-read.js';
import { DEFAULT_NETWORK_PROFILE, stableJson, VEHICLE_KINDS, type NetworkProfile } from './profile.js';

const MAGIC = 'SFNET004';
const CACHE_EXTENSION = '.sfnet';
/** Profiles of one source whose networks are kept (about 1-2 MB each for a district, 100+ MB for a large city). */
export const MAX_PROFILES_PER_SOURCE = 4;

export interface LoadNetworkOptions {
  profile?: NetworkProfile;
  /** Directory for the built-graph cache; omitted = always build, never write. */
  cacheDir?: string;
}

export interface LoadedNetwork {
  network: RoadNetwork;
  fromCache: boolean;
  cacheFile?: string;
  /** Wall time of the whole load, and of its steps when built. */
  timingsMs: { total: number; read?: number; graph?: number; hierarchies?: number };
}

/** Removes the files of an older source of this stem, and this source's least recently used profiles beyond the cap. */
function removeStaleCacheFiles(cacheDir: string, stem: string, sourcePrefix: string): void {
  const current: Array<{ path: string; usedMs: number }> = [];
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith(`${stem}-`) || !name.endsWith(CACHE_EXTENSION)) continue;
    const path = join(cacheDir, name);
    // the stem itself may hold dashes: the source hash is the second-last part
    const parts = name.slice(0, -CACHE_EXTENSION.length).split('-');
    if (parts.length < 3 || parts.slice(0, -2).join('-') !== stem) continue;
    try {
      if (parts.at(-2) !== sourcePrefix) rmSync(path, { force: true });
      else current.push({ path, usedMs: statSync(path).mtimeMs });
    } catch {
      // removed meanwhile by another process
    }
  }
  current.sort((a, b) => b.usedMs - a.usedMs);
  for (const stale of current.slice(MAX_PROFILES_PER_SOURCE)) rmSync(stale.path, { force: true });
}

/** Imports an OSM extract (.osm.pbf or .osm) into a ready-to-query network, through the cache. */
export async function loadNetwork(sourcePath: string, options: LoadNetworkOptions = {}): Promise<LoadedNetwork> {
  const started = performance.now();
  const profile = options.profile ?? DEFAULT_NETWORK_PROFILE;
  const sourceHash = createHash('sha256').update(readFileSync(sourcePath)).digest('hex');
  const profileHash = createHash('sha256').update(stableJson(profile)).digest('hex');
  const stem = basename(sourcePath).replace(/\.(osm\.pbf|pbf|osm)$/i, '');
  const cacheFile = options.cacheDir
    ? join(options.cacheDir, `${stem}-${sourceHash.slice(0, 16)}-${profileHash.slice(0, 12)}${CACHE_EXTENSION}`)
    : undefined;

  if (cacheFile && existsSync(cacheFile)) {
    try {
      const { graph, hierarchies } = deserializeNetwork(readFileSync(cacheFile), sourceHash, profileHash);
      const network = new RoadNetwork(graph, profile, hierarchies);
      // its use, for the least-recently-used eviction below
      const now = new Date();
      utimesSync(cacheFile, now, now);
      return { network, fromCache: true, cacheFile, timingsMs: { total: performance.now() - started } };
    } catch {
      // A cache written by another version (or truncated): rebuild it below.
    }
  }

  const readStart = performance.now();
  const osm = await readOsm(sourcePath);
  const graphStart = performance.now();
  const graph = buildGraph(osm, profile);
  const hierarchiesStart = performance.now();
  const network = new RoadNetwork(graph, profile);
  network.prepareAll();
  const hierarchiesEnd = performance.now();
  if (cacheFile && options.cacheDir) {
    mkdirSync(options.cacheDir, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, serializeNetwork(graph, network.hierarchies(), sourceHash, profileHash));
    renameSync(temporary, cacheFile);
    removeStaleCacheFiles(options.cacheDir, stem, sourceHash.slice(0, 16));
  }
  return {
    network,
    fromCache: false,
    cacheFile,
    timingsMs: {
      total: performance.now() - started,
      read: graphStart - readStart,
      graph: hierarchiesStart - graphStart,
      hierarchies: hierarchiesEnd - hierarchiesStart,
    },
  };
}

type TypedArray = Float64Array | Int32Array | Uint8Array;
const ARRAY_TYPES = { Float64Array, Int32Array, Uint8Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

interface Header {
  magic: string;
  sourceHash: string;
  profileHash: string;
  highwayClasses: string[];
  counts: { nodeCount: number; segmentCount: number; arcCount: number; turnRestrictionsApplied: number };
  hierarchyIds: string[];
  hierarchyAliases: Record<string, string>;
  arrays: Array<{ name: string; type: ArrayTypeName; length: number; offset: number }>;
}

const GRAPH_ARRAYS = [
  'nodeLon',
  'nodeLat',
  'nodeOsmId',
  'segmentFrom',
  'segmentTo',
  'segmentWayId',
  'segmentLengthM',
  'segmentHighway',
  'segmentGeometryStart',
  'pointLon',
  'pointLat',
  'firstArc',
  'arcHead',
  'arcTail',
  'arcSegment',
  'arcReversed',
  'arcDistanceDm',
] as const;
const HIERARCHY_ARRAYS = [
  'rank',
  'upFirst',
  'upHead',
  'upKey',
  'upVia',
  'downFirst',
  'downHead',
  'downKey',
  'downVia',
] as const;

export function serializeNetwork(
  graph: RoadGraph,
  hierarchies: Map<string, ContractionHierarchy>,
  sourceHash: string,
  profileHash: string,
): Buffer {
  const arrays: Array<[string, TypedArray]> = [];
  for (const name of GRAPH_ARRAYS) arrays.push([name, graph[name]]);
  for (const kind of VEHICLE_KINDS) arrays.push([`arcTimeMs.${kind}`, graph.arcTimeMs[kind]]);
  // A hierarchy shared by several weight sets is stored once; the others name it.
  const hierarchyAliases: Record<string, string> = {};
  const storedAs = new Map<ContractionHierarchy, string>();
  for (const [id, ch] of hierarchies) {
    const stored = storedAs.get(ch);
    if (stored) {
      hierarchyAliases[id] = stored;
      continue;
    }
    storedAs.set(ch, id);
    for (const name of HIERARCHY_ARRAYS) arrays.push([`ch.${id}.${name}`, ch[name]]);
  }
  let offset = 0;
  const entries = arrays.map(([name, array]) => {
    const entry = { name, type: array.constructor.name as ArrayTypeName, length: array.length, offset };
    offset += align8(array.byteLength);
    return entry;
  });
  const header: Header = {
    magic: MAGIC,
    sourceHash,
    profileHash,
    highwayClasses: graph.highwayClasses,
    counts: {
      nodeCount: graph.nodeCount,
      segmentCount: graph.segmentCount,
      arcCount: graph.arcCount,
      turnRestrictionsApplied: graph.turnRestrictionsApplied,
    },
    hierarchyIds: [...storedAs.values()],
    hierarchyAliases,
    arrays: entries,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const dataStart = align8(4 + headerBytes.length);
  const out = Buffer.alloc(dataStart + offset);
  out.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(out, 4);
  arrays.forEach(([, array], i) => {
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), dataStart + entries[i].offset);
  });
  return out;
}

export function deserializeNetwork(
  file: Buffer,
  expectedSourceHash: string,
  expectedProfileHash: string,
): { graph: RoadGraph; hierarchies: Map<string, ContractionHierarchy> } {
  const headerLength = file.readUInt32LE(0);
  const header = JSON.parse(file.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  if (header.magic !== MAGIC) throw new Error('not a network cache of this version');
  if (header.sourceHash !== expectedSourceHash || header.profileHash !== expectedProfileHash) {
    throw new Error('network cache was built from another source or profile');
  }
  const dataStart = align8(4 + headerLength);
  // Typed arrays need aligned offsets: copy once if the file buffer itself is not 8-aligned.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const arrays = new Map<string, TypedArray>();
  for (const entry of header.arrays) {
    const Type = ARRAY_TYPES[entry.type];
    const byteOffset = bytes.byteOffset + dataStart + entry.offset;
    if (byteOffset + entry.length * Type.BYTES_PER_ELEMENT > bytes.byteOffset + bytes.length) {
      throw new Error('network cache is truncated');
    }
    arrays.set(entry.name, new Type(bytes.buffer as ArrayBuffer, byteOffset, entry.length));
  }
  const get = <T extends TypedArray>(name: string): T => {
    const array = arrays.get(name);
    if (!array) throw new Error(`network cache lacks ${name}`);
    return array as T;
  };
  const graph = {
    ...header.counts,
    highwayClasses: header.highwayClasses,
    arcTimeMs: Object.fromEntries(VEHICLE_KINDS.map((kind) => [kind, get<Int32Array>(`arcTimeMs.${kind}`)])),
  } as unknown as RoadGraph;
  const target = graph as unknown as Record<string, TypedArray>;
  for (const name of GRAPH_ARRAYS) target[name] = get(name);
  const hierarchies = new Map<string, ContractionHierarchy>();
  for (const id of header.hierarchyIds) {
    const ch = { nodeCount: graph.nodeCount } as unknown as Record<string, TypedArray>;
    for (const name of HIERARCHY_ARRAYS) ch[name] = get(`ch.${id}.${name}`);
    hierarchies.set(id, ch as unknown as ContractionHierarchy);
  }
  for (const [id, stored] of Object.entries(header.hierarchyAliases)) {
    const ch = hierarchies.get(stored);
    if (!ch) throw new Error(`network cache lacks hierarchy ${stored}`);
    hierarchies.set(id, ch);
  }
  return { graph, hierarchies };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
