import type { Db } from '../store/db.js';
import type { CityModel } from './city.js';

/** The city model the detectors judge against, read from the store. */
export async function loadCityModel(db: Db): Promise<CityModel> {
  const docs = async <T>(table: string): Promise<T[]> => (await db.query<{ doc: T }>(`select doc from ${table} order by id`)).rows.map((r) => r.doc);
  const [vehicles, permits, facilities, sites, zones] = await Promise.all([
    docs<CityModel['vehicles'][number]>('vehicles'), docs<CityModel['permits'][number]>('permits'),
    docs<CityModel['facilities'][number]>('facilities'), docs<CityModel['sites'][number]>('construction_sites'),
    docs<CityModel['zones'][number]>('restricted_zones'),
  ]);
  return { vehicles, permits, facilities, sites, zones };
}
