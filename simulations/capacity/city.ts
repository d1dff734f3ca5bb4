import { readOsm } from '../../solver/network/index.js';
import { generateDemoCity } from '../../src/demo/demo-city.js';
import { cityProfileSchema } from '../../src/domain/city-profile.js';
import {
  collectionPointSchema, constructionSiteSchema, depotSchema, facilitySchema, permitSchema, restrictedZoneSchema,
  roadSegmentSchema, vehicleSchema,
} from '../../src/domain/model.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import type { Queryable } from '../../src/store/db.js';
import { readCity, type PlanningSnapshot } from '../../src/planning/snapshot.js';

/**
 * The city a study plans: the demo city (generated, as `npm start` seeds it) or the city a
 * store holds. Nothing is reserved: a study plans the whole city for a day of its own.
 */
const nothingReserved = (): PlanningSnapshot['reserved'] => ({ planIds: [], vehicleIds: [], facilityKg: {} });

export async function demoCitySnapshot(seed = 1): Promise<PlanningSnapshot> {
  const city = await generateDemoCity({ seed, osm: await readOsm(DEMO_OSM_FILE) });
  // through the schemas, as the store would hand the records to the planner (defaults filled)
  const withId = <T>(schema: { parse(x: unknown): T }, xs: Array<{ id: string }>) => xs.map((x) => ({ ...(schema.parse(x) as object), id: x.id })) as Array<T & { id: string }>;
  return {
    date: '2027-01-04', district: null, profile: cityProfileSchema.parse(city.profile),
    depots: withId(depotSchema, city.depots), facilities: withId(facilitySchema, city.facilities),
    vehicles: withId(vehicleSchema, city.vehicles), collectionPoints: withId(collectionPointSchema, city.collectionPoints),
    constructionSites: withId(constructionSiteSchema, city.constructionSites), permits: withId(permitSchema, city.permits),
    roadSegments: withId(roadSegmentSchema, city.roadSegments), restrictedZones: withId(restrictedZoneSchema, city.restrictedZones),
    reserved: nothingReserved(),
  };
}

export async function storeCitySnapshot(q: Queryable): Promise<PlanningSnapshot> {
  const row = await q.query<{ doc: unknown }>('select doc from city_profile where id = 1');
  const profile = cityProfileSchema.parse(row.rows[0]?.doc ?? {});
  return { date: '2027-01-04', district: null, profile, ...(await readCity(q)), reserved: nothingReserved() };
}
