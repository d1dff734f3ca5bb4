import type { Principal } from '../domain/principal.js';
import { inFleetScope } from '../domain/fleet-scope.js';

/**
 * Which incidents a principal may see. Enforcement and admins: all. A dispatcher: their
 * fleet's — narrowed to their contractor and district when their account names them (an
 * API token names neither: the whole fleet). Everyone else: none.
 */
export type IncidentScope = { none: true; contractor?: undefined; district?: undefined } | { none?: false; contractor?: string; district?: string };

export function incidentScopeOf(principal: Principal): IncidentScope {
  if (principal.role === 'admin' || principal.role === 'enforcement') return {};
  if (principal.role === 'dispatcher') return { contractor: principal.contractor, district: principal.district };
  return { none: true };
}

export function incidentInScope(scope: IncidentScope, incident: { contractor?: string; district?: string }): boolean {
  if (scope.none) return false;
  // The same rule as the fleet's (src/domain/fleet-scope.ts): an incident is its vehicle's.
  return inFleetScope(scope, incident);
}
