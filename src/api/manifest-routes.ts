import { z } from 'zod';
import type { CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import type { Role } from '../domain/principal.js';
import type { Db } from '../store/db.js';
import { incidentScopeOf } from '../compliance/incident-scope.js';
import { loadManifestWorld, type ManifestStore } from '../compliance/manifest-store.js';
import type { ApiRoutes } from './routes.js';

/**
 * E-manifests (电子联单, issue 13): a night's trips by permit and site with the site-to-disposal
 * balance a city audits, and the night derived again from the position log.
 */
const READ: readonly Role[] = ['admin', 'enforcement', 'dispatcher'];
const WRITE: readonly Role[] = ['admin', 'enforcement'];
const night = z.iso.date();

export function addManifestRoutes(api: ApiRoutes, deps: { db: Db; manifests: ManifestStore; profile(): CityProfile; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  api.add({
    method: 'get', path: '/manifests', roles: READ,
    query: z.strictObject({ date: night, permit: entityId.optional(), site: entityId.optional() }),
    summary: "A night's e-manifest trips (dispatchers: their fleet's) (opened at the site exit, closed in the disposal site, flagged) and the balance per site and permit: trips, loads, kg, unaccounted",
    handler: async ({ query, principal }) => {
      // a dispatcher narrowed to a contractor or district sees their fleet's trips
      const scope = incidentScopeOf(principal!);
      const filter = { night: query.date, permitId: query.permit, siteId: query.site, contractor: scope.contractor, district: scope.district };
      const [trips, balance] = await Promise.all([deps.manifests.trips(filter), deps.manifests.balance(filter)]);
      return { date: query.date, trips, balance };
    },
  });

  api.add({
    method: 'post', path: '/manifests/rebuild', roles: WRITE, body: z.strictObject({ date: night }),
    summary: "Derive a night's trips again from the position log (replaces what was stored for that night)",
    handler: async ({ body }) => {
      const world = await loadManifestWorld(deps.db, deps.profile());
      const trips = await deps.manifests.rebuildNight(body.date, world, now());
      return { date: body.date, trips: trips.length, balance: await deps.manifests.balance({ night: body.date }) };
    },
  });
}
