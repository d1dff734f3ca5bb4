import type { z } from 'zod';
import {
  collectionPointSchema, constructionSiteSchema, depotSchema, facilitySchema, permitSchema,
  restrictedZoneSchema, roadSegmentSchema, vehicleSchema,
} from '../domain/model.js';
import { canonicalTerminalId } from '../domain/terminal-id.js';

/**
 * How each city-model resource maps onto its table: the typed columns that filters,
 * joins and constraints use, the geometry that feeds the bounding box, and the list
 * filters the API offers. One definition drives the repository, the API router and the
 * city import, so a new resource is one entry here.
 */
type Doc = Record<string, any>;
type Geometry = { type: string; coordinates: unknown };

export type FilterSpec =
  /** normalize: the stored form of a filter value (terminal ids are stored canonical). */
  | { kind: 'column'; column: string; normalize?: (value: string) => string }
  | { kind: 'jsonArrayContains'; field: string }
  /** A text field of the stored record that has no column of its own (a vehicle's contractor). */
  | { kind: 'jsonText'; field: string }
  | { kind: 'bbox' };

export interface ResourceDef {
  /** URL segment and import key. */
  name: ResourceName;
  /** Human name for messages. */
  label: string;
  table: string;
  idPrefix: string;
  schema: z.ZodType<Doc>;
  columns(doc: Doc): Record<string, unknown>;
  geometries(doc: Doc): Geometry[];
  filters: Record<string, FilterSpec>;
}

export type ResourceName =
  | 'depots' | 'facilities' | 'vehicles' | 'collection-points' | 'construction-sites'
  | 'permits' | 'road-segments' | 'restricted-zones';

const bbox: FilterSpec = { kind: 'bbox' };
const district: FilterSpec = { kind: 'column', column: 'district' };

export const resources: Record<ResourceName, ResourceDef> = {
  depots: {
    name: 'depots', label: 'depot', table: 'depots', idPrefix: 'dep',
    schema: depotSchema,
    columns: (d) => ({ district: d.district ?? null }),
    geometries: (d) => [d.location],
    filters: { district, bbox },
  },
  facilities: {
    name: 'facilities', label: 'facility', table: 'facilities', idPrefix: 'fac',
    schema: facilitySchema,
    columns: (d) => ({ kind: d.kind, district: d.district ?? null }),
    geometries: (d) => [d.location, ...(d.outline ? [d.outline] : [])],
    filters: { kind: { kind: 'column', column: 'kind' }, wasteClass: { kind: 'jsonArrayContains', field: 'acceptedClasses' }, district, bbox },
  },
  vehicles: {
    name: 'vehicles', label: 'vehicle', table: 'vehicles', idPrefix: 'veh',
    schema: vehicleSchema,
    columns: (d) => ({
      kind: d.kind, district: d.district ?? null, home_depot_id: d.homeDepotId,
      terminal_id: d.terminalId ?? null, device_id: d.deviceId ?? null, plate: d.plate,
    }),
    geometries: () => [],
    filters: {
      kind: { kind: 'column', column: 'kind' },
      wasteClass: { kind: 'jsonArrayContains', field: 'wasteClasses' },
      district,
      homeDepotId: { kind: 'column', column: 'home_depot_id' },
      terminalId: { kind: 'column', column: 'terminal_id', normalize: canonicalTerminalId },
    },
  },
  'collection-points': {
    name: 'collection-points', label: 'collection point', table: 'collection_points', idPrefix: 'cp',
    schema: collectionPointSchema,
    columns: (d) => ({ waste_class: d.wasteClass, district: d.district ?? null }),
    geometries: (d) => [d.location],
    filters: { wasteClass: { kind: 'column', column: 'waste_class' }, district, bbox },
  },
  'construction-sites': {
    name: 'construction-sites', label: 'construction site', table: 'construction_sites', idPrefix: 'site',
    schema: constructionSiteSchema,
    columns: (d) => ({ district: d.district ?? null }),
    geometries: (d) => [d.location, ...(d.area ? [d.area] : [])],
    filters: { district, bbox },
  },
  permits: {
    name: 'permits', label: 'permit', table: 'permits', idPrefix: 'pmt',
    schema: permitSchema,
    columns: (d) => ({ number: d.number, site_id: d.siteId, disposal_facility_id: d.disposalFacilityId, district: null }),
    geometries: (d) => [d.corridor.line],
    filters: {
      siteId: { kind: 'column', column: 'site_id' },
      disposalFacilityId: { kind: 'column', column: 'disposal_facility_id' },
      vehicleId: { kind: 'jsonArrayContains', field: 'vehicleIds' },
      bbox,
    },
  },
  'road-segments': {
    name: 'road-segments', label: 'road segment', table: 'road_segments', idPrefix: 'seg',
    schema: roadSegmentSchema,
    columns: (d) => ({ grade: d.grade, district: d.district ?? null, osm_way_id: d.osmWayId ?? null }),
    geometries: (d) => [d.geometry],
    filters: { grade: { kind: 'column', column: 'grade' }, district, bbox },
  },
  'restricted-zones': {
    name: 'restricted-zones', label: 'restricted zone', table: 'restricted_zones', idPrefix: 'zone',
    schema: restrictedZoneSchema,
    columns: (d) => ({ district: d.district ?? null }),
    geometries: (d) => [d.area],
    filters: { vehicleKind: { kind: 'jsonArrayContains', field: 'vehicleKinds' }, district, bbox },
  },
};

/** Import and replace order: a resource comes after everything it refers to. */
export const resourceOrder: ResourceName[] = [
  'depots', 'facilities', 'vehicles', 'collection-points', 'construction-sites', 'permits', 'road-segments', 'restricted-zones',
];

export function boundingBox(geometries: Geometry[]): [number, number, number, number] | null {
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [lon, lat] = c as number[];
      minLon = Math.min(minLon, lon!); maxLon = Math.max(maxLon, lon!);
      minLat = Math.min(minLat, lat!); maxLat = Math.max(maxLat, lat!);
    } else if (Array.isArray(c)) {
      for (const x of c) visit(x);
    }
  };
  for (const g of geometries) visit(g.coordinates);
  return Number.isFinite(minLon) ? [minLon, minLat, maxLon, maxLat] : null;
}
