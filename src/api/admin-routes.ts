import { z } from 'zod';
import { cityProfileSchema, type CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import type { Db } from '../store/db.js';
import type { CityRepo } from '../store/city-repo.js';
import type { ProfileRepo } from '../store/profile-repo.js';
import { resourceOrder, resources } from '../store/resources.js';
import { tokenBindingProblem, type TokenStore } from '../auth/api-tokens.js';
import { roles } from '../domain/principal.js';
import { ApiError, fromDatabaseError, zodDetails } from './errors.js';
import { mergePatch, missingKeys } from '../domain/json-documents.js';
import type { ApiRoutes } from './routes.js';

export interface AdminRouteDeps {
  db: Db;
  repo: CityRepo;
  tokens: TokenStore;
  profiles: ProfileRepo;
  migrationVersion(): number;
  startedAtMs: number;
  networkStatus?: () => Record<string, unknown>;
  /** The map's road layer: 'ready' once built for the latest write (a large city's first page waits for nothing then). */
  mapRoads?: () => { status: string; roads?: number; buildMs?: number };
}

/** A merge patch of the city profile: a JSON object, checked member by member once merged. */
const profilePatchSchema = z.record(z.string(), z.unknown());

/** Health, the route index, the city profile and API tokens. */
export function addAdminRoutes(api: ApiRoutes, deps: AdminRouteDeps): void {
  api.add({
    method: 'get', path: '/health', roles: 'public',
    summary: 'Liveness and store facts: store kind, migration version, record counts, the road network, the map\'s road layer (mapRoads.status ready once built)',
    handler: async () => {
      const counts: Record<string, number> = {};
      for (const name of resourceOrder) counts[name] = await deps.repo.count(resources[name]);
      const positions = await deps.db.query<{ n: number }>('select count(*)::int as n from positions');
      counts.positions = positions.rows[0]?.n ?? 0;
      return {
        status: 'ok',
        store: deps.db.kind,
        migrationVersion: deps.migrationVersion(),
        city: deps.profiles.get().name,
        uptimeS: Math.round((Date.now() - deps.startedAtMs) / 1000),
        roadNetwork: deps.networkStatus?.() ?? { status: 'none' },
        mapRoads: deps.mapRoads?.() ?? { status: 'cold' },
        counts,
      };
    },
  });

  api.add({
    method: 'get', path: '/', roles,
    summary: 'This route table: every route with the roles it admits',
    handler: () => ({ routes: api.table.map((r) => ({ method: r.method.toUpperCase(), path: `/api/v1${r.path}`, roles: r.roles, summary: r.summary })) }),
  });

  api.add({
    method: 'get', path: '/city-profile', roles: ['admin', 'dispatcher', 'enforcement', 'driver', 'planner'],
    summary: 'The city profile: time zone, hours, speed limits, corridor widths, windows, sweeping table',
    handler: () => deps.profiles.get(),
  });
  const saveProfile = async (profile: CityProfile): Promise<CityProfile> => {
    await deps.profiles.save(profile);
    deps.profiles.use(profile);
    return profile;
  };
  api.add({
    method: 'put', path: '/city-profile', roles: ['admin'], body: cityProfileSchema,
    summary: 'Replace the whole city profile: every key GET returns, at every level, must be present (PATCH changes a part)',
    handler: async ({ body, req }) => {
      // A PUT carries the whole resource: a key left out is refused rather than reset to its default.
      const missing = missingKeys(req.body, body);
      if (missing.length > 0) {
        throw new ApiError(400, 'invalid request', missing.map((p) => ({
          path: ['body', ...p].join('.'), message: 'required: a PUT carries the whole profile (use PATCH to change a part)',
        })));
      }
      return saveProfile(body as CityProfile);
    },
  });
  api.add({
    method: 'patch', path: '/city-profile', roles: ['admin'], body: profilePatchSchema,
    bodyTypes: ['application/json', 'application/merge-patch+json'],
    summary: 'Change part of the city profile (JSON merge patch, RFC 7396: objects merge deep, arrays and values replace, null restores the default); unknown keys refused, the result validated',
    handler: async ({ body }) => {
      const unknownRemovals: string[][] = [];
      const merged = mergePatch(deps.profiles.get(), body, unknownRemovals);
      const details = unknownRemovals.map((p) => ({ path: ['body', ...p].join('.'), message: 'unknown field' }));
      const r = cityProfileSchema.safeParse(merged);
      if (!r.success) details.push(...zodDetails(r.error, 'body'));
      if (details.length > 0) throw new ApiError(400, 'invalid request', details);
      return saveProfile(r.data!);
    },
  });

  const tokenBody = z.strictObject({
    role: z.enum(roles),
    vehicleId: entityId.optional(),
    label: z.string().min(1).max(200).optional(),
    /** Optional end of validity; left out, the token works until revoked. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  }).superRefine((t, ctx) => {
    if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
    const binding = tokenBindingProblem(t.role, t.vehicleId);
    if (binding) ctx.addIssue({ code: 'custom', path: ['vehicleId'], message: binding });
  });
  api.add({
    method: 'post', path: '/tokens', roles: ['admin'], body: tokenBody, successStatus: 201,
    summary: 'Issue an API token (the secret is in this answer only)',
    handler: async ({ body }) => {
      if (body.vehicleId && !(await deps.repo.exists(resources.vehicles, body.vehicleId))) {
        throw new ApiError(422, 'unknown reference', [{ path: 'body.vehicleId', message: `no vehicle with id "${body.vehicleId}"` }], 'reference.broken');
      }
      try {
        const issued = await deps.tokens.issue({ ...body, expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined });
        const { expiresAtMs: _ms, ...shown } = issued;
        return { status: 201, body: shown };
      } catch (err) {
        throw fromDatabaseError(err) ?? err;
      }
    },
  });
  api.add({
    method: 'get', path: '/tokens', roles: ['admin'], summary: 'List API tokens with their expiry and last use (never the secrets)',
    handler: async () => ({ items: await deps.tokens.list() }),
  });
  api.add({
    method: 'delete', path: '/tokens/:id', roles: ['admin'], params: z.strictObject({ id: entityId }), successStatus: 204,
    summary: 'Revoke an API token',
    handler: async ({ params, principal }) => {
      if (params.id === principal?.tokenId) {
        throw new ApiError(409, 'cannot revoke the token in use', [{ path: 'params.id', message: 'use another admin token to revoke this one' }]);
      }
      if (!(await deps.tokens.revoke(params.id))) throw new ApiError(404, 'token not found', [{ path: 'params.id', message: `no active token "${params.id}"` }]);
      return { status: 204 };
    },
  });
}
