import type { CityProfile } from './city-profile.js';
import type { Facility, Permit, Vehicle, ConstructionSite, Depot } from './model.js';
import { distanceM } from './geo.js';

/**
 * Rules that span records: references resolve, a permit's corridor joins its site to its
 * disposal site, only sealed muck trucks hold permits. Pure: the caller supplies the
 * lookup (the database inside a transaction, or an import batch in front of it).
 */
export interface CityLookup {
  depot(id: string): Promise<Depot | undefined>;
  facility(id: string): Promise<Facility | undefined>;
  vehicle(id: string): Promise<Vehicle | undefined>;
  site(id: string): Promise<ConstructionSite | undefined>;
}

export interface ConsistencyIssue {
  /** Field path inside the record, e.g. "corridor.line". */
  path: string;
  message: string;
}

export async function checkVehicle(v: Vehicle, lookup: CityLookup): Promise<ConsistencyIssue[]> {
  const issues: ConsistencyIssue[] = [];
  if (!(await lookup.depot(v.homeDepotId))) issues.push({ path: 'homeDepotId', message: `no depot with id "${v.homeDepotId}"` });
  return issues;
}

export async function checkPermit(p: Permit, lookup: CityLookup, profile: CityProfile): Promise<ConsistencyIssue[]> {
  const issues: ConsistencyIssue[] = [];
  const site = await lookup.site(p.siteId);
  if (!site) issues.push({ path: 'siteId', message: `no construction site with id "${p.siteId}"` });
  const disposal = await lookup.facility(p.disposalFacilityId);
  if (!disposal) {
    issues.push({ path: 'disposalFacilityId', message: `no facility with id "${p.disposalFacilityId}"` });
  } else if (!disposal.acceptedClasses.includes('construction')) {
    issues.push({ path: 'disposalFacilityId', message: `facility "${disposal.id}" (${disposal.kind}) does not accept construction waste` });
  }
  for (const [i, vehicleId] of p.vehicleIds.entries()) {
    const v = await lookup.vehicle(vehicleId);
    if (!v) issues.push({ path: `vehicleIds.${i}`, message: `no vehicle with id "${vehicleId}"` });
    else if (v.kind !== 'muck_truck') issues.push({ path: `vehicleIds.${i}`, message: `vehicle "${vehicleId}" is a ${v.kind}, not a muck truck` });
    else if (!v.sealed) issues.push({ path: `vehicleIds.${i}`, message: `vehicle "${vehicleId}" is not sealed/covered (密闭运输)` });
  }
  const { minWidthM, maxWidthM, endpointToleranceM } = profile.corridor;
  if (p.corridor.widthM < minWidthM || p.corridor.widthM > maxWidthM) {
    issues.push({ path: 'corridor.widthM', message: `corridor width must be between ${minWidthM} and ${maxWidthM} m (city profile)` });
  }
  const line = p.corridor.line.coordinates;
  const start = line[0]!;
  const end = line[line.length - 1]!;
  if (site) {
    const d = distanceM(start, site.location.coordinates);
    if (d > endpointToleranceM) {
      issues.push({ path: 'corridor.line.coordinates.0', message: `the corridor starts ${Math.round(d)} m from its site (at most ${endpointToleranceM} m)` });
    }
  }
  if (disposal) {
    const d = distanceM(end, disposal.location.coordinates);
    if (d > endpointToleranceM) {
      issues.push({ path: `corridor.line.coordinates.${line.length - 1}`, message: `the corridor ends ${Math.round(d)} m from its disposal site (at most ${endpointToleranceM} m)` });
    }
  }
  return issues;
}
