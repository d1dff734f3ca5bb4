import { z } from 'zod';
import { resourceOrder, type ResourceName } from './resources.js';

/**
 * The city document: a whole city's records in one JSON (what `POST /api/v1/import` takes
 * and what the demo-city generator produces). Its envelope is checked here; each item is
 * then checked against its resource's schema by the import.
 */

/** Import document keys (camelCase) ↔ resource names. */
export const importKeys: Record<ResourceName, string> = {
  depots: 'depots', facilities: 'facilities', vehicles: 'vehicles', 'collection-points': 'collectionPoints',
  'construction-sites': 'constructionSites', permits: 'permits', 'road-segments': 'roadSegments', 'restricted-zones': 'restrictedZones',
};

export const cityDocumentEnvelope = z.strictObject({
  mode: z.enum(['merge', 'replace']).default('merge'),
  profile: z.unknown().optional(),
  ...Object.fromEntries(resourceOrder.map((name) => [importKeys[name], z.array(z.unknown()).max(200_000).optional()])),
});

export interface CityDocument {
  mode?: 'merge' | 'replace';
  profile?: unknown;
  [key: string]: unknown;
}
