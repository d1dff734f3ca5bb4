import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { cityProfileSchema, type CityProfile } from './domain/city-profile.js';
import { DEMO_OSM_FILE, DEMO_TERMINAL_PROFILES } from './demo/demo-files.js';
import { parseTerminalModelProfile, type TerminalModelProfile } from './ingest/jt808/profile.js';

/**
 * Configuration: environment variables plus an optional city-profile file, validated at
 * start. A bad value stops the start with a message naming it.
 */
const port = z.coerce.number().int().min(0).max(65_535);
/** A PostgreSQL memory size ("16MB") in kB. */
function sizeKb(size: string): number {
  const m = /^(\d+)(kB|MB|GB)$/.exec(size);
  if (!m) return Number.POSITIVE_INFINITY; // the format's own check names the problem
  return Number(m[1]) * (m[2] === 'kB' ? 1 : m[2] === 'MB' ? 1024 : 1024 * 1024);
}
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data/store'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** The embedded store's buffer cache (PostgreSQL shared_buffers); unset = 128MB. */
  PGLITE_SHARED_BUFFERS: z.string().regex(/^\d+(kB|MB|GB)$/, 'must be a size such as 16MB (kB, MB or GB)').refine((v) => sizeKb(v) >= 128, 'must be at least 128kB').optional(),
  CITY_PROFILE: z.string().min(1).optional(),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').max(200).optional(),
  DEMO_CITY: z.enum(['auto', 'always', 'never']).default('auto'),
  DEMO_SEED: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** The demo city's simulated fleet (never outside the demo city). */
  DEMO_FLEET: z.enum(['on', 'off', 'true', 'false', '1', '0']).default('on').transform((v) => v === 'on' || v === 'true' || v === '1'),
  /** The budget of the plan the demo fleet makes when today has none in force. */
  DEMO_FLEET_PLAN_ITERATIONS: z.coerce.number().int().min(10).max(100_000).default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1_000).max(100_000_000).default(1_000_000),
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_000).max(1_000_000_000).default(50_000_000),
  JT808_PORT: port.default(5015),
  JT808_ENABLED: bool.default(true),
  JT808_HOST: z.string().min(1).default('0.0.0.0'),
  /** Accept positions from terminals bound to a vehicle without 0x0102 authentication (trackers that skip it). */
  JT808_TRUST_KNOWN_TERMINALS: bool.default(false),
  /** The city's road network (.osm.pbf or .osm); "none" runs without one. Default: the demo extract. */
  OSM_FILE: z.string().min(1).optional(),
  NETWORK_CACHE_DIR: z.string().min(1).default('./data/cache/network'),
  /** Live-push batches a client receives per second at most (updates are coalesced per vehicle in between). */
  LIVE_MAX_BATCHES_PER_SECOND: z.coerce.number().min(0.1).max(50).default(10),
  /** JSON file: per terminal model, where cover / lift / payload sit in its frames. Default: the demo's. */
  TERMINAL_PROFILES: z.string().min(1).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  /** Worker threads this instance gives to plan jobs (0: it only queues them, others run them). */
  PLAN_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  POSITION_QUEUE_MAX_ROWS: z.coerce.number().int().min(1_000).max(10_000_000).default(200_000),
  /** Raster tiles behind the dispatch map, e.g. https://tiles.example/{z}/{x}/{y}.png; unset = our roads on a plain background. */
  MAP_TILE_URL: z.string().regex(/^https?:\/\/.*\{z\}.*\{x\}.*\{y\}/, 'must be an http(s) URL template with {z}, {x} and {y}').optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  pgliteSharedBuffers?: string;
  cityProfile?: CityProfile;
  cityProfilePath?: string;
  adminToken?: string;
  demoCity: 'auto' | 'always' | 'never';
  demoSeed: number;
  /** Run the demo fleet when the city is the demo city. */
  demoFleet: boolean;
  demoFleetPlanIterations: number;
  logLevel: string;
  bodyLimitBytes: number;
  importBodyLimitBytes: number;
  jt808Port: number;
  jt808Enabled: boolean;
  jt808Host: string;
  jt808TrustKnownTerminals: boolean;
  redisUrl?: string;
  terminalProfiles: Record<string, TerminalModelProfile>;
  liveMaxBatchesPerSecond: number;
  /** undefined = no road network */
  osmFile?: string;
  networkCacheDir: string;
  mapTileUrl?: string;
  planWorkers: number;
  /** Fixes the position writer holds waiting for the store at most; beyond it HTTP batches are answered 503. */
  positionQueueMaxRows: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty variables count as unset, as a shell user expects of `FOO= npm start`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(cleaned[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let cityProfile: CityProfile | undefined;
  if (e.CITY_PROFILE) cityProfile = loadCityProfileFile(e.CITY_PROFILE);
  return {
    port: e.PORT, host: e.HOST, dataDir: e.DATA_DIR, databaseUrl: e.DATABASE_URL, pgliteSharedBuffers: e.PGLITE_SHARED_BUFFERS,
    cityProfile, cityProfilePath: e.CITY_PROFILE, adminToken: e.ADMIN_TOKEN,
    demoCity: e.DEMO_CITY, demoSeed: e.DEMO_SEED, demoFleet: e.DEMO_FLEET, demoFleetPlanIterations: e.DEMO_FLEET_PLAN_ITERATIONS, logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES, importBodyLimitBytes: e.IMPORT_BODY_LIMIT_BYTES,
    jt808Port: e.JT808_PORT, jt808Enabled: e.JT808_ENABLED, jt808Host: e.JT808_HOST, jt808TrustKnownTerminals: e.JT808_TRUST_KNOWN_TERMINALS, redisUrl: e.REDIS_URL, terminalProfiles: loadTerminalProfilesFile(e.TERMINAL_PROFILES ?? DEMO_TERMINAL_PROFILES), liveMaxBatchesPerSecond: e.LIVE_MAX_BATCHES_PER_SECOND,
    osmFile: e.OSM_FILE === 'none' ? undefined : (e.OSM_FILE ?? DEMO_OSM_FILE), networkCacheDir: e.NETWORK_CACHE_DIR, mapTileUrl: e.MAP_TILE_URL,
    planWorkers: e.PLAN_WORKERS, positionQueueMaxRows: e.POSITION_QUEUE_MAX_ROWS,
  };
}

export function loadCityProfileFile(path: string): CityProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`CITY_PROFILE=${path}: cannot read it as JSON (${(err as Error).message})`);
  }
  const r = cityProfileSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const keys = i.code === 'unrecognized_keys' ? `.${i.keys.join(',')}` : '';
      return `  ${[...i.path].join('.') || '(top)'}${keys}: ${i.message}`;
    });
    throw new ConfigError(`CITY_PROFILE=${path} is not a valid city profile:\n${lines.join('\n')}`);
  }
  return r.data;
}

export function loadTerminalProfilesFile(path: string): Record<string, TerminalModelProfile> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`TERMINAL_PROFILES=${path}: cannot read it as JSON (${(err as Error).message})`);
  }
  const models = (raw as { models?: unknown })?.models;
  if (!models || typeof models !== 'object' || Array.isArray(models)) {
    throw new ConfigError(`TERMINAL_PROFILES=${path}: expected {"models": {"<terminal model>": {...}}}`);
  }
  const out: Record<string, TerminalModelProfile> = {};
  for (const [model, profile] of Object.entries(models)) {
    try {
      out[model] = parseTerminalModelProfile(profile);
    } catch (err) {
      throw new ConfigError(`TERMINAL_PROFILES=${path}: models.${model}: ${(err as Error).message}`);
    }
  }
  return out;
}
