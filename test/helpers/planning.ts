import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetwork, networkFromOsm, readOsm, type OsmData, type RoadNetwork } from '../../solver/network/index.js';
import { cityProfileSchema, type CityProfile } from '../../src/domain/city-profile.js';
import {
  collectionPointSchema, constructionSiteSchema, depotSchema, facilitySchema, permitSchema, restrictedZoneSchema,
  roadSegmentSchema, vehicleSchema,
} from '../../src/domain/model.js';
import { DEMO_OSM_FILE, generateDemoCity } from '../../src/demo/demo-city.js';
import { networkProfileFor } from '../../src/planning/network-profile.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';

/** The shared cache directory the service tests use, so the demo network is built once. */
export const TEST_NETWORK_CACHE = join(tmpdir(), 'sanifleet-test-network-cache');

let osm: OsmData | undefined;
export async function demoOsm(): Promise<OsmData> {
  return (osm ??= await readOsm(DEMO_OSM_FILE));
}

/** The demo city as the store would hand it to the planner (every record through its schema). */
export async function demoSnapshot(opts: { seed?: number; date?: string; district?: string | null } = {}): Promise<PlanningSnapshot> {
  const city = await generateDemoCity({ seed: opts.seed ?? 1, osm: await demoOsm() });
  const withId = <T>(schema: { parse(x: unknown): T }, xs: Array<{ id: string }>) => xs.map((x) => ({ ...(schema.parse(x) as object), id: x.id })) as Array<T & { id: string }>;
  return {
    date: opts.date ?? '2026-12-01',
    district: opts.district ?? null,
    profile: cityProfileSchema.parse(city.profile),
    depots: withId(depotSchema, city.depots),
    facilities: withId(facilitySchema, city.facilities),
    vehicles: withId(vehicleSchema, city.vehicles),
    collectionPoints: withId(collectionPointSchema, city.collectionPoints),
    constructionSites: withId(constructionSiteSchema, city.constructionSites),
    permits: withId(permitSchema, city.permits),
    roadSegments: withId(roadSegmentSchema, city.roadSegments),
    restrictedZones: withId(restrictedZoneSchema, city.restrictedZones),
    reserved: { planIds: [], vehicleIds: [], facilityKg: {} },
  };
}

/** The network the service would load for this city (cached); other zones get a fresh, uncached one. */
export async function networkFor(snapshot: PlanningSnapshot, opts: { cached?: boolean } = {}): Promise<RoadNetwork> {
  const profile = networkProfileFor(snapshot.profile, snapshot.restrictedZones);
  if (opts.cached === false) return networkFromOsm(await demoOsm(), profile);
  return (await loadNetwork(DEMO_OSM_FILE, { profile, cacheDir: TEST_NETWORK_CACHE })).network;
}

export function withProfile(snapshot: PlanningSnapshot, change: (p: CityProfile) => void): PlanningSnapshot {
  const profile = structuredClone(snapshot.profile);
  change(profile);
  return { ...snapshot, profile: cityProfileSchema.parse(profile) };
}
