import { z } from 'zod';
import { checkPermit, checkVehicle, type ConsistencyIssue } from '../domain/city-consistency.js';
import type { CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import type { Db, Queryable } from '../store/db.js';
import { newId, type CityRepo, type ListOptions } from '../store/city-repo.js';
import { boundDeviceKeys, describeKey, lockDeviceKeys } from '../store/device-keys.js';
import { resources, type ResourceDef, type ResourceName } from '../store/resources.js';
import type { Principal, Role } from '../domain/principal.js';
import { describeFleetScope, fleetScopeOf, inFleetScope } from '../domain/fleet-scope.js';
import { cityLookup } from './city-lookup.js';
import { ApiError, fromDatabaseError, notFound } from './errors.js';
import type { ApiRoutes } from './routes.js';

type Doc = Record<string, any>;

/** Who may read each resource (planners read the whole city). Writes are for admins and dispatchers. */
export const readRoles: Record<ResourceName, readonly Role[]> = {
  depots: ['admin', 'dispatcher', 'enforcement', 'planner', 'driver'],
  facilities: ['admin', 'dispatcher', 'enforcement', 'planner', 'driver'],
  vehicles: ['admin', 'dispatcher', 'enforcement', 'planner', 'driver'],
  'collection-points': ['admin', 'dispatcher', 'enforcement', 'planner'],
  'construction-sites': ['admin', 'dispatcher', 'enforcement', 'planner'],
  permits: ['admin', 'dispatcher', 'enforcement', 'planner', 'driver'],
  'road-segments': ['admin', 'dispatcher', 'enforcement', 'planner'],
  'restricted-zones': ['admin', 'dispatcher', 'enforcement', 'planner', 'driver'],
};
export const writeRoles: readonly Role[] = ['admin', 'dispatcher'];

/**
 * A driver sees only what concerns their own vehicle; a person scoped to a district or a
 * contractor sees only those vehicles (fleet-scope.ts). The rest of the city (depots,
 * points, roads…) is the same map for everyone who may read it.
 */
function callerScope(def: ResourceDef, principal: Principal | undefined): ListOptions['scope'] {
  if (principal?.role === 'driver') {
    if (def.name === 'vehicles') return [{ filter: { kind: 'id' }, value: principal.vehicleId! }];
    if (def.name === 'permits') return [{ filter: { kind: 'jsonArrayContains', field: 'vehicleIds' }, value: principal.vehicleId! }];
    return undefined;
  }
  const fleet = fleetScopeOf(principal);
  if (!fleet || def.name !== 'vehicles') return undefined;
  return [
    ...(fleet.district !== undefined ? [{ filter: { kind: 'column' as const, column: 'district' }, value: fleet.district }] : []),
    ...(fleet.contractor !== undefined ? [{ filter: { kind: 'jsonText' as const, field: 'contractor' }, value: fleet.contractor }] : []),
  ];
}

/** 403 naming why, when the caller may not see this record (house style: a driver reading another vehicle). */
function assertInCallerScope(def: ResourceDef, doc: Doc, principal: Principal | undefined, path = 'params.id'): void {
  if (principal?.role === 'driver') {
    const own = def.name === 'vehicles' ? doc.id === principal.vehicleId
      : def.name === 'permits' ? (doc.vehicleIds as string[]).includes(principal.vehicleId!) : true;
    if (own) return;
    const what = def.name === 'vehicles' ? 'vehicle' : `vehicle's ${def.name.replaceAll('-', ' ')}`;
    throw new ApiError(403, 'forbidden', [{ path, message: `a driver may only read their own ${what}` }]);
  }
  const fleet = fleetScopeOf(principal);
  if (def.name === 'vehicles' && fleet && !inFleetScope(fleet, doc)) {
    throw new ApiError(403, 'forbidden', [{ path, message: `this account sees only the vehicles of ${describeFleetScope(fleet)}` }], 'auth.forbidden');
  }
}

export const bboxParam = z.string().transform((s, ctx) => {
  const parts = s.split(',').map(Number);
  const [minLon, minLat, maxLon, maxLat] = parts as [number, number, number, number];
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n)) || minLon > maxLon || minLat > maxLat
    || minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) {
    ctx.addIssue({ code: 'custom', message: 'expected bbox=minLon,minLat,maxLon,maxLat within WGS84 ranges' });
    return z.NEVER;
  }
  return [minLon, minLat, maxLon, maxLat] as [number, number, number, number];
});

function listQuerySchema(def: ResourceDef) {
  const shape: Record<string, z.ZodType> = {
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  };
  for (const [name, spec] of Object.entries(def.filters)) {
    if (spec.kind === 'bbox') shape.bbox = bboxParam.optional();
    else if (name === 'grade') shape.grade = z.coerce.number().int().min(1).max(4).optional();
    else if (spec.kind === 'column' && spec.normalize) shape[name] = z.string().min(1).max(200).transform(spec.normalize).optional();
    else shape[name] = z.string().min(1).max(200).optional();
  }
  return z.strictObject(shape);
}

const idParams = z.strictObject({ id: entityId });

/** Cross-record rules for one record; throws 422 naming each field. */
export async function assertConsistent(
  def: ResourceDef, doc: Doc, repo: CityRepo, q: Queryable, profile: CityProfile,
  batch?: Map<string, Map<string, Doc>>, pathPrefix = 'body',
): Promise<void> {
  const issues = await consistencyIssues(def, doc, repo, q, profile, batch);
  if (issues.length > 0) {
    throw new ApiError(422, `inconsistent ${def.label}`, issues.map((i) => ({ path: `${pathPrefix}.${i.path}`, message: i.message })), 'rule.violated');
  }
}

