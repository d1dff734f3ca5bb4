import type { CityProfile } from '../domain/city-profile.js';
import type {
  CollectionPoint, ConstructionSite, Depot, Facility, Permit, RestrictedZone, RoadSegment, Vehicle,
} from '../domain/model.js';
import type { Queryable } from '../store/db.js';

/**
 * Everything a plan is built from, read from the store in one go: the planner itself then
 * needs no database (it runs in a worker thread, or in a worker process on another machine).
 */
export interface PlanningSnapshot {
  /** The plan's local date, YYYY-MM-DD. */
  date: string;
  /** null = the whole city. */
  district: string | null;
  profile: CityProfile;
  depots: Depot[];
  facilities: Facility[];
  vehicles: Vehicle[];
  collectionPoints: CollectionPoint[];
  constructionSites: ConstructionSite[];
  permits: Permit[];
  roadSegments: RoadSegment[];
  restrictedZones: RestrictedZone[];
  /**
   * What published plans of the same date for other districts (or the city) already hold:
   * their vehicles are busy and their deliveries use facility capacity.
   */
  reserved: { planIds: string[]; vehicleIds: string[]; facilityKg: Record<string, number> };
}

const tables = {
  depots: 'depots', facilities: 'facilities', vehicles: 'vehicles', collectionPoints: 'collection_points',
  constructionSites: 'construction_sites', permits: 'permits', roadSegments: 'road_segments', restrictedZones: 'restricted_zones',
} as const;

/** Reads the city (all of it: facilities and zones are shared; the builder narrows to the district). */
export async function readCity(q: Queryable): Promise<Omit<PlanningSnapshot, 'date' | 'district' | 'profile' | 'reserved'>> {
  const out: Record<string, unknown[]> = {};
  for (const [key, table] of Object.entries(tables)) {
    out[key] = (await q.query<{ doc: unknown }>(`select doc from ${table} order by id`)).rows.map((r) => r.doc);
  }
  return out as unknown as Omit<PlanningSnapshot, 'date' | 'district' | 'profile' | 'reserved'>;
}

/** The districts the city names (points, road segments, vehicles, depots, sites). */
export async function listDistricts(q: Queryable): Promise<string[]> {
  const res = await q.query<{ district: string }>(
    `select district from collection_points where district is not null
     union select district from road_segments where district is not null
     union select district from vehicles where district is not null
     union select district from depots where district is not null
     union select district from construction_sites where district is not null
     order by district`,
  );
  return res.rows.map((r) => r.district);
}
