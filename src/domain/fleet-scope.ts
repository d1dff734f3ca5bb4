import type { Principal } from './principal.js';

/**
 * The part of the fleet a person's account limits them to: the vehicles of one district,
 * of one contractor, or both. REST reads, the live socket and plans all ask this one rule,
 * so a district dispatcher cannot see another district's trucks by any of them.
 * Admins are never limited; a driver is limited more narrowly by their own vehicle; device
 * tokens carry no scope.
 */
export interface FleetScope {
  district?: string;
  contractor?: string;
}

/** What of a vehicle the scope looks at (a vehicle record or its live state). */
export interface ScopedVehicle {
  district?: string;
  contractor?: string;
}

export function fleetScopeOf(principal: Principal | undefined): FleetScope | undefined {
  if (!principal || principal.role === 'admin' || principal.role === 'driver' || principal.role === 'device') return undefined;
  if (!principal.district && !principal.contractor) return undefined;
  return {
    ...(principal.district ? { district: principal.district } : {}),
    ...(principal.contractor ? { contractor: principal.contractor } : {}),
  };
}

/** Whether a vehicle lies inside the scope; a vehicle without a district is outside a district scope. */
export function inFleetScope(scope: FleetScope | undefined, vehicle: ScopedVehicle): boolean {
  if (!scope) return true;
  if (scope.district !== undefined && vehicle.district !== scope.district) return false;
  if (scope.contractor !== undefined && vehicle.contractor !== scope.contractor) return false;
  return true;
}

/** "district North and contractor Acme", for refusals. */
export function describeFleetScope(scope: FleetScope): string {
  return [scope.district !== undefined ? `district "${scope.district}"` : '', scope.contractor !== undefined ? `contractor "${scope.contractor}"` : '']
    .filter(Boolean).join(' and ');
}