export async function consistencyIssues(
  def: ResourceDef, doc: Doc, repo: CityRepo, q: Queryable, profile: CityProfile, batch?: Map<string, Map<string, Doc>>,
): Promise<ConsistencyIssue[]> {
  const lookup = cityLookup(repo, q, batch);
  if (def.name === 'vehicles') return checkVehicle(doc as any, lookup);
  if (def.name === 'permits') return checkPermit(doc as any, lookup, profile);
  return [];
}

export interface CityRouterDeps {
  db: Db;
  repo: CityRepo;
  profile(): CityProfile;
  /** Told after a committed write (tracking rebinds devices when vehicles change). */
  onChange?(resource: ResourceName): Promise<void> | void;
}

export function addCityRoutes(api: ApiRoutes, deps: CityRouterDeps): void {
  const { db, repo } = deps;
  for (const def of Object.values(resources)) {
    const base = `/${def.name}`;
    api.add({
      method: 'get', path: base, summary: `List ${def.name.replaceAll('-', ' ')} (filters: ${Object.keys(def.filters).join(', ')}; limit, offset)`,
      roles: readRoles[def.name], query: listQuerySchema(def),
      handler: async ({ query, principal }) => {
        const { limit, offset, bbox, ...filters } = query as Record<string, any>;
        return repo.list(def, { limit, offset, bbox, filters, scope: callerScope(def, principal) });
      },
    });
    api.add({
      method: 'get', path: `${base}/:id`, summary: `Read one ${def.label}`, roles: readRoles[def.name], params: idParams,
      handler: async ({ params, principal }) => {
        const doc = await repo.get(def, params.id);
        if (!doc) throw notFound(def.label, params.id);
        assertInCallerScope(def, doc, principal);
        return doc;
      },
    });
    api.add({
      method: 'post', path: base, summary: `Create a ${def.label}`, roles: writeRoles, body: def.schema, successStatus: 201,
      handler: async ({ body, principal }) => {
        const doc = { ...(body as Doc), id: (body as Doc).id ?? newId(def.idPrefix) };
        // A district dispatcher registers trucks of their own district only.
        assertInCallerScope(def, doc, principal, 'body');
        await db.transaction(async (tx) => {
          if (await repo.exists(def, doc.id, tx)) throw new ApiError(409, 'conflict', [{ path: 'body.id', message: `a ${def.label} with id "${doc.id}" exists` }]);
          await assertDeviceKeysFree(def, doc, tx);
          await assertConsistent(def, doc, repo, tx, deps.profile());
          await writeOrExplain(() => repo.write(def, doc, 'insert', tx));
        });
        await deps.onChange?.(def.name);
        return { status: 201, body: doc, headers: { location: `/api/v1${base}/${doc.id}` } };
      },
    });
    api.add({
      method: 'put', path: `${base}/:id`, summary: `Replace a ${def.label}`, roles: writeRoles, params: idParams, body: def.schema,
      handler: async ({ body, params, principal }) => {
        const b = body as Doc;
        if (b.id !== undefined && b.id !== params.id) throw new ApiError(400, 'id mismatch', [{ path: 'body.id', message: `must equal the URL id "${params.id}" or be left out` }]);
        const doc = { ...b, id: params.id };
        await db.transaction(async (tx) => {
          const before = await repo.get(def, doc.id, tx);
          if (!before) throw notFound(def.label, params.id);
          assertInCallerScope(def, before, principal);
          assertInCallerScope(def, doc, principal, 'body');
          await assertDeviceKeysFree(def, doc, tx);
          await assertConsistent(def, doc, repo, tx, deps.profile());
          await writeOrExplain(() => repo.write(def, doc, 'upsert', tx));
        });
        await deps.onChange?.(def.name);
        return doc;
      },
    });
    api.add({
      method: 'delete', path: `${base}/:id`, summary: `Delete a ${def.label}`, roles: writeRoles, params: idParams, successStatus: 204,
      handler: async ({ params, principal }) => {
        if (def.name === 'vehicles' && fleetScopeOf(principal)) {
          const before = await repo.get(def, params.id);
          if (before) assertInCallerScope(def, before, principal);
        }
        let removed = false;
        await writeOrExplain(async () => {
          removed = await repo.remove(def, params.id);
        });
        if (!removed) throw notFound(def.label, params.id);
        await deps.onChange?.(def.name);
        return { status: 204 };
      },
    });
  }
}

/**
 * A vehicle's terminal id and device id (canonical) must not be bound to another vehicle,
 * in either field: otherwise one terminal's fixes could go to two vehicles. 409 naming the field.
 */
async function assertDeviceKeysFree(def: ResourceDef, doc: Doc, tx: Queryable): Promise<void> {
  if (def.name !== 'vehicles') return;
  await lockDeviceKeys(tx);
  const bound = await boundDeviceKeys(tx, [doc], [doc.id]);
  if (bound.length > 0) {
    throw new ApiError(409, 'conflict', bound.map((b) => ({
      path: `body.${b.field}`,
      message: `${describeKey(b.field, b.key)} is already bound to vehicle "${b.vehicleId}" (its ${b.vehicleField}; leading zeros do not count)`,
    })));
  }
}

/** Runs a write; database integrity refusals become 409/422 naming the field. */
export async function writeOrExplain(write: () => Promise<void>, pathPrefix = 'body'): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw fromDatabaseError(err, pathPrefix) ?? err;
  }
}
