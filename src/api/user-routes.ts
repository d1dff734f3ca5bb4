import { z } from 'zod';
import { generatePassword, hashPassword, type ScryptParams } from '../auth/passwords.js';
import { userRoles } from '../domain/principal.js';
import type { SessionStore } from '../auth/sessions.js';
import type { User, UserStore } from '../auth/users.js';
import { entityId } from '../domain/model.js';
import type { Db } from '../store/db.js';
import type { CityRepo } from '../store/city-repo.js';
import { resources } from '../store/resources.js';
import { newPassword, userSummarySchema } from './auth-routes.js';
import { ApiError, fromDatabaseError, notFound } from './errors.js';
import type { ApiRoutes } from './routes.js';

/**
 * Admin management of people: list, create, read, replace, disable. A driver is bound to
 * a vehicle that exists (422 otherwise); login names are unique in any case (409). A new
 * password or a disabled user ends the user's sessions. The last admin who can log in is
 * never disabled or demoted (409): `npm run admin` stays the way back in regardless.
 */
export interface UserRouteDeps {
  db: Db;
  repo: CityRepo;
  users: UserStore;
  sessions: SessionStore;
  /** scrypt cost of new hashes; the production default when left out */
  hashParams?: ScryptParams;
}

export const loginName = z.string().min(1).max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u, 'letters, digits and . _ @ - (starting with a letter or digit)');

const userFields = {
  name: loginName,
  displayName: z.string().min(1).max(200),
  role: z.enum(userRoles),
  vehicleId: entityId.optional().describe('required for a driver, refused for other roles'),
  contractor: z.string().min(1).max(200).optional(),
  district: z.string().min(1).max(100).optional(),
};

const bindingRule = (u: { role: string; vehicleId?: string }, ctx: z.RefinementCtx): void => {
  if (u.role === 'driver' && !u.vehicleId) ctx.addIssue({ code: 'custom', path: ['vehicleId'], message: 'a driver is bound to a vehicle' });
  if (u.role !== 'driver' && u.vehicleId) ctx.addIssue({ code: 'custom', path: ['vehicleId'], message: `a ${u.role} is not bound to a vehicle` });
};

const createBody = z.strictObject({
  ...userFields,
  password: newPassword.optional().describe('left out: a random one is generated and returned once in this answer'),
}).superRefine(bindingRule);

const replaceBody = z.strictObject({
  ...userFields,
  password: newPassword.optional().describe('a new password (ends the user\'s sessions); left out: unchanged'),
  disabled: z.boolean().optional().describe('true disables (ends the sessions), false enables again; left out: unchanged'),
}).superRefine(bindingRule);

const userSchema = userSummarySchema.extend({
  createdAt: z.iso.datetime(), updatedAt: z.iso.datetime(), passwordChangedAt: z.iso.datetime(), disabledAt: z.iso.datetime().nullable(),
});
const createdUser = userSchema.extend({ password: z.string().optional().describe('only when generated: shown this once') });

const listQuery = z.strictObject({
  role: z.enum(userRoles).optional(),
  includeDisabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
const idParams = z.strictObject({ id: entityId });

export function addUserRoutes(api: ApiRoutes, deps: UserRouteDeps): void {
  const { users, sessions } = deps;

  const assertVehicle = async (vehicleId: string | undefined): Promise<void> => {
    if (vehicleId && !(await deps.repo.exists(resources.vehicles, vehicleId))) {
      throw new ApiError(422, 'unknown reference', [{ path: 'body.vehicleId', message: `no vehicle with id "${vehicleId}"` }], 'reference.broken');
    }
  };
  const explain = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw fromDatabaseError(err) ?? err;
    }
  };
  const lastAdmin = (): ApiError =>
    new ApiError(409, 'the last admin', [{ path: 'params.id', message: 'this is the last admin who can log in: make another admin first' }], 'conflict');

  api.add({
    method: 'get', path: '/users', roles: ['admin'], query: listQuery, response: z.object({ items: z.array(userSchema), total: z.number() }),
    summary: 'List users (filters: role; includeDisabled=true shows disabled ones too)',
    handler: async ({ query }) => {
      const items = await users.list({ role: query.role, includeDisabled: query.includeDisabled });
      return { items, total: items.length };
    },
  });

  api.add({
    method: 'post', path: '/users', roles: ['admin'], body: createBody, response: createdUser, successStatus: 201,
    summary: 'Create a user: 409 when the name is taken (any case), 422 when a driver\'s vehicle does not exist; without a password a random one is returned once',
    handler: async ({ body }) => {
      const { password, ...fields } = body;
      await assertVehicle(fields.vehicleId);
      const secret = password ?? generatePassword();
      const user = await explain(async () => users.create(fields, await hashPassword(secret, deps.hashParams)));
      return { status: 201, body: { ...user, ...(password ? {} : { password: secret }) }, headers: { location: `/api/v1/users/${user.id}` } };
    },
  });

  api.add({
    method: 'get', path: '/users/:id', roles: ['admin'], params: idParams, response: userSchema,
    summary: 'Read one user',
    handler: async ({ params }) => {
      const user = await users.get(params.id);
      if (!user) throw notFound('user', params.id);
      return user;
    },
  });

  api.add({
    method: 'put', path: '/users/:id', roles: ['admin'], params: idParams, body: replaceBody, response: userSchema,
    summary: 'Replace a user\'s name, display name, role, vehicle, contractor and district (left-out optional fields are cleared); password and disabled change only when given',
    handler: async ({ params, body, principal }) => {
      const { password, disabled, ...fields } = body;
      await assertVehicle(fields.vehicleId);
      const current = await users.get(params.id);
      if (!current) throw notFound('user', params.id);
      const losesAdmin = current.role === 'admin' && !current.disabledAt && (fields.role !== 'admin' || disabled === true);
      if (losesAdmin && (await users.countActiveAdmins(params.id)) === 0) throw lastAdmin();
      if (disabled === true && principal?.userId === params.id) {
        throw new ApiError(409, 'cannot disable yourself', [{ path: 'body.disabled', message: 'another admin must do it' }], 'conflict');
      }
      const hash = password ? await hashPassword(password, deps.hashParams) : undefined;
      const updated = await explain(() => deps.db.transaction(async (tx): Promise<User | undefined> => {
        await users.update(params.id, fields, tx);
        if (hash) await users.setPassword(params.id, hash, tx);
        if (disabled !== undefined) await users.setDisabled(params.id, disabled, tx);
        if (hash || disabled === true) await sessions.revokeAllOf(params.id, undefined, tx);
        return users.get(params.id, tx);
      }));
      // Sessions read the role and vehicle from the user's row: drop what is cached.
      sessions.forget();
      return updated!;
    },
  });

  api.add({
    method: 'delete', path: '/users/:id', roles: ['admin'], params: idParams, successStatus: 204,
    summary: 'Disable a user (the row stays for history; the sessions end); 409 for oneself or the last admin',
    handler: async ({ params, principal }) => {
      const current = await users.get(params.id);
      if (!current) throw notFound('user', params.id);
      if (principal?.userId === params.id) {
        throw new ApiError(409, 'cannot disable yourself', [{ path: 'params.id', message: 'another admin must do it' }], 'conflict');
      }
      if (current.role === 'admin' && !current.disabledAt && (await users.countActiveAdmins(params.id)) === 0) throw lastAdmin();
      await deps.db.transaction(async (tx) => {
        await users.setDisabled(params.id, true, tx);
        await sessions.revokeAllOf(params.id, undefined, tx);
      });
      sessions.forget();
      return { status: 204 };
    },
  });
}
