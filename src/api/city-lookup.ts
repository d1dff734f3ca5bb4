import type { CityLookup } from '../domain/city-consistency.js';
import type { Queryable } from '../store/db.js';
import type { CityRepo } from '../store/city-repo.js';
import { resources } from '../store/resources.js';

type Doc = Record<string, any>;

/** Looks records up in the store, preferring a batch being imported (by resource name → id). */
export function cityLookup(repo: CityRepo, q: Queryable, batch?: Map<string, Map<string, Doc>>): CityLookup {
  const find = async (name: keyof typeof resources, id: string): Promise<any> =>
    batch?.get(name)?.get(id) ?? (await repo.get(resources[name], id, q));
  return {
    depot: (id) => find('depots', id),
    facility: (id) => find('facilities', id),
    vehicle: (id) => find('vehicles', id),
    site: (id) => find('construction-sites', id),
  };
}
