import type { Principal } from '../domain/principal.js';

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
  if (scope.contractor !== undefined && incident.contractor !== scope.contractor) return false;
  if (scope.district !== undefined && incident.district !== scope.district) return false;
  return true;
}
