import { z } from 'zod';
import { vehicleKind, wasteClass } from '../domain/model.js';
import type { VehicleState } from '../domain/vehicle-state.js';
import type { Principal } from '../domain/principal.js';
import { fleetScopeOf, inFleetScope, type FleetScope } from '../domain/fleet-scope.js';

/**
 * What one live client may see (its role's scope) and what it asked to see (its filter).
 * A field left out admits every value; a list admits a vehicle matching any entry (so an
 * empty list admits none, as a dispatcher who unticks every box expects).
 */
export const liveFilterSchema = z.strictObject({
  kind: z.array(vehicleKind).max(10).optional(),
  wasteClass: z.array(wasteClass).max(10).optional(),
  district: z.array(z.string().min(1).max(100)).max(200).optional(),
});
export type LiveFilter = z.infer<typeof liveFilterSchema>;

/**
 * `limit`: the account's district / contractor scope, which no filter widens. `none`: a planner,
 * who sees no vehicle live but follows capacity runs on the socket (capacity-room.ts).
 */
export type LiveScope =
  | { kind: 'vehicle'; vehicleId: string }
  | { kind: 'fleet'; filter: LiveFilter; limit?: FleetScope }
  | { kind: 'none' };

export class ScopeError extends Error {
  constructor(message: string, readonly details: Array<{ path: string; message: string }>) {
    super(message);
  }
}

/** The scope a principal gets, or a ScopeError naming why the connection is refused. */
export function scopeFor(principal: Principal, requested: unknown): LiveScope {
  if (principal.role === 'driver') {
    if (!principal.vehicleId) throw new ScopeError('forbidden', [{ path: 'auth.token', message: 'the driver token is bound to no vehicle' }]);
    // A driver's scope is fixed by the token; a filter cannot widen it.
    return { kind: 'vehicle', vehicleId: principal.vehicleId };
  }
  if (principal.role === 'admin' || principal.role === 'dispatcher' || principal.role === 'enforcement') {
    const limit = fleetScopeOf(principal);
    return { kind: 'fleet', filter: parseFilter(requested), ...(limit ? { limit } : {}) };
  }
  if (principal.role === 'planner') return { kind: 'none' };
  throw new ScopeError('forbidden', [{ path: 'auth.token', message: `role "${principal.role}" has no live view` }]);
}

export function parseFilter(raw: unknown): LiveFilter {
  if (raw === undefined || raw === null) return {};
  const r = liveFilterSchema.safeParse(raw);
  if (!r.success) {
    throw new ScopeError('invalid filter', r.error.issues.map((i) => ({ path: ['filter', ...i.path].join('.'), message: i.message })));
  }
  return r.data;
}

export function inScope(scope: LiveScope, state: VehicleState): boolean {
  if (scope.kind === 'none') return false;
  if (scope.kind === 'vehicle') return state.vehicleId === scope.vehicleId;
  if (!inFleetScope(scope.limit, state)) return false;
  const f = scope.filter;
  if (f.kind && !f.kind.includes(state.kind)) return false;
  if (f.wasteClass && !state.wasteClasses.some((c) => f.wasteClass!.includes(c))) return false;
  if (f.district && (state.district === undefined || !f.district.includes(state.district))) return false;
  return true;
}

/**
 * Whether `a` should replace `b` as a vehicle's latest state. States from other
 * instances can arrive after a newer local one, so the fix time decides first; for the
 * same fix (a late batch recomputing the distance) the later update wins.
 */
export function isNewer(a: VehicleState, b: VehicleState): boolean {
  const fa = a.latest?.fixTimeMs ?? -Infinity;
  const fb = b.latest?.fixTimeMs ?? -Infinity;
  if (fa !== fb) return fa > fb;
  return a.updatedAtMs >= b.updatedAtMs;
}
